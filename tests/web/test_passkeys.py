"""Passkeys (WebAuthn) as second factor, through the JSON requests the page's script makes, with a software
authenticator (tests/softauthn.py) whose answers py_webauthn checks like a browser's.

What Chromium does with them is tested in tests/e2e/test_passkeys.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import RecoveryCode, Role, TotpFactor, WebAuthnChallenge, WebAuthnCredential
from tests import factories as f
from tests.softauthn import SoftAuthenticator

CODE = re.compile(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>")


@pytest.fixture(autouse=True)
def _frozen(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.now(), tick=False)


def _enforce(app: Flask) -> None:
    settings = app.extensions["lms.settings"]
    app.extensions["lms.settings"] = dataclasses.replace(
        settings, mfa_required_roles="admin,trainer,coordinator,facilitator"
    )


def _token(client: FlaskClient, path: str = "/profil/zwei-faktor") -> str:
    return f._csrf_from(client.get(path).get_data(as_text=True))


def _post(client: FlaskClient, path: str, token: str | None, body: Any) -> Any:
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["X-CSRFToken"] = token
    return client.post(path, json=body, headers=headers)


def _register(client: FlaskClient, key: SoftAuthenticator, name: str = "Laptop Büro", **create: Any) -> Any:
    token = _token(client)
    options = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": name})
    assert options.status_code == 200, options.get_data(as_text=True)
    answer = key.create(options.get_json(), **create)
    return _post(client, "/profil/zwei-faktor/passkeys", token, {"name": name, "credential": answer})


def _register_ok(client: FlaskClient, key: SoftAuthenticator, name: str = "Laptop Büro") -> list[str]:
    """Register through the profile; returns the recovery codes the next page shows (none if not the first)."""
    done = _register(client, key, name)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json() == {"redirect": "/profil/zwei-faktor"}
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert f"Der Passkey „{name}“ ist hinzugefügt." in page
    return CODE.findall(page)


def _half_login(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A new browser that gave the right password; returns it and the CSRF token of the second step's page."""
    client = app.test_client()
    answer = f.login(client, email)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/anmelden/zweiter-faktor")
    return client, _token(client, "/anmelden/zweiter-faktor")


def _login_options(client: FlaskClient, token: str) -> dict[str, Any]:
    answer = _post(client, "/anmelden/zweiter-faktor/passkey/optionen", token, {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    options: dict[str, Any] = answer.get_json()
    return options


def _confirm(client: FlaskClient, token: str, credential: Any) -> Any:
    return _post(client, "/anmelden/zweiter-faktor/passkey", token, {"credential": credential})


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/profil").status_code == 200


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_register_then_log_in_with_the_passkey(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    codes = _register_ok(client, key)
    assert len(codes) == 10  # the first factor brings the recovery codes, shown once
    again = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert not CODE.findall(again) and "Laptop Büro" in again
    [row] = db.scalars(select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id)).all()
    assert (row.name, row.credential_id, row.transports, row.last_used_at) == (
        "Laptop Büro",
        key.id,
        "internal",
        None,
    )
    assert _events(db, "mfa.passkey_added")[0].object_id == str(person.id)

    other, token = _half_login(app, person.email)
    page = other.get("/anmelden/zweiter-faktor").get_data(as_text=True)
    assert "Mit Passkey bestätigen" in page and "Wiederherstellungscode" in page
    assert not _logged_in(other)
    options = _login_options(other, token)
    assert options["rpId"] == "localhost"
    assert [c["id"] for c in options["allowCredentials"]] == [key.id]
    done = _confirm(other, token, key.get(options))
    assert done.status_code == 200 and done.get_json() == {"redirect": "/module"}
    assert _logged_in(other)
    db.expire_all()
    assert row.sign_count == 1 and row.last_used_at is not None


def test_an_answer_is_accepted_once_even_from_a_copied_cookie(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator(counting=False)  # like a synced passkey: the counter says nothing
    _register_ok(client, key)
    first, token = _half_login(app, person.email)
    options = _login_options(first, token)
    answer = key.get(options)
    cookie = first.get_cookie("lms_session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("lms_session", cookie.value)  # the signed pre-login cookie, challenge and all
    assert _confirm(first, token, answer).status_code == 200
    replay = _confirm(copy, token, answer)
    assert replay.status_code == 401
    assert "abgelaufen oder wurde schon verwendet" in replay.get_json()["error"]
    assert not _logged_in(copy)


def test_a_challenge_expires_after_five_minutes(
    app: Flask, client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    token = _token(client)
    options = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "Alt"}).get_json()
    time_machine.shift(timedelta(minutes=5, seconds=1))
    late = _post(
        client, "/profil/zwei-faktor/passkeys", token, {"name": "Alt", "credential": key.create(options)}
    )
    assert late.status_code == 400 and "abgelaufen" in late.get_json()["error"]
    assert not db.scalars(select(WebAuthnCredential)).all()
    # The next challenge clears the expired ones away; a newer one replaces an older one of the same person.
    older = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "Neu"}).get_json()
    assert len(db.scalars(select(WebAuthnChallenge)).all()) == 1
    _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "Neu"})
    assert len(db.scalars(select(WebAuthnChallenge)).all()) == 1
    stale = key.create(older)
    # (the session holds the newer challenge: the older answer matches neither)
    refused = _post(client, "/profil/zwei-faktor/passkeys", token, {"name": "Neu", "credential": stale})
    assert refused.status_code == 400


def test_another_persons_or_a_removed_passkey_is_refused(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person, stranger = f.user(db, Role.LEARNER), f.user(db, Role.LEARNER)
    f.login(client, person.email)
    mine, spare = SoftAuthenticator(), SoftAuthenticator()
    _register_ok(client, mine)
    _register_ok(client, spare, "Ersatzschlüssel")
    theirs = SoftAuthenticator()
    stranger_client = app.test_client()
    f.login(stranger_client, stranger.email)
    _register_ok(stranger_client, theirs, "Fremd")

    browser, token = _half_login(app, person.email)
    refused = _confirm(browser, token, theirs.get(_login_options(browser, token)))
    assert refused.status_code == 401 and "gehört nicht (mehr) zu Ihrem Konto" in refused.get_json()["error"]
    assert not _logged_in(browser)

    spare_row = db.scalar(select(WebAuthnCredential).where(WebAuthnCredential.credential_id == spare.id))
    assert spare_row is not None
    removed = client.post(
        f"/profil/zwei-faktor/passkeys/{spare_row.id}/entfernen", data={"csrf_token": _token(client)}
    )
    assert removed.status_code == 303
    assert _events(db, "mfa.passkey_removed")
    refused = _confirm(browser, token, spare.get(_login_options(browser, token)))
    assert refused.status_code == 401 and not _logged_in(browser)
    assert _confirm(browser, token, mine.get(_login_options(browser, token))).status_code == 200


def test_a_counter_that_goes_back_is_refused_and_audited(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    _register_ok(client, key)
    browser, token = _half_login(app, person.email)
    assert _confirm(browser, token, key.get(_login_options(browser, token), sign_count=7)).status_code == 200

    clone, token = _half_login(app, person.email)
    refused = _confirm(clone, token, key.get(_login_options(clone, token), sign_count=7))
    assert refused.status_code == 401 and "Kopie" in refused.get_json()["error"]
    assert not _logged_in(clone)
    [event] = _events(db, "mfa.passkey_sign_count")
    assert event.detail == {"passkey": "Laptop Büro", "stored": 7, "received": 7}


def test_wrong_answers_count_against_the_login_throttling(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    _register_ok(client, key)
    browser, token = _half_login(app, person.email)
    statuses = []
    for _ in range(6):
        options = (
            _login_options(browser, token) if _pending(browser) else {"challenge": "x", "rpId": "localhost"}
        )
        statuses.append(
            _confirm(browser, token, key.get(options, origin="https://phish.example")).status_code
        )
    assert statuses[:4] == [401] * 4
    assert 429 in statuses[4:]  # locked: the half-login ends, the password is asked for again
    assert not _pending(browser) and not _logged_in(browser)


def _pending(client: FlaskClient) -> bool:
    return client.get("/anmelden/zweiter-faktor").status_code == 200


def test_the_json_requests_need_the_csrf_token(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    assert _post(client, "/profil/zwei-faktor/passkeys/optionen", None, {"name": "X"}).status_code == 400
    assert _post(client, "/profil/zwei-faktor/passkeys/optionen", "falsch", {"name": "X"}).status_code == 400
    _register_ok(client, key)
    browser, token = _half_login(app, person.email)
    assert _post(browser, "/anmelden/zweiter-faktor/passkey/optionen", None, {}).status_code == 400
    options = _login_options(browser, token)
    assert (
        _post(browser, "/anmelden/zweiter-faktor/passkey", None, {"credential": key.get(options)}).status_code
        == 400
    )
    assert not _logged_in(browser)


def test_answers_for_another_site_or_garbage_are_refused(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    key = SoftAuthenticator()
    phished = _register(client, key, origin="https://phish.example")
    assert phished.status_code == 400 and "nicht geprüft werden" in phished.get_json()["error"]
    token = _token(client)
    for body in (
        {"name": "X", "credential": "kaputt"},
        {"name": "X"},
        ["kein", "Objekt"],
        {"name": "X", "credential": {"id": 1}},
    ):
        _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "X"})
        answer = _post(client, "/profil/zwei-faktor/passkeys", token, body)
        assert answer.status_code == 400 and answer.is_json, body
    missing = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "   "})
    assert missing.status_code == 400 and "Namen" in missing.get_json()["error"]
    assert not db.scalars(select(WebAuthnCredential)).all()
    # The same authenticator twice is refused (the browser's excludeCredentials would stop it earlier).
    _register_ok(client, key)
    twice = _register(client, key, "Noch einmal")
    assert twice.status_code == 400 and "bereits registriert" in twice.get_json()["error"]


def test_a_passkey_alone_satisfies_the_requirement(app: Flask, client: FlaskClient, db: Session) -> None:
    _enforce(app)
    town = f.municipality(db)
    person = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, person.email)
    assert client.get("/profil").headers["Location"].endswith("/profil/zwei-faktor")
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    assert "vorgeschrieben" in page and "Passkey hinzufügen" in page and "Authenticator-App" in page
    key = SoftAuthenticator()
    assert len(_register_ok(client, key)) == 10
    assert client.get("/profil").status_code == 200
    # The last factor of a role that requires one stays.
    row = db.scalar(select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id))
    assert row is not None
    answer = client.post(
        f"/profil/zwei-faktor/passkeys/{row.id}/entfernen", data={"csrf_token": _token(client)}
    )
    assert "Ihre Rolle verlangt einen" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert db.get(WebAuthnCredential, row.id) is not None


def test_a_learner_may_remove_the_last_passkey_and_the_codes_go_with_it(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _register_ok(client, SoftAuthenticator())
    row = db.scalar(select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id))
    assert row is not None
    stranger = app.test_client()
    f.login(stranger, f.user(db, Role.LEARNER).email)
    token = _token(stranger)
    assert "Diesen Passkey gibt es nicht." in stranger.post(
        f"/profil/zwei-faktor/passkeys/{row.id}/entfernen", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert stranger.get(f"/profil/zwei-faktor/passkeys/{row.id}/umbenennen").status_code == 302
    assert db.get(WebAuthnCredential, row.id) is not None

    row_id = row.id
    client.post(f"/profil/zwei-faktor/passkeys/{row_id}/entfernen", data={"csrf_token": _token(client)})
    db.expire_all()
    assert db.get(WebAuthnCredential, row_id) is None
    assert not db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == person.id)).all()
    assert f.login(app.test_client(), person.email).headers["Location"].endswith("/module")


def test_rename(client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    _register_ok(client, SoftAuthenticator())
    row = db.scalar(select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id))
    assert row is not None
    path = f"/profil/zwei-faktor/passkeys/{row.id}/umbenennen"
    form = client.get(path).get_data(as_text=True)
    assert 'value="Laptop Büro"' in form
    empty = client.post(path, data={"csrf_token": f._csrf_from(form), "name": "  "})
    assert empty.status_code == 400
    done = client.post(path, data={"csrf_token": f._csrf_from(form), "name": "YubiKey  am Schlüsselbund"})
    assert done.status_code == 303
    db.expire_all()
    assert row.name == "YubiKey am Schlüsselbund"


def test_recovery_codes_and_the_app_next_to_a_passkey(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    codes = _register_ok(client, SoftAuthenticator())
    # An app added later brings no new codes: the ones shown with the passkey stay valid.
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    factor = db.get(TotpFactor, person.id)
    assert factor is not None and "otpauth://totp/" in page
    added = client.post(
        "/profil/zwei-faktor",
        data={"csrf_token": f._csrf_from(page), "code": pyotp.TOTP(factor.secret).now()},
    )
    assert added.status_code == 200 and not CODE.findall(added.get_data(as_text=True))
    assert "Die Authenticator-App ist eingerichtet." in added.get_data(as_text=True)

    browser, token = _half_login(app, person.email)
    page = browser.get("/anmelden/zweiter-faktor").get_data(as_text=True)
    assert "Mit Passkey bestätigen" in page and "Authenticator-App" in page
    answer = browser.post("/anmelden/zweiter-faktor", data={"csrf_token": token, "code": codes[0]})
    assert answer.status_code == 302 and _logged_in(browser)


def test_a_recovery_code_without_an_app(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    codes = _register_ok(client, SoftAuthenticator())
    browser, token = _half_login(app, person.email)
    page = browser.get("/anmelden/zweiter-faktor").get_data(as_text=True)
    assert '<label class="kern-label" for="code">Wiederherstellungscode</label>' in page
    assert (
        browser.post("/anmelden/zweiter-faktor", data={"csrf_token": token, "code": "123456"}).status_code
        == 401
    )
    assert (
        browser.post("/anmelden/zweiter-faktor", data={"csrf_token": token, "code": codes[1]}).status_code
        == 302
    )


def test_the_office_reset_removes_passkeys_too(app: Flask, client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.TRAINER)
    f.login(client, person.email)
    _register_ok(client, SoftAuthenticator())
    _register_ok(client, SoftAuthenticator(), "Sicherheitsschlüssel")
    admin = f.user(db, Role.ADMIN)
    office = app.test_client()
    f.login(office, admin.email)
    page = office.get("/programmbuero/passwort-links", query_string={"email": person.email}).get_data(
        as_text=True
    )
    assert "Zwei-Faktor-Anmeldung zurücksetzen" in page
    office.post(
        "/programmbuero/passwort-links",
        data={"user_id": person.id, "action": "reset_mfa", "csrf_token": f._csrf_from(page)},
    )
    db.expire_all()
    assert not db.scalars(select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id)).all()
    [event] = _events(db, "mfa.reset")
    assert event.actor_id == admin.id and event.detail == {"app": False, "passkeys": 2}
    assert f.login(app.test_client(), person.email).headers["Location"].endswith("/module")


def test_the_relying_party_comes_from_the_settings_or_the_request(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    token = _token(client)
    options = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "X"}).get_json()
    assert options["rp"]["id"] == "localhost" and options["user"]["name"] == person.email
    assert person.email not in json.dumps(options["user"]["id"])  # the user handle names nobody
    settings = app.extensions["lms.settings"]
    app.extensions["lms.settings"] = dataclasses.replace(
        settings, webauthn_rp_id="lernen.example.de", webauthn_origin="https://lernen.example.de"
    )
    options = _post(client, "/profil/zwei-faktor/passkeys/optionen", token, {"name": "X"}).get_json()
    assert options["rp"]["id"] == "lernen.example.de"
    # The browser's origin is checked against the setting, not against the request.
    answer = SoftAuthenticator().create(options)
    refused = _post(client, "/profil/zwei-faktor/passkeys", token, {"name": "X", "credential": answer})
    assert refused.status_code == 400


def test_an_ip_address_gets_a_clear_message(app: Flask, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    browser = app.test_client()
    browser.get("/anmelden", base_url="http://127.0.0.1")
    page = browser.get("/anmelden", base_url="http://127.0.0.1").get_data(as_text=True)
    browser.post(
        "/anmelden",
        data={"email": person.email, "password": f.PASSWORD, "csrf_token": f._csrf_from(page)},
        base_url="http://127.0.0.1",
    )
    page = browser.get("/profil/zwei-faktor", base_url="http://127.0.0.1").get_data(as_text=True)
    assert "Passkeys sind unter einer IP-Adresse nicht möglich" in page and "passkey-register" not in page
    answer = browser.post(
        "/profil/zwei-faktor/passkeys/optionen",
        json={"name": "X"},
        headers={"X-CSRFToken": f._csrf_from(page)},
        base_url="http://127.0.0.1",
    )
    assert answer.status_code == 400 and "localhost" in answer.get_json()["error"]


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"LMS_WEBAUTHN_RP_ID": "https://lernen.example.de"}, "LMS_WEBAUTHN_RP_ID"),
        ({"LMS_WEBAUTHN_RP_ID": "lernen.example.de:443"}, "LMS_WEBAUTHN_RP_ID"),
        ({"LMS_WEBAUTHN_ORIGIN": "lernen.example.de"}, "LMS_WEBAUTHN_ORIGIN"),
        ({"LMS_WEBAUTHN_ORIGIN": "https://lernen.example.de/login"}, "LMS_WEBAUTHN_ORIGIN"),
        (
            {"LMS_WEBAUTHN_RP_ID": "example.de", "LMS_WEBAUTHN_ORIGIN": "https://lernen.example.org"},
            "liegt nicht unter",
        ),
    ],
)
def test_malformed_passkey_settings_are_refused(environ: dict[str, str], problem: str) -> None:
    from lms.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=problem):
        load_settings(environ, require_secret=False)


def test_good_passkey_settings() -> None:
    from lms.config import load_settings

    settings = load_settings(
        {"LMS_WEBAUTHN_RP_ID": "example.de", "LMS_WEBAUTHN_ORIGIN": "https://lernen.example.de"},
        require_secret=False,
    )
    assert (settings.webauthn_rp_id, settings.webauthn_origin) == ("example.de", "https://lernen.example.de")


def test_the_qr_code_is_an_svg_image_a_browser_shows(client: FlaskClient, db: Session) -> None:
    import base64

    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    page = client.get("/profil/zwei-faktor").get_data(as_text=True)
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert encoded is not None
    svg = base64.b64decode(encoded.group(1)).decode()
    # Without its namespace a standalone SVG is no image at all (the browser shows the alt text instead).
    assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
