"""Every page a learner (and a coordinator, the programme office) opens asks the database a small, fixed number of
statements: no history is loaded, no query runs per module, version or completion, and reading writes nothing.

Each page is counted twice: on a small programme, and after the histories have grown (new versions of every module
and quiz, more modules, more completions and staff). The counts must not move, and they must stay within the budget
below: a page that starts to load histories or to ask once per row fails here. Pages are counted after a first
visit: the sections of a published version are read once and then kept by the app (they never change). Speed itself
is measured by the benchmarks, never by tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import ApiToken, Role, User
from lms.auth.services import TOKEN_USE_INTERVAL, create_api_token
from lms.authoring.publishing import publish_module, publish_quiz
from lms.content.models import ChangeKind, ModuleVersion
from lms.content.modules import parse_module
from lms.orgs.models import Municipality
from lms.quizzes.parse import parse_quiz
from tests import factories as f

#: A day in the programme's second year: the dashboards also list the first year's status.
TODAY = date(2027, 6, 15)

#: Statements per page (BEGIN and COMMIT not counted; the test transaction's savepoints neither).
BUDGET = {
    "/module": 7,  # with the modules whose quiz has no attempt left (one query for all)
    "/module/testmodul": 7,  # with where „Weiterlesen“ leads: the section opened last, as on the card
    # Opened in turn, each section moves the resume point: one write each (re-reading the same one writes nothing).
    "/module/testmodul/abschnitt/2": 4,
    "/module/testmodul/abschnitt/3": 5,  # the last section also links to the quiz
    "/module/testmodul/quiz": 5,  # with the list of one's earlier attempts
    "/nachweise": 3,
    "/api/v1/modules": 2,
    "/api/v1/modules/testmodul": 4,
    "/api/v1/me/completions": 2,
}
COORDINATOR_BUDGET = {"/kommunen/{slug}": 13, "/programmbuero": 5}


@pytest.fixture(autouse=True)
def _in_the_second_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The test's outer transaction turns each request's BEGIN/COMMIT into savepoints: not the page's doing.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _count(engine: Engine, get: Callable[[], Any]) -> tuple[int, list[str]]:
    with counted(engine) as statements:
        answer = get()
    assert answer.status_code == 200, answer.status_code
    return len(statements), statements


def _new_version(db: Session, n: int) -> None:
    """A material new version of the test module and a new version of its quiz."""
    doc = parse_module(f.module_source(version=f"1.{n}", extra=f" Neu {n}."), "modules/testmodul.md")
    version, problem = publish_module(
        db, doc, path="modules/testmodul.md", actor_id=None, change_kind=ChangeKind.MATERIAL
    )
    assert problem is None and version is not None
    quiz = parse_quiz(f.quiz_source(pass_mark=60 + n), "quizzes/testmodul.md")
    assert publish_quiz(db, quiz, path="quizzes/testmodul.md", actor_id=None)[1] is None


def _grow(db: Session, town: Municipality, learner: User, rounds: int) -> None:
    """Longer histories everywhere: versions, modules, completions of the learner and of other staff."""
    first = db.scalar(select(ModuleVersion).order_by(ModuleVersion.id))
    assert first is not None
    for n in range(1, rounds + 1):
        _new_version(db, n)
        extra = f.training_module(db, f"zusatzmodul-{n}", f"Zusatzmodul {n}")
        f.completion(db, learner, extra, datetime(2027, 2, n, 10, tzinfo=clock.BERLIN))
        for _ in range(3):
            f.completion(
                db, f.staff_member(db, town.id), extra, datetime(2026, 3, n, 10, tzinfo=clock.BERLIN)
            )
    db.flush()


def _pages(browser: FlaskClient, api: FlaskClient, token: str) -> dict[str, Callable[[], Any]]:
    """Pages through the browser's session; the API as another system calls it (a token, no cookie)."""
    bearer = {"Authorization": f"Bearer {token}"}
    return {
        path: (lambda path=path: api.get(path, headers=bearer))
        if path.startswith("/api/")
        else (lambda path=path: browser.get(path))
        for path in BUDGET
    }


def test_learner_pages_ask_a_fixed_number_of_statements(
    app: Flask, client: FlaskClient, db: Session, engine: Engine
) -> None:
    town = f.municipality(db)
    first = f.published_module(db)
    f.published_quiz(db)
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.completion(db, learner, first, datetime(2026, 12, 1, 10, tzinfo=clock.BERLIN))
    _token, secret = create_api_token(db, learner, "Zähltest")
    db.flush()
    assert f.login(client, learner.email).status_code == 302
    pages = _pages(client, app.test_client(), secret)
    for get in pages.values():
        get()  # the first visit records the reading of a section and the token's use
    before = {path: _count(engine, get) for path, get in pages.items()}

    _grow(db, town, learner, rounds=4)
    for get in pages.values():
        get()
    after = {path: _count(engine, get) for path, get in pages.items()}

    for path, budget in BUDGET.items():
        count, statements = after[path]
        assert count <= budget, f"{path}: {count} statements (budget {budget}):\n" + "\n".join(statements)
        assert count == before[path][0], f"{path} grew from {before[path][0]} to {count} statements"


def test_the_quiz_page_and_the_module_page_do_not_load_histories(
    client: FlaskClient, db: Session, engine: Engine
) -> None:
    """No statement of a learner page reads all versions of a module or of its quiz, nor the stored sources."""
    town = f.municipality(db)
    f.published_module(db)
    f.published_quiz(db)
    for n in range(1, 4):
        _new_version(db, n)
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, learner.email)
    for path in ("/module", "/module/testmodul", "/module/testmodul/abschnitt/1", "/module/testmodul/quiz"):
        client.get(path)
        _, statements = _count(engine, lambda path=path: client.get(path))
        for statement in statements:
            assert "module_versions.source" not in statement and "quiz_versions.source" not in statement, path


def test_dashboards_ask_a_fixed_number_of_statements(
    client: FlaskClient, db: Session, engine: Engine
) -> None:
    town = f.municipality(db)
    first = f.published_module(db)
    learner = f.staff_member(db, town.id)
    f.completion(db, learner, first, datetime(2026, 3, 1, 10, tzinfo=clock.BERLIN))
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    office = f.user(db, Role.ADMIN)
    db.flush()
    paths = {path.format(slug=town.slug): budget for path, budget in COORDINATOR_BUDGET.items()}
    before: dict[str, int] = {}
    for person, path in ((coordinator, next(iter(paths))), (office, "/programmbuero")):
        f.login(client, person.email)
        client.get(path)
        before[path] = _count(engine, lambda path=path: client.get(path))[0]

    _grow(db, town, learner, rounds=3)
    for person, path in ((coordinator, next(iter(paths))), (office, "/programmbuero")):
        f.login(client, person.email)
        client.get(path)
        count, statements = _count(engine, lambda path=path: client.get(path))
        assert count <= paths[path], f"{path}: {count} statements:\n" + "\n".join(statements)
        assert count == before[path], f"{path} grew from {before[path]} to {count} statements"


def test_reading_with_a_token_records_its_use_at_most_once_an_hour(
    client: FlaskClient, db: Session, engine: Engine, time_machine: TimeMachineFixture
) -> None:
    f.published_module(db)
    learner = f.user(db, Role.LEARNER)
    token, secret = create_api_token(db, learner, "Stundentest")
    db.flush()
    bearer = {"Authorization": f"Bearer {secret}"}

    def uses() -> list[str]:
        with counted(engine) as statements:
            assert client.get("/api/v1/modules", headers=bearer).status_code == 200
        return [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]

    assert len(uses()) == 1  # the first use is recorded
    db.expire(token)
    first_use = token.last_used_at
    assert first_use == clock.now()
    time_machine.shift(timedelta(minutes=59))
    assert uses() == []  # read again within the hour: nothing written
    db.expire(token)
    assert token.last_used_at == first_use
    time_machine.shift(TOKEN_USE_INTERVAL - timedelta(minutes=59))
    assert len(uses()) == 1  # an hour after the recorded use, the next one is recorded
    db.expire(token)
    assert token.last_used_at == clock.now()
    assert db.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id)) == clock.now()


def test_reading_pages_writes_nothing_but_the_first_visit_of_a_section(
    client: FlaskClient, db: Session, engine: Engine, time_machine: TimeMachineFixture
) -> None:
    """Within the session's minute, pages write nothing; opening a section writes only when progress moves."""
    f.published_module(db)
    f.published_quiz(db)
    learner = f.user(db, Role.LEARNER)
    f.login(client, learner.email)

    def writes(path: str) -> list[str]:
        with counted(engine) as statements:
            assert client.get(path).status_code == 200
        return [s for s in statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]

    assert len(writes("/module/testmodul/abschnitt/1")) == 1  # first visit: recorded
    assert writes("/module/testmodul/abschnitt/1") == []  # the same section again: already where they resume
    for path in ("/module", "/module/testmodul", "/module/testmodul/quiz", "/nachweise", "/profil"):
        assert writes(path) == [], path
    time_machine.shift(timedelta(seconds=1))
    assert len(writes("/module/testmodul/abschnitt/2")) == 1
    time_machine.shift(timedelta(seconds=1))
    assert len(writes("/module/testmodul/abschnitt/1")) == 1  # back to the first: it becomes the resume point
    page = client.get("/module").text
    assert "abschnitt/1" in page
