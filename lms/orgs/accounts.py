"""The programme office creates the accounts that run the programme: coordinators, trainers and facilitators.

The new person gets an invitation link (the caller mails it after the commit). Every role given here is an audit
event with the role and, where given, the reason. The facilitator role follows lms.orgs.facilitators: only the
programme office grants it, always with a reason, and never to a person who coordinates the municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.invitations import create_invitations
from lms.auth.models import Role, User
from lms.auth.services import AccountError, check_email, checked_name, create_user
from lms.errors import ServiceError
from lms.orgs.facilitators import grant_facilitator
from lms.orgs.models import Municipality
from lms.scope import OutOfScope

#: The roles the programme office gives on its account page.
ACCOUNT_ROLES = (Role.COORDINATOR, Role.TRAINER, Role.FACILITATOR)
#: Roles that belong to one municipality.
LOCAL_ROLES = (Role.COORDINATOR, Role.FACILITATOR)


class AccountRefused(ServiceError, ValueError):
    """The account could not be created; the message is for people."""


@dataclass(frozen=True)
class NewAccount:
    """What the programme office enters."""

    name: str
    email: str
    role: Role
    municipality: Municipality | None
    reason: str = ""


def create_account(
    session: Session, actor: User, data: NewAccount, *, invitation_days: int, smtputf8: bool = False
) -> tuple[User, str, datetime]:
    """Create the person with the role and an invitation; returns (person, link token, link expiry)."""
    if not actor.has_role(Role.ADMIN):
        raise OutOfScope
    if data.role not in ACCOUNT_ROLES:
        raise AccountRefused("account.role_unknown")
    if data.role in LOCAL_ROLES and data.municipality is None:
        raise AccountRefused("account.municipality_needed")
    if data.role is Role.FACILITATOR and not data.reason.strip():
        raise AccountRefused("role.reason_missing")  # checked before the account exists
    town_id = data.municipality.id if data.municipality is not None else None
    roles = {Role.TRAINER} if data.role is Role.TRAINER else {Role.LEARNER}
    if data.role is Role.COORDINATOR:
        roles.add(Role.COORDINATOR)
    person = create_user(
        session,
        email=data.email,
        display_name=data.name,
        password=None,
        roles=roles,
        municipality_id=town_id,
        actor_id=actor.id,
        smtputf8=smtputf8,
    )
    if data.role is Role.FACILITATOR:
        grant_facilitator(session, actor, person, data.reason)  # audited there, with the reason
    else:
        record_event(
            session,
            actor_id=actor.id,
            action="role.grant",
            object_type="user",
            object_id=person.id,
            role=data.role.value,
            municipality_id=town_id,
            reason=data.reason.strip()[:300],
        )
    [(_person, token, invitation)] = create_invitations(
        session, [person], actor_id=actor.id, days=invitation_days
    )
    return person, token, invitation.expires_at


def update_account(
    session: Session, actor: User, person: User, *, name: str, email: str, smtputf8: bool = False
) -> list[str]:
    """The programme office corrects the name or e-mail address of any account (a trainer has no coordination
    that could); audited with what changed; returns the German labels of the changed fields."""
    if not actor.has_role(Role.ADMIN):
        raise OutOfScope
    name = " ".join(name.split())[:200]
    if not name:
        raise AccountRefused("staff.name_missing")
    try:
        name = checked_name(name)  # printed on the person's certificates
        address = check_email(email, smtputf8=smtputf8)
    except AccountError as refused:
        raise AccountRefused(refused.code, **refused.params) from None
    other = session.scalar(select(User.id).where(User.email == address))
    if other is not None and other != person.id:
        raise AccountRefused("staff.email_unusable", email=address)
    changed = [
        label
        for label, old, new in (
            ("Name", person.display_name, name),
            ("E-Mail-Adresse", person.email, address),
        )
        if old != new
    ]
    if changed:
        person.display_name, person.email = name, address
        session.flush()
        record_event(
            session,
            actor_id=actor.id,
            action="account.update",
            object_type="user",
            object_id=person.id,
            municipality_id=person.municipality_id,
            changed=changed,
        )
    return changed
