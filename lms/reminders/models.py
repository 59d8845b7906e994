"""The record of reminder mails sent: each kind at most once per person and occasion."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, UTCDateTime, intpk


class ReminderKind(StrEnum):
    """Why a reminder goes out."""

    #: A module of the person's training plan is due in 14 days (or fewer) and not completed.
    DUE_SOON = "due_soon"
    #: Its due date has passed and it is still not completed.
    OVERDUE = "overdue"
    #: A completion's validity ends within 30 days and nothing newer renews it.
    EXPIRY = "expiry"
    #: A module the person completed has a new version with a material change.
    MATERIAL_CHANGE = "material_change"
    #: The coordinator's weekly digest of their municipality.
    DIGEST = "digest"


KINDS = tuple(kind.value for kind in ReminderKind)


class SentReminder(Base):
    """One reminder that went to the job queue; the unique key makes `lms reminders send` safe to repeat daily."""

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "occasion"),
        CheckConstraint(
            "kind IN ('due_soon', 'overdue', 'expiry', 'material_change', 'digest')", name="kind_known"
        ),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    #: What the reminder is about, e.g. "assignment:12:2026-12-10" (a plan line and its due date), "completion:55",
    #: "version:9", "week:2026-W48": a moved due date or a new week is a new occasion.
    occasion: Mapped[str] = mapped_column(String(80))
    #: The module it is about (None for the digest); the mail names it and links to it.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    #: For a material change: the new version.
    module_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_versions.id", ondelete="CASCADE")
    )
    #: The due date (plan reminders) or the last valid day (expiry).
    day: Mapped[date | None] = mapped_column(Date)
    #: When it was recorded and handed to the job queue.
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
