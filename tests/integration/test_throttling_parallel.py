"""Limits hold under parallel requests on PostgreSQL: every request has its own worker thread, connection and
transaction, as with several gunicorn workers; nothing is shared but the database."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from lms import create_app
from lms.auth import services as auth_services
from lms.auth.models import LoginAttempt, LoginSession, ThrottleLock, User
from lms.auth.passwords import hash_password
from lms.certificates.codes import generate_code
from lms.certificates.models import VerificationLookup
from tests import factories as f

pytestmark = pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL"), reason="parallel transactions need PostgreSQL"
)

WRONG = "falsch-falsch-falsch"
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche"


@pytest.fixture
def live_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on the real database: its requests commit, each on its own pooled connection."""
    app = create_app(
        {
            "testing": True,
            "database_url": database_url,
            "secret_key": "test-secret",
            "outbox_dir": str(tmp_path),
        }
    )
    yield app
    app.extensions["lms.engine"].dispose()


@pytest.fixture
def committed(engine: Engine) -> Iterator[Callable[[str], User]]:
    """Create people outside the test's transaction (committed); everything they left behind goes afterwards."""
    emails: list[str] = []
    password_hash = hash_password(f.PASSWORD)

    def make(email: str) -> User:
        with Session(engine, expire_on_commit=False) as session:
            person = User(email=email, display_name="Parallel", password_hash=password_hash)
            session.add(person)
            session.commit()
        emails.append(email)
        return person

    yield make
    with Session(engine) as session:
        ids = select(User.id).where(User.email.in_(emails))
        session.execute(delete(LoginSession).where(LoginSession.user_id.in_(ids)))
        session.execute(delete(LoginAttempt))
        session.execute(delete(VerificationLookup))
        session.execute(delete(ThrottleLock))
        session.execute(delete(User).where(User.email.in_(emails)))
        session.commit()


def _in_parallel(jobs: list[Callable[[threading.Barrier], Any]]) -> list[Any]:
    """Run the jobs in threads that pass a barrier together, so their requests arrive at the same moment."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        results[index] = jobs[index](barrier)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _login_job(app: Flask, email: str, password: str, address: str, client: FlaskClient | None = None) -> Any:
    def job(barrier: threading.Barrier) -> tuple[int, str]:
        browser = client or app.test_client()
        browser.environ_base["REMOTE_ADDR"] = address
        token = f._csrf_from(browser.get("/anmelden").text)
        barrier.wait()
        answer = browser.post("/anmelden", data={"email": email, "password": password, "csrf_token": token})
        return answer.status_code, answer.text

    return job


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password verification the login makes (the real argon2 check, counted)."""
    checks: list[str] = []
    real = auth_services.verify_password

    def counted(password_hash: str | None, password: str) -> bool:
        checks.append(password)  # list.append is atomic under the GIL
        return real(password_hash, password)

    monkeypatch.setattr(auth_services, "verify_password", counted)
    return checks


def test_16_parallel_wrong_passwords_get_at_most_5_password_checks(
    live_app: Flask, engine: Engine, committed: Callable[[str], User], password_checks: list[str]
) -> None:
    victim = committed("parallel-victim@kommune.example")
    jobs = [_login_job(live_app, victim.email, WRONG, f"198.51.100.{n}") for n in range(16)]
    answers = _in_parallel(jobs)
    assert [status for status, _text in answers] == [401] * 16
    assert sum(LOCKED in text for _status, text in answers) == 11
    assert len(password_checks) == 5
    with Session(engine) as session:
        recorded = session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == victim.email)
        )
    assert recorded == 5


def test_the_owner_logs_in_during_a_parallel_attack(
    live_app: Flask, committed: Callable[[str], User], password_checks: list[str]
) -> None:
    owner = committed("parallel-owner@kommune.example")
    own_browser = live_app.test_client()
    own_browser.environ_base["REMOTE_ADDR"] = "203.0.113.10"
    assert f.login(own_browser, owner.email).status_code == 302  # earlier, from the owner's own browser
    own_browser.post("/abmelden", data={"csrf_token": f.csrf_token(own_browser)})
    attack = [_login_job(live_app, owner.email, WRONG, f"198.51.100.{n}") for n in range(15)]
    # The owner tries at the same moment, and once more after the attack has locked the account.
    answers = _in_parallel(
        [*attack, _login_job(live_app, owner.email, f.PASSWORD, "203.0.113.10", own_browser)]
    )
    assert answers[-1][0] == 302
    own_browser.post("/abmelden", data={"csrf_token": f.csrf_token(own_browser)})
    assert LOCKED in f.login(live_app.test_client(), owner.email).text  # the account is locked for strangers
    assert f.login(own_browser, owner.email).status_code == 302


def test_48_parallel_lookups_record_at_most_30(
    live_app: Flask, engine: Engine, committed: Callable[[str], User]
) -> None:
    code = generate_code()

    def job(barrier: threading.Barrier) -> int:
        browser = live_app.test_client()
        barrier.wait()
        return browser.get(f"/verify/{code}").status_code

    statuses = _in_parallel([job] * 48)
    assert sorted(statuses) == [404] * 30 + [429] * 18
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(VerificationLookup)) == 30
