"""The programme office's summary of completions per period: kept up to date as completions are recorded.

The programme office's table counts, for every municipality, the people trained in a period, how many of its staff
hold one or two distinct valid training modules, and the modules delivered. Computed from the completions each time,
that scanned a period's completions (two thirds of a million nationwide) and took over a second; these two tables hold
the same answer in a few rows per person and per municipality. lms.reports.summary maintains them (on every
completion insert and when a period's dates change) and rebuilds them; the numbers stay exactly those of the
completions (tests/integration/reports/test_summary.py compares both on random data).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base

#: Stands for "valid for good" (valid_until NULL) in the summary: compares after every real day.
FOREVER = date(9999, 12, 31)


class PeriodPerson(Base):
    """A person with at least one training completion whose German day lies in the period (trained in it).

    Coverage on a staff day D counts the modules still valid on D: per module the latest validity of the person's
    completions of it in the period, and of those the best and the second best (of another module). At least one
    valid module ⇔ ``best_until >= D``, two distinct ones ⇔ ``second_until >= D``: one row answers for any D.
    """

    __tablename__ = "period_people"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("programme_periods.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: The latest validity among the person's modules in the period (FOREVER: valid for good).
    best_until: Mapped[date] = mapped_column(Date)
    #: The latest validity among the other modules (None: only one module).
    second_until: Mapped[date | None] = mapped_column(Date)


class PeriodModuleStaff(Base):
    """Distinct staff of a municipality who completed a training module (any version) in the period."""

    __tablename__ = "period_module_staff"

    period_id: Mapped[int] = mapped_column(
        ForeignKey("programme_periods.id", ondelete="CASCADE"), primary_key=True
    )
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    staff: Mapped[int] = mapped_column(Integer)
