"""Municipalities, their org units, the programme periods with their rules, training plans and staff imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, JSONDocument, UTCDateTime, created_at, intpk


class Municipality(Base):
    """A model municipality (Modellkommune): a city or a district."""

    __tablename__ = "municipalities"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: One of lms.orgs.states.FEDERAL_STATES; the state report groups by it. None until the programme office sets it.
    federal_state: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[created_at]


class OrgUnit(Base):
    """A Fachbereich, Amt or Abteilung of a municipality; created from the staff import."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("municipality_id", "name"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    #: As written in the municipality's staff list, e.g. „Amt für Soziales“ or „FB 3 – Bürgerservice“.
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]


class UnitManager(Base):
    """An org unit led by a person with the role unit_manager: they see its staff's training progress."""

    __tablename__ = "unit_managers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[created_at]


class ProgrammePeriod(Base):
    """A programme year with the targets each municipality must reach in it (data, changed by the programme office)."""

    __tablename__ = "programme_periods"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint(
            "min_training_modules >= 0 AND min_staff_per_module >= 1 AND min_workshops >= 0",
            name="rules_sane",
        ),
    )

    id: Mapped[intpk]
    #: e.g. „Programmjahr 2026“.
    label: Mapped[str] = mapped_column(String(100), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    #: Inclusive: the period's last day.
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    #: Distinct training modules a municipality must deliver in the period.
    min_training_modules: Mapped[int] = mapped_column(Integer, default=2)
    #: A module counts as delivered once at least this many staff completed it in the period.
    min_staff_per_module: Mapped[int] = mapped_column(Integer, default=5)
    #: Empowerment workshops that must be held in the period.
    min_workshops: Mapped[int] = mapped_column(Integer, default=2)
    created_at: Mapped[created_at]

    def contains(self, day: date) -> bool:
        """True if the day lies within the period (both ends included)."""
        return self.starts_on <= day <= self.ends_on


class TrainingAssignment(Base):
    """One line of a municipality's training plan: a module rolled out in a period to all staff or one org unit."""

    __tablename__ = "training_assignments"
    __table_args__ = (UniqueConstraint("municipality_id", "period_id", "module_id", "org_unit_id"),)

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    #: None = every member of staff of the municipality.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]

    org_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class StaffImport(Base):
    """An uploaded staff list between preview and apply; the file is kept in the database, not on one server's disk."""

    __tablename__ = "staff_imports"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    #: The raw upload; emptied once applied, so personal data is not kept twice.
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Deactivate active staff who are missing from the file (a full sync of the staff list).
    deactivate_missing: Mapped[bool] = mapped_column(default=False)
    #: Send invitations to the people the import creates.
    send_invitations: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What applying did (counts per kind of change), shown afterwards and kept as the import's record.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
