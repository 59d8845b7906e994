"""The load balancer's check: 200 while the node reaches its database, 503 once it does not (the login form answers
200 either way, so a node without its database stayed in the rotation and failed every login)."""

from __future__ import annotations

from lms import create_app


def test_a_node_with_its_database_is_healthy(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.text == "ok\n" and answer.mimetype == "text/plain"
    assert "Set-Cookie" not in answer.headers  # a balancer polling every few seconds leaves nothing behind


def test_a_node_without_its_database_answers_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "database_url": f"sqlite:///{tmp_path}/missing-folder/lms.sqlite3",
            "secret_key": "k" * 40,
            "testing": True,
        }
    )
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.text == "Datenbank nicht erreichbar\n"
    # The login form of the same node says nothing of it: it is no health check.
    assert app.test_client().get("/anmelden").status_code == 200
