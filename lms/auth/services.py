"""Accounts: login with throttling, creating people, changing one's password, personal API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_local_part
from sqlalchemy import ColumnElement, Select, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import ApiToken, LoginAttempt, Role, ThrottleLock, User
from lms.auth.passwords import (
    PasswordRefused,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from lms.db import built_once
from lms.errors import Characters, ServiceError
from lms.text import CONTROL_CHARACTERS, normalised_name, unprintable_characters

#: The length of ``users.display_name``: a longer name is refused, not cut off (PostgreSQL would refuse it).
MAX_NAME = 200


class LoginRefused(ServiceError):
    """Login failed; the message is safe to show (it never says whether the account exists)."""


class AccountError(ServiceError, ValueError):
    """Creating or changing an account failed; the message is for people."""


@dataclass(frozen=True)
class LoginPolicy:
    """How many failed password checks within the window refuse further checks, per scope.

    Per account (``max_failures``) unless the attempt comes from a browser that has logged in to the account
    before (a trusted device, which has its own ``device_max_failures``), per client address and for the whole
    platform (``global_max_failures``; trusted devices are exempt, so an attack on everyone locks out no owner).
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    client_max_failures: int = 20
    global_max_failures: int = 300
    device_max_failures: int = 10


def normalise_email(email: str) -> str:
    """E-mail addresses are compared without surrounding spaces and case."""
    return email.strip().lower()


@functools.lru_cache(maxsize=1024)
def _domain_refusal(domain: str, smtputf8: bool) -> str | None:
    """None if the domain is valid, else the error code; cached: a staff list has tens of thousands of addresses
    and a handful of domains, and the domain check (IDNA) is most of email-validator's work."""
    try:
        validate_email("postmaster@" + domain, check_deliverability=False, allow_smtputf8=smtputf8)
    except EmailNotValidError:
        return "auth.email_invalid"
    return None if smtputf8 or domain.isascii() else "auth.email_not_ascii"


def check_email(email: str, *, smtputf8: bool = False) -> str:
    """The address normalised (lower case) if it is valid (email-validator, no DNS lookup); raises AccountError.

    Without a mail server that speaks SMTPUTF8 (``LMS_SMTP_UTF8``) a non-ASCII address cannot be delivered (its
    ``To:`` header would be invalid), so it is refused with its own message; so are internationalised domains.
    """
    email = normalise_email(email)
    local, at, domain = email.rpartition("@")
    if len(email) > 254 or not at or len(local) > 64:  # RFC 5321's limits
        raise AccountError("auth.email_invalid", email=email[:254])
    refusal = _domain_refusal(domain, smtputf8)
    if refusal is not None:
        raise AccountError(refusal, email=email)
    try:
        validate_email_local_part(local, allow_smtputf8=smtputf8)
    except EmailNotValidError:
        if not smtputf8 and not local.isascii():
            try:
                validate_email_local_part(local, allow_smtputf8=True)
            except EmailNotValidError:
                pass
            else:
                raise AccountError("auth.email_not_ascii", email=email) from None
        raise AccountError("auth.email_invalid", email=email) from None
    return email


def hold_lock(session: Session, name: str) -> None:
    """Lock the named row until this transaction ends, so that a count and the row it allows are one step.

    An upsert takes the row lock on PostgreSQL (concurrent holders wait for the commit) and makes the
    transaction the single writer on SQLite; either way no two decisions about one limit see the same count.
    """
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(ThrottleLock).values(name=name, touched_at=clock.now())
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[ThrottleLock.name], set_={"touched_at": statement.excluded.touched_at}
        )
    )


def recent_failures(session: Session, email: str, since: datetime) -> int:
    """Failed (or still running) password checks for this address since the given time."""
    return _failures(session, since, LoginAttempt.email == email)


def _failures(session: Session, since: datetime, *where: ColumnElement[bool]) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False), *where)
        )
        or 0
    )


def begin_login(
    session: Session,
    email: str,
    policy: LoginPolicy,
    *,
    client_key: str | None = None,
    device: str | None = None,
) -> LoginAttempt:
    """Decide whether a password may be checked now; if so, record the check as a failure until it succeeds.

    The decision is taken before any password hash is computed, so a refused attempt costs no argon2 work; it
    writes no row, so it neither counts nor extends a lock. ``device`` is the nonce of a trusted-device cookie
    that is valid for this address. Commit after this call, before ``finish_login``: the commit releases the
    lock and makes the pending check visible to every other worker.
    """
    email = normalise_email(email)
    now = clock.now()
    since = now - policy.window
    hold_lock(session, "login")  # one decision at a time, across workers and machines
    # Attempts hold e-mail addresses: keep no more than the window needs.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
    if device is not None:
        refused = _failures(session, since, LoginAttempt.device == device) >= policy.device_max_failures
    else:
        refused = (
            _failures(session, since, LoginAttempt.email == email) >= policy.max_failures
            or _failures(session, since) >= policy.global_max_failures
        )
    if not refused and client_key is not None:
        refused = (
            _failures(session, since, LoginAttempt.client_key == client_key) >= policy.client_max_failures
        )
    if refused:
        raise LoginRefused("auth.login_locked", n=int(policy.window.total_seconds() // 60))
    attempt = LoginAttempt(email=email, at=now, succeeded=False, client_key=client_key, device=device)
    session.add(attempt)
    session.flush()
    return attempt


def finish_login(session: Session, attempt: LoginAttempt, password: str) -> User:
    """Check the password for an attempt ``begin_login`` allowed; the attempt stays a failure unless it succeeds."""
    user = session.scalar(select(User).where(User.email == attempt.email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise LoginRefused("auth.login_failed")
    attempt.succeeded = True
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def authenticate(
    session: Session,
    email: str,
    password: str,
    policy: LoginPolicy,
    *,
    client_key: str | None = None,
    device: str | None = None,
) -> User:
    """Return the active user with these credentials, recording the attempt; raise LoginRefused otherwise.

    One transaction for both steps (the command line, tests); the web login commits in between.
    """
    attempt = begin_login(session, email, policy, client_key=client_key, device=device)
    return finish_login(session, attempt, password)


def checked_name(name: str) -> str:
    """A person's name as stored (runs of spaces and tabs as one space, NFC); raise AccountError if no certificate
    could carry it.

    Every way a name comes in passes here: forms, the command line, the staff list, the advisory board.
    """
    if CONTROL_CHARACTERS.search(name):  # before split(), which would turn some of them into spaces
        raise AccountError("auth.name_control_characters")
    name = normalised_name(name)
    if unprintable := unprintable_characters(name):
        raise AccountError("auth.name_unprintable", characters=Characters(tuple(unprintable)))
    if not name:
        raise AccountError("auth.name_missing")
    if len(name) > MAX_NAME:
        raise AccountError("auth.name_too_long", max=MAX_NAME)
    return name


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str | None,
    roles: set[Role],
    municipality_id: int | None,
    actor_id: int | None = None,
    smtputf8: bool = False,
) -> User:
    """Create a person with the given roles; the password may be set later (invitation)."""
    email = check_email(email, smtputf8=smtputf8)
    display_name = checked_name(display_name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("auth.email_taken", email=email)
    if password is not None:
        try:
            check_new_password(password, None, email=email, name=display_name)
        except PasswordRefused as refused:
            raise AccountError(refused.code, **refused.params) from None
    if Role.FACILITATOR in set(roles or ()) and {Role.COORDINATOR, Role.UNIT_MANAGER} & set(roles or ()):
        # Separation of duties (lms.orgs.facilitators): nobody coordinates and facilitates the same municipality.
        raise AccountError("auth.roles_separated")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password else None,
        municipality_id=municipality_id,
    )
    for role in roles or {Role.LEARNER}:
        user.grant(role)
    session.add(user)
    session.flush()
    record_event(session, actor_id=actor_id, action="user.create", object_type="user", object_id=user.id)
    return user


def set_reminder_switches(session: Session, user: User, *, reminders: bool, digest: bool) -> None:
    """Switch the person's reminder mails and (coordinators) weekly digest on or off."""
    user.has_reminders = reminders
    user.has_weekly_digest = digest
    session.flush()
    record_event(
        session,
        actor_id=user.id,
        action="user.reminders",
        object_type="user",
        object_id=user.id,
        reminders=reminders,
        digest=digest,
    )


def change_password(session: Session, user: User, *, current: str, new: str, confirmation: str) -> None:
    """Set a new password after checking the current one; raises PasswordRefused.

    The flush hook in ``lms.auth.sessions`` ends every session of the person; the view logs the asking browser in
    again. API tokens stay: the person changed the password knowingly, so nothing suggests they are in other hands.
    """
    if not verify_password(user.password_hash, current):
        raise PasswordRefused("auth.password_wrong")
    check_new_password(new, confirmation, email=user.email, name=user.display_name)
    user.password_hash = hash_password(new)
    record_event(session, actor_id=user.id, action="password.change", object_type="user", object_id=user.id)


TOKEN_PREFIX = "lms_"

#: How long a new API token may live (days), offered at creation; a year unless the person picks less.
TOKEN_LIFETIMES_DAYS = (30, 90, 365)
DEFAULT_TOKEN_DAYS = 365


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(
    session: Session, user: User, name: str, *, days: int = DEFAULT_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Create a personal API token valid ``days`` days; returns the row and the secret (shown once, never stored)."""
    if days not in TOKEN_LIFETIMES_DAYS:
        raise AccountError("auth.token_lifetime")
    name = name.strip() or "API-Token"
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=user.id,
        name=name[:100],
        token_hash=_token_digest(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    record_event(
        session, actor_id=user.id, action="api_token.create", object_type="api_token", object_id=token.id
    )
    return token, secret


#: A token's last use is recorded at most this often: a read through the API writes nothing in between.
TOKEN_USE_INTERVAL = timedelta(hours=1)


@built_once
def _valid_token() -> Select[ApiToken]:
    return (
        select(ApiToken)
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
        .where(
            ApiToken.token_hash == bindparam("token_hash"),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > bindparam("now"),
        )
    )


def user_for_api_token(session: Session, secret: str) -> User | None:
    """The active owner of a valid, unrevoked, unexpired token, or None (one query, roles included).

    The use is recorded in ``last_used_at`` when the last record is older than ``TOKEN_USE_INTERVAL``.
    """
    now = clock.now()
    token = (
        session.execute(_valid_token(), {"token_hash": _token_digest(secret), "now": now})
        .unique()
        .scalar_one_or_none()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_INTERVAL:
        token.last_used_at = now
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


def revoke_all_api_tokens(session: Session, user: User, *, actor_id: int | None) -> int:
    """Revoke every open token of the person (a password reset); returns how many."""
    now = clock.now()
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    if tokens:
        record_event(
            session, actor_id=actor_id, action="api_token.revoke_all", object_type="user", object_id=user.id
        )
    return len(tokens)
