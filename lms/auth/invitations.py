"""Invitation links to set a password: random token in the link, only its SHA-256 stored, expiring, single-use.

The same links serve „password forgotten“ (purpose ``password_reset``). A new link replaces the person's older
open ones, so only the newest mail works.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import Invitation, InvitationPurpose, User
from lms.auth.passwords import PasswordRefused, check_new_password, hash_password
from lms.auth.services import revoke_all_api_tokens
from lms.errors import ServiceError

__all__ = [
    "InvitationInvalid",
    "PasswordRefused",
    "accept_invitation",
    "create_invitations",
    "valid_invitation",
]

#: A link from „Passwort vergessen“ or sent by the programme office is valid this long (ASVS 2.5.x: short-lived).
RESET_LIFETIME = timedelta(hours=1)


class InvitationInvalid(ServiceError):
    """The link is unknown, used, replaced or expired; the message is for people."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitations(
    session: Session,
    users: Sequence[User],
    *,
    actor_id: int | None,
    days: int | None = None,
    lifetime: timedelta | None = None,
    purpose: InvitationPurpose = InvitationPurpose.INVITATION,
    now: datetime | None = None,
) -> list[tuple[User, str, Invitation]]:
    """A new link for each person (older open links are replaced); returns (person, secret token, row).

    The link lives ``lifetime``, or ``days`` days (invitations from the staff list).
    """
    now = now or clock.now()
    if lifetime is None:
        if days is None:
            raise TypeError("create_invitations needs days or lifetime")
        lifetime = timedelta(days=days)
    ids = [u.id for u in users]
    if not ids:
        return []
    for chunk in range(0, len(ids), 500):
        session.execute(
            update(Invitation)
            .where(Invitation.user_id.in_(ids[chunk : chunk + 500]), Invitation.used_at.is_(None))
            .values(used_at=now)
        )
    created = []
    for user in users:
        token = secrets.token_urlsafe(32)
        invitation = Invitation(
            user_id=user.id,
            token_hash=_digest(token),
            purpose=purpose.value,
            created_by_id=actor_id,
            created_at=now,
            expires_at=now + lifetime,
        )
        session.add(invitation)
        created.append((user, token, invitation))
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action=f"{purpose.value}.create",
        object_type="user",
        object_id=ids[0] if len(ids) == 1 else f"{len(ids)} Personen",
    )
    return created


def valid_invitation(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The open, unexpired invitation of an active person for this token; raises InvitationInvalid otherwise."""
    now = now or clock.now()
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        # A password link someone asked for themselves: they can ask again, no coordinator needed.
        if invitation is not None and invitation.purpose == InvitationPurpose.PASSWORD_RESET.value:
            raise InvitationInvalid("auth.reset_link_invalid")
        raise InvitationInvalid("auth.invitation_invalid")
    if not invitation.user.is_active:
        raise InvitationInvalid("auth.account_deactivated")
    return invitation


def accept_invitation(session: Session, token: str, password: str, confirmation: str) -> User:
    """Set the person's password with a valid link and use the link up; returns the person.

    The new password ends all of the person's sessions (the flush hook in ``lms.auth.sessions``); a password reset
    link also revokes all their API tokens, since whoever reset the password may not be the one who made them.
    """
    invitation = valid_invitation(session, token)
    user = invitation.user
    check_new_password(password, confirmation, email=user.email, name=user.display_name)
    user.password_hash = hash_password(password)
    invitation.used_at = clock.now()
    if invitation.purpose == InvitationPurpose.PASSWORD_RESET.value:
        revoke_all_api_tokens(session, user, actor_id=user.id)
    record_event(
        session,
        actor_id=user.id,
        action=f"{invitation.purpose}.accept",
        object_type="user",
        object_id=user.id,
    )
    return user
