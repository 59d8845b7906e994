"""Coordinators add and change one person without a CSV file, and re-invite or deactivate several at once."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from tests import factories as f


def coordinator(client, db: Session):  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt West")
    me = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    f.login(client, me.email)
    return town, me


def post(client, url: str, form_page: str | None = None, **fields):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, form_page or url), **fields})


def test_add_and_change_one_person_without_a_csv(client, db: Session, outbox: Path) -> None:  # type: ignore[no-untyped-def]
    town, _me = coordinator(client, db)
    url = f"/kommunen/{town.slug}/beschaeftigte/neu"
    fields = {
        "name": "Ayşe Yılmaz",
        "org_unit": "Amt für Soziales",
        "personnel_number": "10244",
        "send_invitation": "y",
    }
    umlaut = post(client, url, email="märta.lindström@west.example", **fields)
    assert umlaut.status_code == 400 and "enthält Umlaute" in umlaut.text
    done = post(client, url, email="A.Yilmaz@west.example", **fields)
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "a.yilmaz@west.example"))
    assert (
        person is not None
        and person.org_unit.name == "Amt für Soziales"
        and person.personnel_number == "10244"
    )
    assert person.has_role(Role.LEARNER) and not person.has_role(Role.COORDINATOR)
    [mail] = [message_from_bytes(p.read_bytes()) for p in outbox.glob("*.eml")]
    assert mail["To"] == "a.yilmaz@west.example"
    other = f.staff_member(db, f.municipality(db).id, email="vergeben@elsewhere.example")
    taken = post(client, url, email=other.email, **fields)
    assert taken.status_code == 400 and "kann hier nicht verwendet werden" in taken.text
    assert "Beschäftigtenliste" not in taken.text  # it does not say where that account lives
    # Someone already on the own list is named (the neutral message sent coordinators to the programme office).
    listed = post(client, url, email="a.yilmaz@west.example", **{**fields, "personnel_number": ""})
    assert listed.status_code == 400 and (
        "gehört schon zu Ayşe Yılmaz in Ihrer Beschäftigtenliste" in listed.text
    )
    number = post(client, url, email="neu@west.example", **fields)
    assert (
        number.status_code == 400
        and "Die Personalnummer 10244 gehört bereits einer anderen Person." in number.text
    )
    edit = f"/kommunen/{town.slug}/beschaeftigte/{person.id}/bearbeiten"
    assert 'value="10244"' in client.get(edit).text
    changed = post(
        client,
        edit,
        name="Ayşe Yılmaz-Kaya",
        email="a.yilmaz@west.example",
        org_unit="Bauamt",
        personnel_number="10244",
    )
    assert changed.status_code == 303
    db.refresh(person)
    assert person.display_name == "Ayşe Yılmaz-Kaya" and person.org_unit.name == "Bauamt"
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "staff.save").order_by(AuditEvent.id.desc())
    )
    assert event is not None and event.detail["changed"] == ["Name", "Organisationseinheit"]
    assert client.get(f"/kommunen/{town.slug}/beschaeftigte/{other.id}/bearbeiten").status_code == 404


def test_deactivating_many_asks_with_the_number_and_reinviting_uses_the_queue(
    client, db: Session, outbox: Path
) -> None:  # type: ignore[no-untyped-def]
    town, me = coordinator(client, db)
    staff = [f.staff_member(db, town.id, name=f"Person {n:02d}") for n in range(36)]
    stranger = f.staff_member(db, f.municipality(db).id, name="Fremd")
    page = f"/kommunen/{town.slug}/beschaeftigte"
    url = page + "/sammelaktion"
    listing = client.get(page).text
    assert 'form="sammelaktion"' in listing and "Person 00 auswählen" in listing
    chosen = [str(p.id) for p in staff[:31]] + [str(stranger.id), str(me.id)]
    ask = client.post(
        url, data={"csrf_token": f.csrf_token(client, page), "aktion": "deaktivieren", "person": chosen}
    )
    assert ask.status_code == 200 and "31 Personen deaktivieren?" in ask.text
    assert "Fremd" not in ask.text and all(p.is_active for p in staff)
    done = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, page),
            "aktion": "deaktivieren",
            "person": chosen,
            "bestaetigt": "ja",
        },
    )
    assert done.status_code == 303
    assert "31 Personen sind deaktiviert" in client.get(done.headers["Location"]).text
    for p in [*staff, stranger, me]:
        db.refresh(p)
    assert sum(not p.is_active for p in staff) == 31 and stranger.is_active and me.is_active
    assert db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "staff.bulk_deactivate")) == {
        "count": 31
    }
    # Two of the remaining five: fewer than five and not more than half, so no question.
    two = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, page),
            "aktion": "deaktivieren",
            "person": [str(staff[31].id), str(staff[32].id)],
        },
    )
    assert two.status_code == 303
    again = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, page),
            "aktion": "einladen",
            "person": [str(p.id) for p in staff[33:]] + [str(me.id)],
        },
    )
    assert again.status_code == 303
    assert sorted(message_from_bytes(p.read_bytes())["To"] for p in outbox.glob("*.eml")) == sorted(
        p.email for p in staff[33:]
    )
    nobody = client.post(url, data={"csrf_token": f.csrf_token(client, page), "aktion": "einladen"})
    assert "Bitte wählen Sie mindestens eine Person aus." in client.get(nobody.headers["Location"]).text
    assert (
        client.post(url, data={"aktion": "deaktivieren", "person": chosen}).status_code == 400
    )  # no CSRF token
