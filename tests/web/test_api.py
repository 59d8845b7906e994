"""The JSON API: token and session authentication, the quiz flow, JSON errors, the OpenAPI document."""

from __future__ import annotations

from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.auth.services import create_api_token
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
    assert forged.status_code == 400 and forged.is_json


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
