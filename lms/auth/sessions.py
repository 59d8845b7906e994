"""Server-side login sessions: finding, touching and ending them (no flask; the web skin stores the cookie).

A session ends when its row is gone. Rows go on logout, when they idle or grow too old, when the person ends them under
„Angemeldete Geräte“, and — through the flush hook at the bottom — whenever a person's password, active state or roles
change, whichever service changed them. The cookie carries a random key; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, event, inspect, or_, select, update
from sqlalchemy.orm import Session, joinedload

from lms import time as clock
from lms.auth.models import LoginSession, TotpFactor, User
from lms.db import built_once

#: last_seen_at is written at most this often (the idle timeout is measured in minutes; no write on every page).
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: without activity (idle) and at most (absolute), per ASVS V3.3."""

    idle: timedelta
    absolute: timedelta


def new_key() -> str:
    """A random session key for the cookie (256 bits)."""
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """What the database keeps of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def is_expired(row: LoginSession, lifetimes: Lifetimes, now: datetime) -> bool:
    """Idle too long, or older than the absolute lifetime."""
    return now - row.last_seen_at >= lifetimes.idle or now - row.created_at >= lifetimes.absolute


@dataclass(frozen=True)
class FoundSession:
    """A live session row, with the person and their authenticator loaded by the same query.

    Whoever keeps this object keeps them in the database session's identity map (it holds objects weakly), so
    the request's later ``session.get(User, …)`` and ``session.get(TotpFactor, …)`` need no round trip.
    """

    row: LoginSession
    user: User | None
    factor: TotpFactor | None


@built_once
def _by_key() -> Select[LoginSession, User, TotpFactor]:
    return (
        select(LoginSession, User, TotpFactor)
        .outerjoin(User, User.id == LoginSession.user_id)
        .outerjoin(TotpFactor, TotpFactor.user_id == LoginSession.user_id)
        .options(joinedload(User.role_rows))
        .where(LoginSession.key_hash == bindparam("key_hash"))
    )


def find_session(session: Session, key: str, lifetimes: Lifetimes) -> FoundSession | None:
    """The live session for a cookie's key; an expired one is deleted and None returned.

    The person (with roles, municipality, org unit) and their authenticator come with the same query: one round
    trip answers „who is this“ for the whole request.
    """
    found = session.execute(_by_key(), {"key_hash": key_hash(key)}).unique().first()
    if found is None:
        return None
    row, user, factor = found
    if is_expired(row, lifetimes, clock.now()):
        session.delete(row)
        session.flush()
        return None
    return FoundSession(row, user, factor)


def touch_session(session: Session, row_id: int, now: datetime) -> bool:
    """Record activity on a session with one statement; False if the row is gone (ended elsewhere meanwhile)."""
    result = session.execute(update(LoginSession).where(LoginSession.id == row_id).values(last_seen_at=now))
    return bool(getattr(result, "rowcount", 0))


def prune_expired(session: Session, lifetimes: Lifetimes) -> int:
    """Delete every expired session (they hold CSRF tokens and user ids); returns how many."""
    now = clock.now()
    result = session.execute(
        delete(LoginSession).where(
            or_(
                LoginSession.last_seen_at <= now - lifetimes.idle,
                LoginSession.created_at <= now - lifetimes.absolute,
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def sessions_of(session: Session, user_id: int, lifetimes: Lifetimes) -> list[LoginSession]:
    """A person's live sessions, most recently used first."""
    now = clock.now()
    rows = session.scalars(
        select(LoginSession).where(LoginSession.user_id == user_id).order_by(LoginSession.last_seen_at.desc())
    )
    return [row for row in rows if not is_expired(row, lifetimes, now)]


def end_session_of(session: Session, user_id: int, session_id: int) -> bool:
    """End one of the person's own sessions (another person's id changes nothing); True if one ended."""
    result = session.execute(
        delete(LoginSession).where(LoginSession.id == session_id, LoginSession.user_id == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def end_sessions_of(session: Session, user_id: int, *, keep_id: int | None = None) -> None:
    """End all of a person's sessions, except ``keep_id`` (the browser that asked)."""
    statement = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_id is not None:
        statement = statement.where(LoginSession.id != keep_id)
    session.execute(statement)


#: Changes to these attributes of a person end all of their sessions.
_SECURITY_ATTRIBUTES = ("password_hash", "is_active", "role_rows")


@event.listens_for(Session, "before_flush")
def _end_sessions_on_security_change(session: Session, _context: Any, _instances: Any) -> None:
    """A new password, deactivation or a change of roles ends every session of that person (ASVS V3.3.3)."""
    changed = [
        user.id
        for user in session.dirty
        if isinstance(user, User)
        and user.id is not None
        and any(inspect(user).attrs[name].history.has_changes() for name in _SECURITY_ATTRIBUTES)
    ]
    if changed:
        # Core statement on the flush's connection: an ORM delete here would autoflush inside the flush.
        session.connection().execute(delete(LoginSession).where(LoginSession.user_id.in_(changed)))


_BROWSERS = (
    ("Edg/", "Microsoft Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS", "macOS"),
)


def describe_agent(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) from a User-Agent, enough for a person to recognise their device; '' if unknown."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next(
        (name for marker, name in _SYSTEMS if marker in user_agent), "Linux" if "Linux" in user_agent else ""
    )
    return browser, system
