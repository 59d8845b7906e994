"""The OpenAPI 3.1 document of API v1, kept beside the views.

It says everything the API answers: every status an operation can return (a 500 is a bug, never a promise), the
error body, request bodies as precise as the server checks them, and links between operations for clients (and
Schemathesis' stateful phase, scripts/api-fuzz) to follow. tests/web/test_api.py checks that every route is
described; scripts/api-fuzz checks that the server keeps to the document.
"""

from __future__ import annotations

from typing import Any

from lms.quizzes.question_types import REGISTRY
from lms.quizzes.review import REVIEW_KEYS, When
from lms.web.validation import MAX_DB_INT

#: A string without the control characters the edge refuses (lms/web/validation.py: C0 except tab and line
#: breaks, and DEL), as an ECMA-262 pattern.
NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
#: Module slugs (lms/markdown/structure.py, SLUG_PATTERN; at most 80 characters in the database).
SLUG = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: Question keys within a quiz: q1, q2, … in the order of the quiz file.
QUESTION_KEY = "^q[1-9][0-9]*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _json(schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}, **extra}


def _object(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An object with exactly these properties (the API never sends others); all required unless listed."""
    return {
        "type": "object",
        "required": list(properties) if required is None else required,
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


STRING = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time"}
TEXT = {"type": "string", "pattern": NO_CONTROL_CHARACTERS}

#: What every operation may answer besides its own results: malformed requests and missing authentication.
COMMON = {"400": _response("BadRequest"), "401": _response("Unauthorized")}
#: Every POST and PUT also: a body larger than LMS_MAX_REQUEST_BYTES.
POSTED = {**COMMON, "413": _response("PayloadTooLarge")}


def _entries(description: str) -> dict[str, Any]:
    """A list of {id, html} entries (options or steps), HTML sanitised at publish."""
    return {
        "type": "array",
        "description": description,
        "items": _object({"id": STRING, "html": STRING}),
    }


def _question_schemas() -> dict[str, Any]:
    """Questions of every registered type, open and graded, and the shape of a response to each."""
    types = list(REGISTRY)
    answer = {
        "anyOf": [
            TEXT,
            {"type": "array", "items": TEXT},
            {"type": "null"},
        ]
    }
    return {
        "Response": {
            **answer,
            "description": (
                "Antwort auf eine Frage. single_choice, true_false: Liste mit der gewählten Antwort-ID (oder die ID "
                "als Text); multiple_choice: Liste der gewählten Antwort-IDs; text_input: der eingegebene Text "
                "(höchstens max_length Zeichen; Groß- und Kleinschreibung, mehrfache Leerzeichen und Satzzeichen am "
                "Rand zählen nicht); ordering: die Schritt-IDs in der gewählten Reihenfolge, alle genau einmal "
                '(oder je Schritt "ID:Position" wie im Formular); matrix: je gewählte Zelle "Zeilen-ID:Spalten-ID"; '
                'gap_text: je beantwortete Lücke "Lücken-ID:Options-ID" (Auswahl) oder "Lücken-ID:Text" (Textlücke). '
                "Leer, null oder fehlend: unbeantwortet. Passt "
                "eine Antwort nicht zur Frage (unbekannte ID, zwei Antworten auf eine Einfachauswahl, zu lang), "
                "ist die Antwort 422. Keine Steuerzeichen (außer Tabulator und Zeilenumbruch)."
            ),
        },
        "Question": _object(
            {
                "key": {"type": "string", "pattern": QUESTION_KEY},
                "type": {"type": "string", "enum": types},
                "title": STRING,
                "stem_html": STRING,
                "options": _entries(
                    "single_choice, multiple_choice, true_false: Antworten in Anzeigereihenfolge"
                ),
                "max_length": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "text_input: höchste Länge der Antwort",
                },
                "steps": _entries(
                    "ordering: die zu ordnenden Schritte, gemischt (nie schon richtig geordnet)"
                ),
                "columns": _entries("matrix: die Spalten (Kopfzeile) in der Reihenfolge der Datei"),
                "rows": {
                    "type": "array",
                    "description": "matrix: die Aussagen in Anzeigereihenfolge; multiple: Kästchen statt Auswahlknöpfen",
                    "items": _object({"id": STRING, "html": STRING, "multiple": {"type": "boolean"}}),
                },
                "parts": {
                    "type": "array",
                    "description": (
                        "gap_text: der Satz in Stücken, der Reihe nach zusammenzusetzen: HTML-Stücke (ein Stück "
                        'darf ein Element öffnen oder schließen) und Lücken {"gap", "kind": "select" mit options '
                        'oder "text" mit max_length}'
                    ),
                    "items": {"type": "object"},
                },
                "hints": {
                    "type": "array",
                    "items": STRING,
                    "description": "Hinweise (LiaScript [[?]]) als bereinigtes HTML, auf Wunsch zu zeigen",
                },
            },
            required=["key", "type", "title", "stem_html"],
            description="Eine Frage eines offenen Versuchs, ohne Lösung; die weiteren Felder hängen vom Typ ab.",
        ),
        "QuestionResult": _object(
            {
                "key": {"type": "string", "pattern": QUESTION_KEY},
                "type": {"type": "string", "enum": types},
                "title": STRING,
                "response": {
                    "anyOf": [STRING, {"type": "array", "items": STRING}, {"type": "null"}],
                    "description": "Die gespeicherte (normalisierte) Antwort; leer oder null: unbeantwortet",
                },
                "is_correct": {
                    "type": ["boolean", "null"],
                    "description": "Ob die Frage richtig beantwortet ist; null, solange correctness sie verbirgt",
                },
                "correct_response": {
                    "anyOf": [STRING, {"type": "array", "items": STRING}, {"type": "null"}],
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
                    "properties": {
                        "accepted": {"type": "array", "items": STRING},
                        "given": {
                            "type": "array",
                            "items": _object({"html": STRING, "is_right": {"type": "boolean"}}),
                        },
                        "expected": {"type": "array", "items": STRING},
                    },
                    "additionalProperties": False,
                },
                "explanation_html": {
                    "type": ["string", "null"],
                    "description": "Die Erklärung; null, solange explanation sie verbirgt",
                },
            },
            description=(
                "Eine Frage eines abgegebenen Versuchs: die eigene Antwort und, soweit die Review-Optionen des "
                "Quiz es jetzt zeigen (siehe Attempt.revealed), ob sie richtig war, die Lösung und die Erklärung. "
                "Was nicht gezeigt wird, ist null (review: leer)."
            ),
        ),
    }


def _attempt_schemas() -> dict[str, Any]:
    """An attempt while open (questions without solutions) and once submitted (the result)."""
    common = {
        "id": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
        "module": {"type": "string", "pattern": SLUG},
        "module_version": STRING,
        "quiz_version": {"type": "integer", "minimum": 1},
        "pass_mark": {"type": "integer", "minimum": 0, "maximum": 100},
        "started_at": DATE_TIME,
    }
    return {
        "Attempt": {
            "oneOf": [_ref("OpenAttempt"), _ref("SubmittedAttempt")],
            "description": "Ein Quizversuch: offen (submitted_at null) oder abgegeben.",
        },
        "OpenAttempt": _object(
            {
                **common,
                "submitted_at": {"type": "null"},
                "questions": {
                    "type": "array",
                    "items": _ref("Question"),
                    "description": "Die Fragen in der Reihenfolge dieses Versuchs, ohne Lösungen",
                },
                "responses": {
                    "type": "object",
                    "description": (
                        "Die bisher gespeicherten Antworten je Fragenschlüssel (PUT …/responses oder die Webseite), "
                        "noch nicht bewertet"
                    ),
                    "propertyNames": {"pattern": QUESTION_KEY},
                    "additionalProperties": {"type": "array", "items": STRING},
                },
                "responses_saved_at": {"anyOf": [DATE_TIME, {"type": "null"}]},
            }
        ),
        "SubmittedAttempt": _object(
            {
                **common,
                "submitted_at": DATE_TIME,
                "score_percent": {"type": "number", "minimum": 0, "maximum": 100},
                "passed": {"type": "boolean"},
                "review_options": {
                    **_ref("ReviewOptions"),
                    "description": "Die Review-Optionen der Quizfassung dieses Versuchs",
                },
                "revealed": _object(
                    {key: {"type": "boolean"} for key in REVIEW_KEYS},
                    description=(
                        "Was diese Antwort jetzt zeigt. Nach „after_pass_or_last_attempt“ erst, wenn das Modul "
                        "bestanden ist oder kein Versuch mehr bleibt."
                    ),
                ),
                "questions": {
                    "type": "array",
                    "items": _ref("QuestionResult"),
                    "description": "Das Ergebnis je Frage",
                },
            }
        ),
        "ReviewOptions": _object(
            {key: {"type": "string", "enum": [when.value for when in When]} for key in REVIEW_KEYS},
            description=(
                "Wann Lernende nach einem Versuch sehen, ob jede Antwort richtig war (correctness), die "
                "richtigen Antworten (right_answer) und die Erklärungen (explanation); im Quizkopf "
                "„review:“, mit der Quizfassung eingefroren."
            ),
        ),
        "Submission": _object(
            {
                "responses": {
                    "type": "object",
                    "description": (
                        "Antworten je Fragenschlüssel (siehe Response); fehlende Fragen gelten als unbeantwortet. "
                        "Ein Schlüssel, den der Versuch nicht hat, ist 422 (die Meldung nennt die ersten fünf "
                        "solchen Schlüssel und zählt die übrigen)."
                    ),
                    "propertyNames": {"pattern": QUESTION_KEY},
                    "additionalProperties": _ref("Response"),
                }
            },
            description="Die Abgabe eines Versuchs; weitere Felder sind ein Fehler (400).",
        ),
    }


def _content_schemas() -> dict[str, Any]:
    """Modules and completions."""
    summary = {
        "slug": {"type": "string", "pattern": SLUG, "maxLength": 80},
        "kind": {"type": "string", "enum": ["training", "workshop"]},
        "title": STRING,
        "version": STRING,
        "summary": STRING,
        "duration_minutes": {"type": "integer", "minimum": 0},
        "language": STRING,
        "content_hash": STRING,
        "published_at": DATE_TIME,
    }
    section = _object(
        {"position": {"type": "integer"}, "anchor": STRING, "title": STRING, "html": STRING},
        description="Ein Abschnitt, HTML beim Veröffentlichen bereinigt",
    )
    return {
        "ModuleSummary": _object(summary),
        "ModuleDetail": _object(
            {
                **summary,
                "audience": {"type": "array", "items": STRING},
                "objectives": {"type": "array", "items": STRING},
                "intro_html": STRING,
                "has_quiz": {"type": "boolean"},
                "sections": {"type": "array", "items": section},
            }
        ),
        "Completion": _object(
            {
                "id": {"type": "integer", "minimum": 1},
                "module": {"type": "string", "pattern": SLUG},
                "title": STRING,
                "module_version": STRING,
                "content_hash": STRING,
                "completed_at": DATE_TIME,
                "score_percent": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
                "mode": {"type": "string", "enum": ["online", "in_person"]},
            }
        ),
    }


def _error_responses() -> dict[str, Any]:
    """The error answers, each with the JSON body {"error": {"status", "message"}}."""
    texts = {
        "BadRequest": (
            "Ungültige Anfrage: kein JSON oder nicht in der beschriebenen Form, Steuerzeichen in Adresse oder "
            "Daten, JSON tiefer als 32 Ebenen, oder (bei Anmeldung über die Browsersitzung) ein POST ohne "
            "gültigen Header X-CSRFToken"
        ),
        "Unauthorized": "Nicht angemeldet, oder das Token ist ungültig, abgelaufen oder widerrufen",
        "NotFound": "Nicht vorhanden oder für die aufrufende Person nicht sichtbar",
        "Conflict": "Widerspricht dem aktuellen Stand (Versuch schon abgegeben, kein Versuch mehr möglich …)",
        "PayloadTooLarge": "Der Anfragekörper ist größer als LMS_MAX_REQUEST_BYTES",
        "UnprocessableContent": (
            "Gültiges JSON der beschriebenen Form, das aber nicht zum Versuch passt (unbekannte Frage, "
            "unbekannte Antwort-ID, zu lange Antwort …); die Meldung nennt die Frage"
        ),
    }
    responses = {name: _json(_ref("Error"), text) for name, text in texts.items()}
    responses["Unauthorized"]["headers"] = {
        "WWW-Authenticate": {
            "description": 'Bearer realm="api" (RFC 6750), mit error="invalid_token" bei einem ungültigen Token',
            "required": True,
            "schema": {"type": "string", "pattern": "^Bearer "},
        }
    }
    return responses


def openapi_document(session_cookie: str = "lms_session") -> dict[str, Any]:
    """The document served at /api/v1/openapi.json (``session_cookie``: the name of the session cookie)."""
    slug = {
        "name": "slug",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": SLUG, "maxLength": 80},
        "example": "grundbegriffe",
    }
    attempt_id = {
        "name": "attempt_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DB_INT},
        "example": 1,
    }
    by_slug = {"slug": "$response.body#/slug"}
    by_id = {"attempt_id": "$response.body#/id"}
    # POSTs: a token, or the browser session with its CSRF token in the header.
    posting: list[dict[str, list[str]]] = [{"bearerToken": []}, {"session": [], "csrfHeader": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lernplattform „Kommunen für alle?“ – API",
            "version": "1.0.0",
            "description": (
                "Module, Quizversuche und Abschlüsse für die Systeme der Modellkommunen. "
                "Authentifizierung mit einem persönlichen API-Token (Profil → API-Token) als "
                "„Authorization: Bearer …“ oder mit der Browsersitzung (dann bei POST und PUT mit Header X-CSRFToken). "
                'Fehler sind immer JSON: {"error": {"status", "message"}}, die Meldung in der Sprache des '
                "Kontos. Eine andere Methode als beschrieben ist 405 mit Header Allow."
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
                            _object({"modules": {"type": "array", "items": _ref("ModuleSummary")}}),
                            "Liste der Module",
                            links={
                                "GetFirstModule": {
                                    "operationId": "getModule",
                                    "parameters": {"slug": "$response.body#/modules/0/slug"},
                                },
                                "StartAttemptOnFirstModule": {
                                    "operationId": "startAttempt",
                                    "parameters": {"slug": "$response.body#/modules/0/slug"},
                                },
                            },
                        ),
                        **COMMON,
                    },
                }
            },
            "/modules/{slug}": {
                "get": {
                    "operationId": "getModule",
                    "summary": "Ein Modul mit seinen Abschnitten",
                    "parameters": [slug],
                    "responses": {
                        "200": _json(
                            _ref("ModuleDetail"),
                            "Das Modul",
                            links={"StartAttempt": {"operationId": "startAttempt", "parameters": by_slug}},
                        ),
                        **COMMON,
                        "404": _response("NotFound"),
                    },
                }
            },
            "/modules/{slug}/attempts": {
                "post": {
                    "operationId": "startAttempt",
                    "summary": "Quizversuch beginnen (oder den offenen Versuch fortsetzen)",
                    "description": "Ohne Anfragekörper. Auch ein fortgesetzter offener Versuch ist 201.",
                    "parameters": [slug],
                    "security": posting,
                    "responses": {
                        "201": _json(
                            _ref("OpenAttempt"),
                            "Der offene Versuch mit seinen Fragen, ohne Lösungen",
                            links={
                                "GetAttempt": {"operationId": "getAttempt", "parameters": by_id},
                                "SaveResponses": {"operationId": "saveResponses", "parameters": by_id},
                                "SubmitAttempt": {"operationId": "submitAttempt", "parameters": by_id},
                            },
                        ),
                        **POSTED,
                        "404": _response("NotFound"),
                        "409": _response("Conflict"),
                    },
                }
            },
            "/attempts/{attempt_id}": {
                "get": {
                    "operationId": "getAttempt",
                    "summary": "Einen eigenen Versuch abrufen",
                    "parameters": [attempt_id],
                    "responses": {
                        "200": _json(
                            _ref("Attempt"),
                            "Der Versuch",
                            links={"SubmitAttempt": {"operationId": "submitAttempt", "parameters": by_id}},
                        ),
                        **COMMON,
                        "404": _response("NotFound"),
                    },
                }
            },
            "/attempts/{attempt_id}/submit": {
                "post": {
                    "operationId": "submitAttempt",
                    "summary": "Antworten abgeben; Bewertung auf dem Server, genau einmal",
                    "parameters": [attempt_id],
                    "security": posting,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": _ref("Submission"),
                                "example": {"responses": {"q1": ["a", "c"], "q2": ["b"], "q3": "Anti-Bias"}},
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            _ref("SubmittedAttempt"),
                            "Das Ergebnis, so weit die Review-Optionen des Quiz es zeigen",
                            links={
                                "GetAttempt": {"operationId": "getAttempt", "parameters": by_id},
                                "ListMyCompletions": {"operationId": "listMyCompletions"},
                            },
                        ),
                        **POSTED,
                        "404": _response("NotFound"),
                        "409": _response("Conflict"),
                        "422": _response("UnprocessableContent"),
                    },
                }
            },
            "/attempts/{attempt_id}/responses": {
                "put": {
                    "operationId": "saveResponses",
                    "summary": "Antworten eines offenen Versuchs speichern, ohne abzugeben",
                    "description": (
                        "Ersetzt die gespeicherten Antworten; bewertet wird erst bei der Abgabe. Ein Text wird als "
                        "Liste mit einem Text gespeichert, null als leere Liste. Eine unfertige Antwort wird "
                        "gespeichert (noch nicht jeder Schritt platziert); eine ID, die die Frage nicht hat "
                        "(Antwort, Schritt, Position), ist wie bei der Abgabe 422."
                    ),
                    "parameters": [attempt_id],
                    "security": posting,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": _ref("Submission"),
                                "example": {"responses": {"q1": ["a"], "q3": "Anti-Bi"}},
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            _ref("OpenAttempt"),
                            "Der offene Versuch mit den gespeicherten Antworten",
                            links={
                                "GetAttempt": {"operationId": "getAttempt", "parameters": by_id},
                                "SubmitAttempt": {"operationId": "submitAttempt", "parameters": by_id},
                            },
                        ),
                        **POSTED,
                        "404": _response("NotFound"),
                        "409": _response("Conflict"),
                        "422": _response("UnprocessableContent"),
                    },
                }
            },
            "/me/completions": {
                "get": {
                    "operationId": "listMyCompletions",
                    "summary": "Abschlüsse der aufrufenden Person",
                    "responses": {
                        "200": _json(
                            _object({"completions": {"type": "array", "items": _ref("Completion")}}),
                            "Abschlüsse, neueste zuerst",
                            links={
                                "GetCompletedModule": {
                                    "operationId": "getModule",
                                    "parameters": {"slug": "$response.body#/completions/0/module"},
                                }
                            },
                        ),
                        **COMMON,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Persönliches API-Token (Profil → API-Token), höchstens ein Jahr gültig",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": session_cookie},
                "csrfHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "Bei Anmeldung über die Browsersitzung: das CSRF-Token der Seite, für POST und PUT",
                },
            },
            "responses": _error_responses(),
            "schemas": {
                "Error": _object(
                    {
                        "error": _object(
                            {
                                "status": {"type": "integer", "minimum": 400, "maximum": 499},
                                "message": {"type": "string", "minLength": 1},
                            }
                        )
                    }
                ),
                **_content_schemas(),
                **_attempt_schemas(),
                **_question_schemas(),
            },
        },
    }
