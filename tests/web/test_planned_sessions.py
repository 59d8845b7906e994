"""Planned sessions in the browser's terms: schedule, register, waiting list, the attendance list and page, and who
sees the empowerment network's names."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from typing import Any

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.progress.models import Completion
from lms.workshops.models import LiveSession, PlannedSession
from tests import factories as f


def _post(client, url: str, form_url: str, **fields):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, form_url), **fields})


def _schedule(client, kind: str, version_id: int, *, days_ahead: int, **fields: Any):  # type: ignore[no-untyped-def]
    """Plan a session through the form (kind: workshop or schulung), so many days ahead."""
    url = f"/termine/neu/{kind}"
    held_on = (clock.today() + timedelta(days=days_ahead)).isoformat()
    return _post(client, url, url, module_version_id=version_id, held_on=held_on, **fields)


def _evening_workshop(
    client, script_id: int, facilitator_id: int, *, place: str, capacity: str = "1", days_ahead: int = 5
):  # type: ignore[no-untyped-def]
    """Plan a workshop from 17:00 to 19:00 (by default one place, five days ahead) through the form."""
    return _schedule(
        client,
        "workshop",
        script_id,
        days_ahead=days_ahead,
        starts_at="17:00",
        ends_at="19:00",
        place=place,
        capacity=capacity,
        facilitator_ids=facilitator_id,
    )


def _logout(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def test_a_training_is_scheduled_booked_and_its_attendance_becomes_completions(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    module = f.training_module(db, "planung-web", "Kommunikation im Bürgerkontakt")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    first, second = (
        f.user(db, Role.LEARNER, municipality_id=town.id, name=n) for n in ("Ada Lang", "Bo Kim")
    )
    day = clock.today() + timedelta(days=2)
    f.login(client, coordinator.email)
    url = "/termine/neu/schulung"
    fields = {
        "module_version_id": module.id,
        "held_on": day.isoformat(),
        "starts_at": "09:00",
        "ends_at": "08:00",
        "place": "Kreishaus, Saal 1",
        "capacity": "1",
        "facilitator_ids": coordinator.id,
    }
    wrong = _post(client, url, url, **fields)
    assert wrong.status_code == 400 and "Das Ende muss nach dem Beginn liegen." in wrong.text
    saved = _post(client, url, url, **{**fields, "ends_at": "12:00"})
    assert saved.status_code == 303
    detail = saved.headers["Location"]
    _logout(client)

    f.login(client, first.email)
    assert "Kommunikation im Bürgerkontakt" in client.get("/termine").text
    assert _post(client, detail + "/anmelden", detail).status_code == 303
    assert "Sie sind angemeldet." in client.get(detail).text
    _logout(client)
    f.login(client, second.email)
    waiting = client.get(_post(client, detail + "/anmelden", detail).headers["Location"]).text
    assert "Platz 1 der Warteliste" in waiting
    _logout(client)
    f.login(client, first.email)
    _post(client, detail + "/abmelden", detail)
    _logout(client)
    f.login(client, second.email)
    assert "Sie sind angemeldet." in client.get(detail).text
    _logout(client)

    # On the day: the attendance list and the attendance page filled in from the registrations.
    f.login(client, coordinator.email)
    planned_id = int(detail.rsplit("/", 1)[1])
    pdf = client.get(f"{detail}/anwesenheitsliste.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    import io

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Bo Kim" in text and "Ada Lang" not in text and "Unterschrift" in text
    _logout(client)
    with time_machine.travel(clock.at_local(day, 13), tick=False):
        f.login(client, coordinator.email)  # two days later: a new sign-in
        page = client.get(detail)
        assert "Anwesenheit erfassen" in page.text
        record_url = f"/veranstaltungen/neu/schulung?termin={planned_id}"
        form = client.get(record_url).text
        assert second.email in form and first.email not in form and "Kreishaus, Saal 1" in form
        recorded = _post(
            client,
            "/veranstaltungen/neu/schulung",
            record_url,
            planned_id=str(planned_id),
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=day.isoformat(),
            place="Kreishaus, Saal 1",
            facilitator_ids=coordinator.id,
            attendees=second.email,
        )
    assert recorded.status_code == 303
    completion = db.scalar(select(Completion).where(Completion.user_id == second.id))
    assert completion is not None and completion.mode == "in_person"
    planned = db.get(PlannedSession, planned_id)
    assert planned is not None and planned.live_session_id is not None
    assert db.get(LiveSession, planned.live_session_id) is not None


def test_a_workshop_is_seen_and_booked_only_by_the_network_and_names_only_by_facilitators(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id, name="Aylin Kaya")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    member = f.user(db, Role.LEARNER, municipality_id=town.id, name="Deniz Arslan")
    colleague = f.user(db, Role.LEARNER, municipality_id=town.id, name="Karl Meier")
    f.login(client, coordinator.email)
    saved = _evening_workshop(client, script.id, facilitator.id, place="Stadtteilzentrum")
    assert saved.status_code == 303
    detail = saved.headers["Location"]
    assert client.get("/netzwerk").status_code == 404  # the coordinator does not see the network
    _logout(client)

    f.login(client, facilitator.email)
    added = _post(client, "/netzwerk", "/netzwerk", email=member.email)
    assert added.status_code == 303 and "Deniz Arslan" in client.get("/netzwerk").text
    unknown = _post(client, "/netzwerk", "/netzwerk", email="niemand@example.org")
    assert unknown.status_code == 400 and "keine Person mit dieser E-Mail-Adresse" in unknown.text
    _logout(client)

    f.login(client, colleague.email)
    assert "Stadtteilzentrum" not in client.get("/termine").text
    assert client.get(detail).status_code == 404
    _logout(client)

    f.login(client, member.email)
    assert "Stadtteilzentrum" not in client.get("/termine").text  # asked, not yet agreed
    assert _post(client, "/netzwerk/antworten", "/termine", antwort="ja").status_code == 303
    assert "Stadtteilzentrum" in client.get("/termine").text
    assert _post(client, detail + "/anmelden", detail).status_code == 303
    _logout(client)

    f.login(client, coordinator.email)
    page = client.get(detail).text
    assert "Deniz Arslan" not in page and "Anwesenheitsliste" not in page
    # No count at all, not even „< 5“: deactivating a colleague cancels their registrations, and a count that moved
    # would say who had signed up. Nor „ausgebucht“: a full workshop of one place would tell the same.
    assert ">Angemeldet<" not in page and ">Warteliste<" not in page and "&lt; 5" not in page
    assert "ausgebucht" not in page
    assert client.get(detail + "/anwesenheitsliste.pdf").status_code == 404
    # Nor the record form of the planned workshop, which filled in the number registered (a review found it).
    planned_id = detail.rsplit("/", 1)[1]
    record_url = f"/veranstaltungen/neu/workshop?termin={planned_id}"
    assert 'value="1"' not in _count_field(client.get(record_url).text)
    _logout(client)

    f.login(client, facilitator.email)
    page = client.get(detail).text
    assert "Deniz Arslan" in page and "ausgebucht" in page and ">Angemeldet<" in page
    assert client.get(detail + "/anwesenheitsliste.pdf").data.startswith(b"%PDF")
    assert 'value="1"' in _count_field(client.get(record_url).text)
    _logout(client)

    # Calling it off told the coordinator how many people had been told: as many as had signed up.
    f.login(client, coordinator.email)
    called_off = _post(client, detail + "/absagen", detail, confirm="y")
    assert called_off.status_code == 303
    message = client.get(detail).text
    assert "alle Angemeldeten und Wartenden erhalten eine E-Mail" in message and "1 Person" not in message


def _count_field(page: str) -> str:
    """The record form's input for the number of participants."""
    found = re.search(r'<input[^>]*name="participant_count"[^>]*>', page)
    assert found is not None
    return found.group(0)


def _places(page: str) -> str:
    """The „Plätze“ line and the registration button of a planned session's page."""
    line = re.search(r"Plätze</dt><dd[^>]*>(.*?)</dd>", page)
    button = re.search(
        r'<button type="submit" class="kern-btn kern-btn--primary"><span class="kern-label">([^<]*)<', page
    )
    return f"{line.group(1) if line else None} | {button.group(1) if button else None}"


def test_a_coordinator_in_the_network_cannot_watch_a_deactivation_free_a_place(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A coordinator who belongs to the network sees the workshop (to sign up) but not whether it is full: they may
    deactivate colleagues, which cancels their registrations, and „ausgebucht“ turning into a free place would say
    that the colleague had signed up (GDPR Art. 9). An ordinary member still sees it."""
    from lms.workshops import network

    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    member, other = (f.user(db, Role.LEARNER, municipality_id=town.id) for _ in range(2))
    for person in (coordinator, member, other):
        network.add_member(db, facilitator, town.id, person.email)
        network.answer(db, person, agrees=True)
    db.commit()
    f.login(client, coordinator.email)
    saved = _evening_workshop(client, script.id, facilitator.id, place="Treff")
    detail = saved.headers["Location"]
    _logout(client)
    f.login(client, member.email)
    assert _post(client, detail + "/anmelden", detail).status_code == 303  # the one place is taken
    _logout(client)

    f.login(client, other.email)  # an ordinary member is told before signing up
    assert (
        _places(client.get(detail).text)
        == "1 (ausgebucht, Anmeldung auf die Warteliste) | Auf die Warteliste"
    )
    _logout(client)

    f.login(client, coordinator.email)
    before = _places(client.get(detail).text)
    assert before == "1 | Anmelden"
    staff_url = f"/kommunen/{town.slug}/beschaeftigte/{member.id}/deaktivieren"
    deactivated = _post(client, staff_url, f"/kommunen/{town.slug}/beschaeftigte")
    assert deactivated.status_code in (302, 303)
    db.expire_all()
    assert not db.get(type(member), member.id).is_active
    assert _places(client.get(detail).text) == before  # the place came free, and the page does not say so
    _logout(client)

    f.login(client, other.email)
    assert _places(client.get(detail).text) == "1 | Anmelden"


def test_the_workshop_record_asks_to_confirm_a_duplicate_and_refuses_more_names_than_people(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    f.login(client, facilitator.email)
    url = "/veranstaltungen/neu/workshop"
    fields = {
        "municipality_id": town.id,
        "module_version_id": script.id,
        "held_on": (clock.today() - timedelta(days=1)).isoformat(),
        "place": "Stadthaus",
        "facilitator_ids": facilitator.id,
        "participant_count": "1",
        "attendee_names": "Deniz A.\nMinh N.",
    }
    many = _post(client, url, url, **fields)
    assert (
        many.status_code == 400
        and "Sie haben 2 Namen eingetragen, aber nur 1 Teilnehmende gezählt" in many.text
    )
    assert _post(client, url, url, **{**fields, "participant_count": "2"}).status_code == 303
    again = _post(client, url, url, **{**fields, "participant_count": "2"})
    assert again.status_code == 400 and "bestätigen Sie das unten" in again.text
    assert 'name="confirm_duplicate"' in again.text
    confirmed = _post(client, url, url, **{**fields, "participant_count": "2", "confirm_duplicate": "y"})
    assert confirmed.status_code == 303


def test_a_recorded_workshop_is_corrected_and_the_coordinator_is_not_offered_the_exact_count(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, facilitator.email)
    url = "/veranstaltungen/neu/workshop"
    recorded = _post(
        client,
        url,
        url,
        municipality_id=town.id,
        module_version_id=script.id,
        held_on=(clock.today() - timedelta(days=1)).isoformat(),
        place="Stadthaus",
        facilitator_ids=facilitator.id,
        participant_count="7",
    )
    detail = recorded.headers["Location"]
    correct_url = detail + "/korrigieren"
    assert "Veranstaltung korrigieren" in client.get(detail).text
    page = client.get(correct_url).text
    assert 'name="participant_count"' in page and 'value="7"' in page
    fields = {
        "held_on": (clock.today() - timedelta(days=1)).isoformat(),
        "place": "Stadthaus, Raum 3",
        "facilitator_ids": facilitator.id,
        "participant_count": "8",
    }
    no_reason = _post(client, correct_url, correct_url, **fields)
    assert no_reason.status_code == 400 and "Bitte geben Sie einen Grund an." in no_reason.text
    saved = _post(client, correct_url, correct_url, **fields, reason="nachgezählt")
    assert saved.status_code == 303
    assert "Stadthaus, Raum 3" in client.get(detail).text
    _logout(client)

    f.login(client, coordinator.email)
    page = client.get(correct_url).text
    assert 'name="participant_count"' not in page and 'name="attendee_names"' not in page
    assert client.get(correct_url.replace(detail, "/veranstaltungen/999999")).status_code == 404


def test_who_moves_up_from_the_waiting_list_gets_a_mail_from_the_real_smtp_server(
    make_app, db: Session
) -> None:  # type: ignore[no-untyped-def]
    from tests.mailserver import FlakyInbox, smtp_server

    box = FlakyInbox()
    with smtp_server(box) as port:
        app = make_app(
            smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", base_url="https://lernen.example"
        )
        client = app.test_client()
        town = f.municipality(db)
        module = f.training_module(db, "nachruecken", "Nachrücken")
        coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
        first = f.user(db, Role.LEARNER, municipality_id=town.id, email="erste@kommune.example")
        second = f.user(db, Role.LEARNER, municipality_id=town.id, email="zweite@kommune.example")
        third = f.user(db, Role.LEARNER, municipality_id=town.id, email="dritte@kommune.example")
        f.login(client, coordinator.email)
        url = "/termine/neu/schulung"
        fields = {
            "module_version_id": module.id,
            "held_on": (clock.today() + timedelta(days=4)).isoformat(),
            "starts_at": "09:00",
            "ends_at": "12:00",
            "place": "Kreishaus",
            "capacity": "1",
            "facilitator_ids": coordinator.id,
        }
        detail = _post(client, url, url, **fields).headers["Location"]
        _logout(client)
        for person in (first, second):
            f.login(client, person.email)
            _post(client, detail + "/anmelden", detail)
            _logout(client)
        assert box.received == []
        f.login(client, first.email)
        _post(client, detail + "/abmelden", detail)
        assert box.received == ["zweite@kommune.example"]
        _logout(client)
        f.login(client, third.email)
        _post(client, detail + "/anmelden", detail)  # the one place is taken: waiting
        _logout(client)
        f.login(client, coordinator.email)
        # A new place and start time: whoever is registered or waiting is told (the one who cancelled is not).
        edit = detail + "/bearbeiten"
        _post(client, edit, edit, **{**fields, "place": "Rathaus, Saal 3", "starts_at": "10:00"})
        assert sorted(box.received[1:]) == ["dritte@kommune.example", "zweite@kommune.example"]
        # More places: the person waiting moves up (mailed); nobody is mailed about a change.
        _post(
            client,
            edit,
            edit,
            **{**fields, "place": "Rathaus, Saal 3", "starts_at": "10:00", "capacity": "5"},
        )
        assert box.received[3:] == ["dritte@kommune.example"]
        refused = client.get(_post(client, detail + "/absagen", detail).headers["Location"]).text
        assert "Bitte bestätigen Sie die Absage." in refused
        _post(client, detail + "/absagen", detail, confirm="y")
        assert "Dieser Termin ist abgesagt." in client.get(detail).text
    assert len(box.received) == 6
    mails = {}
    for to, raw in zip(box.received, box.bodies, strict=True):
        mail = _parse_mail(raw)
        mails[to.split("@")[0], mail["Subject"].split()[0]] = mail
    moved_up, changed, called_off = (mails["zweite", word] for word in ("Ein", "Geändert:", "Abgesagt:"))
    assert moved_up["Subject"] == "Ein Platz ist frei geworden – Sie sind angemeldet"
    text = moved_up.get_body(("plain",)).get_content()
    assert "die Schulung „Nachrücken“" in text and "von der Warteliste nachgerückt" in text
    assert changed["Subject"].startswith("Geändert: Ihr Termin findet jetzt am ")
    text = changed.get_body(("plain",)).get_content()
    assert "von 10:00 bis 12:00 Uhr" in text and "Ort: Rathaus, Saal 3" in text
    assert called_off["Subject"].startswith("Abgesagt: Ihr Termin am ")
    # Each carries the calendar entry, as the page offers it: the same UID, the changes counted, then cancelled.
    entries = [_calendar_of(mail) for mail in (moved_up, changed, mails["dritte", "Ein"], called_off)]
    planned_id = detail.rsplit("/", 1)[1]
    assert {entry["UID"] for entry in entries} == {f"termin-{planned_id}@lernen.example"}
    assert [int(entry["SEQUENCE"]) for entry in entries] == [0, 1, 2, 3]
    assert [str(entry["STATUS"]) for entry in entries] == ["CONFIRMED"] * 3 + ["CANCELLED"]
    held_on = clock.today() + timedelta(days=4)
    assert entries[1].decoded("DTSTART") == datetime.combine(held_on, time(10), tzinfo=clock.BERLIN)
    assert str(entries[1]["LOCATION"]) == "Rathaus, Saal 3"
    # Whoever was waiting had no place to put in a calendar: their change mail has no file.
    waiting = mails["dritte", "Geändert:"]
    assert "Platz auf der Warteliste bleibt bestehen" in waiting.get_body(("plain",)).get_content()
    assert not any(part.get_content_type() == "text/calendar" for part in waiting.iter_attachments())


def _parse_mail(raw: bytes) -> EmailMessage:
    from email import message_from_bytes, policy

    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _calendar_of(mail: EmailMessage) -> Any:
    """The one VEVENT of the mail's text/calendar attachment."""
    from icalendar import Calendar

    files = [part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(files) == 1 and files[0].get_filename().startswith("termin-")
    (event,) = Calendar.from_ical(files[0].get_content()).walk("VEVENT")
    return event


def test_the_organiser_changes_a_planned_date_and_a_learner_may_not(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    module = f.training_module(db, "aendern", "Ändern")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, coordinator.email)
    url = "/termine/neu/schulung"
    fields = {
        "module_version_id": module.id,
        "held_on": (clock.today() + timedelta(days=6)).isoformat(),
        "starts_at": "09:00",
        "ends_at": "12:00",
        "place": "Kreishaus",
        "capacity": "10",
        "facilitator_ids": coordinator.id,
    }
    detail = _post(client, url, url, **fields).headers["Location"]
    edit = detail + "/bearbeiten"
    form = client.get(edit).text
    assert "Termin ändern" in form and 'value="Kreishaus"' in form
    changed = _post(client, edit, edit, **{**fields, "place": "Rathaus, Saal 3", "starts_at": "10:00"})
    assert changed.status_code == 303
    page = client.get(detail).text
    assert "Rathaus, Saal 3" in page and "10:00–12:00" in page
    _logout(client)
    f.login(client, learner.email)
    assert client.get(edit).status_code == 403


def test_a_planned_session_goes_into_the_own_calendar_and_a_workshop_entry_names_no_script(  # type: ignore[no-untyped-def]
    client, db: Session
) -> None:
    from datetime import UTC, date

    from icalendar import Calendar

    from lms.workshops import network
    from lms.workshops.models import SessionKind
    from lms.workshops.planning import PlanInput, schedule_session

    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    member = f.user(db, Role.LEARNER, municipality_id=town.id)
    outsider = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    network.add_member(db, facilitator, town.id, member.email)
    network.answer(db, member, agrees=True)  # the person agrees under „Termine“
    script = f.workshop_script(db)
    # A day in summer time (UTC+2): the file holds UTC.
    held_on = max(clock.today() + timedelta(days=3), date(clock.today().year + 1, 7, 1))
    workshop = schedule_session(
        db,
        facilitator,
        PlanInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            starts_at=time(9, 30),
            ends_at=time(12, 0),
            place="Rathaus, Raum 2.14",
            capacity=10,
            facilitator_ids=frozenset({facilitator.id}),
        ),
    )
    f.login(client, member.email)
    page = client.get(f"/termine/{workshop.id}").text
    assert f'href="/termine/{workshop.id}/kalender.ics"' in page
    download = client.get(f"/termine/{workshop.id}/kalender.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == f'attachment; filename="termin-{workshop.id}.ics"'
    [event] = Calendar.from_ical(download.data).walk("VEVENT")
    assert event["DTSTART"].dt == datetime.combine(held_on, time(7, 30), tzinfo=UTC)
    assert event["DTEND"].dt == datetime.combine(held_on, time(10, 0), tzinfo=UTC)
    assert str(event["LOCATION"]) == "Rathaus, Raum 2.14" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Termin der Lernplattform „Kommunen für alle?“"
    assert script.title not in download.text and "Empowerment" not in download.text
    assert str(event["URL"]).endswith(f"/termine/{workshop.id}") and int(event["SEQUENCE"]) == 0
    _logout(client)

    f.login(client, outsider.email)  # not in the network, another municipality
    assert client.get(f"/termine/{workshop.id}/kalender.ics").status_code == 404
    _logout(client)

    # A training names its module; a change keeps the UID and raises the SEQUENCE; a call-off cancels the entry.
    module = f.training_module(db, "kalender", "Kommunikation im Bürgerkontakt")
    f.login(client, coordinator.email)
    url = "/termine/neu/schulung"
    fields = {
        "module_version_id": module.id,
        "held_on": held_on.isoformat(),
        "starts_at": "09:00",
        "ends_at": "12:00",
        "place": "Kreishaus",
        "capacity": "5",
        "facilitator_ids": coordinator.id,
    }
    detail = _post(client, url, url, **fields).headers["Location"]
    [first] = Calendar.from_ical(client.get(detail + "/kalender.ics").data).walk("VEVENT")
    assert str(first["SUMMARY"]) == "Schulung: Kommunikation im Bürgerkontakt"
    edit = detail + "/bearbeiten"
    _post(client, edit, edit, **{**fields, "starts_at": "10:00"})
    [changed] = Calendar.from_ical(client.get(detail + "/kalender.ics").data).walk("VEVENT")
    assert str(changed["UID"]) == str(first["UID"]) and int(changed["SEQUENCE"]) == 1
    assert changed["DTSTART"].dt == datetime.combine(held_on, time(8, 0), tzinfo=UTC)
    _post(client, detail + "/absagen", detail, confirm="y")
    [called_off] = Calendar.from_ical(client.get(detail + "/kalender.ics").data).walk("VEVENT")
    assert str(called_off["STATUS"]) == "CANCELLED" and int(called_off["SEQUENCE"]) == 2


def test_a_member_leaves_the_network_from_the_list_of_dates(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms.workshops import network

    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    member = f.user(db, Role.LEARNER, municipality_id=town.id)
    colleague = f.user(db, Role.LEARNER, municipality_id=town.id)
    network.add_member(db, facilitator, town.id, member.email)
    network.answer(db, member, agrees=True)  # the person agrees under „Termine“

    f.login(client, colleague.email)  # not a member: no word about the network's members
    assert "Aus dem Netzwerk austreten" not in client.get("/termine").text
    _logout(client)

    f.login(client, member.email)
    page = client.get("/termine").text
    assert (
        "Sie gehören zum Empowerment-Netzwerk Ihrer Kommune" in page and "Aus dem Netzwerk austreten" in page
    )
    unconfirmed = client.get(_post(client, "/netzwerk/austreten", "/termine").headers["Location"]).text
    assert "Bitte bestätigen Sie den Austritt." in unconfirmed and network.member_count(db, town.id) == 1
    left = client.get(_post(client, "/netzwerk/austreten", "/termine", confirm="y").headers["Location"]).text
    assert "Sie gehören nicht mehr zum Empowerment-Netzwerk." in left
    assert "Aus dem Netzwerk austreten" not in left and network.member_count(db, town.id) == 0


def test_the_page_of_a_planned_session_names_every_facilitator_stored_for_it(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The coordinator who runs the training is named beside the colleague from the facilitator pool (the page used
    to list only people who hold a trainer or facilitator role, and left the coordinator out)."""
    town = f.municipality(db)
    module = f.training_module(db, "planung-namen", "Grundbegriffe")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id, name="Jonas Weber")
    colleague = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id, name="Aylin Kaya")
    f.login(client, coordinator.email)
    saved = _schedule(
        client,
        "schulung",
        module.id,
        days_ahead=3,
        starts_at="09:00",
        ends_at="12:00",
        place="Kreishaus",
        capacity="10",
        facilitator_ids=[coordinator.id, colleague.id],
        external_facilitators="Frau Extern",
    )
    assert saved.status_code == 303
    planned = db.scalar(select(PlannedSession).where(PlannedSession.place == "Kreishaus"))
    assert planned is not None and planned.facilitator_ids == {coordinator.id, colleague.id}
    page = client.get(saved.headers["Location"]).text
    assert "Aylin Kaya" in page and "Jonas Weber" in page.split("Moderation", 1)[1] and "Frau Extern" in page
    # The times as each language writes them (a QA sweep found „14:00–17:00“ among the English 12-hour times).
    assert "09:00–12:00 Uhr" in page
    english = client.get(saved.headers["Location"], headers={"Accept-Language": "en"}).text
    assert re.search(r"9:00\W*AM–12:00\W*PM", english) and "09:00" not in english


def test_a_person_asked_by_the_facilitator_becomes_a_member_only_by_agreeing_themselves(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    """A data-protection review: the facilitator's addition made a member at once, and nothing recorded the
    person's own consent (GDPR Art. 7(1), 9(2)(a)). Now it is a request the person answers under „Termine“."""
    from lms.workshops import network
    from lms.workshops.models import NetworkMember

    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    asked = f.user(db, Role.LEARNER, municipality_id=town.id, name="Deniz Arslan")
    declining = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, facilitator.email)
    for person in (asked, declining):
        added = _post(client, "/netzwerk", "/netzwerk", email=person.email)
        assert "ist angefragt und wird Mitglied" in client.get(added.headers["Location"]).text
    page = client.get("/netzwerk").text
    assert "Angefragt, Antwort ausstehend" in page and "Deniz Arslan" in page.split("Angefragt", 1)[1]
    assert network.member_count(db, town.id) == 0
    again = _post(client, "/netzwerk", "/netzwerk", email=asked.email)
    assert again.status_code == 400 and "schon angefragt" in again.text
    _logout(client)

    f.login(client, asked.email)
    dates = client.get("/termine").text
    assert "Anfrage des Empowerment-Netzwerks" in dates and "Art. 9 DSGVO" in dates
    assert network.member_count(db, town.id) == 0  # asked, not yet a member: sees no workshop
    done = client.get(_post(client, "/netzwerk/antworten", "/termine", antwort="ja").headers["Location"]).text
    assert "Sie gehören jetzt zum Empowerment-Netzwerk" in done and "Aus dem Netzwerk austreten" in done
    row = db.scalar(select(NetworkMember).where(NetworkMember.user_id == asked.id))
    assert row is not None and row.consented_at is not None and row.consent_version == network.CONSENT_VERSION
    assert network.member_count(db, town.id) == 1
    _logout(client)

    f.login(client, declining.email)
    declined = client.get(
        _post(client, "/netzwerk/antworten", "/termine", antwort="nein").headers["Location"]
    )
    assert "Sie haben die Anfrage abgelehnt" in declined.text
    assert db.scalar(select(NetworkMember).where(NetworkMember.user_id == declining.id)) is None
    assert "Anfrage des Empowerment-Netzwerks" not in client.get("/termine").text
    assert _post(client, "/netzwerk/antworten", "/termine", antwort="vielleicht").status_code == 400


def test_the_facilitator_withdraws_an_unanswered_request(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A QA check: withdrawing a request said „Die Person gehört nicht mehr zum Netzwerk“ of someone who never
    belonged to it."""
    from lms.workshops import network

    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    asked = f.user(db, Role.LEARNER, municipality_id=town.id)
    network.add_member(db, facilitator, town.id, asked.email)
    f.login(client, facilitator.email)
    withdrawn = _post(client, f"/netzwerk/{asked.id}/entfernen", "/netzwerk")
    page = client.get(withdrawn.headers["Location"]).text
    assert "Die Anfrage ist zurückgezogen und gelöscht." in page and "gehört nicht mehr" not in page
    assert not network.has_open_request(db, asked)


def _offered_facilitators(page: str) -> dict[int, bool]:
    """The facilitator checkboxes of a form: account id → ticked."""
    boxes = re.findall(r'<input[^>]*name="facilitator_ids"[^>]*>', page)
    return {int(re.search(r'value="(\d+)"', box).group(1)): "checked" in box for box in boxes}  # type: ignore[union-attr]


def test_the_forms_offer_a_coordinator_as_moderator_of_a_training_only(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The workshop forms offered the coordinator as its moderator, ticked (a QA sweep); the network's own
    facilitator is offered, and ticked when scheduling herself."""
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id, name="Aylin Kaya")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id, name="Jonas Weber")
    f.login(client, coordinator.email)
    for form_url in ("/termine/neu/workshop", "/veranstaltungen/neu/workshop"):
        assert _offered_facilitators(client.get(form_url).text) == {facilitator.id: False}, form_url
    forged = _evening_workshop(
        client, script.id, coordinator.id, place="Rathaus", capacity="10", days_ahead=4
    )
    assert forged.status_code == 400 and db.scalar(select(PlannedSession.id)) is None
    assert _offered_facilitators(client.get("/termine/neu/schulung").text) == {
        coordinator.id: True,
        facilitator.id: False,
    }
    _logout(client)
    f.login(client, facilitator.email)
    assert _offered_facilitators(client.get("/termine/neu/workshop").text) == {facilitator.id: True}
