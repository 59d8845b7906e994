"""The JSON API: token and session authentication, the quiz flow, JSON errors, the OpenAPI document."""

from __future__ import annotations

from flask import g
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from lms.auth.models import Role, User
from lms.auth.services import create_api_token
from lms.web.database import get_db
from tests import factories as f


def _token_client(client, db: Session):  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER)
    _row, secret = create_api_token(db, person, "Personalsystem")
    return {"Authorization": f"Bearer {secret}"}, person


def test_token_flow_from_module_list_to_completion(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers, _person = _token_client(client, db)
    modules = client.get("/api/v1/modules", headers=headers)
    assert modules.status_code == 200 and [m["slug"] for m in modules.json["modules"]] == ["testmodul"]
    detail = client.get("/api/v1/modules/testmodul", headers=headers).json
    assert detail["sections"][0]["title"] == "Erster Abschnitt" and detail["has_quiz"] is True
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers)
    assert started.status_code == 201
    attempt = started.json
    assert len(attempt["questions"]) == 7 and "correct" not in started.text
    submitted = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"responses": f.CORRECT_ANSWERS}
    )
    assert submitted.status_code == 200
    assert submitted.json["passed"] is True and submitted.json["score_percent"] == 100.0
    again = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"responses": {}})
    assert (
        again.status_code == 409
        and again.json["error"]["message"] == "Dieser Versuch wurde bereits abgegeben."
    )
    completions = client.get("/api/v1/me/completions", headers=headers).json["completions"]
    assert len(completions) == 1 and completions[0]["module_version"] == "1.0"


def test_errors_are_json(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers, _person = _token_client(client, db)
    assert client.get("/api/v1/modules").json["error"]["status"] == 401
    bad = client.get("/api/v1/modules", headers={"Authorization": "Bearer lms_falsch"})
    assert bad.status_code == 401 and bad.is_json
    missing = client.get("/api/v1/modules/gibt-es-nicht", headers=headers)
    assert missing.status_code == 404 and missing.is_json
    no_route = client.get("/api/v1/nirgends", headers=headers)
    assert no_route.status_code == 404 and no_route.is_json
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json
    malformed = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, data="kein json")
    assert malformed.status_code == 400 and malformed.is_json
    forged = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"responses": {"q1": ["zzz"]}}
    )
    assert forged.status_code == 422 and forged.is_json


def test_every_refusal_speaks_the_token_owners_language(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The document promises messages in the account's language. Refusals made before the API's own check ran
    (malformed JSON, JSON too deep, a control character, an address that is no route) followed the caller's
    Accept-Language instead, so an English account's script got German there and English elsewhere."""
    headers, person = _token_client(client, db)
    person.locale = "en"
    db.flush()
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json["id"]
    url = f"/api/v1/attempts/{started}/responses"
    german_browser = {**headers, "Accept-Language": "de-DE"}
    refusals = [
        client.put(url, headers={**german_browser, "Content-Type": "application/json"}, data="{nicht json"),
        client.put(url, headers=german_browser, json={"responses": {"q1": "a\x00"}}),
        client.put(
            url, headers={**german_browser, "Content-Type": "application/json"}, data="[" * 5000 + "]" * 5000
        ),
        client.get("/api/v1/attempts/", headers=german_browser),
        client.get("/api/v1/modules/testmodul/nirgends", headers=german_browser),
    ]
    for refused in refusals:
        message = refused.json["error"]["message"]
        assert 400 <= refused.status_code < 500, message
        assert not any(word in message for word in ("Die ", "Diese ", "gibt es")), message
    # Without a valid token the browser's language is all there is.
    anonymous = client.get("/api/v1/modules/testmodul/nirgends", headers={"Accept-Language": "de-DE"})
    assert "gibt es nicht" in anonymous.json["error"]["message"]


def test_other_peoples_attempts_are_invisible(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers, _person = _token_client(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json
    other = f.user(db)
    _row, other_secret = create_api_token(db, other, "x")
    other_headers = {"Authorization": f"Bearer {other_secret}"}
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=other_headers).status_code == 404


def test_session_callers_need_the_csrf_header_for_posts(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    person = f.user(db)
    f.login(client, person.email)
    assert client.get("/api/v1/modules").status_code == 200
    refused = client.post("/api/v1/modules/testmodul/attempts")
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]["message"]
    token = f.csrf_token(client)
    accepted = client.post("/api/v1/modules/testmodul/attempts", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_revoked_token_stops_working(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    f.login(client, person.email)
    page = client.post("/profil", data={"csrf_token": f.csrf_token(client), "name": "Fachverfahren"})
    assert "Es wird nur dieses eine Mal angezeigt" in page.text
    secret = page.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert (
        client.get("/api/v1/me/completions", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    profile = client.get("/profil").text
    revoke_path = profile.split('action="/profil/token/', 1)[1].split('"', 1)[0]
    client.post(f"/profil/token/{revoke_path}", data={"csrf_token": f.csrf_token(client)})
    assert (
        client.get("/api/v1/me/completions", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_openapi_document_is_valid_and_describes_every_route(client, app) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    described = {
        (path, method.upper()) for path, operations in document["paths"].items() for method in operations
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method))
    assert routes == described


def _submit(client, headers: dict[str, str], attempt_id: int, **kwargs):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=headers, **kwargs)


def test_a_well_formed_submission_that_does_not_fit_the_attempt_is_422(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Schemathesis: a body valid by the document ({"responses": {"x-schemathesis-additional": []}}) got a 400, the
    # answer to a malformed request. What is well-formed but does not fit this attempt is 422, naming the problem.
    headers, _person = _token_client(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json["id"]
    unknown = _submit(client, headers, attempt, json={"responses": {"q99": ["a"], "q1": ["b"]}})
    assert unknown.status_code == 422 and unknown.json["error"] == {
        "status": 422,
        "message": "Unbekannte Frage: q99.",
    }
    two_answers = _submit(client, headers, attempt, json={"responses": {"q1": ["a", "b"]}})
    assert two_answers.status_code == 422
    assert (
        two_answers.json["error"]["message"]
        == "Frage q1: Bei einer Einfachauswahl ist nur eine Antwort möglich."
    )
    # Nothing was graded: the attempt is still open, and null (as the document allows) leaves a question unanswered.
    answers = {**f.CORRECT_ANSWERS, "q1": None}
    graded = _submit(client, headers, attempt, json={"responses": answers})
    assert graded.status_code == 200 and graded.json["passed"] is True
    q1 = next(q for q in graded.json["questions"] if q["key"] == "q1")
    assert q1["response"] == [] and q1["is_correct"] is False
    # Submitted is submitted, whatever the answers: 409 before any look at the keys.
    assert _submit(client, headers, attempt, json={"responses": {"q99": []}}).status_code == 409


def test_a_malformed_submission_is_400_with_a_message_that_says_why(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers, _person = _token_client(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json["id"]
    shape = 'Erwartet wird JSON der Form {"responses": {"q1": ["a"]}}'
    for body in (
        {"responses": {"q1": ["b"]}, "comment": "ein Feld, das es nicht gibt"},
        {"responses": {"q1": 2}},
        {"responses": {"q1": [["b"]]}},
        {"responses": ["b"]},
        [],
    ):
        refused = _submit(client, headers, attempt, json=body)
        assert refused.status_code == 400 and refused.json["error"]["message"].startswith(shape), body
    for raw in (b"", b"{", b"\xff\xfe"):
        broken = _submit(client, headers, attempt, data=raw, content_type="application/json")
        assert broken.status_code == 400
        assert broken.json["error"]["message"] == "Die gesendeten Daten sind kein gültiges JSON."
    assert client.get(f"/api/v1/attempts/{attempt}", headers=headers).json["submitted_at"] is None


def test_a_401_names_the_bearer_scheme(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # RFC 9110: a 401 carries WWW-Authenticate; RFC 6750 says how for bearer tokens.
    anonymous = client.get("/api/v1/modules")
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    wrong = client.get("/api/v1/modules", headers={"Authorization": "Bearer lms_falsch"})
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_the_document_names_the_session_cookie_the_app_sets(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    f.login(client, person.email)
    document = client.get("/api/v1/openapi.json").json
    cookie = document["components"]["securitySchemes"]["session"]["name"]
    assert client.get_cookie(cookie) is not None


def test_every_status_the_api_answers_is_in_the_document(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """What each operation answered in this file's tests, plus 400 and 413, against what the document declares.

    scripts/api-fuzz (Schemathesis) checks this on generated requests; here the statuses are the ones a client
    meets on the way through a quiz.
    """
    headers, _person = _token_client(client, db)
    document = client.get("/api/v1/openapi.json").json
    seen: dict[tuple[str, str], set[int]] = {}

    def call(method: str, path: str, operation: str, **kwargs):  # type: ignore[no-untyped-def]
        response = client.open(f"/api/v1{path}", method=method, **kwargs)
        seen.setdefault((operation, method.lower()), set()).add(response.status_code)
        return response

    attempt = call("POST", "/modules/testmodul/attempts", "/modules/{slug}/attempts", headers=headers).json[
        "id"
    ]
    call("POST", "/modules/gibt-es-nicht/attempts", "/modules/{slug}/attempts", headers=headers)
    call("POST", "/modules/testmodul/attempts", "/modules/{slug}/attempts")
    call("POST", "/modules/x\x01/attempts", "/modules/{slug}/attempts", headers=headers)
    big = {"responses": {"q1": "x" * (9 * 1024 * 1024)}}
    call("POST", f"/attempts/{attempt}/submit", "/attempts/{attempt_id}/submit", headers=headers, json=big)
    passing = {"responses": f.CORRECT_ANSWERS}
    for body in ({"responses": {"q1": 1}}, {"responses": {"q9": []}}, passing, passing):
        call(
            "POST", f"/attempts/{attempt}/submit", "/attempts/{attempt_id}/submit", headers=headers, json=body
        )
    call("POST", "/attempts/999999/submit", "/attempts/{attempt_id}/submit", headers=headers, json={})
    call("POST", "/modules/testmodul/attempts", "/modules/{slug}/attempts", headers=headers)
    for path, operation in (
        ("/modules", "/modules"),
        ("/modules/testmodul", "/modules/{slug}"),
        ("/modules/gibt-es-nicht", "/modules/{slug}"),
        (f"/attempts/{attempt}", "/attempts/{attempt_id}"),
        ("/attempts/999999", "/attempts/{attempt_id}"),
        ("/me/completions", "/me/completions"),
    ):
        call("GET", path, operation, headers=headers)
        call("GET", path, operation)
    assert seen[("/attempts/{attempt_id}/submit", "post")] == {200, 400, 404, 409, 413, 422}
    assert seen[("/modules/{slug}/attempts", "post")] == {201, 400, 401, 404, 409}
    for (path, method), statuses in seen.items():
        declared = {int(status) for status in document["paths"][path][method]["responses"]}
        assert statuses <= declared, (path, method, statuses - declared)


def test_a_failed_write_still_answers_with_the_json_500(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # Schemathesis, with parallel requests on SQLite: a write failed inside a request ("database is locked"), and the
    # 500 handler failed in turn, reading the person's language from the broken session; gunicorn sent its own HTML.
    person = f.user(db)
    email, person_id = person.email, person.id

    def broken_write():  # type: ignore[no-untyped-def]
        session = get_db()
        g.api_user = session.get(User, person_id)
        session.add(User(email=email, display_name="Zweimal"))
        session.flush()  # the e-mail address is unique: IntegrityError

    app.add_url_rule("/api/v1/kaputt", view_func=broken_write)
    answer = client.get("/api/v1/kaputt")
    assert answer.status_code == 500 and answer.json["error"]["status"] == 500


def test_many_unknown_questions_are_named_by_the_first_few_and_counted(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # A QA sweep sent 20,000 unknown keys and got a 422 of 149 KB listing every one of them.
    headers, person = _token_client(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json["id"]
    many = {"responses": {f"k{n:05}": [] for n in range(20_000)} | {"K" * 5000: []}}
    german = "Unbekannte Fragen: K" + "K" * 38 + "…, k00000, k00001, k00002, k00003 … und 19996 weitere."
    for path, send in (("responses", client.put), ("submit", client.post)):
        refused = send(f"/api/v1/attempts/{attempt}/{path}", json=many, headers=headers)
        assert refused.status_code == 422 and refused.json["error"]["message"] == german, path
        assert len(refused.data) < 500
    # A few are all named, as before.
    few = client.put(
        f"/api/v1/attempts/{attempt}/responses", json={"responses": {"q98": [], "q99": []}}, headers=headers
    )
    assert few.json["error"]["message"] == "Unbekannte Fragen: q98, q99."
    person.locale = "en"
    db.flush()
    english = client.put(f"/api/v1/attempts/{attempt}/responses", json=many, headers=headers).json["error"][
        "message"
    ]
    assert english.startswith("Unknown questions: K") and ", k00000, k00001, k00002, k00003 " in english
    assert "19996" in english and "weitere" not in english and len(english) < 200
