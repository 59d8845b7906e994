"""Managing a municipality's staff: the list, deactivating and reactivating, invitations.

The facilitator role is not managed here: only the programme office grants it (lms.orgs.facilitators).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.invitations import create_invitations
from lms.auth.models import InvitationPurpose, User
from lms.errors import ServiceError
from lms.orgs.models import Municipality, OrgUnit
from lms.orgs.staff_import import open_invitation_expiry
from lms.scope import OutOfScope, may_manage_municipality, staff_filter

PAGE_SIZE = 50


class StaffError(ServiceError, ValueError):
    """A change to a person was refused; the message is for people."""


@dataclass(frozen=True)
class StaffPage:
    """One page of the staff list with what the filters matched."""

    people: list[User]
    total: int
    page: int
    pages: int
    #: user id → expiry of an open invitation link.
    invitations: dict[int, datetime]


def staff_page(
    session: Session,
    actor: User,
    municipality: Municipality,
    *,
    search: str = "",
    org_unit_id: int | None = None,
    status: str = "active",
    page: int = 1,
) -> StaffPage:
    """The municipality's staff, filtered and paged, as far as the acting person may see them."""
    if not may_manage_municipality(actor, municipality.id):
        raise OutOfScope
    query = select(User).where(User.municipality_id == municipality.id, staff_filter(actor))
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(User.display_name).like(pattern),
                func.lower(User.email).like(pattern),
                func.lower(func.coalesce(User.personnel_number, "")).like(pattern),
            )
        )
    if org_unit_id:
        query = query.where(User.org_unit_id == org_unit_id)
    if status == "active":
        query = query.where(User.is_active.is_(True))
    elif status == "inactive":
        query = query.where(User.is_active.is_(False))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    people = list(
        session.scalars(
            query.order_by(func.lower(User.display_name), User.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return StaffPage(people, total, page, pages, open_invitation_expiry(session, [p.id for p in people]))


def org_units(session: Session, municipality: Municipality) -> list[OrgUnit]:
    """The municipality's org units by name."""
    return list(
        session.scalars(
            select(OrgUnit).where(OrgUnit.municipality_id == municipality.id).order_by(OrgUnit.name)
        )
    )


def person_in_scope(session: Session, actor: User, municipality: Municipality, user_id: int) -> User:
    """A member of this municipality's staff whom the acting person may manage; raises OutOfScope otherwise."""
    person = session.get(User, user_id)
    if (
        person is None
        or person.municipality_id != municipality.id
        or not may_manage_municipality(actor, municipality.id)
    ):
        raise OutOfScope
    return person


def set_active(session: Session, actor: User, person: User, active: bool) -> None:
    """Deactivate (history stays, login stops) or reactivate a member of staff."""
    if person.id == actor.id and not active:
        raise StaffError("staff.deactivate_self")
    if person.is_active == active:
        return
    person.is_active = active
    person.deactivated_at = None if active else clock.now()
    record_event(
        session,
        actor_id=actor.id,
        action="user.reactivate" if active else "user.deactivate",
        object_type="user",
        object_id=person.id,
    )


def invite(session: Session, actor: User, person: User, *, days: int) -> tuple[str, datetime]:
    """A new invitation (no password yet) or password link (password set) for one person; returns (token, expiry)."""
    if not person.is_active:
        raise StaffError("staff.invite_deactivated")
    purpose = InvitationPurpose.PASSWORD_RESET if person.password_hash else InvitationPurpose.INVITATION
    [(_user, token, invitation)] = create_invitations(
        session, [person], actor_id=actor.id, days=days, purpose=purpose
    )
    return token, invitation.expires_at
