"""„Passwort vergessen“ and reset links from the programme office: 1-hour, single-use links (lms.auth.invitations).

A request answers the same whether the address belongs to an account or not, and does the same work either way (a
token is made and hashed, the same rows are counted and written), so neither the page nor its timing tells who has
an account. Requests are limited per address and per client, counted in the database (every process sees them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.invitations import RESET_LIFETIME, create_invitations
from lms.auth.models import Invitation, InvitationPurpose, PasswordResetRequest, User
from lms.auth.services import normalise_email


@dataclass(frozen=True)
class ResetLimits:
    """At most ``per_address`` links to one address and ``per_client`` requests from one client per window."""

    per_address: int = 3
    per_client: int = 10
    window: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class ResetOutcome:
    """What a request did: ``retry_after`` > 0 when the client must wait; ``link`` when a mail is to be sent."""

    retry_after: int = 0
    link: tuple[User, str, Invitation] | None = None


def _key(secret: str, kind: str, value: str) -> str:
    """A keyed hash, so the table holds neither addresses nor IP addresses."""
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _count(session: Session, key: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(PasswordResetRequest.at)).where(
            and_(PasswordResetRequest.key == key, PasswordResetRequest.at >= since)
        )
    ).one()
    return int(count), oldest


def request_password_reset(
    session: Session, email: str, *, client: str, secret: str, limits: ResetLimits
) -> ResetOutcome:
    """Count the request and, for an active account within the limits, make a 1-hour reset link."""
    now = clock.now()
    since = now - limits.window
    session.execute(delete(PasswordResetRequest).where(PasswordResetRequest.at < since))
    email = normalise_email(email)
    client_key, address_key = _key(secret, "client", client), _key(secret, "address", email)
    client_count, oldest = _count(session, client_key, since)
    if client_count >= limits.per_client and oldest is not None:
        return ResetOutcome(retry_after=max(1, int((oldest + limits.window - now).total_seconds()) + 1))
    address_count, _oldest = _count(session, address_key, since)
    session.add_all(
        [PasswordResetRequest(key=client_key, at=now), PasswordResetRequest(key=address_key, at=now)]
    )
    session.flush()
    user = session.scalar(select(User).where(User.email == email))
    if address_count >= limits.per_address or user is None or not user.is_active:
        # The same work as a real link (a token and its hash), and the same answer: nothing to tell apart.
        hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
        return ResetOutcome()
    [link] = create_invitations(
        session,
        [user],
        actor_id=None,
        lifetime=RESET_LIFETIME,
        purpose=InvitationPurpose.PASSWORD_RESET,
        now=now,
    )
    return ResetOutcome(link=link)


def send_reset_link(session: Session, actor: User, person: User) -> tuple[User, str, Invitation]:
    """The programme office sends a 1-hour reset link to anyone, trainers and admins included (audited)."""
    return create_invitations(
        session,
        [person],
        actor_id=actor.id,
        lifetime=RESET_LIFETIME,
        purpose=InvitationPurpose.PASSWORD_RESET,
    )[0]
