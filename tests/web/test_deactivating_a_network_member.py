"""Deactivating an account ends the person's empowerment network membership and their registrations for sessions
not yet held (GDPR Art. 5(1)(e)), on the staff page and through the staff import, without telling the coordinator
that the person was a member. Attendance of sessions already held stays."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.orgs.models import Municipality
from lms.workshops import network
from lms.workshops.models import (
    LiveSession,
    PlannedSession,
    RegistrationStatus,
    SessionAttendance,
    SessionKind,
    SessionRegistration,
)
from lms.workshops.planning import PlanInput, register, schedule_session
from lms.workshops.services import SessionInput, record_training, record_workshop
from tests import factories as f


@dataclass
class World:
    town: Municipality
    coordinator: User
    facilitator: User
    member: User
    waiting: User
    workshop: PlannedSession
    training: PlannedSession
    past_workshop: PlannedSession
    past_training: LiveSession


def _plan(db: Session, actor: User, kind: SessionKind, version_id: int, town_id: int, capacity: int):  # type: ignore[no-untyped-def]
    return schedule_session(
        db,
        actor,
        PlanInput(
            kind=kind,
            municipality_id=town_id,
            module_version_id=version_id,
            held_on=clock.today() + timedelta(days=6),
            starts_at=time(17),
            ends_at=time(19),
            place="Stadtteilzentrum" if kind is SessionKind.WORKSHOP else "Kreishaus",
            capacity=capacity,
            facilitator_ids=frozenset({actor.id}),
        ),
    )


def _world(db: Session) -> World:
    """A network member with a place in an upcoming workshop (one place, one person waiting), a place in an
    upcoming training, a registration for a workshop already held and recorded, and a recorded training attended."""
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id, name="Jonas Weber")
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id, name="Aylin Kaya")
    member = f.user(
        db, Role.LEARNER, municipality_id=town.id, name="Deniz Arslan", email="d.arslan@kreis.example"
    )
    waiting = f.user(db, Role.LEARNER, municipality_id=town.id, name="Mia Berg", email="m.berg@kreis.example")
    for person in (member, waiting):
        network.add_member(db, facilitator, town.id, person.email)
        network.answer(db, person, agrees=True)  # the person agrees under „Termine“
    script = f.workshop_script(db)
    module = f.training_module(db, "abmelden-bei-deaktivierung", "Kommunikation im Bürgerkontakt")
    workshop = _plan(db, facilitator, SessionKind.WORKSHOP, script.id, town.id, capacity=1)
    training = _plan(db, coordinator, SessionKind.TRAINING, module.id, town.id, capacity=5)
    register(db, member, workshop)
    register(db, waiting, workshop)
    register(db, member, training)

    held_on = clock.today() - timedelta(days=10)
    live = record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place="Stadtteilzentrum",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=3,
        ),
    ).session
    # Planned before it was held (the form refuses a past date now), then recorded: the registration is the record.
    past_workshop = PlannedSession(
        kind=SessionKind.WORKSHOP.value,
        municipality_id=town.id,
        module_id=script.module_id,
        module_version_id=script.id,
        held_on=held_on,
        starts_at=time(17),
        ends_at=time(19),
        place="Stadtteilzentrum",
        capacity=10,
        created_by_id=facilitator.id,
        live_session_id=live.id,
    )
    db.add(past_workshop)
    db.flush()
    db.add(
        SessionRegistration(
            planned_session_id=past_workshop.id,
            user_id=member.id,
            status=RegistrationStatus.REGISTERED.value,
            registered_at=f.utc_now() - timedelta(days=20),
        )
    )
    past_training = record_training(
        db,
        coordinator,
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=held_on,
            place="Kreishaus",
            facilitator_ids=frozenset({coordinator.id}),
            attendees=[member.email],
        ),
    ).session
    db.flush()
    return World(
        town, coordinator, facilitator, member, waiting, workshop, training, past_workshop, past_training
    )


def _status(db: Session, person: User, planned: PlannedSession) -> str | None:
    row = db.scalar(
        select(SessionRegistration).where(
            SessionRegistration.user_id == person.id, SessionRegistration.planned_session_id == planned.id
        )
    )
    if row is None:
        return None
    db.refresh(row)
    return row.status


def _logout(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def _facilitator_sees(client, w: World) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """Whether the facilitator's network list and the workshop's page name the member."""
    f.login(client, w.facilitator.email)
    members = "Deniz Arslan" in client.get("/netzwerk").text
    registered = "Deniz Arslan" in client.get(f"/termine/{w.workshop.id}").text
    _logout(client)
    return members, registered


def _assert_withdrawn(client, db: Session, w: World, since: int) -> None:  # type: ignore[no-untyped-def]
    """Membership and upcoming registrations gone, the waiting person moved up, past records kept, log names nobody."""
    assert not network.is_member(db, w.member) and network.member_count(db, w.town.id) == 1
    assert _status(db, w.member, w.workshop) is None  # deleted, as when the member leaves themselves
    assert _status(db, w.waiting, w.workshop) == RegistrationStatus.REGISTERED.value  # moved up
    assert _status(db, w.member, w.training) == RegistrationStatus.CANCELLED.value
    # What was held stays: the recorded workshop's registration and count, the training's attendance.
    assert _status(db, w.member, w.past_workshop) == RegistrationStatus.REGISTERED.value
    assert db.get(LiveSession, w.past_workshop.live_session_id).participant_count == 3  # type: ignore[union-attr]
    assert db.scalar(
        select(SessionAttendance.id).where(
            SessionAttendance.session_id == w.past_training.id, SessionAttendance.user_id == w.member.id
        )
    )
    assert _facilitator_sees(client, w) == (False, False)
    # The network's entry is the one a member leaving writes: no actor, the municipality, no person in it.
    events = db.scalars(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()
    [leave] = [e for e in events if e.action.startswith("network.")]
    assert leave.action == "network.member_leave" and leave.actor_id is None
    assert (leave.object_type, leave.object_id) == ("municipality", str(w.town.id))
    assert str(w.member.id) not in str(leave.detail) and "Arslan" not in str(leave.detail)


def _last_event_id(db: Session) -> int:
    return db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def test_deactivating_a_member_on_the_staff_page_ends_membership_and_upcoming_registrations(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    w = _world(db)
    assert _facilitator_sees(client, w) == (True, True)
    since = _last_event_id(db)

    f.login(client, w.coordinator.email)
    staff_url = f"/kommunen/{w.town.slug}/beschaeftigte"
    done = client.post(
        f"{staff_url}/{w.member.id}/deaktivieren",
        data={"csrf_token": f.csrf_token(client, staff_url)},
        follow_redirects=True,
    )
    assert "Deniz Arslan ist deaktiviert; die Nachweise bleiben erhalten." in done.text
    # Nothing the coordinator sees says that the person was in the network.
    for page in (done.text, client.get(f"{staff_url}?status=all").text):
        assert "Netzwerk" not in page and "Mitglied" not in page and "Workshop" not in page
    _logout(client)

    db.refresh(w.member)
    assert not w.member.is_active
    _assert_withdrawn(client, db, w, since)

    # Reactivating does not restore the membership: consent is asked again.
    f.login(client, w.coordinator.email)
    client.post(
        f"{staff_url}/{w.member.id}/reaktivieren", data={"csrf_token": f.csrf_token(client, staff_url)}
    )
    db.refresh(w.member)
    assert w.member.is_active and not network.is_member(db, w.member)


def test_the_bulk_action_withdraws_each_deactivated_member(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    w = _world(db)
    since = _last_event_id(db)
    f.login(client, w.coordinator.email)
    staff_url = f"/kommunen/{w.town.slug}/beschaeftigte"
    client.post(
        f"{staff_url}/sammelaktion",
        data={
            "csrf_token": f.csrf_token(client, staff_url),
            "aktion": "deaktivieren",
            "person": str(w.member.id),
            "bestaetigt": "ja",
        },
    )
    _logout(client)
    _assert_withdrawn(client, db, w, since)


def test_a_staff_import_that_deactivates_a_member_withdraws_them_too(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    w = _world(db)
    since = _last_event_id(db)
    f.login(client, w.coordinator.email)
    url = f"/kommunen/{w.town.slug}/beschaeftigte/import"
    rows = "".join(
        f"{p.email};{p.display_name};Bürgerservice\r\n" for p in (w.coordinator, w.facilitator, w.waiting)
    )
    raw = ("\ufeffE-Mail;Name;Organisationseinheit\r\n" + rows).encode()
    fields = {
        "csrf_token": f.csrf_token(client, url),
        "file": FileStorage(io.BytesIO(raw), filename="personal.csv", content_type="text/csv"),
        "deactivate_missing": "y",
    }
    boundary, body = encode_multipart(MultiDict(fields))
    preview_url = client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ).headers["Location"]
    preview = client.get(preview_url).text
    assert "Deniz Arslan" in preview and "Netzwerk" in preview  # the general note on what deactivation ends
    done = client.post(
        preview_url + "/anwenden",
        data={"csrf_token": f.csrf_token(client, preview_url), "confirm_deactivation": "y"},
        follow_redirects=True,
    )
    assert "Die Beschäftigtenliste wurde übernommen." in done.text
    assert "Netzwerkmitglied" not in done.text and "Mitgliedschaft beendet" not in done.text
    _logout(client)

    db.refresh(w.member)
    assert not w.member.is_active
    _assert_withdrawn(client, db, w, since)
