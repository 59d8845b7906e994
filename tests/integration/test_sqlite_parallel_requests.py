"""Parallel requests on one SQLite file, as the demo (and a small municipality) runs it: gunicorn workers and threads,
each request on its own connection, nothing shared but the file.

Schemathesis (scripts/api-fuzz) found 500s here: every API request records its token's last use, and a request that
had read before that write failed at once with "database is locked" once another request had written in between
(SQLite cannot upgrade such a read snapshot; the busy timeout does not apply). Requests now take the write lock
when their transaction begins, and wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import create_app, migrate
from lms.auth.models import Role
from lms.auth.services import create_api_token
from lms.db import make_engine
from lms.quizzes.models import QuizAttempt
from tests import factories as f

THREADS = 8
ROUNDS = 6
#: People who log in at the same moment (a training's start: everyone in the room at once).
LOGINS = 4


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[tuple[Flask, str, str]]:
    """The app on a SQLite file of its own, with a module, its quiz and a learner's token committed."""
    url = "sqlite:///" + str(tmp_path / "parallel.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        f.published_module(session)
        f.published_quiz(session)
        _row, secret = create_api_token(session, f.user(session, Role.LEARNER), "parallel")
        for n in range(LOGINS):
            f.user(session, Role.LEARNER, email=f"anmeldung{n}@parallel.example")
        session.commit()
    engine.dispose()
    app = create_app(
        {"testing": True, "database_url": url, "secret_key": "test-secret", "outbox_dir": str(tmp_path)}
    )
    yield app, url, secret
    app.extensions["lms.engine"].dispose()


def test_parallel_api_requests_on_sqlite_all_succeed(sqlite_app: tuple[Flask, str, str]) -> None:
    app, url, secret = sqlite_app
    headers = {"Authorization": f"Bearer {secret}"}
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []  # list.append is atomic under the GIL

    def run() -> None:
        client = app.test_client()
        barrier.wait()
        for _ in range(ROUNDS):
            statuses.append(client.get("/api/v1/me/completions", headers=headers).status_code)
            statuses.append(client.post("/api/v1/modules/testmodul/attempts", headers=headers).status_code)
            statuses.append(client.get("/api/v1/modules", headers=headers).status_code)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(statuses)) == [200, 201] and len(statuses) == THREADS * ROUNDS * 3
    engine = make_engine(url)
    with Session(engine) as session:
        # Each start saw the attempt the first one opened: one open attempt, not one per thread.
        assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
    engine.dispose()


def test_people_who_log_in_at_the_same_moment_are_all_logged_in(sqlite_app: tuple[Flask, str, str]) -> None:
    """The login commits the counted attempt before the password hash; the transaction after that commit takes the
    write lock up front too. It began deferred before, and three of four simultaneous logins ended in a 500
    ("database is locked") on the demo's SQLite (found by trying it)."""
    app, _url, _secret = sqlite_app
    barrier = threading.Barrier(LOGINS)
    answers: dict[int, tuple[int, str]] = {}

    def log_in(n: int) -> None:
        client = app.test_client()
        token = f._csrf_from(client.get("/anmelden").get_data(as_text=True))
        barrier.wait()
        response = client.post(
            "/anmelden",
            data={"email": f"anmeldung{n}@parallel.example", "password": f.PASSWORD, "csrf_token": token},
        )
        answers[n] = (response.status_code, client.get("/module").request.path)

    threads = [threading.Thread(target=log_in, args=(n,)) for n in range(LOGINS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Each one was sent on (302) and then saw „Meine Module“, not the login form.
    assert answers == {n: (302, "/module") for n in range(LOGINS)}
