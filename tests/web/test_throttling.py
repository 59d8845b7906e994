"""Login throttling stops attackers, not owners: limits per account, per client address and for the platform;
a browser that has logged in before keeps working under attack; refused attempts cost no password check and do
not extend a lock; old attempts are deleted."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import LoginAttempt, Role, User
from lms.auth.passwords import hash_password
from tests import factories as f

WRONG = "falsch-falsch-falsch"
LOCKED = "Zu viele fehlgeschlagene Anmeldeversuche"
FAILED = "E-Mail-Adresse oder Passwort ist falsch."


@pytest.fixture
def setting(app: Flask) -> Callable[..., None]:
    """Change settings of the running app."""

    def change(**values: Any) -> None:
        app.extensions["lms.settings"] = dataclasses.replace(app.extensions["lms.settings"], **values)

    return change


def _browser(app: Flask, address: str) -> FlaskClient:
    """Another browser (its own cookies) at another client address."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def _checks(db: Session, email: str) -> int:
    """Password checks made for this address (a refused attempt makes none)."""
    return db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)) or 0


def _owner_with_device(app: Flask, db: Session, *roles: Role) -> tuple[User, FlaskClient]:
    """A person who has logged in from their own browser once (and logged out again)."""
    owner = f.user(db, *roles)
    browser = _browser(app, "203.0.113.10")
    assert f.login(browser, owner.email).status_code == 302
    token = f.csrf_token(browser)
    assert browser.post("/abmelden", data={"csrf_token": token}).status_code == 302
    assert browser.get_cookie("lms_device") is not None  # the device cookie outlives the session
    return owner, browser


def test_owner_logs_in_from_a_known_browser_while_the_account_is_under_attack(
    app: Flask, db: Session
) -> None:
    owner, own_browser = _owner_with_device(app, db, Role.ADMIN)
    attacker = _browser(app, "198.51.100.66")
    for _ in range(5):
        assert f.login(attacker, owner.email, WRONG).status_code == 401
    refused = f.login(attacker, owner.email)  # the attacker's browser is locked out, even with the password
    assert refused.status_code == 401 and LOCKED in refused.text
    stranger = _browser(app, "198.51.100.67")  # so is any browser that never logged in to this account
    assert LOCKED in f.login(stranger, owner.email).text
    assert f.login(own_browser, owner.email).status_code == 302  # the owner is not
    assert own_browser.get("/profil").status_code == 200


def test_a_known_browser_has_its_own_small_limit(
    app: Flask, db: Session, setting: Callable[..., None]
) -> None:
    setting(login_device_max_failures=3)
    owner, own_browser = _owner_with_device(app, db)
    for _ in range(3):
        assert FAILED in f.login(own_browser, owner.email, WRONG).text
    assert LOCKED in f.login(own_browser, owner.email).text


def test_the_device_cookie_is_for_its_account_only_and_cannot_be_forged(app: Flask, db: Session) -> None:
    owner, own_browser = _owner_with_device(app, db)
    other = f.user(db)
    for _ in range(5):
        f.login(own_browser, other.email, WRONG)
    assert LOCKED in f.login(own_browser, other.email).text  # trusted for the owner's account, not this one
    forged = _browser(app, "198.51.100.70")
    forged.set_cookie("lms_device", own_browser.get_cookie("lms_device").value[:-2] + "xx")  # type: ignore[union-attr]
    for _ in range(5):
        f.login(forged, owner.email, WRONG)
    assert LOCKED in f.login(forged, owner.email).text
    assert f.login(own_browser, owner.email).status_code == 302


def test_refused_attempts_check_no_password_and_do_not_extend_the_lock(
    app: Flask, client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    person = f.user(db)
    for _ in range(5):
        assert f.login(client, person.email, WRONG).status_code == 401
    assert _checks(db, person.email) == 5
    # An attacker keeps knocking every few minutes: each is refused without a password check …
    for _ in range(7):
        time_machine.shift(timedelta(minutes=2))
        assert LOCKED in f.login(client, person.email, WRONG).text
    assert _checks(db, person.email) == 5
    # … and the lock still ends 15 minutes after the failures that caused it.
    time_machine.shift(timedelta(minutes=1, seconds=1))
    assert f.login(client, person.email).status_code == 302


def test_one_wrong_password_against_each_of_50_accounts_is_limited_per_client(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    shared = hash_password(f.PASSWORD)  # one hash for all: 50 argon2 hashes would only slow the test down
    people = [
        User(email=f"spray{n}@kommune.example", display_name="Besprüht", password_hash=shared)
        for n in range(50)
    ]
    db.add_all(people)
    db.flush()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    answers = [f.login(client, person.email, WRONG).text for person in people]
    assert all(FAILED in text for text in answers[:20])
    assert all(LOCKED in text for text in answers[20:])
    checked = db.scalar(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email.like("spray%"))
    )
    assert checked == 20  # the limit of LMS_LOGIN_CLIENT_MAX_FAILURES, not 50
    elsewhere = _browser(app, "203.0.113.20")  # other addresses are not affected
    assert f.login(elsewhere, people[49].email).status_code == 302


def test_the_global_limit_spares_known_browsers(
    app: Flask, db: Session, setting: Callable[..., None]
) -> None:
    owner, own_browser = _owner_with_device(app, db)
    setting(login_global_max_failures=4)
    for n in range(4):  # a botnet: another address and another account each time
        victim = f.user(db)
        assert FAILED in f.login(_browser(app, f"198.51.100.{n}"), victim.email, WRONG).text
    newcomer = f.user(db)
    assert LOCKED in f.login(_browser(app, "198.51.100.200"), newcomer.email).text
    assert f.login(own_browser, owner.email).status_code == 302


def test_successful_logins_do_not_count_and_old_attempts_are_deleted(
    app: Flask, client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    person = f.user(db)
    for _ in range(4):
        f.login(client, person.email, WRONG)
    assert f.login(client, person.email).status_code == 302
    stranger = _browser(app, "198.51.100.5")  # without the device cookie the login just gave this browser
    assert FAILED in f.login(stranger, person.email, WRONG).text  # the fifth failure, not a lock
    assert LOCKED in f.login(stranger, person.email).text
    assert _checks(db, person.email) == 6
    time_machine.shift(timedelta(minutes=16))
    f.login(client, "jemand@kommune.example", WRONG)
    assert _checks(db, person.email) == 0  # attempts hold e-mail addresses: none older than the window stays
