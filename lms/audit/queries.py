"""Reading the audit log with filters: who, what (a category of actions) and when (German calendar days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    """Empty fields do not filter; ``prefixes`` is what the person may see at all (content only for trainers)."""

    prefixes: tuple[str, ...]
    category_prefixes: tuple[str, ...] = ()
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _starts_with_any(prefixes: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in prefixes)) if prefixes else false()


def _counting_the_network() -> ColumnElement[bool]:
    """Events that would count the empowerment network (GDPR Art. 9): members joining and leaving, and
    registrations for workshops (written without a person until 2026-11, none since; a registration for a
    training names its person). Each is one person, so listing them would give the network's exact size, and
    their minute beside the person's own events (an accepted invitation) would point to who. They stay in the
    table for the data-protection officer and are listed to nobody."""
    return or_(
        AuditEvent.action.startswith("network."),
        and_(
            AuditEvent.action.in_(("planned.register", "planned.cancel_registration")),
            AuditEvent.actor_id.is_(None),
        ),
    )


def _conditions(wanted: AuditFilter) -> list[ColumnElement[bool]]:
    conditions = [_starts_with_any(wanted.prefixes), not_(_counting_the_network())]
    if wanted.category_prefixes:
        conditions.append(_starts_with_any(wanted.category_prefixes))
    if wanted.actor_id is not None:
        conditions.append(AuditEvent.actor_id == wanted.actor_id)
    try:  # dates at the very ends of the calendar have no UTC bounds; they do not filter
        if wanted.date_from is not None:
            conditions.append(AuditEvent.at >= clock.day_bounds(wanted.date_from, wanted.date_from)[0])
        if wanted.date_to is not None:
            conditions.append(AuditEvent.at < clock.day_bounds(wanted.date_to, wanted.date_to)[1])
    except OverflowError:
        pass
    return conditions


def audit_events(
    session: Session, wanted: AuditFilter, *, page: int, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first; and the number of all matches."""
    conditions = _conditions(wanted)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(events), total


def audit_actor_ids(session: Session, prefixes: tuple[str, ...]) -> set[int]:
    """The people who appear in the visible part of the log (for the „Wer“ filter)."""
    query = select(AuditEvent.actor_id).where(
        _starts_with_any(prefixes), not_(_counting_the_network()), AuditEvent.actor_id.is_not(None)
    )
    return {actor_id for actor_id in session.scalars(query.distinct()) if actor_id is not None}
