"""The second factor (TOTP): set-up, the login step, replay, recovery codes, enforcement and the office's reset."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import RecoveryCode, Role, TotpFactor, User
from tests import factories as f


@pytest.fixture(autouse=True)
def _frozen(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.now(), tick=False)


def _enforce(app: Flask) -> None:
    """The default of LMS_MFA_REQUIRED_ROLES (the test app turns it off for all other tests)."""
    settings = app.extensions["lms.settings"]
    app.extensions["lms.settings"] = dataclasses.replace(
        settings, mfa_required_roles="admin,trainer,coordinator,facilitator"
    )


def _code(db: Session, person: User, offset: int = 0) -> str:
    factor = db.get(TotpFactor, person.id)
    assert factor is not None
    return pyotp.TOTP(factor.secret).at(clock.now() + timedelta(seconds=30 * offset))


def _set_up(client: FlaskClient, db: Session, person: User) -> list[str]:
    """Set up the authenticator through the profile page; returns the recovery codes shown once."""
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    assert "otpauth://totp/" in page
    token = f._csrf_from(page)
    done = client.post("/profil/zwei-faktor", data={"code": _code(db, person), "csrf_token": token})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return codes


def _second_step(client: FlaskClient, code: str):  # type: ignore[no-untyped-def]
    token = f._csrf_from(client.get("/anmelden/zweiter-faktor").get_data(as_text=True))
    return client.post("/anmelden/zweiter-faktor", data={"code": code, "csrf_token": token})


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/profil").status_code == 200


def test_setup_then_login_asks_for_the_code(
    app: Flask, client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _set_up(client, db, person)
    factor = db.get(TotpFactor, person.id)
    assert factor is not None and factor.confirmed_at is not None
    assert len(db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all()) == 10
    # The secret and the codes are never shown again.
    again = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert factor.secret not in again and "otpauth://" not in again

    other = app.test_client()
    answer = f.login(other, person.email)
    assert answer.status_code == 303 and "/anmelden/zweiter-faktor" in answer.headers["Location"]
    assert not _logged_in(other)  # half logged in is not logged in
    assert _second_step(other, "000000").status_code == 401
    assert not _logged_in(other)
    time_machine.shift(timedelta(seconds=30))
    assert _second_step(other, _code(db, person)).status_code == 302
    assert _logged_in(other)


def test_the_setup_page_shows_a_qr_image_and_the_key_in_groups(client: FlaskClient, db: Session) -> None:
    """The QR code is an SVG document a browser can show in an <img> (tests/e2e/test_totp_login.py scans it)."""
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    source = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert source is not None
    svg = base64.b64decode(source.group(1)).decode()
    # Without the namespace Chromium and Firefox draw nothing; without a viewBox the image does not scale.
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg and "viewBox=" in svg
    factor = db.get(TotpFactor, person.id)
    assert factor is not None
    shown = re.search(r'<code id="totp-secret">([^<]+)</code>', page)
    assert shown is not None
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown.group(1))
    assert shown.group(1).replace(" ", "") == factor.secret


def test_a_code_is_accepted_once_only(
    app: Flask, client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _set_up(client, db, person)
    time_machine.shift(timedelta(seconds=30))
    code = _code(db, person)
    first = app.test_client()
    f.login(first, person.email)
    assert _second_step(first, code).status_code == 302
    second = app.test_client()
    f.login(second, person.email)
    assert _second_step(second, code).status_code == 401  # RFC 6238: the same step is refused (replay)
    assert not _logged_in(second)
    # Neither is a code of an earlier step within the window.
    assert _second_step(second, _code(db, person, -1)).status_code == 401
    assert _second_step(second, _code(db, person, 1)).status_code == 302


def test_a_recovery_code_works_once(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    codes = _set_up(client, db, person)
    first = app.test_client()
    f.login(first, person.email)
    assert _second_step(first, codes[3].upper()).status_code == 302
    assert _logged_in(first)
    second = app.test_client()
    f.login(second, person.email)
    assert _second_step(second, codes[3]).status_code == 401
    assert not _logged_in(second)


def test_wrong_codes_count_against_the_login_throttling(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _set_up(client, db, person)
    other = app.test_client()
    f.login(other, person.email)
    statuses = [_second_step(other, "000000").status_code for _ in range(6)]
    assert statuses[:4] == [401] * 4
    assert 302 in statuses[4:]  # refused: back to the login form
    assert not _logged_in(other)


def test_a_coordinator_must_set_up_the_factor_first(app: Flask, client: FlaskClient, db: Session) -> None:
    _enforce(app)
    town = f.municipality(db)
    person = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, person.email)
    for path in ("/profil", "/meine-module"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/profil/zwei-faktor"), path
    # The API with the same session too (it answered in full with the password alone, a QA sweep found).
    for method, path in (("GET", "/api/v1/modules"), ("GET", "/api/v1/me/completions")):
        answer = client.open(path, method=method)
        assert answer.status_code == 403 and "Zwei-Faktor-Anmeldung" in answer.json["error"]["message"], path
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert "vorgeschrieben" in page
    _set_up(client, db, person)
    assert client.get("/profil").status_code == 200
    assert client.get("/api/v1/modules").status_code == 200


def test_learners_are_not_forced(app: Flask, client: FlaskClient, db: Session) -> None:
    _enforce(app)
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    assert client.get("/profil").status_code == 200


def test_the_office_resets_a_factor(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.TRAINER)
    f.login(client, person.email)
    _set_up(client, db, person)
    admin = f.user(db, Role.ADMIN)
    office = app.test_client()
    f.login(office, admin.email)
    page = office.get("/programmbuero/passwort-links", query_string={"email": person.email})
    assert "Zwei-Faktor-Anmeldung zurücksetzen" in page.get_data(as_text=True)
    token = f._csrf_from(page.get_data(as_text=True))
    answer = office.post(
        "/programmbuero/passwort-links",
        data={"user_id": person.id, "action": "reset_mfa", "csrf_token": token},
    )
    assert answer.status_code == 303
    db.expire_all()
    assert db.get(TotpFactor, person.id) is None
    assert not db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event is not None and event.actor_id == admin.id and event.object_id == str(person.id)
    # The password alone logs the person in again.
    again = app.test_client()
    assert f.login(again, person.email).status_code == 302
    assert _logged_in(again)


def test_an_unknown_role_in_the_setting_is_refused() -> None:
    from lms.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="LMS_MFA_REQUIRED_ROLES"):
        load_settings({"LMS_MFA_REQUIRED_ROLES": "admin,chef"}, require_secret=False)
    assert load_settings({"LMS_MFA_REQUIRED_ROLES": ""}, require_secret=False).mfa_required_roles == ""


def test_a_password_reset_link_still_asks_for_the_code(app: Flask, client: FlaskClient, db: Session) -> None:
    from lms.auth.reset import send_reset_link

    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _set_up(client, db, person)
    admin = f.user(db, Role.ADMIN)
    _person, token, _invitation = send_reset_link(db, admin, person)
    db.flush()
    other = app.test_client()
    path = f"/einladung/{token}"
    csrf = f._csrf_from(other.get(path).get_data(as_text=True))
    new = "ein ganz neues Passwort 2026"
    answer = other.post(path, data={"csrf_token": csrf, "password": new, "confirmation": new})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/anmelden/zweiter-faktor")
    assert not _logged_in(other)
    assert _second_step(other, _code(db, person, 1)).status_code == 302
    assert _logged_in(other)


def test_the_half_logged_in_cookie_carries_no_e_mail_address(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    """Between password and code the session is Flask's signed cookie, readable by whoever holds it; it carried the
    address (a security review, ASVS 8.3.4). The account's number is what the second step needs."""
    person = f.user(db, Role.LEARNER, email="deniz.arslan@kreis.example")
    f.login(client, person.email)
    _set_up(client, db, person)
    fresh = app.test_client()
    assert f.login(fresh, person.email.upper()).headers["Location"].endswith("/anmelden/zweiter-faktor")
    cookie = fresh.get_cookie("lms_session")
    assert cookie is not None
    signer = app.session_interface._signed.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = signer.loads(cookie.value)
    assert data["mfa_pending"]["user_id"] == person.id
    assert "deniz" not in json.dumps(data).lower() and "deniz" not in cookie.value.lower()
    assert _second_step(fresh, _code(db, person, 1)).status_code == 302 and _logged_in(fresh)


def test_a_token_made_before_a_role_that_requires_the_factor_waits_for_it(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    """A learner's token outlived the coordinator role granted later: the session was refused, the token answered
    in full (a review found it). The same for a factor reset by the office or a setting switched on later."""
    from lms.auth.services import create_api_token

    _enforce(app)
    town = f.municipality(db)
    person = f.user(db, Role.LEARNER, municipality_id=town.id)
    _token, secret = create_api_token(db, person, "Skript")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/me/completions", headers=bearer).status_code == 200
    person.grant(Role.COORDINATOR)
    db.flush()
    refused = app.test_client().get("/api/v1/me/completions", headers=bearer)
    assert refused.status_code == 403 and "Zwei-Faktor-Anmeldung" in refused.json["error"]["message"]
    f.login(client, person.email)
    _set_up(client, db, person)
    assert app.test_client().get("/api/v1/me/completions", headers=bearer).status_code == 200
