"""A background job: what is to be done, how far it got, how it ended."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONDocument, UTCDateTime, created_at, intpk


class JobState(StrEnum):
    """Where a job is: waiting (first time or for a retry), being worked on, finished, given up."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """One piece of background work and its record for the initiator and the programme office."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        Index("ix_jobs_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_jobs_subject", "subject_type", "subject_id"),
    )

    id: Mapped[intpk]
    #: What the job does, a key of ``lms.jobs.runner`` 's handlers, e.g. "invitations".
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED.value)
    #: What the handler needs (ids, dates; never a secret or a mail address).
    params: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: The record the job belongs to, e.g. ("staff_import", 12): its page shows the job's progress.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    #: Its coordinators may follow the job too (None: programme-wide).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[created_at]
    attempts: Mapped[int] = mapped_column(default=0)
    #: The job counts as failed after this many attempts; „Erneut versuchen“ allows as many again.
    max_attempts: Mapped[int] = mapped_column(default=5)
    #: When a queued job is due (None: at once); after a failed attempt, the moment of the next one.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last attempt's error: its kind and message, with mail addresses replaced (no personal data).
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Items done of the total (mails sent, certificates written); the handler's resume point after a failure.
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    #: Counts the initiator sees besides the progress, e.g. {"refused": 2, "skipped": 1}.
    outcome: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    #: The file the job produced, relative to LMS_JOB_FILES_DIR, and the name it is downloaded under.
    result_path: Mapped[str | None] = mapped_column(String(200))
    result_name: Mapped[str | None] = mapped_column(String(200))
    #: After this moment the file is deleted and its link no longer works.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE.value, JobState.FAILED.value)

    @property
    def percent(self) -> int | None:
        """How far the job got, 0–100; None while the total is unknown."""
        if not self.progress_total:
            return 100 if self.state == JobState.DONE.value else None
        return min(100, self.progress_done * 100 // self.progress_total)
