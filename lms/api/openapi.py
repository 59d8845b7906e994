"""The OpenAPI 3.1 document of API v1 (kept beside the views; a test checks every route is described)."""

from __future__ import annotations

from typing import Any

from lms.quizzes.question_types import REGISTRY
from lms.quizzes.review import REVIEW_KEYS, When


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": {"$ref": "#/components/responses/Unauthorized"},
    "404": {"$ref": "#/components/responses/NotFound"},
}


def _entries(description: str) -> dict[str, Any]:
    """A list of {id, html} entries (options or steps), HTML sanitised at publish."""
    return {
        "type": "array",
        "description": description,
        "items": {
            "type": "object",
            "required": ["id", "html"],
            "properties": {"id": {"type": "string"}, "html": {"type": "string"}},
        },
    }


def _question_schemas() -> dict[str, Any]:
    """Questions of every registered type, open and graded, and the shape of a response to each."""
    types = list(REGISTRY)
    response = {
        "description": (
            "Antwort auf eine Frage. single_choice, true_false: Liste mit der gewählten Antwort-ID (oder die ID "
            "als Text); multiple_choice: Liste der gewählten Antwort-IDs; text_input: der eingegebene Text "
            "(höchstens max_length Zeichen; Groß- und Kleinschreibung, mehrfache Leerzeichen und Satzzeichen am "
            "Rand zählen nicht); ordering: die Schritt-IDs in der gewählten Reihenfolge, alle genau einmal "
            '(oder je Schritt "ID:Position" wie im Formular). Leer oder fehlend: unbeantwortet.'
        ),
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    return {
        "Question": {
            "type": "object",
            "description": "Eine Frage eines offenen Versuchs, ohne Lösung; die Felder hängen vom Typ ab.",
            "required": ["key", "type", "title", "stem_html"],
            "properties": {
                "key": {"type": "string"},
                "type": {"type": "string", "enum": types},
                "title": {"type": "string"},
                "stem_html": {"type": "string"},
                "options": _entries(
                    "single_choice, multiple_choice, true_false: Antworten in Anzeigereihenfolge"
                ),
                "max_length": {"type": "integer", "description": "text_input: höchste Länge der Antwort"},
                "steps": _entries(
                    "ordering: die zu ordnenden Schritte, gemischt (nie schon richtig geordnet)"
                ),
            },
        },
        "QuestionResult": {
            "type": "object",
            "description": (
                "Eine Frage eines abgegebenen Versuchs: die eigene Antwort und, soweit die Review-Optionen des "
                "Quiz es jetzt zeigen (siehe Attempt.revealed), ob sie richtig war, die Lösung und die Erklärung. "
                "Was nicht gezeigt wird, ist null (review: leer)."
            ),
            "required": [
                "key",
                "type",
                "title",
                "response",
                "is_correct",
                "correct_response",
                "review",
                "explanation_html",
            ],
            "properties": {
                "key": {"type": "string"},
                "type": {"type": "string", "enum": types},
                "title": {"type": "string"},
                "response": {
                    "anyOf": [_ref("Response"), {"type": "null"}],
                    "description": "Die gespeicherte (normalisierte) Antwort; null: unbeantwortet",
                },
                "is_correct": {
                    "type": ["boolean", "null"],
                    "description": "Ob die Frage richtig beantwortet ist; null, solange correctness sie verbirgt",
                },
                "correct_response": {
                    "anyOf": [_ref("Response"), {"type": "null"}],
                    "description": "Eine Antwort, die richtig ist; null, solange right_answer sie verbirgt",
                },
                "review": {
                    "type": "object",
                    "description": (
                        "Typabhängige Angaben zur Lösung, nur wenn right_answer sie zeigt, sonst leer. "
                        "text_input: accepted (alle richtigen Schreibweisen); ordering: given (die eigene "
                        "Reihenfolge: html, is_right je Platz) und expected (HTML der Schritte in richtiger "
                        "Reihenfolge)."
                    ),
                },
                "explanation_html": {
                    "type": ["string", "null"],
                    "description": "Die Erklärung; null, solange explanation sie verbirgt",
                },
            },
        },
        "Response": response,
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
                        "200": _json(
                            _ref("Attempt"), "Das Ergebnis, so weit die Review-Optionen des Quiz es zeigen"
                        ),
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
                        "review_options": {
                            **_ref("ReviewOptions"),
                            "description": "Abgegeben: die Review-Optionen der Quizfassung dieses Versuchs",
                        },
                        "revealed": {
                            "type": "object",
                            "description": (
                                "Abgegeben: was diese Antwort jetzt zeigt. Nach „after_pass_or_last_attempt“ "
                                "erst, wenn das Modul bestanden ist oder kein Versuch mehr bleibt."
                            ),
                            "required": ["correctness", "right_answer", "explanation"],
                            "properties": {
                                "correctness": {"type": "boolean"},
                                "right_answer": {"type": "boolean"},
                                "explanation": {"type": "boolean"},
                            },
                        },
                        "questions": {
                            "type": "array",
                            "description": "Offen: die Fragen ohne Lösungen; abgegeben: das Ergebnis je Frage",
                            "items": {"anyOf": [_ref("Question"), _ref("QuestionResult")]},
                        },
                    },
                },
                **_question_schemas(),
                "ReviewOptions": {
                    "type": "object",
                    "description": (
                        "Wann Lernende nach einem Versuch sehen, ob jede Antwort richtig war (correctness), die "
                        "richtigen Antworten (right_answer) und die Erklärungen (explanation); im Quizkopf "
                        "„review:“, mit der Quizfassung eingefroren."
                    ),
                    "required": list(REVIEW_KEYS),
                    "properties": {
                        key: {"type": "string", "enum": [when.value for when in When]} for key in REVIEW_KEYS
                    },
                },
                "Submission": {
                    "type": "object",
                    "required": ["responses"],
                    "properties": {
                        "responses": {
                            "type": "object",
                            "description": "Antworten je Fragenschlüssel (siehe Response)",
                            "additionalProperties": _ref("Response"),
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
