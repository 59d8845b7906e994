"""The names of a workshop's participants: kept only as long as needed, deleted without a trace of who they were.

Names reveal a migration history (GDPR Art. 9). They are deleted automatically a retention period after the workshop
(``LMS_WORKSHOP_NAMES_RETENTION_DAYS``, by ``lms workshops purge-names`` daily and whenever a facilitator opens the
workshop list), at once when the workshop is withdrawn, and when one of its facilitators asks for it. Each deletion
is an audit event that says which workshop and why, never the names. Registrations for planned workshops (who
signed up: members of the network) are deleted with the same retention period.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.scope import OutOfScope, may_see_attendee_names
from lms.workshops.models import LiveSession, PlannedSession, SessionKind, SessionRegistration

#: The default of ``LMS_WORKSHOP_NAMES_RETENTION_DAYS``.
DEFAULT_RETENTION_DAYS = 90


class NamesDeleted(StrEnum):
    """Why the names of a workshop were deleted (the audit event's ``reason``)."""

    RETENTION = "retention"
    WITHDRAWN = "withdrawn"
    REQUEST = "request"


def _delete(session: Session, live: LiveSession, actor_id: int | None, why: NamesDeleted) -> bool:
    if live.attendee_names is None:
        return False
    live.attendee_names = None
    live.names_deleted_at = clock.now()
    record_event(
        session,
        actor_id=actor_id,
        action="session.names_delete",
        object_type="live_session",
        object_id=live.id,
        reason=why.value,
    )
    return True


def purge_expired_attendee_names(
    session: Session, today: date, retention_days: int = DEFAULT_RETENTION_DAYS
) -> int:
    """Delete the names of workshops held more than ``retention_days`` before ``today``; returns how many."""
    cutoff = today - timedelta(days=retention_days)
    purge_workshop_registrations(session, cutoff)
    expired = session.scalars(
        select(LiveSession).where(
            LiveSession.held_on < cutoff,
            LiveSession.attendee_names.is_not(None),
            LiveSession.kind == SessionKind.WORKSHOP.value,
        )
    ).all()
    return sum(_delete(session, live, None, NamesDeleted.RETENTION) for live in expired)


def purge_workshop_registrations(session: Session, cutoff: date) -> int:
    """Registrations for workshops held before ``cutoff`` say who is in the network: they go like the names."""
    old = select(PlannedSession.id).where(
        PlannedSession.kind == SessionKind.WORKSHOP.value, PlannedSession.held_on < cutoff
    )
    result = session.execute(
        delete(SessionRegistration)
        .where(SessionRegistration.planned_session_id.in_(old))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def delete_names_on_withdrawal(session: Session, actor: User, live: LiveSession) -> None:
    """A withdrawn workshop keeps no names (called by withdraw_session)."""
    _delete(session, live, actor.id, NamesDeleted.WITHDRAWN)


def delete_attendee_names(session: Session, actor: User, live: LiveSession) -> bool:
    """One of the workshop's facilitators deletes its participants' names now; False if there were none."""
    if not may_see_attendee_names(actor, live):
        raise OutOfScope
    return _delete(session, live, actor.id, NamesDeleted.REQUEST)
