"""The audit log speaks about every action in sentences, with days in the reader's format, and never lists the network."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.models import Role
from lms.workshops.network import add_member
from tests import factories as f


def test_new_actions_read_as_sentences_in_their_categories_with_local_dates(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Musterstadt")
    office = f.user(db, Role.ADMIN, name="Petra Programmbüro")
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id, name="Fiona Begleitung")
    member = f.user(db, municipality_id=town.id, email="geheim@kommune.example", name="Mina Netzwerkmitglied")
    add_member(db, facilitator, town.id, member.email)
    record_event(
        db,
        actor_id=office.id,
        action="plan.add",
        object_type="training_assignment",
        object_id=7,
        due_on=date(2026, 12, 31).isoformat(),
    )
    record_event(
        db,
        actor_id=office.id,
        action="staff.bulk_deactivate",
        object_type="municipality",
        object_id=town.id,
        count=6,
    )
    record_event(
        db,
        actor_id=office.id,
        action="user.reminders",
        object_type="user",
        object_id=office.id,
        reminders=False,
        digest=False,
    )
    record_event(
        db,
        actor_id=office.id,
        action="session.correct",
        object_type="live_session",
        object_id=3,
        summary="held_on: 2026-03-01 → 2026-03-02",
        changes={},
    )
    db.commit()
    f.login(client, office.email)

    german = client.get("/inhalte/protokoll").text
    assert "Modul in einen Schulungsplan aufgenommen (fällig am 31.12.2026)." in german
    assert "Mehrere Konten auf einmal deaktiviert (Anzahl: 6)." in german
    assert "Eigene Einstellungen für Erinnerungen geändert." in german
    # Never listed: each row would be one member, so the log would count the network (a data-protection review).
    assert "Netzwerk der Kommune" not in german
    assert "held_on: 01.03.2026 → 02.03.2026" in german
    assert "Aktion „" not in german, "no action is shown as its raw code"
    assert "Mina" not in german and "geheim@" not in german, "a network member is never named"
    for label in (
        "Veranstaltungen und Termine",
        "Anmeldung und Sicherheit",
        "Fördermittel und Maßnahmen",
    ):
        assert label in german

    workshops_only = client.get("/inhalte/protokoll", query_string={"was": "workshops"}).text.split("<table")[
        1
    ]
    assert "korrigiert" in workshops_only and "Schulungsplan" not in workshops_only
    assert "Netzwerk der Kommune" not in workshops_only

    english = client.get("/inhalte/protokoll", headers={"Accept-Language": "en"}).text
    # The date filter reads „from … to“ (it shared „of“ with „Section 1 of 7“, a QA sweep).
    assert 'for="von">from</label>' in english and 'for="bis">to</label>' in english
    assert "Dec 31, 2026" in english and "2026-12-31" not in english.split("<table")[1]
    assert "31.12.2026" not in english
    assert "Deactivated several accounts at once (number: 6)." in english
    assert "Sessions and dates" in english
    assert "Mina" not in english


def test_a_corrected_session_names_its_fields_in_words_and_never_a_participant_count(  # type: ignore[no-untyped-def]
    client, db: Session
) -> None:
    """The log read „participant_count: 11 → 12“: raw field names, and a workshop's exact count, which only its
    facilitators see (a QA sweep found it beside the rounded „10“ of every other view)."""
    office = f.user(db, Role.ADMIN)
    record_event(
        db,
        actor_id=office.id,
        action="session.correct",
        object_type="live_session",
        object_id=4,
        summary="held_on: 2026-03-01 → 2026-03-02; participant_count: 41 → 43",  # as written before
        changes={
            "held_on": ["2026-03-01", "2026-03-02"],
            "place": ["Rathaus", ""],
            "participant_count": [41, 43],  # as events of that time hold it
            "attendees_added": [31, 32],
            "attendees_removed": [],
            "attendee_names": "changed",
        },
    )
    db.commit()
    f.login(client, office.email)
    german = client.get("/inhalte/protokoll").text.split("<table")[1]
    assert (
        "Veranstaltung 4 korrigiert: Datum 01.03.2026 → 02.03.2026; Ort „Rathaus“ → „–“; Zahl der Teilnehmenden "
        "geändert; Teilnehmende hinzugefügt: 2; Namensliste geändert." in german
    )
    # The entry's own cell: ids elsewhere in the table (the office's account, say) may well be 41.
    entry = next(cell for cell in german.split("<td") if "Veranstaltung 4 korrigiert" in cell)
    assert "41" not in entry and "43" not in entry and "participant_count" not in german
    english = client.get("/inhalte/protokoll", headers={"Accept-Language": "en"}).text.split("<table")[1]
    assert "Mar 1, 2026 → Mar 2, 2026" in english and "number of participants changed" in english
    entry = next(cell for cell in english.split("<td") if "number of participants changed" in cell)
    assert "41" not in entry and "held_on" not in english


def test_dates_that_did_not_filter_are_said_so(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A QA sweep: ?von=2026-13-01 was ignored without a word (every entry shown), and a range that ends before it
    begins showed „0 Einträge“ with no hint why."""
    f.login(client, f.user(db, Role.ADMIN).email)
    wrong = client.get("/inhalte/protokoll?von=2026-13-01&bis=<b>x</b>").text
    assert "„2026-13-01“ ist kein Datum; der Filter gilt ohne diese Grenze." in wrong
    assert "„&lt;b&gt;x&lt;/b&gt;“ ist kein Datum" in wrong and "<b>x</b>" not in wrong
    reversed_range = client.get("/inhalte/protokoll?von=2026-12-31&bis=2026-01-01").text
    assert "Das Ende des Zeitraums liegt vor seinem Beginn" in reversed_range
    plain = client.get("/inhalte/protokoll?von=2026-01-01&bis=2026-12-31").text
    assert "Zum Zeitraum des Filters" not in plain
    english = client.get("/inhalte/protokoll?von=2026-13-01", headers={"Accept-Language": "en"}).text
    assert "“2026-13-01” is not a date" in english
