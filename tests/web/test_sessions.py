"""Server-side sessions: a copied cookie is worthless after logout, password change, deactivation or a role change;
sessions end after 30 idle minutes and 10 hours at most; „Angemeldete Geräte“ lists and ends them."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import create_app
from lms import time as clock
from lms.auth.models import LoginSession, Role, User
from lms.auth.passwords import hash_password
from lms.auth.sessions import describe_agent
from lms.orgs.staff import set_active
from tests import factories as f

COOKIE = "lms_session"


def _logged_in(client: FlaskClient, db: Session, *roles: Role) -> User:
    person = f.user(db, *roles)
    assert f.login(client, person.email).status_code == 302
    return person


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(client: FlaskClient, value: str) -> int:
    """The profile's status with a cookie copied earlier (200: still logged in; 302: sent to the login page)."""
    client.set_cookie(COOKIE, value)
    return client.get("/profil").status_code


def _log_out(client: FlaskClient) -> None:
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def test_the_cookie_holds_only_a_random_key_and_the_database_only_its_hash(
    client: FlaskClient, db: Session
) -> None:
    person = _logged_in(client, db)
    key = _cookie(client)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)  # 256 random bits; no signed data in the cookie
    row = db.scalar(select(LoginSession).where(LoginSession.user_id == person.id))
    assert row is not None and row.key_hash == hashlib.sha256(key.encode()).hexdigest() != key


def test_a_cookie_replayed_after_logout_is_worthless(client: FlaskClient, db: Session) -> None:
    _logged_in(client, db)
    copied = _cookie(client)
    assert _replay(client, copied) == 200
    _log_out(client)
    assert _replay(client, copied) == 302


def test_login_gives_a_new_key(client: FlaskClient, db: Session) -> None:
    client.get("/anmelden")
    before = _cookie(client)  # the anonymous session that holds the login form's CSRF token
    _logged_in(client, db)
    assert _cookie(client) != before
    assert _replay(client, before) == 302


def test_a_new_password_ends_every_session_of_the_person(client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db)
    copied = _cookie(client)
    person.password_hash = hash_password("ein-ganz-neues-passwort")
    db.flush()
    assert _replay(client, copied) == 302


def test_deactivation_and_reactivation_end_the_sessions(client: FlaskClient, db: Session) -> None:
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    person = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, person.email)
    copied = _cookie(client)
    set_active(db, coordinator, person, False)
    db.flush()
    set_active(db, coordinator, person, True)
    db.flush()
    assert _replay(client, copied) == 302


def test_a_change_of_roles_ends_the_sessions(client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db, Role.LEARNER)
    copied = _cookie(client)
    person.grant(Role.TRAINER)
    db.flush()
    assert _replay(client, copied) == 302


def test_other_people_keep_their_sessions(app: Flask, client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db)
    copied = _cookie(client)
    other = f.user(db)
    other.password_hash = hash_password("ein-anderes-passwort-fuer-andere")
    db.flush()
    assert _replay(client, copied) == 200
    assert person.is_active


def test_idle_timeout_after_30_minutes(
    client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    _logged_in(client, db)
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/profil").status_code == 200  # activity: the idle time starts again
    time_machine.shift(timedelta(minutes=29))
    assert client.get("/profil").status_code == 200
    time_machine.shift(timedelta(minutes=31))
    answer = client.get("/profil")
    assert answer.status_code == 302 and "/anmelden" in answer.headers["Location"]
    assert "Ihre Sitzung ist abgelaufen" in client.get(answer.headers["Location"]).text


def test_absolute_lifetime_of_ten_hours_despite_activity(
    client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    _logged_in(client, db)
    for _step in range(23):  # active every 25 minutes for 9 h 35 min
        time_machine.shift(timedelta(minutes=25))
        assert client.get("/profil").status_code == 200
    time_machine.shift(timedelta(minutes=26))  # 10 h 1 min after login, 26 min after the last request
    assert client.get("/profil").status_code == 302


def test_reads_do_not_write_the_session_on_every_request(
    client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    person = _logged_in(client, db)
    row = db.scalar(select(LoginSession).where(LoginSession.user_id == person.id))
    assert row is not None
    seen = row.last_seen_at
    time_machine.shift(timedelta(seconds=20))
    client.get("/module")
    db.refresh(row)
    assert row.last_seen_at == seen
    time_machine.shift(timedelta(seconds=50))
    client.get("/module")
    db.refresh(row)
    assert row.last_seen_at > seen


def test_the_profile_lists_devices_and_ends_another_one(app: Flask, client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db)
    other_browser = app.test_client()
    other_browser.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
    )
    f.login(other_browser, person.email)
    page = client.get("/profil").text
    assert "Angemeldete Geräte" in page and "Firefox unter Windows" in page and "(dieses Gerät)" in page
    other_id = db.scalar(
        select(LoginSession.id).where(
            LoginSession.user_id == person.id, LoginSession.user_agent.contains("Firefox")
        )
    )
    answer = client.post(f"/profil/geraete/{other_id}/abmelden", data={"csrf_token": f.csrf_token(client)})
    assert answer.status_code == 302
    assert other_browser.get("/profil").status_code == 302
    assert client.get("/profil").status_code == 200


def test_nobody_ends_another_persons_session(app: Flask, client: FlaskClient, db: Session) -> None:
    victim = f.user(db)
    victim_browser = app.test_client()
    f.login(victim_browser, victim.email)
    victim_session = db.scalar(select(LoginSession.id).where(LoginSession.user_id == victim.id))
    _logged_in(client, db)
    client.post(f"/profil/geraete/{victim_session}/abmelden", data={"csrf_token": f.csrf_token(client)})
    client.post("/profil/geraete/andere-abmelden", data={"csrf_token": f.csrf_token(client)})
    assert victim_browser.get("/profil").status_code == 200


def test_end_all_other_devices_keeps_this_one(app: Flask, client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db)
    browsers = [app.test_client() for _n in range(2)]
    for browser in browsers:
        f.login(browser, person.email)
    assert db.scalar(select(func.count()).where(LoginSession.user_id == person.id)) == 3
    client.post("/profil/geraete/andere-abmelden", data={"csrf_token": f.csrf_token(client)})
    assert [b.get("/profil").status_code for b in browsers] == [302, 302]
    assert client.get("/profil").status_code == 200


def test_forwarded_for_header_is_not_what_binds_a_session(client: FlaskClient, db: Session) -> None:
    _logged_in(client, db)
    assert client.get("/profil", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200
    assert client.get("/profil", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 200


def test_with_secure_cookies_the_cookie_has_the_host_prefix(database_url: str) -> None:
    app = create_app(
        {"testing": True, "database_url": database_url, "secret_key": "test-secret", "secure_cookies": True}
    )
    answer = app.test_client().get("/anmelden", base_url="https://localhost")
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("__Host-lms_session="))
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie and "HttpOnly" in cookie
    app.extensions["lms.engine"].dispose()


def test_an_https_address_makes_cookies_secure_unless_set_and_refuses_them_insecure() -> None:
    """The setting was off unless an operator remembered it: an HTTPS deployment without it sent the session cookie
    without Secure and no HSTS (a security review's finding, ASVS 3.4.1, 14.4.5)."""
    from lms.config import ConfigError, load_settings

    def settings(**environ: str):  # type: ignore[no-untyped-def]
        return load_settings({f"LMS_{k.upper()}": v for k, v in environ.items()}, require_secret=False)

    assert settings(base_url="https://lernen.example.de").secure_cookies is True
    assert settings(base_url="http://127.0.0.1:5000").secure_cookies is False
    assert settings().secure_cookies is False  # the demo's default address
    assert settings(base_url="http://127.0.0.1:5000", secure_cookies="true").secure_cookies is True
    with pytest.raises(ConfigError, match="LMS_SECURE_COOKIES=false passt nicht zu LMS_BASE_URL"):
        settings(base_url="https://lernen.example.de", secure_cookies="false")


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
            ("Microsoft Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            ("Chrome", "Linux"),
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1",
            ("Safari", "iOS"),
        ),
        ("curl/8.5", ("", "")),
    ],
)
def test_devices_are_described_so_people_recognise_them(agent: str, expected: tuple[str, str]) -> None:
    assert describe_agent(agent) == expected


def test_the_quiz_page_carries_the_idle_warning_and_keep_alive_restarts_the_idle_time(
    client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    f.published_module(db)
    f.published_quiz(db)
    _logged_in(client, db)
    started = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    page = client.get(started.headers["Location"]).text
    assert (
        'id="session-warning"' in page and 'data-idle-seconds="1800"' in page and "session-timeout.js" in page
    )
    token = f._csrf_from(page.replace('data-csrf-token="', 'name="csrf_token" value="', 1))
    time_machine.shift(timedelta(minutes=26))
    assert client.post("/sitzung/verlaengern", headers={"X-CSRFToken": token}).status_code == 204
    time_machine.shift(timedelta(minutes=26))
    assert client.get("/profil").status_code == 200  # 52 minutes after the quiz page, 26 after keep-alive


def test_visitors_write_nothing_and_a_signed_cookie_never_carries_a_person(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    before = db.scalar(select(func.count()).select_from(LoginSession))
    client.get("/anmelden")
    client.get("/verify")
    assert db.scalar(select(func.count()).select_from(LoginSession)) == before
    person = f.user(db)
    signer = app.session_interface._signed.get_signing_serializer(app)  # type: ignore[attr-defined]
    client.set_cookie(COOKIE, signer.dumps({"_user_id": str(person.id), "_fresh": True}))
    assert client.get("/profil").status_code == 302


def test_a_session_ended_while_a_request_runs_stays_ended(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    from flask import request as current_request
    from sqlalchemy import delete

    from lms.web.database import get_db

    person = _logged_in(client, db)
    key = _cookie(client)
    interface = app.session_interface
    with app.test_request_context("/profil", headers={"Cookie": f"{COOKIE}={key}"}):
        in_flight = interface.open_session(app, current_request)
        assert in_flight is not None and in_flight["_user_id"] == str(person.id)
        # Meanwhile, on another device, the person changes the password: every session row goes.
        db.execute(delete(LoginSession).where(LoginSession.user_id == person.id))
        in_flight["seen"] = True
        response = app.response_class()
        # As in a real request, the request's unit of work (which read the session) ends before Flask saves it.
        get_db().commit()
        interface.save_session(app, in_flight, response)
    assert db.scalar(select(func.count()).where(LoginSession.user_id == person.id)) == 0
    assert any(c.startswith(f"{COOKIE}=;") for c in response.headers.getlist("Set-Cookie"))


def test_logging_in_again_gives_a_new_key_even_for_the_same_person(client: FlaskClient, db: Session) -> None:
    person = _logged_in(client, db)
    first = _cookie(client)
    f.login(client, person.email)
    assert _cookie(client) != first
    assert _replay(client, first) == 302
