"""Accounts, roles, personal API tokens and the login-attempt log used for throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import time as clock
from lms.db import Base, ImmutableError, UTCDateTime, created_at, intpk
from lms.text import N_

if TYPE_CHECKING:
    from lms.orgs.models import Municipality, OrgUnit


class Role(StrEnum):
    """What a person may do; one person can hold several roles."""

    LEARNER = "learner"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    #: Runs empowerment workshops for the network of staff with a migration history of one municipality.
    FACILITATOR = "facilitator"
    #: Member of a municipality's local advisory board (Beirat): reads its aggregates, records its assessment.
    ADVISORY_BOARD = "advisory_board"
    #: Head of one or more org units of a municipality: sees the training progress of the staff of those units only,
    #: nothing of the empowerment network (the units are ``User.managed_units``).
    UNIT_MANAGER = "unit_manager"


#: German msgids; the web layer shows them with ``_()``, the CLI as they are.
ROLE_LABELS = {
    Role.LEARNER: N_("Lernende"),
    Role.TRAINER: N_("Trainer/in"),
    Role.COORDINATOR: N_("Koordination"),
    Role.ADMIN: N_("Programmbüro (Administration)"),
    Role.FACILITATOR: N_("Moderation Empowerment"),
    Role.ADVISORY_BOARD: N_("Beirat"),
    Role.UNIT_MANAGER: N_("Leitung Organisationseinheit"),
}


class User(Base):
    """A person with an account: staff of a municipality, a trainer or the programme office."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("municipality_id", "personnel_number"),)

    id: Mapped[intpk]
    #: Stored in lower case; the login name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    #: argon2id hash; None while an invited person has not yet set a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: None for people who work for the whole programme (trainers, programme office).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: Deactivated people keep their history but cannot log in.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: When the person was last deactivated (None while active); reports count staff as of a day with it.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The municipality whose local advisory board (Beirat) the person sits on, with the role advisory_board.
    #: Apart from ``municipality_id`` (the employer): most members are not staff and must not count as staff.
    board_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: Fachbereich/Amt from the municipality's staff list.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    #: The municipality's own staff number (Personalnummer), optional; unique within the municipality.
    personnel_number: Mapped[str | None] = mapped_column(String(50))
    #: Preferred interface language; None = from the browser, German by default.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: Reminder mails (due and overdue modules, expiring completions, material changes); off in the profile.
    has_reminders: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: The coordinator's weekly digest (due soon, overdue, status of the period); a switch of its own.
    has_weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[created_at]

    municipality: Mapped[Municipality | None] = relationship(lazy="joined", foreign_keys=[municipality_id])
    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    #: The org units a unit manager leads (table unit_managers, lms.orgs.models.UnitManager); loaded only when asked.
    managed_units: Mapped[list[OrgUnit]] = relationship(secondary="unit_managers", lazy="select")

    @property
    def managed_unit_ids(self) -> frozenset[int]:
        """The ids of the org units this person leads (empty without the role unit_manager)."""
        if Role.UNIT_MANAGER not in self.roles:
            return frozenset()
        return frozenset(unit.id for unit in self.managed_units)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this person holds."""
        return frozenset(Role(row.role) for row in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        """True if the person holds any of the given roles."""
        return bool(self.roles.intersection(roles))

    def grant(self, role: Role) -> None:
        """Add a role (no-op if already held)."""
        if role not in self.roles:
            self.role_rows.append(UserRole(role=role.value))

    # Flask-Login's protocol, written out so the model does not import flask_login.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


@event.listens_for(User, "before_update")
def _employer_is_fixed(_mapper: Any, _connection: Any, target: User) -> None:
    """A person's municipality is set when the account is made and never changes.

    Every figure of a period counts people where they work, and the programme summary (lms.reports.summary) keeps
    those counts as completions arrive; a person moved to another municipality would leave both behind. Someone who
    changes employer is deactivated in the one and invited in the other (with the new employer's e-mail address),
    which keeps each municipality's history as it was.
    """
    if inspect(target).attrs.municipality_id.history.has_changes():
        raise ImmutableError(
            "a person's municipality never changes; deactivate the account and invite the person in the other one"
        )


class UserRole(Base):
    """One role held by one person."""

    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('learner', 'trainer', 'coordinator', 'admin', 'facilitator', 'advisory_board', 'unit_manager')",
            name="role_known",
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(Base):
    """A personal token for the JSON API; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: hex SHA-256 of the secret token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so a person can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[created_at]
    #: The API refuses the token from then on (ASVS 3.5: tokens do not live for ever); chosen at creation.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Recorded at most once an hour (``TOKEN_USE_INTERVAL``), so reading through the API writes next to nothing.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    def is_expired(self, now: datetime) -> bool:
        """True from the token's expiry on."""
        return self.expires_at <= now


class LoginAttempt(Base):
    """One password check; kept in the database so throttling works across processes and machines.

    The row is written (as a failure) before the password is checked and marked as succeeded afterwards, so
    checks running at the same moment already count against each other. A refused attempt writes no row: it
    costs no password check and does not extend a lock. Rows older than the login window are deleted as new
    ones are written (they hold e-mail addresses).
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_client_key_at", "client_key", "at"),
        Index("ix_login_attempts_device_at", "device", "at"),
        Index("ix_login_attempts_at", "at"),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254))
    at: Mapped[created_at]
    succeeded: Mapped[bool] = mapped_column(Boolean)
    #: A keyed hash of the client address (the address itself is not stored).
    client_key: Mapped[str | None] = mapped_column(String(64))
    #: The nonce of the trusted-device cookie the attempt came with, if it was trusted for this account.
    device: Mapped[str | None] = mapped_column(String(64))


class ThrottleLock(Base):
    """A row that decisions about one rate limit lock (upsert), so counting and recording happen one at a time."""

    __tablename__ = "throttle_locks"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PasswordResetRequest(Base):
    """One „Passwort vergessen“ request, counted per address and per client so the limits hold across processes.

    ``key`` is a keyed hash ("address:…" or "client:…"); neither the e-mail address nor the IP address is stored.
    """

    __tablename__ = "password_reset_requests"
    __table_args__ = (Index("ix_password_reset_requests_key_at", "key", "at"),)

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class InvitationPurpose(StrEnum):
    """Why a password link was sent."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class Invitation(Base):
    """A single-use, expiring link to set one's password; only the SHA-256 of its token is stored."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("purpose IN ('invitation', 'password_reset')", name="purpose_known"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: hex SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20), default=InvitationPurpose.INVITATION.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Set when the link was used, or when a newer link replaced it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class LoginSession(Base):
    """A browser's session, kept on the server: the cookie holds only a random key, whose SHA-256 is stored here.

    Ending a session is deleting its row, so a copied cookie is worthless after logout, a password change,
    deactivation or a change of roles (see ``lms.auth.sessions``), on every web process at once.
    """

    __tablename__ = "login_sessions"

    id: Mapped[intpk]
    #: hex SHA-256 of the key in the cookie (a copy of the database gives no usable cookie).
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The logged-in person; None while nobody is logged in (the login page's CSRF token lives here too).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The session's data (Flask's tagged JSON: CSRF token, messages, Flask-Login's keys).
    data: Mapped[str] = mapped_column(Text, default="")
    #: The browser's own description (User-Agent), shortened; shown under „Angemeldete Geräte“.
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[created_at]
    #: Updated at most once a minute; the idle timeout counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class TotpFactor(Base):
    """A person's authenticator app (TOTP, RFC 6238); counts as second factor once confirmed with a code."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: Base32 shared secret: the server must know it to check codes, so it cannot be hashed. It is shown only while
    #: the person sets the factor up (before confirmation) and never again; a reset replaces it.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created_at]
    #: None while the person has not yet entered a first code; only a confirmed factor is asked for at login.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The 30-second time-step of the last accepted code: a code of that step or earlier is refused (replay).
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """A single-use code for when the authenticator app is lost; only its SHA-256 is stored, it is shown once."""

    __tablename__ = "recovery_codes"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebAuthnCredential(Base):
    """A passkey (WebAuthn credential) of a person; counts as second factor. A person may register several."""

    __tablename__ = "webauthn_credentials"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The authenticator's credential ID, base64url-encoded as browsers send it (at most 1023 bytes, spec).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    #: The COSE-encoded public key from the registration: it checks the signature of every later login. No secret.
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    #: The authenticator's signature counter at the last use; a later count not above it (unless both are 0, as
    #: with synced passkeys) means a cloned authenticator: refused and audited.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    #: How the browser reaches the authenticator („internal“, „usb“, „hybrid“ …), comma-separated; a hint at login.
    transports: Mapped[str] = mapped_column(String(200), default="")
    #: The person's own name for it, e.g. „Laptop Büro“.
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebAuthnChallenge(Base):
    """A challenge handed to a browser for one passkey ceremony: one person, one purpose, used once, 5 minutes.

    The session holds the challenge itself; this row (its SHA-256) makes it single-use even if a copy of the
    session (the signed cookie before login) is sent again. Expired rows are deleted as new ones are written.
    """

    __tablename__ = "webauthn_challenges"
    __table_args__ = (CheckConstraint("purpose IN ('register', 'login')", name="purpose_known"),)

    id: Mapped[intpk]
    #: hex SHA-256 of the challenge.
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: „register“ (a new passkey in the profile) or „login“ (the second step of a login).
    purpose: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
