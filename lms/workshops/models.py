"""Live sessions held in a municipality: empowerment workshops and in-person deliveries of training modules."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import ModuleVersion
from lms.db import Base, UTCDateTime, created_at, intpk
from lms.orgs.models import Municipality
from lms.progress.models import Completion


class SessionKind(StrEnum):
    """An empowerment workshop for the network, or a training module taught in person."""

    WORKSHOP = "workshop"
    TRAINING = "training"


class LiveSession(Base):
    """A session that was held: what (module or script version), when, where, by whom, for how many people."""

    __tablename__ = "live_sessions"
    __table_args__ = (
        CheckConstraint("kind IN ('workshop', 'training')", name="kind_known"),
        CheckConstraint("participant_count >= 0", name="participants_not_negative"),
        # The compliance report counts workshops per municipality within a period's dates.
        Index("ix_live_sessions_municipality_id_held_on", "municipality_id", "held_on"),
        # The daily purge of attendee names looks for old workshops that still hold names.
        Index("ix_live_sessions_held_on", "held_on"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    #: The exact version of the script or module that was used.
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    #: Workshops: the number the facilitators counted. Trainings: the attendees recorded.
    participant_count: Mapped[int] = mapped_column(Integer)
    #: Workshops only, optional: who took part, one name per line. Reveals a migration history (GDPR Art. 9):
    #: shown only to the facilitators recorded for this workshop, never in a report, export or the API; deleted
    #: after the retention period, on withdrawal or on a facilitator's request (lms.workshops.names).
    attendee_names: Mapped[str | None] = mapped_column(Text)
    #: When the names were deleted (None: never held names, or still holds them).
    names_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Facilitators without an account here, e.g. „Aylin K. (Netzwerk Offenbach)“.
    external_facilitators: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    #: A session recorded by mistake is withdrawn (with a reason), never deleted; it no longer counts.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")
    facilitator_links: Mapped[list[SessionFacilitator]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def facilitator_ids(self) -> set[int]:
        """Accounts that ran the session."""
        return {link.user_id for link in self.facilitator_links}


class SessionFacilitator(Base):
    """A person with an account who ran a session (they, and only they among facilitators, see it)."""

    __tablename__ = "session_facilitators"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class SessionAttendance(Base):
    """One attendee of an in-person training, and the completion that attendance created (if it created one)."""

    __tablename__ = "session_attendances"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: None when the person had already completed this module version before the session.
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"))

    completion: Mapped[Completion | None] = relationship()


class ParticipationCode(Base):
    """A one-time code a facilitator hands out at a workshop; a participant redeems it for a private certificate.

    Only a digest of the code is kept, and not who redeemed it: the link between a person and a workshop exists
    only in that person's own participation certificate (which names neither the workshop nor its script).
    """

    __tablename__ = "participation_codes"

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the normalised code (the code itself is printed once and never stored).
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CodeRedemptionFailure(Base):
    """One failed redemption of a participation code, counted per person to stop guessing codes.

    Holds only who failed and when (no code, no workshop); rows older than the window are deleted as new ones are
    written.
    """

    __tablename__ = "code_redemption_failures"
    __table_args__ = (Index("ix_code_redemption_failures_user_id_at", "user_id", "at"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class RegistrationStatus(StrEnum):
    """Where a registration for a planned session stands."""

    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class PlannedSession(Base):
    """A training or workshop scheduled ahead: staff register for it; once held it is recorded as a LiveSession."""

    __tablename__ = "planned_sessions"
    __table_args__ = (
        CheckConstraint("kind IN ('workshop', 'training')", name="kind_known"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        # The list of upcoming sessions per municipality, and the reminders of a day.
        Index("ix_planned_sessions_municipality_id_held_on", "municipality_id", "held_on"),
        Index("ix_planned_sessions_held_on", "held_on"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    #: The version of the script or module planned; the record may name a newer one.
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    #: The calendar day in Europe/Berlin.
    held_on: Mapped[date] = mapped_column(Date)
    #: Start and end, wall-clock time in Europe/Berlin.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    external_facilitators: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
    #: A session called off; registrations stay for the record, nobody can register any more.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The record made from it on the day (the attendance page), once recorded.
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"))

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")
    facilitator_links: Mapped[list[PlannedSessionFacilitator]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def facilitator_ids(self) -> set[int]:
        """Accounts that will run the session."""
        return {link.user_id for link in self.facilitator_links}


class PlannedSessionFacilitator(Base):
    """A person with an account who will run a planned session."""

    __tablename__ = "planned_session_facilitators"

    planned_session_id: Mapped[int] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class SessionRegistration(Base):
    """One person's registration for a planned session: registered, on the waiting list, or cancelled.

    For a workshop this row says that the person belongs to the empowerment network (GDPR Art. 9): only the
    municipality's facilitators see it by name (lms.scope.may_see_network_names), and the person themselves.
    """

    __tablename__ = "session_registrations"
    __table_args__ = (
        UniqueConstraint("planned_session_id", "user_id"),
        CheckConstraint("status IN ('registered', 'waiting', 'cancelled')", name="status_known"),
    )

    id: Mapped[intpk]
    planned_session_id: Mapped[int] = mapped_column(
        ForeignKey("planned_sessions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    #: When the person (last) registered: the waiting list is in this order.
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the reminder the day before was queued (once per registration).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    planned_session: Mapped[PlannedSession] = relationship()


class NetworkMember(Base):
    """A member of a municipality's empowerment network (GDPR Art. 9): asked by its facilitators, a member once
    they agreed themselves (``consented_at``; until then a request that waits for their answer).

    Only the municipality's facilitators see the members by name; the row is deleted (not flagged) when the person
    leaves or declines, and audit events name neither the person nor the row's content.
    """

    __tablename__ = "network_members"
    __table_args__ = (UniqueConstraint("municipality_id", "user_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[created_at]
    #: When the person agreed, on the platform (the record GDPR Art. 7(1) asks for); None while the request waits.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The wording they agreed to (lms.workshops.network.CONSENT_TEXTS); „in_person“ for members added before the
    #: platform asked them itself (the facilitators had asked in person).
    consent_version: Mapped[str | None] = mapped_column(String(20))

    @hybrid_property
    def has_agreed(self) -> bool:
        """A member (the person agreed), not a request that waits for its answer; in a query, the condition."""
        return self.consented_at is not None

    @has_agreed.inplace.expression
    @classmethod
    def _has_agreed_expression(cls) -> ColumnElement[bool]:
        return cls.consented_at.is_not(None)
