"""Planned sessions: capacity and waiting list, cancelling moves the first person up, registration closes at the
start, workshops only for the network (whose members only its facilitators see), and the checks on records."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.errors import ServiceError
from lms.jobs.models import Job
from lms.orgs.models import Municipality
from lms.scope import OutOfScope, planned_filter
from lms.workshops import network
from lms.workshops.models import PlannedSession, RegistrationStatus, SessionKind, SessionRegistration
from lms.workshops.planning import (
    SESSION_MAIL,
    PlanInput,
    cancel_registration,
    register,
    registration_of,
    schedule_session,
    waiting_position,
)
from lms.workshops.services import SessionInput, SessionInputError, record_workshop
from tests import factories as f


def _plan(db: Session, actor: User, kind: SessionKind, *, capacity: int = 2, days: int = 3) -> PlannedSession:
    if kind.value not in db.info:  # publishing the same document twice is refused
        db.info[kind.value] = (
            f.workshop_script(db)
            if kind is SessionKind.WORKSHOP
            else f.training_module(db, "plan-test", "Planung")
        )
    version = db.info[kind.value]
    assert actor.municipality_id is not None
    # A coordinator does not moderate the network (separation of duties): their workshops name an outside facilitator.
    named = kind is SessionKind.TRAINING or not actor.has_role(Role.COORDINATOR)
    return schedule_session(
        db,
        actor,
        PlanInput(
            kind=kind,
            municipality_id=actor.municipality_id,
            module_version_id=version.id,
            held_on=clock.today() + timedelta(days=days),
            starts_at=time(9, 30),
            ends_at=time(12, 0),
            place="Rathaus, Raum 2.14",
            capacity=capacity,
            facilitator_ids=frozenset({actor.id}) if named else frozenset(),
            external_facilitators="" if named else "Moderation des Migrantenvereins",
        ),
    )


def _mail_jobs(db: Session) -> list[Job]:
    return list(db.scalars(select(Job).where(Job.kind == SESSION_MAIL).order_by(Job.id)))


def test_a_full_training_puts_people_on_the_waiting_list_and_a_cancellation_moves_the_first_up(
    db: Session,
) -> None:
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    planned = _plan(db, coordinator, SessionKind.TRAINING, capacity=2)
    a, b, c, d = (f.staff_member(db, town.id, name=n) for n in ("Anna", "Berk", "Chiara", "Dana"))
    assert [register(db, p, planned).status for p in (a, b)] == ["registered", "registered"]
    third, fourth = register(db, c, planned), register(db, d, planned)
    assert (third.status, fourth.status) == ("waiting", "waiting")
    assert (waiting_position(db, third), waiting_position(db, fourth)) == (1, 2)
    assert register(db, c, planned) is third  # registering twice changes nothing

    moved = cancel_registration(db, b, planned, queue=None)
    assert moved is third and third.status == RegistrationStatus.REGISTERED.value
    assert waiting_position(db, fourth) == 1
    [job] = _mail_jobs(db)
    assert job.params == {"purpose": "moved_up", "registration_ids": [third.id]}
    # A waiting person who cancels frees no place: nobody moves up, nobody is mailed.
    assert cancel_registration(db, d, planned, queue=None) is None
    assert len(_mail_jobs(db)) == 1
    # Who cancelled registers again at the end of the list.
    again = register(db, b, planned)
    assert again.status == "waiting" and waiting_position(db, again) == 1


def test_registration_closes_when_the_session_starts(db: Session) -> None:
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    planned = _plan(db, coordinator, SessionKind.TRAINING, days=1)
    person = f.staff_member(db, town.id)
    start = clock.at_local(planned.held_on, 9, 30)
    with (
        time_machine.travel(start + timedelta(minutes=1), tick=False),
        pytest.raises(ServiceError) as refused,
    ):
        register(db, person, planned)
    assert refused.value.code == "planned.closed"
    with time_machine.travel(start - timedelta(minutes=1), tick=False):
        assert register(db, person, planned).status == "registered"


def test_staff_of_another_municipality_cannot_register(db: Session) -> None:
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    planned = _plan(db, coordinator, SessionKind.TRAINING)
    with pytest.raises(OutOfScope):
        register(db, f.staff_member(db, f.municipality(db).id), planned)


def test_scheduling_checks_the_input_and_who_schedules(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    with pytest.raises(OutOfScope):  # facilitators schedule workshops, not trainings
        _plan(db, facilitator, SessionKind.TRAINING)
    learner = f.staff_member(db, town.id)
    with pytest.raises(OutOfScope):
        _plan(db, learner, SessionKind.WORKSHOP)
    with pytest.raises(SessionInputError) as wrong:
        _plan(db, facilitator, SessionKind.WORKSHOP, capacity=0, days=-1)
    assert {p.code for p in wrong.value.problems} == {"planned.capacity_range", "planned.in_past"}


def test_workshops_are_seen_and_joined_only_by_the_network(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    admin = f.user(db, Role.ADMIN)
    member, colleague = f.staff_member(db, town.id), f.staff_member(db, town.id)
    planned = _plan(db, coordinator, SessionKind.WORKSHOP)
    network.add_member(db, facilitator, town.id, member.email.upper())
    network.answer(db, member, agrees=True)  # the person agrees under „Termine“

    def sees(person: User) -> bool:
        return db.scalar(select(PlannedSession.id).where(planned_filter(person))) == planned.id

    assert sees(member) and sees(facilitator) and sees(coordinator)
    assert not sees(colleague) and not sees(admin)
    with pytest.raises(OutOfScope):
        register(db, colleague, planned)
    assert register(db, member, planned).status == "registered"

    # Only the facilitators see who is in the network; not the coordinator, not the programme office.
    assert [u.id for u in network.members(db, facilitator, town.id)] == [member.id]
    for outsider in (coordinator, admin, member):
        with pytest.raises(OutOfScope):
            network.members(db, outsider, town.id)
    with pytest.raises(OutOfScope):
        network.add_member(db, coordinator, town.id, colleague.email)

    # A workshop registration writes no audit event (it would count the registrations); the membership's names
    # nobody: neither the person nor their account.
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "planned.register")).all()
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "network.member_add")).all()
    assert events and all(
        str(member.id) not in (e.object_id or "") and e.actor_id != member.id and "user" not in str(e.detail)
        for e in events
    )

    # Leaving the network takes the open workshop registrations with it.
    network.remove_member(db, facilitator, town.id, member.id)
    assert network.member_count(db, town.id) == 0
    assert not sees(member)
    with pytest.raises(ServiceError) as twice:
        network.remove_member(db, facilitator, town.id, member.id)
    assert twice.value.code == "network.not_member"


def test_members_are_added_only_from_the_municipality_s_own_staff(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    stranger = f.staff_member(db, f.municipality(db).id)
    with pytest.raises(ServiceError) as unknown:
        network.add_member(db, facilitator, town.id, stranger.email)
    assert unknown.value.code == "network.unknown_person"
    other = db.scalar(select(Municipality).where(Municipality.id != town.id))
    assert other is not None
    with pytest.raises(OutOfScope):  # a facilitator of one town has no say over another's network
        network.add_member(db, facilitator, other.id, stranger.email)


def _workshop_input(town_id: int, script_id: int, facilitator: User, **changes: object) -> SessionInput:
    fields: dict[str, object] = {
        "kind": SessionKind.WORKSHOP,
        "municipality_id": town_id,
        "module_version_id": script_id,
        "held_on": clock.today() - timedelta(days=1),
        "place": "Stadthaus",
        "facilitator_ids": frozenset({facilitator.id}),
        "participant_count": 2,
        **changes,
    }
    return SessionInput(**fields)  # type: ignore[arg-type]


def test_a_workshop_record_with_more_names_than_its_count_is_refused(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    script = f.workshop_script(db)
    data = _workshop_input(town.id, script.id, facilitator, attendee_names="Deniz A.\nMinh N.\n\nSara K.")
    with pytest.raises(SessionInputError) as refused:
        record_workshop(db, facilitator, data)
    [problem] = refused.value.problems
    assert problem.code == "session.names_exceed_count" and problem.params == {"names": 3, "count": 2}


def test_a_second_workshop_with_the_same_script_date_and_place_needs_a_confirmation(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    script = f.workshop_script(db)
    record_workshop(db, facilitator, _workshop_input(town.id, script.id, facilitator))
    with pytest.raises(SessionInputError) as refused:
        record_workshop(
            db, facilitator, _workshop_input(town.id, script.id, facilitator, place=" stadthaus ")
        )
    assert [p.code for p in refused.value.problems] == ["session.duplicate_workshop"]
    # Another place, or the explicit confirmation, is accepted.
    record_workshop(db, facilitator, _workshop_input(town.id, script.id, facilitator, place="Bürgerhaus"))
    record_workshop(db, facilitator, _workshop_input(town.id, script.id, facilitator, confirm_duplicate=True))


def test_who_supervises_the_staff_is_never_named_as_moderator_of_their_network(db: Session) -> None:
    """Funktionstrennung: the roles keep coordination and moderation apart, and naming the coordinator as a workshop's
    facilitator had made them one all the same (a QA sweep: planned, recorded, shown to the members). A coordinator
    still runs an in-person training, and plans and records a workshop that someone else moderates."""
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    head = f.user(db, Role.UNIT_MANAGER, Role.TRAINER, municipality_id=town.id)
    script = f.workshop_script(db)
    for named in (coordinator, head):
        with pytest.raises(SessionInputError) as refused:
            record_workshop(db, coordinator, _workshop_input(town.id, script.id, named))
        assert [p.code for p in refused.value.problems] == ["session.facilitator_not_allowed"]
    plan = PlanInput(
        kind=SessionKind.WORKSHOP,
        municipality_id=town.id,
        module_version_id=script.id,
        held_on=clock.today() + timedelta(days=3),
        starts_at=time(17, 0),
        ends_at=time(19, 0),
        place="Stadtteilzentrum",
        capacity=12,
        facilitator_ids=frozenset({coordinator.id}),
    )
    with pytest.raises(SessionInputError) as refused:
        schedule_session(db, coordinator, plan)
    assert [p.code for p in refused.value.problems] == ["session.facilitator_not_allowed"]
    outside = replace(plan, facilitator_ids=frozenset(), external_facilitators="Verein Vielfalt e. V.")
    assert schedule_session(db, coordinator, outside).facilitator_ids == frozenset()
    assert _plan(db, coordinator, SessionKind.TRAINING).facilitator_ids == {coordinator.id}


def _full_workshop(db: Session) -> tuple[Municipality, User, PlannedSession, User, SessionRegistration]:
    """A workshop with one place: one member holds it, a second member waits (town, facilitator, workshop, the
    member holding the place, the registration waiting)."""
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    planned = _plan(db, facilitator, SessionKind.WORKSHOP, capacity=1)
    leaving, waiting = f.staff_member(db, town.id), f.staff_member(db, town.id)
    for person in (leaving, waiting):
        network.add_member(db, facilitator, town.id, person.email)
        network.answer(db, person, agrees=True)  # the person agrees under „Termine“
    register(db, leaving, planned)
    second = register(db, waiting, planned)
    assert second.status == "waiting"
    return town, facilitator, planned, leaving, second


def test_a_member_who_leaves_frees_their_place_for_the_first_person_waiting(db: Session) -> None:
    town, facilitator, _planned, leaving, second = _full_workshop(db)
    network.remove_member(db, facilitator, town.id, leaving.id)
    assert second.status == "registered"
    [job] = _mail_jobs(db)
    assert job.params == {"purpose": "moved_up", "registration_ids": [second.id]}


def test_workshop_registrations_go_after_the_retention_period_like_the_names(db: Session) -> None:
    from lms.workshops.models import SessionRegistration
    from lms.workshops.names import purge_expired_attendee_names

    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    workshop = _plan(db, facilitator, SessionKind.WORKSHOP)
    training = _plan(db, coordinator, SessionKind.TRAINING)
    member = f.staff_member(db, town.id)
    network.add_member(db, facilitator, town.id, member.email)
    network.answer(db, member, agrees=True)  # the person agrees under „Termine“
    register(db, member, workshop)
    register(db, member, training)
    workshop.held_on = training.held_on = clock.today() - timedelta(days=100)
    db.flush()
    purge_expired_attendee_names(db, clock.today(), retention_days=90)
    left = db.scalars(select(SessionRegistration.planned_session_id)).all()
    assert left == [training.id]  # the training's stays: it is not Art. 9 data


def test_calling_a_session_off_tells_everyone_registered_or_waiting_and_closes_it(db: Session) -> None:
    from lms.workshops.planning import call_off

    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    planned = _plan(db, coordinator, SessionKind.TRAINING, capacity=1)
    people = [f.staff_member(db, town.id) for _ in range(3)]
    rows = [register(db, p, planned) for p in people]
    cancel_registration(db, people[2], planned, queue=None)  # waiting and gone: not told
    with pytest.raises(OutOfScope):
        call_off(db, people[0], planned, queue=None)
    assert call_off(db, coordinator, planned, queue=None) == 2
    [job] = _mail_jobs(db)
    assert job.params == {"purpose": "called_off", "registration_ids": [rows[0].id, rows[1].id]}
    with pytest.raises(ServiceError) as closed:
        register(db, f.staff_member(db, town.id), planned)
    assert closed.value.code == "planned.closed"
    assert call_off(db, coordinator, planned, queue=None) == 0  # twice: nothing more


def test_more_places_move_people_up_and_a_new_date_resets_the_reminders(db: Session) -> None:
    from lms.workshops.reminders import send_session_reminders
    from lms.workshops.rescheduling import change_planned

    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    planned = _plan(db, coordinator, SessionKind.TRAINING, capacity=1, days=1)
    rows = [register(db, f.staff_member(db, town.id), planned) for _ in range(3)]
    assert send_session_reminders(db, clock.today()) == 1

    def data(**changes: object) -> PlanInput:
        fields: dict[str, object] = {
            "kind": SessionKind.TRAINING,
            "municipality_id": town.id,
            "module_version_id": planned.module_version_id,
            "held_on": planned.held_on,
            "starts_at": planned.starts_at,
            "ends_at": planned.ends_at,
            "place": planned.place,
            "capacity": planned.capacity,
            "facilitator_ids": frozenset({coordinator.id}),
            **changes,
        }
        return PlanInput(**fields)  # type: ignore[arg-type]

    changes = change_planned(db, coordinator, planned, data(capacity=3), queue=None)
    assert changes == {"capacity": ["1", "3"]}
    assert [r.status for r in rows] == ["registered"] * 3
    assert [j.params["registration_ids"] for j in _mail_jobs(db) if j.params["purpose"] == "moved_up"] == [
        [rows[1].id],
        [rows[2].id],
    ]
    # Fewer places push nobody out.
    change_planned(db, coordinator, planned, data(capacity=1), queue=None)
    assert [r.status for r in rows] == ["registered"] * 3
    # A new date: everyone is reminded again, the day before the new date.
    later = planned.held_on + timedelta(days=1)
    change_planned(db, coordinator, planned, data(held_on=later), queue=None)
    assert send_session_reminders(db, clock.today()) == 0
    assert send_session_reminders(db, later - timedelta(days=1)) == 3
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "planned.change").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.detail["changes"]["held_on"][1] == later.isoformat()
    with pytest.raises(OutOfScope):
        change_planned(db, f.staff_member(db, town.id), planned, data(), queue=None)


def test_a_member_leaves_the_network_themselves_and_the_audit_log_does_not_name_them(db: Session) -> None:
    town, _facilitator, planned, leaving, second = _full_workshop(db)
    network.leave(db, leaving)
    assert network.member_count(db, town.id) == 1
    assert second.status == "registered"  # the freed place went to the first person waiting
    assert registration_of(db, leaving.id, planned.id) is None
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "network.member_leave"
    assert event.actor_id is None and event.object_id == str(town.id)
    assert str(leaving.id) not in str(event.detail) and leaving.email not in str(event.detail)
    with pytest.raises(ServiceError) as twice:
        network.leave(db, leaving)
    assert twice.value.code == "network.not_member"
