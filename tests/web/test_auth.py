"""Logging in and out, throttling, CSRF and the security headers, as a browser sees them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f


def test_login_leads_to_my_modules(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, name="Lea Schneider")
    response = f.login(client, person.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/module")
    page = client.get("/module")
    assert "Meine Module" in page.text and "Lea Schneider" in page.text


def test_wrong_password_gets_401_and_a_german_message(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    response = f.login(client, person.email, "falsch-falsch-falsch")
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch." in response.text
    assert client.get("/module").status_code == 302  # still logged out


def test_unknown_account_gets_the_same_message(client) -> None:  # type: ignore[no-untyped-def]
    response = f.login(client, "niemand@kommune.example", "irgendwas-langes")
    assert response.status_code == 401 and "E-Mail-Adresse oder Passwort ist falsch." in response.text


def test_login_is_throttled_after_repeated_failures(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    for _ in range(5):
        assert f.login(client, person.email, "falsch-falsch-falsch").status_code == 401
    response = f.login(client, person.email)  # even the right password is refused now
    assert response.status_code == 401
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.text


def test_deactivated_person_cannot_log_in(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    person.is_active = False
    db.flush()
    assert f.login(client, person.email).status_code == 401


def test_form_without_csrf_token_is_refused(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    response = client.post("/anmelden", data={"email": person.email, "password": f.PASSWORD})
    assert response.status_code == 400
    assert "Formular ist abgelaufen oder ungültig" in response.text


def test_logout_needs_post(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    f.login(client, person.email)
    assert client.get("/abmelden").status_code == 405
    token = f.csrf_token(client)
    assert client.post("/abmelden", data={"csrf_token": token}).status_code == 302
    assert client.get("/module").status_code == 302


def test_no_open_redirect_after_login(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    page = client.get("/anmelden?next=https://boese.example/")
    token = f._csrf_from(page.text)
    response = client.post(
        "/anmelden?next=https://boese.example/",
        data={"email": person.email, "password": f.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/module")


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/anmelden")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lms_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


def test_passwords_are_hashed_with_argon2id(db: Session) -> None:
    person = f.user(db)
    assert person.password_hash is not None and person.password_hash.startswith("$argon2id$")
    assert f.PASSWORD not in person.password_hash


def test_unknown_page_is_a_german_404(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404 and "Diese Seite gibt es nicht" in response.text
    assert "Traceback" not in response.text


def test_a_person_can_switch_the_interface_to_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    f.login(client, person.email)
    assert "Meine Module" in client.get("/module").text
    client.post("/profil/sprache", data={"csrf_token": f.csrf_token(client), "locale": "en"})
    page = client.get("/module", headers={"Accept-Language": "de"})
    assert "My modules" in page.text and 'lang="en"' in page.text
    forged = client.post("/profil/sprache", data={"csrf_token": f.csrf_token(client), "locale": "xx"})
    assert forged.status_code == 302
    db.refresh(person)
    assert person.locale == "en"  # an unknown language is not stored


def test_a_form_sent_after_logging_out_elsewhere_returns_to_its_page_after_login(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """Found by a QA sweep: the login sent people on to the form's own address, which answers POST only (405)."""
    person = f.user(db)
    f.login(client, person.email)
    token = f.csrf_token(client, "/profil")
    client.post("/abmelden", data={"csrf_token": token})  # as if in another tab
    sent = client.post(
        "/profil/sprache",
        data={"csrf_token": f.csrf_token(client, "/anmelden"), "locale": "en"},
        headers={"Referer": "http://localhost/profil?tab=sprache"},
    )
    assert sent.status_code == 302 and _next_of(sent.headers["Location"]) == "/profil?tab=sprache"
    form = client.get(sent.headers["Location"])
    after = client.post(
        sent.headers["Location"],
        data={"email": person.email, "password": f.PASSWORD, "csrf_token": f._csrf_from(form.text)},
    )
    assert after.headers["Location"] == "/profil?tab=sprache"
    # A page asked for keeps its address and query, as before.
    f_logout = client.post("/abmelden", data={"csrf_token": f.csrf_token(client, "/profil")})
    assert f_logout.status_code in (302, 303)
    assert _next_of(client.get("/nachweise?seite=2").headers["Location"]) == "/nachweise?seite=2"


def _next_of(location: str) -> str:
    """Where the login form sends on to (its next= parameter, decoded)."""
    parts = urlsplit(location)
    assert parts.path == "/anmelden", location
    return parse_qs(parts.query)["next"][0]
