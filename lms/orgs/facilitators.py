"""The facilitator role of a municipality's empowerment network: granted and removed by the programme office only.

Facilitators may see the names of the participants of the workshops they ran (GDPR Art. 9: the names reveal a
migration history). So the role is never self-service: only the programme office grants or removes it, always with a
reason, never to itself, and never to a person who coordinates the same municipality (separation of duties: the
coordinator oversees the municipality's staff and would otherwise see who is in the network). Every grant and
removal is an audit event, listed on the programme office's page „Rollen im Netzwerk“.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.orgs.models import Municipality
from lms.orgs.role_changes import RoleChangeError, grant_role, revoke_role, role_holders
from lms.scope import OutOfScope

#: Rows on one page of the audit list.
EVENT_LIMIT = 500


class RoleChange(StrEnum):
    """The audit actions of the facilitator role (older records used ``user.facilitator`` / ``user.not_facilitator``)."""

    GRANT = "role.facilitator_grant"
    REVOKE = "role.facilitator_revoke"


#: Legacy actions of the former self-service toggle on the staff list, shown on the audit page too.
LEGACY = {"user.facilitator": RoleChange.GRANT, "user.not_facilitator": RoleChange.REVOKE}


#: Refusals come from the one role-change service (the name stays for the callers of this module).
FacilitatorRoleError = RoleChangeError


def grant_facilitator(session: Session, actor: User, person: User, reason: str) -> None:
    """Make a member of a municipality's staff a facilitator of its empowerment network (programme office only)."""
    grant_role(session, actor, person, Role.FACILITATOR, reason)


def revoke_facilitator(session: Session, actor: User, person: User, reason: str) -> None:
    """End a person's facilitator role (programme office only)."""
    revoke_role(session, actor, person, Role.FACILITATOR, reason)


def find_person(session: Session, email: str) -> User | None:
    """The account with this e-mail address (the programme office sees every account)."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def facilitators(session: Session, municipality_id: int | None = None) -> list[User]:
    """Everyone who holds the facilitator role now, by municipality and name."""
    return role_holders(session, Role.FACILITATOR, User.municipality_id, municipality_id)


@dataclass(frozen=True)
class RoleEvent:
    """One grant or removal as the audit page shows it."""

    at: datetime
    change: RoleChange
    person: User | None
    actor: User | None
    municipality: Municipality | None
    reason: str


@dataclass(frozen=True)
class EventFilter:
    """The audit page's filters; empty fields do not filter."""

    municipality_id: int | None = None
    person: str = ""
    change: RoleChange | None = None
    date_from: date | None = None
    date_to: date | None = None


def role_events(session: Session, actor: User, wanted: EventFilter) -> list[RoleEvent]:
    """Grants and removals of the facilitator role, newest first, filtered (programme office only)."""
    if not actor.has_role(Role.ADMIN):
        raise OutOfScope
    person, by = aliased(User), aliased(User)
    if wanted.change is None:
        actions = [c.value for c in RoleChange] + list(LEGACY)
    else:
        actions = [wanted.change.value] + [old for old, new in LEGACY.items() if new is wanted.change]
    query = (
        select(AuditEvent, person, by)
        .outerjoin(person, cast(person.id, String) == AuditEvent.object_id)
        .outerjoin(by, by.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "user", AuditEvent.action.in_(actions))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(EVENT_LIMIT)
    )
    if wanted.municipality_id is not None:
        query = query.where(person.municipality_id == wanted.municipality_id)
    if wanted.person.strip():
        pattern = f"%{wanted.person.strip().lower()}%"
        query = query.where(
            func.lower(person.display_name).like(pattern) | func.lower(person.email).like(pattern)
        )
    if wanted.date_from is not None:
        query = query.where(AuditEvent.at >= clock.day_start(wanted.date_from))
    if wanted.date_to is not None:
        query = query.where(AuditEvent.at < clock.day_start(wanted.date_to + timedelta(days=1)))
    towns = {m.id: m for m in session.scalars(select(Municipality))}
    events = []
    for event, found, actor_row in session.execute(query).all():
        # Outer joins: the person or the actor may be gone (None), whatever the row type says.
        who: User | None = found
        town_id = (event.detail or {}).get(
            "municipality_id", who.municipality_id if who is not None else None
        )
        events.append(
            RoleEvent(
                at=event.at,
                change=LEGACY.get(event.action) or RoleChange(event.action),
                person=who,
                actor=actor_row,
                municipality=towns.get(town_id) if town_id is not None else None,
                reason=str((event.detail or {}).get("reason", "")),
            )
        )
    return events
