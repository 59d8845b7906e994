"""The OpenAPI 3.1 document of API v1 (kept beside the views; a test checks every route is described)."""

from __future__ import annotations

from typing import Any


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def openapi_document() -> dict[str, Any]:
    """The document served at /api/v1/openapi.json."""
    slug = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
    attempt_id = {"name": "attempt_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lernplattform „Kommunen für alle?“ – API",
            "version": "1.0.0",
            "description": (
                "Module, Quizversuche und Abschlüsse für die Systeme der Modellkommunen. "
                "Authentifizierung mit einem persönlichen API-Token (Profil → API-Token) als "
                "„Authorization: Bearer …“ oder mit der Browsersitzung (dann bei POST mit Header X-CSRFToken). "
                'Fehler sind immer JSON: {"error": {"status", "message"}}.'
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerToken": []}, {"session": []}],
        "paths": {
            "/modules": {
                "get": {
                    "operationId": "listModules",
                    "summary": "Module im Katalog der aufrufenden Person",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"modules": {"type": "array", "items": _ref("ModuleSummary")}},
                            },
                            "Liste der Module",
                        ),
                        "401": ERRORS["401"],
                    },
                }
            },
            "/modules/{slug}": {
                "get": {
                    "operationId": "getModule",
                    "summary": "Ein Modul mit seinen Abschnitten",
                    "parameters": [slug],
                    "responses": {"200": _json(_ref("ModuleDetail"), "Das Modul"), **ERRORS},
                }
            },
            "/modules/{slug}/attempts": {
                "post": {
                    "operationId": "startAttempt",
                    "summary": "Quizversuch beginnen (oder offenen Versuch fortsetzen)",
                    "parameters": [slug],
                    "responses": {
                        "201": _json(_ref("Attempt"), "Der Versuch mit seinen Fragen, ohne Lösungen"),
                        **ERRORS,
                        "409": {"$ref": "#/components/responses/Conflict"},
                    },
                }
            },
            "/attempts/{attempt_id}": {
                "get": {
                    "operationId": "getAttempt",
                    "summary": "Einen eigenen Versuch abrufen",
                    "parameters": [attempt_id],
                    "responses": {"200": _json(_ref("Attempt"), "Der Versuch"), **ERRORS},
                }
            },
            "/attempts/{attempt_id}/submit": {
                "post": {
                    "operationId": "submitAttempt",
                    "summary": "Antworten abgeben; Bewertung auf dem Server, genau einmal",
                    "parameters": [attempt_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("Submission")}},
                    },
                    "responses": {
                        "200": _json(_ref("Attempt"), "Das Ergebnis mit Erklärungen"),
                        "400": {"$ref": "#/components/responses/BadRequest"},
                        **ERRORS,
                        "409": {"$ref": "#/components/responses/Conflict"},
                    },
                }
            },
            "/me/completions": {
                "get": {
                    "operationId": "listMyCompletions",
                    "summary": "Abschlüsse der aufrufenden Person",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"completions": {"type": "array", "items": _ref("Completion")}},
                            },
                            "Abschlüsse, neueste zuerst",
                        ),
                        "401": ERRORS["401"],
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "responses": {
                name: _json(_ref("Error"), text)
                for name, text in {
                    "BadRequest": "Ungültige Anfrage",
                    "Unauthorized": "Nicht angemeldet oder Token ungültig",
                    "NotFound": "Nicht vorhanden oder nicht sichtbar",
                    "Conflict": "Widerspricht dem aktuellen Stand",
                }.items()
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["status", "message"],
                            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
                        }
                    },
                },
                "ModuleSummary": {
                    "type": "object",
                    "required": ["slug", "kind", "title", "version", "content_hash"],
                    "properties": {
                        "slug": {"type": "string"},
                        "kind": {"type": "string", "enum": ["training", "workshop"]},
                        "title": {"type": "string"},
                        "version": {"type": "string"},
                        "summary": {"type": "string"},
                        "duration_minutes": {"type": "integer"},
                        "language": {"type": "string"},
                        "content_hash": {"type": "string"},
                        "published_at": {"type": "string", "format": "date-time"},
                    },
                },
                "ModuleDetail": {
                    "allOf": [
                        _ref("ModuleSummary"),
                        {
                            "type": "object",
                            "properties": {
                                "audience": {"type": "array", "items": {"type": "string"}},
                                "objectives": {"type": "array", "items": {"type": "string"}},
                                "intro_html": {"type": "string"},
                                "has_quiz": {"type": "boolean"},
                                "sections": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "position": {"type": "integer"},
                                            "anchor": {"type": "string"},
                                            "title": {"type": "string"},
                                            "html": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    ]
                },
                "Attempt": {
                    "type": "object",
                    "required": ["id", "module", "questions"],
                    "properties": {
                        "id": {"type": "integer"},
                        "module": {"type": "string"},
                        "module_version": {"type": "string"},
                        "quiz_version": {"type": "integer"},
                        "pass_mark": {"type": "integer"},
                        "started_at": {"type": "string", "format": "date-time"},
                        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
                        "score_percent": {"type": "number"},
                        "passed": {"type": "boolean"},
                        "questions": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "Submission": {
                    "type": "object",
                    "required": ["responses"],
                    "properties": {
                        "responses": {
                            "type": "object",
                            "description": "Antworten je Fragenschlüssel: Liste der gewählten Antwort-IDs",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        }
                    },
                },
                "Completion": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "module": {"type": "string"},
                        "title": {"type": "string"},
                        "module_version": {"type": "string"},
                        "content_hash": {"type": "string"},
                        "completed_at": {"type": "string", "format": "date-time"},
                        "score_percent": {"type": ["number", "null"]},
                        "mode": {"type": "string", "enum": ["online", "in_person"]},
                    },
                },
            },
        },
    }
