"""What a person has read, and the append-only record of finished modules."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import time as clock
from lms.content.models import Module, ModuleVersion
from lms.db import Base, ImmutableError, UTCDateTime, created_at, intpk


class CompletionMode(StrEnum):
    """How the module was completed."""

    ONLINE = "online"
    IN_PERSON = "in_person"


class SectionRead(Base):
    """A person opened a section; the latest one is where they resume."""

    __tablename__ = "section_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("module_sections.id"), primary_key=True, index=True)
    first_read_at: Mapped[created_at]
    last_read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Completion(Base):
    """A finished module: bound to the exact version, never altered; corrections are new rows."""

    __tablename__ = "completions"
    __table_args__ = (
        UniqueConstraint("user_id", "module_version_id"),
        CheckConstraint("mode IN ('online', 'in_person')", name="mode_known"),
        # Reports select a period's completions by date; on PostgreSQL the index alone answers who and which module.
        Index("ix_completions_completed_at", "completed_at", postgresql_include=["user_id", "module_id"]),
        # A municipality's report looks up its staff's completions: person, module and date from the index alone.
        Index(
            "ix_completions_user_id_module_id",
            "user_id",
            "module_id",
            "completed_at",
            postgresql_include=["mode"],
        ),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Denormalised from the version so reports can group by module without a join.
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), index=True)
    #: The passing attempt (None for in-person completions); unique, so one attempt makes at most one completion.
    quiz_attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempts.id"), unique=True)
    score_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    mode: Mapped[str] = mapped_column(String(20), default=CompletionMode.ONLINE.value)
    completed_at: Mapped[created_at]

    module: Mapped[Module] = relationship(lazy="joined")
    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")


@event.listens_for(Completion, "before_update")
def _completions_are_append_only(_mapper: Any, _connection: Any, _target: Completion) -> None:
    raise ImmutableError("completions are never altered; record a new row instead")
