"""Programme periods: which period a day belongs to, the current one, and changing them (programme office)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import Role, User
from lms.errors import ServiceError
from lms.orgs.models import ProgrammePeriod


class PeriodError(ServiceError, ValueError):
    """A period cannot be saved as given; the message is for people."""


def all_periods(session: Session) -> list[ProgrammePeriod]:
    """Every period, earliest first."""
    return list(session.scalars(select(ProgrammePeriod).order_by(ProgrammePeriod.starts_on)))


def period_for(session: Session, day: date) -> ProgrammePeriod | None:
    """The period that contains the day, if any (periods never overlap)."""
    return session.scalar(
        select(ProgrammePeriod).where(ProgrammePeriod.starts_on <= day, ProgrammePeriod.ends_on >= day)
    )


def current_period(session: Session, today: date | None = None) -> ProgrammePeriod | None:
    """The period running today; between or after periods the latest one that has begun, else the first one."""
    return current_of(all_periods(session), today or clock.today())


def current_of(periods: list[ProgrammePeriod], today: date) -> ProgrammePeriod | None:
    """``current_period`` among periods already loaded (earliest first, as ``all_periods`` gives them)."""
    running = next((p for p in periods if p.starts_on <= today <= p.ends_on), None)
    if running is not None:
        return running
    begun = [p for p in periods if p.starts_on <= today]
    if begun:
        return begun[-1]
    return periods[0] if periods else None


def periods_up_to(session: Session, today: date | None = None) -> list[ProgrammePeriod]:
    """The periods that have begun by today, latest first (the current and the past ones)."""
    return begun_by(all_periods(session), today or clock.today())


def begun_by(periods: list[ProgrammePeriod], today: date) -> list[ProgrammePeriod]:
    """``periods_up_to`` among periods already loaded (earliest first)."""
    return [p for p in reversed(periods) if p.starts_on <= today]


@dataclass(frozen=True)
class PeriodInput:
    """What the programme office enters for a period."""

    label: str
    starts_on: date
    ends_on: date
    min_training_modules: int = 2
    min_staff_per_module: int = 5
    min_workshops: int = 2


def save_period(
    session: Session, actor: User, data: PeriodInput, period: ProgrammePeriod | None = None
) -> ProgrammePeriod:
    """Create a period or change one; refuses overlaps, reversed dates and duplicate labels."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionError("only the programme office changes periods")
    label = data.label.strip()
    if not label:
        raise PeriodError("period.label_missing")
    if data.ends_on < data.starts_on:
        raise PeriodError("period.end_before_start")
    if data.min_training_modules < 0 or data.min_workshops < 0 or data.min_staff_per_module < 1:
        raise PeriodError("period.targets_invalid")
    others = select(ProgrammePeriod).where(ProgrammePeriod.id != (period.id if period else -1))
    clash = session.scalar(
        others.where(ProgrammePeriod.starts_on <= data.ends_on, ProgrammePeriod.ends_on >= data.starts_on)
    )
    if clash is not None:
        raise PeriodError(
            "period.overlap",
            other=clash.label,
            start=clash.starts_on,
            end=clash.ends_on,
        )
    if session.scalar(others.where(ProgrammePeriod.label == label)) is not None:
        raise PeriodError("period.label_taken", label=label)
    if period is None:
        period = ProgrammePeriod()
        session.add(period)
    period.label = label
    period.starts_on, period.ends_on = data.starts_on, data.ends_on
    period.min_training_modules = data.min_training_modules
    period.min_staff_per_module = data.min_staff_per_module
    period.min_workshops = data.min_workshops
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="period.save",
        object_type="programme_period",
        object_id=period.id,
        label=label,
        starts_on=data.starts_on.isoformat(),
        ends_on=data.ends_on.isoformat(),
    )
    return period
