"""A dress rehearsal in the gunicorn master before it forks: the most used pages are served a few times, in a
database transaction that is rolled back.

Why: the workers share the master's memory only as long as nobody writes to it. Python writes to what it runs
(reference counts, and the 3.11 interpreter specialises a function's bytecode in place after its first calls);
SQLAlchemy compiles each statement once per engine and keeps it; Jinja, Babel and Werkzeug fill caches on first
use. Without the rehearsal each worker does all of that itself after the fork, so each holds its own copy of every
page of code that a request touches. Served once in the master, the compiled statements and the warmed code are
made once and inherited (bench/README.md, memory, has the figures). The pages are the benchmark's: „Meine
Module“, „Meine Nachweise“, a section, the quiz page, the dashboard, the programme office, the API's module list,
and the first module's quiz passed once through the API.

Nothing of it remains. A stand-in person (learner, coordination and programme office, with a confirmed second
factor), their login session and an API token are inserted in one transaction on one connection; every request's
unit of work, and the session's own writes, only release a savepoint inside it, as in the test suite; the
transaction is rolled back at the end and the connection closed before the fork. The person is not in any
municipality's lists: it exists only inside that transaction, which no other connection sees. A failure (a
database not reachable yet, a page that answers with an error) is logged and the platform starts all the same:
the rehearsal only saves memory.

For the security review (a logged-in programme office account that nobody created):
- it runs only in gunicorn's master, in ``when_ready``: the master never accepts a connection, the workers that
  do are forked after the rollback;
- the stand-in has no password and an address under ``.invalid``; its session key and API token are random and
  exist only in this process's memory and in rows of a transaction that no other connection sees (PostgreSQL:
  uncommitted rows are invisible; SQLite: this transaction holds the write lock, readers see the last commit);
- the transaction is rolled back in a ``finally``; if the process dies first, the database rolls it back when
  the connection drops. Nothing reaches the audit log, a mail or the job queue (the pages served send none);
- ``LMS_REHEARSAL_SERVINGS=0`` switches it off.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, url_for
from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, TotpFactor, User
from lms.auth.services import create_api_token
from lms.auth.sessions import new_key
from lms.content.models import Module, ModuleKind
from lms.orgs.models import Municipality
from lms.quizzes.question_types.base import get_type
from lms.quizzes.services import current_quiz_version
from lms.web.sessions import DatabaseSessionInterface, logged_in_row

log = logging.getLogger(__name__)

#: The session factories whose requests are sent into the rehearsal's transaction.
_FACTORIES = ("lms.session_factory", "lms.reports_session_factory")


def rehearse(app: Flask) -> dict[str, int]:
    """Serve the most used pages in a transaction that is rolled back; log and go on if that fails.

    Returns each page's status (empty if the rehearsal failed).
    """
    servings = max(app.extensions["lms.settings"].rehearsal_servings, 0)
    if not servings:
        return {}
    engine: Engine = app.extensions["lms.engine"]
    factories = {name: app.extensions[name] for name in _FACTORIES if name in app.extensions}
    served: dict[str, int] = {}
    started = time.monotonic()
    try:
        with engine.connect() as connection:
            outer = connection.begin()

            def in_rehearsal() -> Session:
                return Session(
                    bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
                )

            app.extensions.update(dict.fromkeys(factories, in_rehearsal))
            try:
                served = _serve(app, in_rehearsal, servings)
            finally:
                outer.rollback()
                app.extensions.update(factories)
    except DBAPIError as error:
        # The database locked by a second server starting at the same moment, or not up yet: one line, not a
        # traceback that reads like a crash in the log of a server that starts fine.
        cause = str(error.orig or error).strip().splitlines()
        log.warning(
            "The rehearsal before the fork failed (%s); the workers warm up on their own.",
            cause[0] if cause else type(error).__name__,
        )
        return {}
    # An optimisation: the platform starts without it. Anything else than the database is a fault worth a trace.
    except Exception:
        log.warning("The rehearsal before the fork failed; the workers warm up on their own.", exc_info=True)
        return {}
    finally:
        engine.dispose()  # no connection of the master's reaches a worker
    log.info(
        "Rehearsal: %d pages in %.1f s (each page %d times, the quiz once).",
        len(served),
        time.monotonic() - started,
        servings,
    )
    return served


def _serve(app: Flask, factory: Callable[[], Session], servings: int) -> dict[str, int]:
    """Each page ``servings`` times (the interpreter specialises a function's code after some dozens of runs)."""
    with factory() as db:
        person, cookie, token = _stand_in(db)
        municipality = db.get(Municipality, person.municipality_id)
        assert municipality is not None
        found = db.scalar(
            select(Module)
            .where(Module.kind == ModuleKind.TRAINING.value, Module.retired_at.is_(None))
            .order_by(Module.id)
            .limit(1)
        )
        module = found.slug if found is not None else None
        answers = _correct_answers(db, found) if found is not None else None
        db.commit()  # releases the savepoint: the rows stay in the rehearsal's transaction
    with app.test_request_context():
        pages = [
            url_for("progress.my_modules"),
            url_for("certificates.my_completions"),
            url_for("reports.dashboard", slug=municipality.slug),
            url_for("reports.programme"),
        ]
        if module is not None:
            pages += [
                url_for("progress.section", slug=module, position=1),
                url_for("quizzes.quiz_start", slug=module),
            ]
        api = url_for("api.list_modules")
        start = url_for("api.create_attempt", slug=module) if module is not None else None
    interface = app.session_interface
    assert isinstance(interface, DatabaseSessionInterface)
    client = app.test_client()
    client.set_cookie(interface.cookie_name, cookie)
    served: dict[str, int] = {}
    bearer = {"Authorization": f"Bearer {token}"}
    for _ in range(servings):
        for path in pages:
            served[path] = _checked(path, client.get(path).status_code)
        served[api] = _checked(api, client.get(api, headers=bearer).status_code)
    if start is not None and answers is not None:
        # The quiz through the API once, passed: grading, the completion and the programme summary's upkeep.
        attempt = client.post(start, json={}, headers=bearer)
        served[start] = _checked(start, attempt.status_code)
        if attempt.status_code in (200, 201):
            with app.test_request_context():
                submit = url_for("api.submit", attempt_id=attempt.get_json()["id"])
            served[submit] = _checked(submit, client.post(submit, json=answers, headers=bearer).status_code)
    return served


def _correct_answers(db: Session, module: Module) -> dict[str, Any] | None:
    """The API body that passes the module's current quiz, or None if it has none."""
    version = current_quiz_version(db, module)
    if version is None:
        return None
    responses: dict[str, Any] = {}
    for question in version.questions:
        correct = get_type(question["type"]).correct_response(question["definition"])
        responses[question["key"]] = list(correct) if isinstance(correct, tuple) else correct
    return {"responses": responses}


def _checked(path: str, status: int) -> int:
    if status >= 500:
        raise RuntimeError(f"{path} answered {status} in the rehearsal")
    return status


def _stand_in(db: Session) -> tuple[User, str, str]:
    """The rehearsal's person, logged in: the person, the session cookie's key and an API token."""
    municipality = db.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    if municipality is None:
        municipality = Municipality(slug=f"probelauf-{secrets.token_hex(4)}", name="Probelauf")
        db.add(municipality)
        db.flush()
    person = User(
        email=f"probelauf-{secrets.token_hex(8)}@rehearsal.invalid",
        display_name="Probelauf",
        password_hash=None,
        municipality_id=municipality.id,
    )
    for role in (Role.LEARNER, Role.COORDINATOR, Role.ADMIN):
        person.grant(role)
    db.add(person)
    db.flush()
    now = clock.now()
    db.add(TotpFactor(user_id=person.id, secret="", created_at=now, confirmed_at=now))
    key = new_key()
    db.add(logged_in_row(person.id, key, now))
    _token, secret = create_api_token(db, person, "Probelauf")
    db.flush()
    return person, key, secret
