"""Recording live sessions: empowerment workshops (a count, names optional) and in-person trainings (attendance).

An in-person training creates a completion, marked in person, for every attendee who has not yet completed that
module version (or whose completion of it is up for renewal); the attendance row remembers which completion it
created. Sessions are never deleted: a mistaken record is withdrawn with a reason and stops counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import Role, User, UserRole
from lms.content.models import ModuleVersion
from lms.errors import ServiceError
from lms.progress.models import Completion, CompletionMode
from lms.progress.renewal import next_cycles
from lms.scope import OutOfScope, may_record_session, may_withdraw_session
from lms.workshops.models import LiveSession, SessionAttendance, SessionFacilitator, SessionKind
from lms.workshops.names import delete_names_on_withdrawal

#: Largest number accepted for a workshop's participants (a typo guard, not a rule of the programme).
MAX_PARTICIPANTS = 500


class SessionInputError(ValueError):
    """The session cannot be recorded as entered; ``problems`` say why, each with a code (nothing was saved)."""

    def __init__(self, problems: list[ServiceError]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class SessionInput:
    """What a facilitator, trainer or coordinator enters about a held session."""

    kind: SessionKind
    municipality_id: int
    module_version_id: int
    held_on: date
    place: str
    facilitator_ids: frozenset[int] = frozenset()
    external_facilitators: str = ""
    #: Workshops: the number of participants counted.
    participant_count: int = 0
    #: Workshops, optional: names, one per line (never reported).
    attendee_names: str = ""
    #: Trainings: e-mail addresses or personnel numbers of the attendees, one per line.
    attendees: list[str] = field(default_factory=list)
    #: Workshops: the person confirmed that a second workshop with the same script, date and place is no mistake.
    confirm_duplicate: bool = False


@dataclass(frozen=True)
class RecordResult:
    """The recorded session and, for trainings, what the attendance did."""

    session: LiveSession
    completions_created: int = 0
    already_completed: int = 0


def eligible_facilitators(session: Session, municipality_ids: set[int] | None) -> list[User]:
    """Trainers, and the facilitators of the given municipalities (all when None), by name."""
    roles = select(UserRole.user_id).where(UserRole.role == Role.TRAINER.value)
    local = select(UserRole.user_id).where(UserRole.role == Role.FACILITATOR.value)
    condition: ColumnElement[bool] = User.id.in_(roles)
    if municipality_ids is None:
        condition = or_(condition, User.id.in_(local))
    elif municipality_ids:
        condition = or_(condition, User.id.in_(local) & User.municipality_id.in_(municipality_ids))
    return list(
        session.scalars(select(User).where(condition, User.is_active.is_(True)).order_by(User.display_name))
    )


def facilitator_choices(
    session: Session, actor: User, kind: SessionKind, municipality_ids: set[int] | None
) -> list[User]:
    """Who may be named as running a session of this kind: the eligible facilitators, and for an in-person training
    also the person entering it (a coordinator who runs it herself).

    An empowerment workshop names nobody who supervises the municipality's staff (coordination, head of unit): the
    roles keep them apart (lms.orgs.role_changes), and being named here would make the coordinator a moderator of
    the network all the same. A trainer who is also a supervisor there is left out for the same reason.
    """
    people = eligible_facilitators(session, municipality_ids)
    if kind is SessionKind.WORKSHOP:
        return [p for p in people if not _supervises(p, municipality_ids)]
    if actor.id not in {p.id for p in people}:
        people = [actor, *people]
    return people


def _supervises(person: User, municipality_ids: set[int] | None) -> bool:
    """Whether the person coordinates or heads a unit in one of these municipalities (None: any)."""
    if not person.has_role(Role.COORDINATOR, Role.UNIT_MANAGER) or person.municipality_id is None:
        return False
    return municipality_ids is None or person.municipality_id in municipality_ids


def _check_common(
    session: Session, actor: User, data: SessionInput
) -> tuple[ModuleVersion | None, list[ServiceError]]:
    """The version recorded and the problems of the input; the version is None only when that is a problem too."""
    problems: list[ServiceError] = []
    if not may_record_session(actor, data.kind.value, data.municipality_id):
        raise OutOfScope
    version = session.get(ModuleVersion, data.module_version_id)
    if version is None or version.module.kind != data.kind.value:
        wanted = "session.script_missing" if data.kind is SessionKind.WORKSHOP else "session.module_missing"
        problems.append(ServiceError(wanted))
    if data.held_on > clock.today():
        problems.append(ServiceError("session.in_future"))
    if not data.place.strip():
        problems.append(ServiceError("session.place_missing"))
    if data.facilitator_ids:
        allowed = {u.id for u in facilitator_choices(session, actor, data.kind, {data.municipality_id})}
        if not data.facilitator_ids <= allowed:
            problems.append(ServiceError("session.facilitator_not_allowed"))
    if not data.facilitator_ids and not data.external_facilitators.strip():
        problems.append(ServiceError("session.facilitator_missing"))
    return version, problems


def _new_session(actor: User, data: SessionInput, version: ModuleVersion, count: int) -> LiveSession:
    live = LiveSession(
        kind=data.kind.value,
        municipality_id=data.municipality_id,
        module_id=version.module_id,
        module_version_id=version.id,
        held_on=data.held_on,
        place=data.place.strip()[:200],
        participant_count=count,
        attendee_names=(data.attendee_names.strip() or None) if data.kind is SessionKind.WORKSHOP else None,
        external_facilitators=data.external_facilitators.strip()[:300],
        recorded_by_id=actor.id,
    )
    live.facilitator_links = [SessionFacilitator(user_id=i) for i in sorted(data.facilitator_ids)]
    return live


def count_names(names: str) -> int:
    """How many people a list of names (one per line) names."""
    return sum(1 for line in names.splitlines() if line.strip())


def duplicate_workshop(
    session: Session, data: SessionInput, module_id: int, exclude_id: int | None = None
) -> bool:
    """Whether the municipality already has a (not withdrawn) workshop with this script on that date at that place."""
    query = select(LiveSession.id).where(
        LiveSession.municipality_id == data.municipality_id,
        LiveSession.kind == SessionKind.WORKSHOP.value,
        LiveSession.module_id == module_id,
        LiveSession.held_on == data.held_on,
        func.lower(LiveSession.place) == data.place.strip()[:200].lower(),
        LiveSession.withdrawn_at.is_(None),
    )
    if exclude_id is not None:
        query = query.where(LiveSession.id != exclude_id)
    return session.scalar(query.limit(1)) is not None


def record_workshop(session: Session, actor: User, data: SessionInput) -> RecordResult:
    """Record a held empowerment workshop with its participant count (and, optionally, names)."""
    version, problems = _check_common(session, actor, data)
    if not 1 <= data.participant_count <= MAX_PARTICIPANTS:
        problems.append(ServiceError("session.participants_range", max=MAX_PARTICIPANTS))
    if data.attendee_names.strip() and actor.id not in data.facilitator_ids:
        # Only the recorded facilitators see the names: nobody could read what this person entered.
        problems.append(ServiceError("session.names_not_facilitator"))
    named = count_names(data.attendee_names)
    if named > data.participant_count >= 1:
        problems.append(ServiceError("session.names_exceed_count", names=named, count=data.participant_count))
    if (
        version is not None
        and not data.confirm_duplicate
        and duplicate_workshop(session, data, version.module_id)
    ):
        problems.append(ServiceError("session.duplicate_workshop"))
    if problems:
        raise SessionInputError(problems)
    assert version is not None  # a missing version is one of the problems
    live = _new_session(actor, data, version, data.participant_count)
    session.add(live)
    session.flush()
    record_event(
        session, actor_id=actor.id, action="session.record", object_type="live_session", object_id=live.id
    )
    return RecordResult(live)


def resolve_attendees(
    session: Session, municipality_id: int, lines: list[str]
) -> tuple[list[User], list[ServiceError]]:
    """Staff of the municipality named by e-mail address or personnel number, one per line; and the problems."""
    wanted = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    keys = {text.lower() for _n, text in wanted} | {text for _n, text in wanted}
    found = session.scalars(
        select(User).where(
            User.municipality_id == municipality_id,
            or_(func.lower(User.email).in_(keys), User.personnel_number.in_(keys)),
        )
    ).all()
    by_key = {u.email.lower(): u for u in found} | {
        u.personnel_number: u for u in found if u.personnel_number
    }
    people: dict[int, User] = {}
    problems: list[ServiceError] = []
    for number, text in wanted:
        person = by_key.get(text.lower()) or by_key.get(text)
        if person is None:
            problems.append(ServiceError("session.attendee_unknown", line=number, text=text))
        else:
            people[person.id] = person
    if not wanted:
        problems.append(ServiceError("session.attendees_missing"))
    return list(people.values()), problems


def attend(
    session: Session, live: LiveSession, version: ModuleVersion, people: list[User], held_on: date
) -> int:
    """Attendance rows for these people; an in-person completion for each who had not completed the version yet
    (or whose completion of it is up for renewal on that day, lms/progress/renewal.py).

    Returns how many completions were created (the recording and the correction of a training both use it).
    """
    if not people:
        return 0
    cycles = next_cycles(session, version, [p.id for p in people], held_on)
    # Noon on the day it was held, German time: the completion falls into the period of that calendar day.
    completed_at = datetime.combine(held_on, time(12), tzinfo=clock.BERLIN)
    created = 0
    # In the order of ids: each completion locks its person's row for the programme summary (lms.reports.summary),
    # and two recordings with the same people then take the locks in the same order.
    for person in sorted(people, key=lambda p: p.id):
        completion = None
        if person.id in cycles:
            completion = Completion(
                user_id=person.id,
                module_id=version.module_id,
                module_version_id=version.id,
                mode=CompletionMode.IN_PERSON.value,
                completed_at=completed_at,
                cycle=cycles[person.id],
            )
            try:
                with session.begin_nested():
                    session.add(completion)
                created += 1
            except IntegrityError:
                # The person passed the quiz online while this was being recorded, and that request wrote this
                # cycle's completion first: the attendance is recorded, the module was already complete.
                completion = None
        session.add(SessionAttendance(session_id=live.id, user_id=person.id, completion=completion))
    return created


def record_training(session: Session, actor: User, data: SessionInput) -> RecordResult:
    """Record an in-person training; each attendee gets an in-person completion of that module version."""
    version, problems = _check_common(session, actor, data)
    people, attendee_problems = resolve_attendees(session, data.municipality_id, data.attendees)
    problems += attendee_problems
    if problems:
        raise SessionInputError(problems)
    assert version is not None  # a missing version is one of the problems
    live = _new_session(actor, data, version, len(people))
    session.add(live)
    session.flush()
    created = attend(session, live, version, people, data.held_on)
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="session.record",
        object_type="live_session",
        object_id=live.id,
        completions_created=created,
    )
    return RecordResult(live, completions_created=created, already_completed=len(people) - created)


def withdraw_session(session: Session, actor: User, live: LiveSession, reason: str) -> None:
    """Withdraw a session recorded by mistake; refused for trainings that created completions (append-only)."""
    if not may_withdraw_session(actor, live):
        raise OutOfScope
    if live.withdrawn_at is not None:
        return
    if not reason.strip():
        raise SessionInputError([ServiceError("session.reason_missing")])
    if live.kind == SessionKind.TRAINING.value and session.scalar(
        select(func.count())
        .select_from(SessionAttendance)
        .where(SessionAttendance.session_id == live.id, SessionAttendance.completion_id.is_not(None))
    ):
        raise SessionInputError([ServiceError("session.has_completions")])
    live.withdrawn_at = clock.now()
    live.withdrawn_reason = reason.strip()[:300]
    delete_names_on_withdrawal(session, actor, live)
    record_event(
        session, actor_id=actor.id, action="session.withdraw", object_type="live_session", object_id=live.id
    )
