"""Accounts: login with throttling, creating people, personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import ApiToken, LoginAttempt, Role, User
from lms.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from lms.errors import ServiceError


class LoginRefused(ServiceError):
    """Login failed; the message is safe to show (it never says whether the account exists)."""


class AccountError(ServiceError, ValueError):
    """Creating or changing an account failed; the message is for people."""


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures within which window lock further attempts for an address."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared without surrounding spaces and case."""
    return email.strip().lower()


def recent_failures(session: Session, email: str, since: datetime) -> int:
    """Failed logins for this address since the given time."""
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
        )
        or 0
    )


def authenticate(session: Session, email: str, password: str, policy: LoginPolicy) -> User:
    """Return the active user with these credentials, recording the attempt; raise LoginRefused otherwise."""
    email = normalise_email(email)
    now = clock.now()
    if recent_failures(session, email, now - policy.window) >= policy.max_failures:
        session.add(LoginAttempt(email=email, at=now, succeeded=False))
        minutes = int(policy.window.total_seconds() // 60)
        raise LoginRefused("auth.login_locked", n=minutes)
    user = session.scalar(select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        session.add(LoginAttempt(email=email, at=now, succeeded=False))
        raise LoginRefused("auth.login_failed")
    session.add(LoginAttempt(email=email, at=now, succeeded=True))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None,
    roles: set[Role],
    municipality_id: int | None,
    actor_id: int | None = None,
) -> User:
    """Create a person with the given roles; the password may be set later (invitation)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("auth.email_invalid", email=email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("auth.email_taken", email=email)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("auth.password_too_short", min=MIN_PASSWORD_LENGTH)
    if {Role.COORDINATOR, Role.FACILITATOR} <= set(roles or ()):
        # Separation of duties (lms.orgs.facilitators): nobody coordinates and facilitates the same municipality.
        raise AccountError("auth.roles_separated")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=hash_password(password) if password else None,
        municipality_id=municipality_id,
    )
    for role in roles or {Role.LEARNER}:
        user.grant(role)
    session.add(user)
    session.flush()
    record_event(session, actor_id=actor_id, action="user.create", object_type="user", object_id=user.id)
    return user


TOKEN_PREFIX = "lms_"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the row and the secret, which is shown once and never stored."""
    name = name.strip() or "API-Token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=_token_digest(secret), prefix=secret[:10])
    session.add(token)
    session.flush()
    record_event(
        session, actor_id=user.id, action="api_token.create", object_type="api_token", object_id=token.id
    )
    return token, secret


def user_for_api_token(session: Session, secret: str) -> User | None:
    """The active owner of a valid, unrevoked token, or None."""
    token = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:
        return None
    token.last_used_at = clock.now()
    return token.user


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError("auth.token_unknown")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        record_event(
            session, actor_id=user.id, action="api_token.revoke", object_type="api_token", object_id=token.id
        )
