"""The programme office creates municipalities and the accounts that run the programme, in the browser."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.orgs.models import Municipality
from tests import factories as f


def _post(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, url), **fields})


def test_office_creates_a_municipality_and_the_slug_stays(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    new = "/programmbuero/kommunen/neu"
    missing = _post(client, new, name="Stadt Gießen", slug="", federal_state="")
    assert missing.status_code == 400 and "Bitte wählen Sie ein Bundesland." in missing.text
    bad = _post(client, new, name="Stadt Gießen", slug="Gießen!", federal_state="Hessen")
    assert bad.status_code == 400 and "ist nicht möglich" in bad.text
    done = _post(client, new, name="Stadt Gießen", slug="", federal_state="Hessen")
    assert done.status_code == 303
    town = db.scalar(select(Municipality).where(Municipality.name == "Stadt Gießen"))
    assert town is not None and town.slug == "stadt-giessen" and town.federal_state == "Hessen"
    again = _post(client, new, name="Universitätsstadt Gießen", slug="stadt-giessen", federal_state="Hessen")
    assert again.status_code == 400 and "hat bereits eine andere Kommune" in again.text
    listing = client.get("/programmbuero/kommunen").text
    assert "Stadt Gießen" in listing and "stadt-giessen" in listing
    edit = f"/programmbuero/kommunen/{town.slug}"
    assert "bleibt daher unverändert" in client.get(edit).text
    changed = _post(client, edit, name="Universitätsstadt Gießen", slug="anders", federal_state="Bayern")
    assert changed.status_code == 303
    db.refresh(town)
    assert (town.name, town.slug, town.federal_state) == (
        "Universitätsstadt Gießen",
        "stadt-giessen",
        "Bayern",
    )
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "municipality")))
    assert actions.count("municipality.create") == 1 and actions.count("municipality.update") == 1
    assert client.get("/programmbuero/kommunen/gibt-es-nicht").status_code == 404


def test_coordinators_cannot_administer_municipalities(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    assert client.get("/programmbuero/kommunen").status_code == 403
    assert client.get("/programmbuero/konten/neu").status_code == 403


def test_office_creates_a_coordinator_who_is_invited(client, db: Session, outbox: Path) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Nord")
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    url = "/programmbuero/konten/neu"
    assert f'value="{town.id}" selected' in client.get(url, query_string={"kommune": town.id}).text
    nowhere = _post(
        client, url, name="Jonas Weber", email="j.weber@nord.example", role="coordinator", municipality_id="0"
    )
    assert nowhere.status_code == 400 and "Bitte wählen Sie eine aus." in nowhere.text
    done = _post(
        client,
        url,
        name="Jonas Weber",
        email="J.Weber@nord.example",
        role="coordinator",
        municipality_id=str(town.id),
    )
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "j.weber@nord.example"))
    assert person is not None and person.has_role(Role.COORDINATOR) and person.municipality_id == town.id
    mails = [p.read_text() for p in outbox.glob("*.eml")]
    assert len(mails) == 1 and "j.weber@nord.example" in mails[0] and "Stadt Nord" in mails[0]
    grant = db.scalar(select(AuditEvent).where(AuditEvent.action == "role.grant"))
    assert grant is not None and grant.detail["role"] == "coordinator" and grant.actor_id == admin.id
    taken = _post(client, url, name="X", email="j.weber@nord.example", role="trainer", municipality_id="0")
    assert taken.status_code == 400 and "Es gibt bereits ein Konto" in taken.text
    assert "Jonas Weber" in client.get("/programmbuero/kommunen").text


def test_facilitator_accounts_need_a_reason_and_are_audited(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    url = "/programmbuero/konten/neu"
    fields = {"name": "Aylin Kaya", "email": "a.kaya@kommune.example", "role": "facilitator"}
    no_reason = _post(client, url, municipality_id=str(town.id), reason="", **fields)
    assert no_reason.status_code == 400 and "Bitte geben Sie einen Grund an." in no_reason.text
    assert db.scalar(select(User).where(User.email == "a.kaya@kommune.example")) is None
    done = _post(client, url, municipality_id=str(town.id), reason="Vom Netzwerk benannt", **fields)
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "a.kaya@kommune.example"))
    assert person is not None and person.has_role(Role.FACILITATOR) and not person.has_role(Role.COORDINATOR)
    assert "Vom Netzwerk benannt" in client.get("/programmbuero/rollen").text
    trainer = _post(client, url, name="T", email="t@kommune.example", role="trainer", municipality_id="0")
    assert trainer.status_code == 303
    assert db.scalar(select(User).where(User.email == "t@kommune.example")).has_role(Role.TRAINER)  # type: ignore[union-attr]
    forged = _post(client, url, name="A", email="a@kommune.example", role="admin", municipality_id="0")
    assert forged.status_code == 400


def test_the_pages_speak_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = f.user(db, Role.ADMIN)
    admin.locale = "en"
    db.flush()
    f.login(client, admin.email)
    assert "Create municipality" in client.get("/programmbuero/kommunen").text
    assert "Create account" in client.get("/programmbuero/konten/neu").text


def test_an_address_with_umlauts_is_refused_unless_the_mail_server_speaks_smtputf8(
    make_app, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    fields = {"name": "Märta Lindström", "role": "coordinator", "municipality_id": str(town.id)}
    plain = make_app().test_client()
    f.login(plain, admin.email)
    url = "/programmbuero/konten/neu"
    refused = _post(plain, url, email="märta.lindström@kommune.example", **fields)
    assert refused.status_code == 400 and "enthält Umlaute, Akzente oder andere Sonderzeichen" in refused.text
    utf8 = make_app(smtp_utf8=True).test_client()
    f.login(utf8, admin.email)
    assert _post(utf8, url, email="märta.lindström@kommune.example", **fields).status_code == 303


def test_office_corrects_the_name_and_address_of_a_trainer_account(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    trainer = f.user(db, Role.TRAINER, name="Ana Trainerin", email="ana@eccar.example")
    f.user(db, Role.TRAINER, email="taken@eccar.example")
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    roles_page = client.get(f"/programmbuero/konten/{trainer.id}/rollen").text
    url = f"/programmbuero/konten/{trainer.id}/bearbeiten"
    assert f'href="{url}"' in roles_page
    form = client.get(url).text
    assert 'value="Ana Trainerin"' in form and 'value="ana@eccar.example"' in form
    taken = _post(client, url, name="Ana Trainerin", email="taken@eccar.example")
    assert taken.status_code == 400 and "<title>Fehler:" in taken.text
    assert db.get(User, trainer.id).email == "ana@eccar.example"  # nothing saved
    done = _post(client, url, name="  Ana   Beispiel ", email="Ana.Beispiel@eccar.example")
    assert done.status_code == 303 and done.headers["Location"].endswith(
        f"/programmbuero/konten/{trainer.id}/rollen"
    )
    db.refresh(trainer)
    assert (trainer.display_name, trainer.email) == ("Ana Beispiel", "ana.beispiel@eccar.example")
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "account.update"))
    assert (
        event is not None
        and event.actor_id == admin.id
        and event.detail["changed"] == ["Name", "E-Mail-Adresse"]
    )
    unchanged = _post(client, url, name="Ana Beispiel", email="ana.beispiel@eccar.example")
    assert "Es gab nichts zu ändern." in client.get(unchanged.headers["Location"]).text
