"""Planning sessions ahead: schedule, register, cancel, the waiting list that moves up.

A planned session has a capacity; registrations beyond it go on a waiting list in the order people registered.
When a registered person cancels, the first person waiting moves up and is told by mail (a job that runs after the
commit). Registration closes when the session starts. Workshops are open only to the members of the municipality's
empowerment network (lms.workshops.network), and who registered is seen by name only by its facilitators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.content.models import ModuleVersion
from lms.errors import ServiceError
from lms.jobs.queue import Queue, enqueue_after_commit
from lms.jobs.services import create_job
from lms.scope import OutOfScope, may_manage_planned, may_plan_session
from lms.workshops.models import (
    NetworkMember,
    PlannedSession,
    PlannedSessionFacilitator,
    RegistrationStatus,
    SessionKind,
    SessionRegistration,
)
from lms.workshops.services import SessionInputError, facilitator_choices

#: The job kind that mails people about their registrations (handled in lms.jobs.tasks).
SESSION_MAIL = "session_mail"
#: Largest capacity accepted (a typo guard).
MAX_CAPACITY = 500


class Purpose:
    """Why a registration mail goes out (the job's ``purpose``)."""

    MOVED_UP = "moved_up"
    REMINDER = "reminder"
    CALLED_OFF = "called_off"
    #: Date, time or place changed: everyone registered or waiting is told the new ones.
    CHANGED = "changed"


@dataclass(frozen=True)
class PlanInput:
    """What the coordinator or a facilitator enters when scheduling a session."""

    kind: SessionKind
    municipality_id: int
    module_version_id: int
    held_on: date
    starts_at: time
    ends_at: time
    place: str
    capacity: int
    facilitator_ids: frozenset[int] = frozenset()
    external_facilitators: str = ""


def starts(planned: PlannedSession) -> datetime:
    """The moment the session starts (Europe/Berlin wall clock)."""
    return datetime.combine(planned.held_on, planned.starts_at, tzinfo=clock.BERLIN)


def is_open(planned: PlannedSession, now: datetime | None = None) -> bool:
    """Whether people may still register or cancel: not called off, not recorded, not yet started."""
    moment = now or clock.now()
    return planned.cancelled_at is None and planned.live_session_id is None and moment < starts(planned)


def plan_problems(
    session: Session, actor: User, data: PlanInput, *, allowed_too: frozenset[int] = frozenset()
) -> tuple[ModuleVersion | None, list[ServiceError]]:
    """The version planned and what is wrong with the input (scheduling and changing a date share it)."""
    problems: list[ServiceError] = []
    version = session.get(ModuleVersion, data.module_version_id)
    if version is None or version.module.kind != data.kind.value:
        wanted = "session.script_missing" if data.kind is SessionKind.WORKSHOP else "session.module_missing"
        problems.append(ServiceError(wanted))
    if data.held_on < clock.today():
        problems.append(ServiceError("planned.in_past"))
    if data.ends_at <= data.starts_at:
        problems.append(ServiceError("planned.ends_before_start"))
    if not data.place.strip():
        problems.append(ServiceError("session.place_missing"))
    if not 1 <= data.capacity <= MAX_CAPACITY:
        problems.append(ServiceError("planned.capacity_range", max=MAX_CAPACITY))
    allowed = {
        u.id for u in facilitator_choices(session, actor, data.kind, {data.municipality_id})
    } | allowed_too
    if not data.facilitator_ids <= allowed:
        problems.append(ServiceError("session.facilitator_not_allowed"))
    if not data.facilitator_ids and not data.external_facilitators.strip():
        problems.append(ServiceError("session.facilitator_missing"))
    return version, problems


def schedule_session(session: Session, actor: User, data: PlanInput) -> PlannedSession:
    """Schedule a training or workshop of the actor's municipality."""
    if not may_plan_session(actor, data.kind, data.municipality_id):
        raise OutOfScope
    version, problems = plan_problems(session, actor, data)
    if problems:
        raise SessionInputError(problems)
    assert version is not None
    planned = PlannedSession(
        kind=data.kind.value,
        municipality_id=data.municipality_id,
        module_id=version.module_id,
        module_version_id=version.id,
        held_on=data.held_on,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        place=data.place.strip()[:200],
        capacity=data.capacity,
        external_facilitators=data.external_facilitators.strip()[:300],
        created_by_id=actor.id,
    )
    planned.facilitator_links = [PlannedSessionFacilitator(user_id=i) for i in sorted(data.facilitator_ids)]
    session.add(planned)
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="planned.schedule",
        object_type="planned_session",
        object_id=planned.id,
    )
    return planned


def may_register(session: Session, person: User, planned: PlannedSession) -> bool:
    """Trainings: the municipality's staff. Workshops: only members of its empowerment network."""
    if not person.is_active or person.municipality_id != planned.municipality_id:
        return False
    if planned.kind == SessionKind.TRAINING.value:
        return True
    return is_member(session, person)  # of the session's municipality: checked above that it is theirs


def is_member(session: Session, person: User) -> bool:
    """Whether the person belongs to their municipality's network."""
    if person.municipality_id is None:
        return False
    return (
        session.scalar(
            select(NetworkMember.id).where(
                NetworkMember.user_id == person.id,
                NetworkMember.municipality_id == person.municipality_id,
                NetworkMember.has_agreed,
            )
        )
        is not None
    )


def registration_of(session: Session, person_id: int, planned_id: int) -> SessionRegistration | None:
    """This person's registration row for the session (any status)."""
    return session.scalar(
        select(SessionRegistration).where(
            SessionRegistration.planned_session_id == planned_id, SessionRegistration.user_id == person_id
        )
    )


def registered_count(session: Session, planned_id: int) -> int:
    """How many hold a place (not waiting, not cancelled)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(SessionRegistration)
            .where(
                SessionRegistration.planned_session_id == planned_id,
                SessionRegistration.status == RegistrationStatus.REGISTERED.value,
            )
        )
        or 0
    )


def waiting_list(session: Session, planned_id: int) -> list[SessionRegistration]:
    """The waiting registrations, first come first."""
    return list(
        session.scalars(
            select(SessionRegistration)
            .where(
                SessionRegistration.planned_session_id == planned_id,
                SessionRegistration.status == RegistrationStatus.WAITING.value,
            )
            .order_by(SessionRegistration.registered_at, SessionRegistration.id)
        )
    )


def waiting_position(session: Session, registration: SessionRegistration) -> int | None:
    """1 for the first person waiting; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING.value:
        return None
    ids = [r.id for r in waiting_list(session, registration.planned_session_id)]
    return ids.index(registration.id) + 1


def register(session: Session, person: User, planned: PlannedSession) -> SessionRegistration:
    """Register the person themselves: a place if one is free, else the end of the waiting list."""
    if not may_register(session, person, planned):
        raise OutOfScope
    if not is_open(planned):
        raise ServiceError("planned.closed")
    # One registration at a time per session: the session row is locked on PostgreSQL (SQLite writes serially).
    session.execute(select(PlannedSession.id).where(PlannedSession.id == planned.id).with_for_update())
    row = registration_of(session, person.id, planned.id)
    if row is not None and row.status != RegistrationStatus.CANCELLED.value:
        return row
    full = registered_count(session, planned.id) >= planned.capacity
    status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    if row is None:
        row = SessionRegistration(planned_session_id=planned.id, user_id=person.id)
        session.add(row)
    row.status = status.value
    row.registered_at = clock.now()
    row.cancelled_at = None
    row.reminded_at = None
    session.flush()
    # Not for a workshop: that someone registered is Art. 9 data, and even an event without a name would count
    # the registrations and, by its minute, point to the person (lms.audit.queries lists none of the old ones).
    if planned.kind != SessionKind.WORKSHOP.value:
        record_event(
            session,
            actor_id=person.id,
            action="planned.register",
            object_type="planned_session",
            object_id=planned.id,
            status=status.value,
        )
    return row


def still_wanted(purpose: str, registration: SessionRegistration) -> bool:
    """Whether a queued mail still fits when the worker sends it (the person may have cancelled meanwhile)."""
    called_off = registration.planned_session.cancelled_at is not None
    if purpose == Purpose.CALLED_OFF:
        return called_off and registration.status != RegistrationStatus.CANCELLED.value
    if purpose == Purpose.CHANGED:
        return not called_off and registration.status != RegistrationStatus.CANCELLED.value
    return not called_off and registration.status == RegistrationStatus.REGISTERED.value


def queue_session_mail(
    session: Session, queue: Queue | None, purpose: str, registration_ids: list[int]
) -> None:
    """Record the job that mails these registrations; it is handed to the queue after the commit.

    Without a queue (a dry setting) the job stays recorded and the worker's maintenance hands it over.
    """
    if not registration_ids:
        return
    job = create_job(
        session,
        SESSION_MAIL,
        actor_id=None,
        params={"purpose": purpose, "registration_ids": registration_ids},
        municipality_id=None,  # the job page would otherwise show coordinators who was mailed about a workshop
        total=len(registration_ids),
    )
    if queue is not None:
        enqueue_after_commit(session, queue, job)


def cancel_registration(
    session: Session, person: User, planned: PlannedSession, queue: Queue | None
) -> SessionRegistration | None:
    """The person cancels their own registration; a freed place goes to the first person waiting (mailed).

    Returns the registration that moved up, if any.
    """
    row = registration_of(session, person.id, planned.id)
    if row is None or row.status == RegistrationStatus.CANCELLED.value:
        return None
    if not is_open(planned):
        raise ServiceError("planned.closed")
    session.execute(select(PlannedSession.id).where(PlannedSession.id == planned.id).with_for_update())
    held_place = row.status == RegistrationStatus.REGISTERED.value
    row.status = RegistrationStatus.CANCELLED.value
    row.cancelled_at = clock.now()
    session.flush()
    if planned.kind != SessionKind.WORKSHOP.value:  # as in register()
        record_event(
            session,
            actor_id=person.id,
            action="planned.cancel_registration",
            object_type="planned_session",
            object_id=planned.id,
        )
    return move_up(session, planned, queue) if held_place else None


def move_up(session: Session, planned: PlannedSession, queue: Queue | None) -> SessionRegistration | None:
    """Give a free place to the first person waiting and mail them (after the commit); None if nobody moved."""
    if registered_count(session, planned.id) >= planned.capacity:
        return None
    waiting = waiting_list(session, planned.id)
    if not waiting:
        return None
    first = waiting[0]
    first.status = RegistrationStatus.REGISTERED.value
    session.flush()
    queue_session_mail(session, queue, Purpose.MOVED_UP, [first.id])
    return first


def standing_registration_ids(session: Session, planned_id: int) -> list[int]:
    """Registrations still standing (registered or waiting), oldest first: who is told of a change or call-off."""
    return list(
        session.scalars(
            select(SessionRegistration.id)
            .where(
                SessionRegistration.planned_session_id == planned_id,
                SessionRegistration.status != RegistrationStatus.CANCELLED.value,
            )
            .order_by(SessionRegistration.id)
        )
    )


def call_off(session: Session, actor: User, planned: PlannedSession, queue: Queue | None) -> int:
    """Call a planned session off: nobody can register any more, and everyone registered or waiting is mailed.

    Returns how many people are told. Refused once it has started or been recorded.
    """
    if not may_manage_planned(actor, planned):
        raise OutOfScope
    if planned.cancelled_at is not None:
        return 0
    if not is_open(planned):
        raise ServiceError("planned.closed")
    planned.cancelled_at = clock.now()
    told = standing_registration_ids(session, planned.id)
    session.flush()
    queue_session_mail(session, queue, Purpose.CALLED_OFF, told)
    record_event(
        session,
        actor_id=actor.id,
        action="planned.call_off",
        object_type="planned_session",
        object_id=planned.id,
    )
    return len(told)


def registered_people(session: Session, planned: PlannedSession) -> list[tuple[User, SessionRegistration]]:
    """Registered and waiting people with their rows (callers check lms.scope.may_see_registrations first)."""
    rows = session.execute(
        select(User, SessionRegistration)
        .join(SessionRegistration, SessionRegistration.user_id == User.id)
        .where(
            SessionRegistration.planned_session_id == planned.id,
            SessionRegistration.status != RegistrationStatus.CANCELLED.value,
        )
        .order_by(SessionRegistration.status, SessionRegistration.registered_at, SessionRegistration.id)
    ).all()
    return [(user, registration) for user, registration in rows]


def link_record(session: Session, planned: PlannedSession, live_session_id: int) -> None:
    """The planned session was recorded (attendance taken): it closes, and points to its record."""
    planned.live_session_id = live_session_id
    session.flush()


def counts(session: Session, planned: PlannedSession) -> tuple[int, int]:
    """Exact (registered, waiting); show them through lms.disclosure to anyone who may not see the names."""
    rows = dict(
        session.execute(
            select(SessionRegistration.status, func.count())
            .where(SessionRegistration.planned_session_id == planned.id)
            .group_by(SessionRegistration.status)
        ).all()
    )
    return int(rows.get(RegistrationStatus.REGISTERED.value, 0)), int(
        rows.get(RegistrationStatus.WAITING.value, 0)
    )
