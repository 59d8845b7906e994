"""Barrier reports („Barriere melden“) and the log of submissions that rate-limits the public form."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, UTCDateTime, created_at, intpk


class ReportStatus(enum.StrEnum):
    """Where the programme office stands with a report."""

    NEW = "neu"
    IN_PROGRESS = "in_bearbeitung"
    DONE = "erledigt"


class BarrierReport(Base):
    """A barrier someone met on the platform, sent through the public form (no account needed)."""

    __tablename__ = "barrier_reports"

    id: Mapped[intpk]
    #: The page where the barrier is, as the person typed it (optional, not checked beyond length).
    page_url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text)
    #: Where the programme office may answer (optional; the person decides whether to give one).
    contact_email: Mapped[str | None] = mapped_column(String(254))
    #: ``ReportStatus`` value.
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.NEW.value)
    created_at: Mapped[created_at]
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BarrierReportSubmission(Base):
    """One sent report per client; kept in the database so the rate limit holds across workers, pruned as it goes."""

    __tablename__ = "barrier_report_submissions"
    __table_args__ = (Index("ix_barrier_report_submissions_client_at", "client_key", "at"),)

    id: Mapped[intpk]
    #: A keyed hash of the client address (the address itself is not stored).
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
