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
from lms.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from lms.errors import ServiceError


class InvitationInvalid(ServiceError):
    """The link is unknown, used, replaced or expired; the message is for people."""


class PasswordRefused(ServiceError, ValueError):
    """The new password cannot be set (too short, confirmation differs)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitations(
    session: Session,
    users: Sequence[User],
    *,
    actor_id: int | None,
    days: int,
    purpose: InvitationPurpose = InvitationPurpose.INVITATION,
    now: datetime | None = None,
) -> list[tuple[User, str, Invitation]]:
    """A new link for each person (older open links are replaced); returns (person, secret token, row)."""
    now = now or clock.now()
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
            expires_at=now + timedelta(days=days),
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
        raise InvitationInvalid("auth.invitation_invalid")
    if not invitation.user.is_active:
        raise InvitationInvalid("auth.account_deactivated")
    return invitation


def accept_invitation(session: Session, token: str, password: str, confirmation: str) -> User:
    """Set the person's password with a valid link and use the link up; returns the person."""
    invitation = valid_invitation(session, token)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused("auth.password_too_short", min=MIN_PASSWORD_LENGTH)
    if password != confirmation:
        raise PasswordRefused("auth.passwords_differ")
    user = invitation.user
    user.password_hash = hash_password(password)
    invitation.used_at = clock.now()
    record_event(
        session,
        actor_id=user.id,
        action=f"{invitation.purpose}.accept",
        object_type="user",
        object_id=user.id,
    )
    return user
