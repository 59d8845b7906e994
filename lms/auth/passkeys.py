"""Passkeys (WebAuthn) as second factor: registering, using, renaming and removing them (no flask).

py_webauthn builds the options and verifies the browser's answers (CBOR, COSE, signatures); this module keeps the
state around it. Every ceremony has a challenge that is bound to one person and one purpose, lives five minutes
and is used once (``WebAuthnChallenge``). The relying party (its ID and origin) comes from the edge, which knows
the settings and the request.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.mfa import has_confirmed_factor, has_totp, issue_recovery_codes
from lms.auth.models import RecoveryCode, Role, User, WebAuthnChallenge, WebAuthnCredential
from lms.errors import ServiceError

if TYPE_CHECKING:
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor

# py_webauthn (with cryptography, pyOpenSSL, pyasn1: about 15 MiB) is imported inside the ceremonies below: most
# requests never see a passkey, and every web worker would otherwise carry it (bench/README.md, memory).

#: How long a challenge is valid (the browser's own timeout is the same).
CHALLENGE_LIFETIME = timedelta(minutes=5)
NAME_MAX = 100
REGISTER = "register"
LOGIN = "login"


class PasskeyError(ServiceError):
    """A passkey ceremony or change was refused; the message is for people."""


@dataclass(frozen=True)
class RelyingParty:
    """Who asks for the passkey: the domain (RP ID), the exact origin the browser reports, a name people see."""

    id: str
    origin: str
    name: str = "Lernplattform Kommunen für alle"


def passkeys_of(session: Session, user_id: int) -> list[WebAuthnCredential]:
    """The person's passkeys, oldest first."""
    return list(
        session.scalars(
            select(WebAuthnCredential)
            .where(WebAuthnCredential.user_id == user_id)
            .order_by(WebAuthnCredential.created_at, WebAuthnCredential.id)
        )
    )


def clean_name(name: str) -> str:
    """The name as stored (spaces trimmed); refused if empty or too long."""
    name = " ".join(name.split())
    if not name:
        raise PasskeyError("passkey.name_missing")
    if len(name) > NAME_MAX:
        raise PasskeyError("passkey.name_too_long", max=NAME_MAX)
    return name


# --- challenges ----------------------------------------------------------------------------------------------


def _digest(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _new_challenge(session: Session, user: User, purpose: str) -> bytes:
    """A fresh random challenge for the person and purpose; it replaces their earlier one for that purpose (one
    ceremony at a time, so the table stays small), and expired ones of everybody are deleted."""
    session.execute(
        delete(WebAuthnChallenge).where(
            or_(
                WebAuthnChallenge.created_at < clock.now() - CHALLENGE_LIFETIME,
                and_(WebAuthnChallenge.user_id == user.id, WebAuthnChallenge.purpose == purpose),
            )
        )
    )
    challenge = secrets.token_bytes(32)
    session.add(WebAuthnChallenge(challenge_hash=_digest(challenge), user_id=user.id, purpose=purpose))
    session.flush()
    return challenge


def _use_challenge(session: Session, user: User, purpose: str, challenge: bytes) -> None:
    """Use up the challenge; refused if it is unknown, for someone or something else, used or expired."""
    result = session.execute(
        delete(WebAuthnChallenge).where(
            WebAuthnChallenge.challenge_hash == _digest(challenge),
            WebAuthnChallenge.user_id == user.id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.created_at >= clock.now() - CHALLENGE_LIFETIME,
        )
    )
    # Of two requests with the same challenge at the same moment, only one deletes the row.
    if getattr(result, "rowcount", 0) != 1:
        raise PasskeyError("passkey.expired")


def _descriptors(rows: Iterable[WebAuthnCredential]) -> list[PublicKeyCredentialDescriptor]:
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import AuthenticatorTransport, PublicKeyCredentialDescriptor

    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(row.credential_id),
            transports=[AuthenticatorTransport(t) for t in row.transports.split(",") if t in known] or None,
        )
        for row in rows
    ]


def _timeout_ms() -> int:
    return int(CHALLENGE_LIFETIME.total_seconds() * 1000)


# --- registering ---------------------------------------------------------------------------------------------


def registration_options(
    session: Session, user: User, rp: RelyingParty, user_handle: bytes
) -> tuple[str, bytes]:
    """The options for ``navigator.credentials.create`` (JSON) and their challenge, which the session keeps.

    ``user_handle`` identifies the account to the authenticator without naming the person (the edge derives it).
    """
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AttestationConveyancePreference,
        AuthenticatorSelectionCriteria,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    challenge = _new_challenge(session, user, REGISTER)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_name=user.email,
        user_id=user_handle,
        user_display_name=user.display_name,
        challenge=challenge,
        timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        # The same authenticator twice would be no second device; the browser says so before anything is made.
        exclude_credentials=_descriptors(passkeys_of(session, user.id)),
    )
    return options_to_json(options), challenge


def register_passkey(
    session: Session, user: User, rp: RelyingParty, *, challenge: bytes, credential: Any, name: str
) -> tuple[WebAuthnCredential, list[str]]:
    """Store the new passkey from the browser's answer; returns it and, for a first factor, the recovery codes."""
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url, parse_registration_credential_json

    name = clean_name(name)
    _use_challenge(session, user, REGISTER, challenge)
    try:
        parsed = parse_registration_credential_json(credential)
        verified = verify_registration_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin
        )
    except Exception as error:  # py_webauthn's own errors and anything a malformed answer raises deeper down
        raise PasskeyError("passkey.invalid") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(WebAuthnCredential.id).where(WebAuthnCredential.credential_id == credential_id)):
        raise PasskeyError("passkey.already_registered")
    first = not has_confirmed_factor(session, user.id)
    row = WebAuthnCredential(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(t.value for t in parsed.response.transports or [])[:200],
        name=name,
    )
    session.add(row)
    codes = issue_recovery_codes(session, user) if first else []
    session.flush()
    record_event(
        session,
        actor_id=user.id,
        action="mfa.passkey_added",
        object_type="user",
        object_id=user.id,
        name=name,
    )
    return row, codes


# --- logging in ----------------------------------------------------------------------------------------------


def authentication_options(session: Session, user: User, rp: RelyingParty) -> tuple[str, bytes]:
    """The options for ``navigator.credentials.get`` (JSON, the person's passkeys allowed) and their challenge."""
    rows = passkeys_of(session, user.id)
    if not rows:
        raise PasskeyError("passkey.none")
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    challenge = _new_challenge(session, user, LOGIN)
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=_timeout_ms(),
        allow_credentials=_descriptors(rows),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), challenge


def verify_passkey(
    session: Session, user: User, rp: RelyingParty, *, challenge: bytes, credential: Any
) -> WebAuthnCredential:
    """Check the browser's answer at login against one of the person's passkeys; refused with a PasskeyError."""
    from webauthn import verify_authentication_response

    _use_challenge(session, user, LOGIN, challenge)
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    row = (
        session.scalar(
            select(WebAuthnCredential).where(
                WebAuthnCredential.credential_id == credential_id, WebAuthnCredential.user_id == user.id
            )
        )
        if isinstance(credential_id, str) and len(credential_id) <= 1400
        else None
    )
    if row is None:  # removed meanwhile, or another person's passkey
        raise PasskeyError("passkey.unknown")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=row.public_key,
            # 0: the counter is compared below, after the signature is known to be genuine.
            credential_current_sign_count=0,
        )
    except Exception as error:  # py_webauthn's own errors and anything a malformed answer raises deeper down
        raise PasskeyError("passkey.invalid") from error
    new_count = verified.new_sign_count
    if (new_count > 0 or row.sign_count > 0) and new_count <= row.sign_count:
        # A genuine signature with a counter that went back: two authenticators share this key (a clone).
        record_event(
            session,
            actor_id=user.id,
            action="mfa.passkey_sign_count",
            object_type="user",
            object_id=user.id,
            passkey=row.name,
            stored=row.sign_count,
            received=new_count,
        )
        raise PasskeyError("passkey.cloned")
    row.sign_count = new_count
    row.last_used_at = clock.now()
    return row


# --- managing ------------------------------------------------------------------------------------------------


def own_passkey(session: Session, user: User, passkey_id: int) -> WebAuthnCredential:
    """One of the person's own passkeys (another person's id is refused like an unknown one)."""
    row = session.get(WebAuthnCredential, passkey_id)
    if row is None or row.user_id != user.id:
        raise PasskeyError("passkey.not_found")
    return row


def rename_passkey(session: Session, user: User, passkey_id: int, name: str) -> WebAuthnCredential:
    """Give one of one's passkeys a new name."""
    row = own_passkey(session, user, passkey_id)
    row.name = clean_name(name)
    return row


def remove_passkey(session: Session, user: User, passkey_id: int, required: Iterable[Role]) -> None:
    """Remove one of one's passkeys (audited). The last factor of a person whose role requires one stays;
    without any factor left, the recovery codes go too (a new first factor brings new ones)."""
    row = own_passkey(session, user, passkey_id)
    others = session.scalar(
        select(WebAuthnCredential.id).where(
            WebAuthnCredential.user_id == user.id, WebAuthnCredential.id != row.id
        )
    )
    last = others is None and not has_totp(session, user.id)
    if last and user.has_role(*required):
        raise PasskeyError("passkey.last_factor")
    session.delete(row)
    if last:
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event(
        session,
        actor_id=user.id,
        action="mfa.passkey_removed",
        object_type="user",
        object_id=user.id,
        name=row.name,
    )
    session.flush()
