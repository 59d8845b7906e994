"""What a person has read, and the append-only record of finished modules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship
from sqlalchemy.orm.util import identity_key

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
        # One completion per person, module version and validity cycle: a renewal is the next cycle, so two
        # requests renewing the same expired completion at once cannot both record one.
        UniqueConstraint("user_id", "module_version_id", "cycle"),
        CheckConstraint("mode IN ('online', 'in_person')", name="mode_known"),
        # Reports select a period's completions by date; on PostgreSQL the index alone answers who, which module and
        # until when it is valid (coverage counts only valid completions).
        Index(
            "ix_completions_completed_at",
            "completed_at",
            postgresql_include=["user_id", "module_id", "valid_until"],
        ),
        # A municipality's report looks up its staff's completions: person, module and date from the index alone.
        Index(
            "ix_completions_user_id_module_id",
            "user_id",
            "module_id",
            "completed_at",
            postgresql_include=["mode", "valid_until"],
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
    #: The last German day the completion is valid (completion day + the version's ``valid_for_months``), fixed
    #: when it is recorded; None: valid for good. An expired completion still counts for the period it was earned
    #: in, no longer for coverage.
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    #: 1 for the first completion of this module version by this person; each renewal after expiry (or in the
    #: renewal window before it, lms/progress/renewal.py) is the next number.
    cycle: Mapped[int] = mapped_column(default=1, server_default="1")

    module: Mapped[Module] = relationship(lazy="joined")
    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")


@event.listens_for(Completion, "before_update")
def _completions_are_append_only(_mapper: Any, _connection: Any, _target: Completion) -> None:
    raise ImmutableError("completions are never altered; record a new row instead")


def valid_until(completed_at: datetime, valid_for_months: int | None) -> date | None:
    """The last day a completion at this moment stays valid for a version valid this many months (None: for good)."""
    if valid_for_months is None:
        return None
    return clock.add_months(clock.local_date(completed_at), valid_for_months)


@event.listens_for(Completion, "before_insert")
def _fix_validity(_mapper: Any, connection: Any, target: Completion) -> None:
    """Every way a completion is recorded (quiz, session, import) gets its validity from its version."""
    if target.valid_until is not None:
        return
    # Usually the version is loaded already (a quiz attempt's, a session's): no query then.
    session = object_session(target)
    version = (
        session.identity_map.get(identity_key(ModuleVersion, target.module_version_id))
        if session is not None
        else None
    )
    if version is not None and "valid_for_months" in version.__dict__:
        months = version.valid_for_months
    else:
        months = connection.scalar(
            select(ModuleVersion.valid_for_months).where(ModuleVersion.id == target.module_version_id)
        )
    completed_at: datetime | None = target.completed_at  # its column default is not applied yet
    if completed_at is None:
        target.completed_at = completed_at = clock.now()
    target.valid_until = valid_until(completed_at, months)
