"""The second factor: TOTP (RFC 6238) with an authenticator app, and single-use recovery codes (no flask).

Passkeys (``lms.auth.passkeys``) are the other kind of second factor; a person has one as soon as they have a
confirmed authenticator or at least one passkey, and then gets recovery codes (once, with the first factor).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

import pyotp
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import RecoveryCode, Role, TotpFactor, User, WebAuthnCredential

ISSUER = "Kommunen für alle"
RECOVERY_CODES = 10
#: Codes of the step before and after the current one are accepted too (clocks of phones drift).
WINDOW = 1
#: The roles that must have a second factor unless the setting says otherwise (LMS_MFA_REQUIRED_ROLES).
DEFAULT_REQUIRED_ROLES = (Role.ADMIN, Role.TRAINER, Role.COORDINATOR, Role.FACILITATOR, Role.UNIT_MANAGER)


def parse_roles(raw: str) -> frozenset[Role]:
    """The roles named in a comma-separated setting (unknown names are an error)."""
    return frozenset(Role(part.strip()) for part in raw.split(",") if part.strip())


def factor_of(session: Session, user_id: int) -> TotpFactor | None:
    """The person's authenticator, confirmed or still being set up."""
    return session.get(TotpFactor, user_id)


def has_totp(session: Session, user_id: int) -> bool:
    """True if the person's authenticator app is confirmed (its codes are accepted at login)."""
    factor = factor_of(session, user_id)
    return factor is not None and factor.confirmed_at is not None


def passkey_count(session: Session, user_id: int) -> int:
    """How many passkeys the person has registered."""
    return int(
        session.scalar(
            select(func.count()).select_from(WebAuthnCredential).where(WebAuthnCredential.user_id == user_id)
        )
        or 0
    )


def has_confirmed_factor(session: Session, user_id: int) -> bool:
    """True if the person has a second factor (a confirmed app or a passkey): it is asked for at login."""
    return has_totp(session, user_id) or bool(
        session.scalar(select(exists().where(WebAuthnCredential.user_id == user_id)))
    )


def needs_setup(session: Session, user: User, required: Iterable[Role]) -> bool:
    """True if the person's roles require a second factor that they have not confirmed yet."""
    return user.has_role(*required) and not has_confirmed_factor(session, user.id)


def issue_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new single-use recovery codes (earlier ones no longer work); returned readable, stored as SHA-256."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def begin_setup(session: Session, user: User) -> TotpFactor:
    """A new unconfirmed authenticator for the person (an earlier unconfirmed one is replaced)."""
    factor = factor_of(session, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise ValueError("already confirmed")
    if factor is None:
        factor = TotpFactor(user_id=user.id, secret=pyotp.random_base32())
        session.add(factor)
        session.flush()
    return factor


def provisioning_uri(factor: TotpFactor, email: str) -> str:
    """The otpauth:// URI the QR code carries (also shown as text for manual entry)."""
    return pyotp.TOTP(factor.secret).provisioning_uri(name=email, issuer_name=ISSUER)


def _accept_totp(factor: TotpFactor, code: str) -> bool:
    """Check a 6-digit code within the window; a step at or before the last accepted one is refused (replay)."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    totp = pyotp.TOTP(factor.secret)
    now = clock.now()
    current = totp.timecode(now)
    for offset in range(-WINDOW, WINDOW + 1):
        step = current + offset
        if factor.last_step is not None and step <= factor.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_step = step
            return True
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _normalise_recovery(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def confirm_setup(session: Session, user: User, code: str) -> list[str] | None:
    """Confirm the authenticator with a first code, None if wrong; returns the recovery codes (shown once) if it
    is the person's first factor, an empty list if they had a passkey already (and with it their codes)."""
    factor = factor_of(session, user.id)
    if factor is None or factor.confirmed_at is not None or not _accept_totp(factor, code):
        return None
    first = not has_confirmed_factor(session, user.id)
    factor.confirmed_at = clock.now()
    readable = issue_recovery_codes(session, user) if first else []
    record_event(session, actor_id=user.id, action="mfa.confirmed", object_type="user", object_id=user.id)
    session.flush()
    return readable


def verify_second_factor(session: Session, user: User, code: str) -> bool:
    """A code from the app or an unused recovery code (which is then used up); False otherwise."""
    factor = factor_of(session, user.id)
    if factor is not None and factor.confirmed_at is not None and _accept_totp(factor, code):
        return True
    if not has_confirmed_factor(session, user.id):
        return False
    if len(_normalise_recovery(code)) != 10:
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = clock.now()
    record_event(
        session, actor_id=user.id, action="mfa.recovery_code_used", object_type="user", object_id=user.id
    )
    return True


def reset_factor(session: Session, actor: User, person: User) -> bool:
    """The programme office removes a person's authenticator, passkeys and recovery codes (audited); True if there
    was a factor."""
    factor = factor_of(session, person.id)
    passkeys = passkey_count(session, person.id)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == person.id))
    session.execute(delete(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id))
    if factor is not None:
        session.delete(factor)
    record_event(
        session,
        actor_id=actor.id,
        action="mfa.reset",
        object_type="user",
        object_id=person.id,
        app=factor is not None and factor.confirmed_at is not None,
        passkeys=passkeys,
    )
    session.flush()
    return (factor is not None and factor.confirmed_at is not None) or passkeys > 0
