"""Passwords in the browser: the policy on every form, „Passwort ändern“, „Passwort vergessen“, reset links from the
programme office, and API tokens that expire and end with a password reset (issue 10, part 3)."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import ApiToken, Invitation, LoginSession, PasswordResetRequest, Role
from lms.auth.passwords import verify_password
from lms.auth.services import create_api_token
from tests import factories as f

NEW = "Tulpen am Mainufer im Mai"


def _mails(outbox: Path) -> list[str]:
    texts = []
    for path in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes())
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        texts.append(f"To: {message['To']}\n{payload.decode()}")
    return texts


def _link(mail: str) -> str:
    found = re.search(r"http://\S+(/einladung/\S+)", mail)
    assert found, mail
    return found.group(1)


def _forgot(client: FlaskClient, email: str):  # type: ignore[no-untyped-def]
    token = f.csrf_token(client, "/passwort-vergessen")
    return client.post("/passwort-vergessen", data={"csrf_token": token, "email": email})


def _set_password(client: FlaskClient, path: str, password: str, confirmation: str | None = None):  # type: ignore[no-untyped-def]
    token = f._csrf_from(client.get(path).text)
    return client.post(
        path, data={"csrf_token": token, "password": password, "confirmation": confirmation or password}
    )


# --- the policy on the forms ------------------------------------------------------------------------------------


def test_the_invitation_form_applies_the_policy_at_the_field(
    client: FlaskClient, db: Session, outbox: Path
) -> None:
    person = f.user(db, email="anna.schmidt@kommune.example", name="Anna Schmidt")
    assert _forgot(client, person.email).status_code == 200
    path = _link(_mails(outbox)[0])
    for weak, text in (
        ("aaaaaaaaaaaa", "wiederholten oder aufeinanderfolgenden"),
        ("123456789012", "wiederholten oder aufeinanderfolgenden"),
        ("Passwort2026!", "häufig verwendeter"),
        ("Anna.Schmidt.2026", "Ohne Ihren Namen"),
        ("kurz", "mindestens 12 Zeichen"),
        ("x" * 20 + "y" * 120, "höchstens 128 Zeichen"),
    ):
        response = _set_password(client, path, weak)
        assert response.status_code == 400 and text in response.text, weak
        # the message belongs to the field: screen readers read it with the input
        assert (
            'id="password-error"' in response.text
            and 'aria-describedby="password-hint password-error"' in (response.text)
        )
    assert _set_password(client, path, NEW).status_code == 303


def test_lms_users_create_applies_the_policy(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    from lms import migrate
    from lms.cli import main

    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    command = ["users", "create", "neu@example.org", "--name", "Neu", "--role", "admin", "--password"]
    weak = CliRunner().invoke(main, [*command, "aaaaaaaaaaaa"])
    assert weak.exit_code != 0 and "wiederholten oder aufeinanderfolgenden" in weak.output
    short = CliRunner().invoke(main, [*command, "zu-kurz"])
    assert short.exit_code != 0 and "mindestens 12 Zeichen" in short.output
    good = CliRunner().invoke(main, [*command, NEW])
    assert good.exit_code == 0, good.output


# --- „Passwort ändern“ ------------------------------------------------------------------------------------------


def _change(client: FlaskClient, current: str, new: str, confirmation: str | None = None):  # type: ignore[no-untyped-def]
    token = f.csrf_token(client, "/profil/passwort")
    return client.post(
        "/profil/passwort",
        data={"csrf_token": token, "current": current, "password": new, "confirmation": confirmation or new},
    )


def test_the_profile_links_to_changing_the_password(client: FlaskClient, db: Session) -> None:
    person = f.user(db)
    f.login(client, person.email)
    assert 'href="/profil/passwort"' in client.get("/profil").text
    page = client.get("/profil/passwort")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.text


def test_changing_needs_the_current_password_and_meets_the_policy(client: FlaskClient, db: Session) -> None:
    person = f.user(db)
    f.login(client, person.email)
    wrong = _change(client, "nicht-das-richtige", NEW)
    assert wrong.status_code == 400 and "aktuelle Passwort ist nicht richtig" in wrong.text
    assert 'id="current-error"' in wrong.text
    weak = _change(client, f.PASSWORD, "aaaaaaaaaaaa")
    assert weak.status_code == 400 and "wiederholten" in weak.text
    differ = _change(client, f.PASSWORD, NEW, NEW + "!")
    assert (
        differ.status_code == 400
        and "stimmen nicht überein" in differ.text
        and 'id="confirmation-error"' in (differ.text)
    )
    db.refresh(person)
    assert verify_password(person.password_hash, f.PASSWORD)
    no_csrf = client.post(
        "/profil/passwort", data={"current": f.PASSWORD, "password": NEW, "confirmation": NEW}
    )
    assert no_csrf.status_code == 400
    db.refresh(person)
    assert verify_password(person.password_hash, f.PASSWORD)


def test_changing_ends_the_other_sessions_keeps_this_one_and_the_tokens(
    app, client: FlaskClient, db: Session
) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    _token, secret = create_api_token(db, person, "Fachverfahren")
    other = app.test_client()
    f.login(other, person.email)
    f.login(client, person.email)
    assert (
        db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == person.id))
        == 2
    )
    done = _change(client, f.PASSWORD, NEW)
    assert done.status_code == 303 and done.headers["Location"].endswith("/profil")
    assert "Ihr Passwort ist geändert" in client.get("/profil").text  # this browser is still logged in
    assert other.get("/profil").status_code == 302  # the other one is not
    assert (
        db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == person.id))
        == 1
    )
    assert client.get("/api/v1/modules", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert f.login(app.test_client(), person.email, NEW).status_code == 302
    assert f.login(app.test_client(), person.email).status_code == 401
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "password.change")) is not None


# --- „Passwort vergessen“ ---------------------------------------------------------------------------------------


def test_the_login_page_links_to_forgot_password(client: FlaskClient) -> None:
    assert 'href="/passwort-vergessen"' in client.get("/anmelden").text
    page = client.get("/passwort-vergessen")
    assert page.status_code == 200 and 'autocomplete="username"' in page.text


def test_the_same_answer_whether_the_address_exists_or_not(
    client: FlaskClient, db: Session, outbox: Path
) -> None:
    person = f.user(db)
    known = _forgot(client, person.email)
    unknown = _forgot(client, "niemand@kommune.example")

    def without_address(text: str, email: str) -> str:
        text = text.replace(email, "ADDRESS")
        return re.sub(r'name="csrf_token"[^>]*>', "", text)

    assert known.status_code == unknown.status_code == 200
    assert without_address(known.text, person.email) == without_address(
        unknown.text, "niemand@kommune.example"
    )
    assert "Wenn es ein Konto mit der Adresse" in known.text
    mails = _mails(outbox)
    assert len(mails) == 1 and f"To: {person.email}" in mails[0] and "eine Stunde" in mails[0]
    # unknown addresses are counted like known ones (the limits cannot tell them apart either)
    assert db.scalar(select(func.count()).select_from(PasswordResetRequest)) == 4


def test_the_link_is_valid_one_hour_and_once(
    client: FlaskClient, db: Session, outbox: Path, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    person = f.user(db)
    _forgot(client, person.email)
    invitation = db.scalar(select(Invitation).where(Invitation.user_id == person.id))
    assert invitation is not None and invitation.purpose == "password_reset"
    assert invitation.expires_at - invitation.created_at == timedelta(hours=1)
    path = _link(_mails(outbox)[0])
    time_machine.shift(timedelta(minutes=61))
    expired = client.get(path)
    assert expired.status_code == 404
    # One asks for a new link oneself; an invitation's text sent people to the coordination (a QA sweep found it).
    assert "Fordern Sie unter „Passwort vergessen?“ einen neuen an." in expired.text
    assert 'href="/passwort-vergessen"' in expired.text and "Koordination" not in expired.text
    time_machine.shift(timedelta(minutes=-2))
    assert _set_password(client, path, NEW).status_code == 303
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    used = client.get(path)
    assert used.status_code == 404 and "Fordern Sie unter „Passwort vergessen?“" in used.text  # single use


def test_a_reset_ends_all_sessions_and_revokes_the_api_tokens(
    app, client: FlaskClient, db: Session, outbox: Path
) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    _token, secret = create_api_token(db, person, "Fachverfahren")
    elsewhere = app.test_client()
    f.login(elsewhere, person.email)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/modules", headers=headers).status_code == 200
    _forgot(client, person.email)
    assert elsewhere.get("/profil").status_code == 200  # asking for a link changes nothing yet
    assert _set_password(client, _link(_mails(outbox)[0]), NEW).status_code == 303
    assert elsewhere.get("/profil").status_code == 302
    refused = client.get("/api/v1/modules", headers=headers)
    assert refused.status_code == 401 and refused.is_json
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == person.id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)
    assert f.login(app.test_client(), person.email, NEW).status_code == 302


def test_deactivated_accounts_get_no_mail_but_the_same_answer(
    client: FlaskClient, db: Session, outbox: Path
) -> None:
    person = f.user(db)
    person.is_active = False
    db.flush()
    response = _forgot(client, person.email)
    assert response.status_code == 200 and "Wenn es ein Konto" in response.text
    assert _mails(outbox) == []


def test_requests_are_limited_per_address_and_per_client(app, db: Session, outbox: Path) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    client = app.test_client()
    for _ in range(5):
        assert _forgot(client, person.email).status_code == 200  # the same answer, also past the limit
    assert len(_mails(outbox)) == 3  # at most three links an hour to one address
    for n in range(5):
        assert _forgot(client, f"niemand{n}@kommune.example").status_code == 200
    limited = _forgot(client, "noch-jemand@kommune.example")
    assert limited.status_code == 429 and "zu viele Anfragen" in limited.text
    assert int(limited.headers["Retry-After"]) > 0
    # another client is not held up by this one
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert _forgot(other, "noch-jemand@kommune.example").status_code == 200


def test_forgot_password_needs_csrf_and_an_address(client: FlaskClient) -> None:
    assert client.post("/passwort-vergessen", data={"email": "a@b.example"}).status_code == 400
    token = f.csrf_token(client, "/passwort-vergessen")
    empty = client.post("/passwort-vergessen", data={"csrf_token": token, "email": ""})
    assert empty.status_code == 400 and 'id="email-error"' in empty.text


# --- reset links from the programme office ----------------------------------------------------------------------


def test_the_programme_office_sends_a_link_to_a_trainer_and_an_admin(
    app, client: FlaskClient, db: Session, outbox: Path
) -> None:  # type: ignore[no-untyped-def]
    office = f.user(db, Role.ADMIN)
    trainer = f.user(db, Role.TRAINER, name="Tina Trainerin")
    colleague = f.user(db, Role.ADMIN, name="Paul Programmbüro")
    f.login(client, office.email)
    for person in (trainer, colleague):
        found = client.get("/programmbuero/passwort-links", query_string={"email": person.email.upper()})
        assert found.status_code == 200 and person.display_name in found.text
        token = f._csrf_from(found.text)
        sent = client.post(
            "/programmbuero/passwort-links", data={"csrf_token": token, "user_id": str(person.id)}
        )
        assert sent.status_code == 303
        assert "1 Stunde gültig" in client.get(sent.headers["Location"]).text
    mails = _mails(outbox)
    assert len(mails) == 2 and "Programmbüro hat Ihnen einen Link" in mails[0]
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "password_reset.create")).all()
    assert {(e.actor_id, e.object_id) for e in events} == {
        (office.id, str(trainer.id)),
        (office.id, str(colleague.id)),
    }
    other = app.test_client()
    assert _set_password(other, _link(mails[0]), NEW).status_code == 303


def test_unknown_address_in_the_office_search(client: FlaskClient, db: Session) -> None:
    office = f.user(db, Role.ADMIN)
    f.login(client, office.email)
    page = client.get("/programmbuero/passwort-links", query_string={"email": "niemand@kommune.example"})
    assert page.status_code == 200 and "kein Konto" in page.text


def test_only_the_programme_office_sends_links(client: FlaskClient, db: Session) -> None:
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    victim = f.user(db, Role.ADMIN)
    f.login(client, coordinator.email)
    assert client.get("/programmbuero/passwort-links").status_code == 403
    token = f.csrf_token(client)
    assert (
        client.post(
            "/programmbuero/passwort-links", data={"csrf_token": token, "user_id": str(victim.id)}
        ).status_code
        == 403
    )


# --- API tokens expire ------------------------------------------------------------------------------------------


def test_a_token_is_created_with_a_chosen_lifetime_and_shown_with_it(
    client: FlaskClient, db: Session
) -> None:
    person = f.user(db)
    f.login(client, person.email)
    page = client.get("/profil")
    assert '<option value="365" selected>' in page.text
    token = f._csrf_from(page.text)
    made = client.post("/profil", data={"csrf_token": token, "name": "Kurz", "days": "30"})
    assert made.status_code == 200 and "Gültig bis" in made.text
    row = db.scalar(select(ApiToken).where(ApiToken.user_id == person.id))
    assert row is not None and row.expires_at - row.created_at == timedelta(days=30)
    odd = client.post("/profil", data={"csrf_token": token, "name": "Ewig", "days": "9999"})
    assert odd.status_code == 400 and 'id="days-error"' in odd.text
    assert db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == person.id)) == 1


def test_an_expired_token_is_refused_with_401_json(
    client: FlaskClient, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.now(), tick=False)
    person = f.user(db)
    token, secret = create_api_token(db, person, "Fachverfahren", days=90)
    assert token.expires_at - token.created_at == timedelta(days=90)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/modules", headers=headers).status_code == 200
    time_machine.shift(timedelta(days=90))
    refused = client.get("/api/v1/modules", headers=headers)
    assert (
        refused.status_code == 401
        and refused.is_json
        and "ungültig" in refused.get_json()["error"]["message"]
    )
    f.login(client, person.email)
    assert "abgelaufen" in client.get("/profil").text


def test_the_default_lifetime_is_a_year(db: Session) -> None:
    person = f.user(db)
    token, _secret = create_api_token(db, person, "Standard")
    assert token.expires_at - token.created_at == timedelta(days=365)
