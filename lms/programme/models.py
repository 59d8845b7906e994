"""Funding per municipality and programme year, the measures it paid for, and the migrant organisations taking part."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONDocument, UTCDateTime, created_at, intpk
from lms.text import N_


class MeasureKind(StrEnum):
    """What the money paid for; the state report's categories."""

    PERSONNEL = "personnel"
    TRAINING = "training"
    CONSULTING = "consulting"
    OTHER = "other"


MEASURE_KIND_LABELS = {
    MeasureKind.PERSONNEL: N_("Personalstellen"),
    MeasureKind.TRAINING: N_("Fortbildungen"),
    MeasureKind.CONSULTING: N_("Externe Beratung"),
    MeasureKind.OTHER: N_("Sonstige"),
}


class ParticipationFormat(StrEnum):
    """How a migrant organisation takes part in the programme."""

    ADVISORY_BOARD = "advisory_board"
    SURVEY = "survey"
    WORKSHOP_PARTNER = "workshop_partner"
    TRAINING_DEVELOPMENT = "training_development"
    OTHER = "other"


PARTICIPATION_FORMAT_LABELS = {
    ParticipationFormat.ADVISORY_BOARD: N_("Beirat"),
    ParticipationFormat.SURVEY: N_("Befragung"),
    ParticipationFormat.WORKSHOP_PARTNER: N_("Workshop-Partner"),
    ParticipationFormat.TRAINING_DEVELOPMENT: N_("Schulungsentwicklung"),
    ParticipationFormat.OTHER: N_("Sonstiges"),
}


class Funding(Base):
    """The funds granted to one municipality for one programme year (spending is the sum of its measures)."""

    __tablename__ = "fundings"
    __table_args__ = (
        UniqueConstraint("municipality_id", "period_id"),
        CheckConstraint("granted_cents >= 0", name="granted_not_negative"),
    )

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    #: Whole cents, never a float: 10.000,00 € is 1000000.
    granted_cents: Mapped[int] = mapped_column(BigInteger)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[created_at]


class Measure(Base):
    """One funded measure: a post, a training, external advice or something else, with its amount and date."""

    __tablename__ = "measures"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        CheckConstraint(
            "kind IN ('personnel', 'training', 'consulting', 'other')",
            name="known_kind",
        ),
    )

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: The day the measure was paid or began; it places the measure in a programme year.
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(2000))
    #: The import that created it, if any (None: entered in the browser).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("measure_imports.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]


class MeasureImport(Base):
    """An uploaded funding file between preview and apply (kept in the database, not on one server's disk)."""

    __tablename__ = "measure_imports"

    id: Mapped[intpk]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    #: The raw upload; emptied once applied.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[created_at]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What applying did (counts), kept as the import's record.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)


class MigrantOrganisation(Base):
    """A migrant organisation (MSO) taking part with one municipality in one programme year, in one format."""

    __tablename__ = "migrant_organisations"
    __table_args__ = (
        CheckConstraint(
            "participation IN ('advisory_board', 'survey', 'workshop_partner', 'training_development', 'other')",
            name="known_participation",
        ),
    )

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    name: Mapped[str] = mapped_column(String(200))
    #: The town where the organisation has its seat.
    seat: Mapped[str] = mapped_column(String(120))
    participation: Mapped[str] = mapped_column(String(30))
    #: The organisation agreed to be named in published reports; if not, it is counted but never named there.
    may_be_named: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]
