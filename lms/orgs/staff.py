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
from lms.auth.models import InvitationPurpose, Role, User
from lms.auth.services import AccountError, check_email, checked_name, create_user
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
    """Deactivate (history stays, login stops) or reactivate a member of staff.

    A caller that deactivates also calls lms.workshops.network.withdraw_deactivated (orgs sits below workshops).
    """
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


@dataclass(frozen=True)
class PersonInput:
    """One member of staff as the coordination enters them, without a CSV file."""

    name: str
    email: str
    org_unit: str
    personnel_number: str = ""


def save_person(
    session: Session,
    actor: User,
    municipality: Municipality,
    data: PersonInput,
    person: User | None = None,
    *,
    smtputf8: bool = False,
) -> User:
    """Add a member of staff (a learner without a password yet) or change one; audited; the caller invites."""
    if not may_manage_municipality(actor, municipality.id):
        raise OutOfScope
    if person is not None and person.municipality_id != municipality.id:
        raise OutOfScope
    name, unit_name = " ".join(data.name.split())[:200], " ".join(data.org_unit.split())[:200]
    number = data.personnel_number.strip()[:50] or None
    if not name:
        raise StaffError("staff.name_missing")
    if not unit_name:
        raise StaffError("staff.org_unit_missing")
    try:
        name = checked_name(name)
        email = check_email(data.email, smtputf8=smtputf8)
    except AccountError as refused:
        raise StaffError(refused.code, **refused.params) from None
    other = session.scalar(select(User).where(User.email == email))
    if other is not None and other is not person:
        if other.municipality_id == municipality.id:  # on the list this person manages: say who it is
            raise StaffError("staff.email_listed", email=email, name=other.display_name)
        # Neutral, as in the staff import: it does not tell where the account lives.
        raise StaffError("staff.email_unusable", email=email)
    if number is not None:
        holder = session.scalar(
            select(User.id).where(User.municipality_id == municipality.id, User.personnel_number == number)
        )
        if holder is not None and (person is None or holder != person.id):
            raise StaffError("staff_row.number_taken", number=number)
    unit = session.scalar(
        select(OrgUnit).where(
            OrgUnit.municipality_id == municipality.id, func.lower(OrgUnit.name) == unit_name.lower()
        )
    )
    if unit is None:
        unit = OrgUnit(municipality_id=municipality.id, name=unit_name)
        session.add(unit)
        session.flush()
    if person is None:
        person = create_user(
            session,
            email=email,
            display_name=name,
            password=None,
            roles={Role.LEARNER},
            municipality_id=municipality.id,
            actor_id=actor.id,
            smtputf8=smtputf8,
        )
        changed = ["neu"]
    else:
        before = (person.display_name, person.email, person.org_unit_id, person.personnel_number)
        labels = ("Name", "E-Mail-Adresse", "Organisationseinheit", "Personalnummer")
        after = (name, email, unit.id, number)
        changed = [label for label, old, new in zip(labels, before, after, strict=True) if old != new]
        person.display_name, person.email = name, email
    person.org_unit_id, person.personnel_number = unit.id, number
    session.flush()
    if changed:
        record_event(
            session,
            actor_id=actor.id,
            action="staff.save",
            object_type="user",
            object_id=person.id,
            changed=changed,
        )
    return person


def chosen_people(session: Session, actor: User, municipality: Municipality, ids: list[int]) -> list[User]:
    """The people of the municipality among the chosen ids (others are ignored), by name."""
    if not may_manage_municipality(actor, municipality.id):
        raise OutOfScope
    wanted = sorted(set(ids))[:5000]
    if not wanted:
        raise StaffError("staff.nobody_chosen")
    return list(
        session.scalars(
            select(User)
            .where(User.municipality_id == municipality.id, User.id.in_(wanted))
            .order_by(func.lower(User.display_name), User.id)
        )
    )


def needs_confirmation(session: Session, municipality: Municipality, count: int) -> bool:
    """Deactivating this many at once asks first: five or more, or more than half of the active staff."""
    active = (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.municipality_id == municipality.id, User.is_active.is_(True))
        )
        or 0
    )
    return count >= 5 or count * 2 > active


def deactivate_many(session: Session, actor: User, people: list[User]) -> int:
    """Deactivate the chosen active people (never oneself); each is audited; returns how many (see set_active)."""
    done = 0
    for person in people:
        if person.id == actor.id or not person.is_active:
            continue
        set_active(session, actor, person, False)
        done += 1
    if done:
        record_event(
            session,
            actor_id=actor.id,
            action="staff.bulk_deactivate",
            object_type="municipality",
            object_id=people[0].municipality_id,
            count=done,
        )
    return done
