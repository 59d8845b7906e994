"""Which live sessions a person may see, and what the forms offer to choose from."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.content.models import Module, ModuleVersion
from lms.disclosure import Shown, network_count, people_count
from lms.orgs.models import Municipality
from lms.scope import (
    may_see_exact_participant_count,
    planned_filter,
    recordable_municipality_ids,
    sessions_filter,
)
from lms.workshops.models import (
    LiveSession,
    PlannedSession,
    RegistrationStatus,
    SessionAttendance,
    SessionKind,
    SessionRegistration,
)

#: The list shows the newest sessions; older ones stay in the reports and exports.
LIST_LIMIT = 200


def visible_sessions(session: Session, user: User, limit: int = LIST_LIMIT) -> list[LiveSession]:
    """The sessions this person may see, newest first."""
    return list(
        session.scalars(
            select(LiveSession)
            .where(sessions_filter(user))
            .order_by(LiveSession.held_on.desc(), LiveSession.id.desc())
            .limit(limit)
        )
    )


def visible_session(session: Session, user: User, session_id: int) -> LiveSession | None:
    """One session if this person may see it."""
    return session.scalar(select(LiveSession).where(LiveSession.id == session_id, sessions_filter(user)))


def attendees(session: Session, live: LiveSession) -> list[tuple[User, bool]]:
    """The attendees of an in-person training by name, and whether the session created their completion."""
    rows = session.execute(
        select(User, SessionAttendance.completion_id)
        .join(SessionAttendance, SessionAttendance.user_id == User.id)
        .where(SessionAttendance.session_id == live.id)
        .order_by(User.display_name)
    ).all()
    return [(user, completion_id is not None) for user, completion_id in rows]


def version_choices(session: Session, kind: str) -> list[tuple[int, str]]:
    """(version id, „Title – Version 1.0“) of every published version of the kind, newest first per module."""
    rows = session.execute(
        select(ModuleVersion.id, ModuleVersion.title, ModuleVersion.version_label, ModuleVersion.retired_at)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(Module.kind == kind, Module.retired_at.is_(None))
        .order_by(ModuleVersion.title, ModuleVersion.id.desc())
    ).all()
    return [
        (i, f"{title} – Version {label}" + (" (zurückgezogen)" if retired else ""))
        for i, title, label, retired in rows
    ]


def municipality_choices(session: Session, user: User) -> list[tuple[int, str]]:
    """The municipalities this person may record sessions for."""
    allowed = recordable_municipality_ids(user)
    query = select(Municipality.id, Municipality.name).order_by(Municipality.name)
    if allowed is not None:
        query = query.where(Municipality.id.in_(allowed))
    return [(i, n) for i, n in session.execute(query)]


def facilitators(session: Session, live: LiveSession) -> list[User]:
    """The accounts that ran a session, by name."""
    ids = live.facilitator_ids
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name)))


def shown_participants(user: User, live: LiveSession) -> Shown:
    """A session's participant count as this person may see it: a workshop's exact count only for its facilitators."""
    if live.kind == SessionKind.WORKSHOP.value:
        return (
            live.participant_count
            if may_see_exact_participant_count(user, live)
            else network_count(live.participant_count)
        )
    return people_count(live.participant_count)


def upcoming_planned(session: Session, user: User, limit: int = LIST_LIMIT) -> list[PlannedSession]:
    """Planned sessions from today on that this person may see, soonest first."""
    return list(
        session.scalars(
            select(PlannedSession)
            .where(planned_filter(user), PlannedSession.held_on >= clock.today())
            .order_by(PlannedSession.held_on, PlannedSession.starts_at, PlannedSession.id)
            .limit(limit)
        )
    )


def visible_planned(session: Session, user: User, planned_id: int) -> PlannedSession | None:
    """One planned session if this person may see it."""
    return session.scalar(select(PlannedSession).where(PlannedSession.id == planned_id, planned_filter(user)))


def own_registrations(session: Session, user: User, planned_ids: list[int]) -> dict[int, SessionRegistration]:
    """This person's own (not cancelled) registrations among these sessions, by session."""
    if not planned_ids:
        return {}
    rows = session.scalars(
        select(SessionRegistration).where(
            SessionRegistration.user_id == user.id,
            SessionRegistration.planned_session_id.in_(planned_ids),
            SessionRegistration.status != RegistrationStatus.CANCELLED.value,
        )
    )
    return {row.planned_session_id: row for row in rows}


def facilitators_of_planned(session: Session, planned: PlannedSession) -> list[User]:
    """The accounts that will run a planned session, by name."""
    ids = planned.facilitator_ids
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name)))


def change_count(session: Session, planned_id: int) -> int:
    """How often the organisers changed or called off a planned session (the calendar file's SEQUENCE)."""
    return (
        session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.object_type == "planned_session",
                AuditEvent.object_id == str(planned_id),
                AuditEvent.action.in_(("planned.change", "planned.call_off")),
            )
        )
        or 0
    )
