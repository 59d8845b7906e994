"""Funding, measures and organisations as SQL aggregates per municipality and programme year."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.orgs.models import Municipality, ProgrammePeriod
from lms.programme.models import Funding, Measure, MeasureKind, MigrantOrganisation


@dataclass
class FundingLine:
    """One municipality in one programme year: granted, spent per kind of measure, and the ceiling check."""

    municipality: Municipality
    period: ProgrammePeriod
    granted_cents: int | None
    spent_by_kind: dict[MeasureKind, int] = field(default_factory=dict)
    measure_count: int = 0

    @property
    def spent_cents(self) -> int:
        return sum(self.spent_by_kind.values())

    def over_ceiling(self, ceiling_cents: int) -> bool:
        """True if the grant or the spending of the year is above the programme's ceiling."""
        return (self.granted_cents or 0) > ceiling_cents or self.spent_cents > ceiling_cents

    def spent(self, kind: MeasureKind) -> int:
        return self.spent_by_kind.get(kind, 0)


def funding_lines(
    session: Session,
    period: ProgrammePeriod,
    municipality_ids: Collection[int] | None = None,
    federal_state: str | None = None,
) -> list[FundingLine]:
    """Each municipality (all, the given ones, or those of a state) with its funding in the period, by name."""
    query = select(Municipality).order_by(Municipality.name)
    if municipality_ids is not None:
        query = query.where(Municipality.id.in_(municipality_ids))
    if federal_state is not None:
        query = query.where(Municipality.federal_state == federal_state)
    lines = {m.id: FundingLine(m, period, None) for m in session.scalars(query)}
    if not lines:
        return []
    granted = session.execute(
        select(Funding.municipality_id, Funding.granted_cents).where(
            Funding.period_id == period.id, Funding.municipality_id.in_(lines)
        )
    )
    for municipality_id, cents in granted:
        lines[municipality_id].granted_cents = cents
    spent = session.execute(
        select(Measure.municipality_id, Measure.kind, func.sum(Measure.amount_cents), func.count())
        .where(
            Measure.municipality_id.in_(lines),
            Measure.occurred_on >= period.starts_on,
            Measure.occurred_on <= period.ends_on,
        )
        .group_by(Measure.municipality_id, Measure.kind)
    )
    for municipality_id, kind, cents, count in spent:
        line = lines[municipality_id]
        line.spent_by_kind[MeasureKind(kind)] = int(cents)
        line.measure_count += int(count)
    return list(lines.values())


def measures_of(session: Session, municipality: Municipality, period: ProgrammePeriod) -> list[Measure]:
    """The municipality's measures in the period, oldest first."""
    return list(
        session.scalars(
            select(Measure)
            .where(
                Measure.municipality_id == municipality.id,
                Measure.occurred_on >= period.starts_on,
                Measure.occurred_on <= period.ends_on,
            )
            .order_by(Measure.occurred_on, Measure.id)
        )
    )


@dataclass(frozen=True)
class OrganisationLine:
    """A migrant organisation's participation with its municipality and year."""

    organisation: MigrantOrganisation
    municipality: Municipality
    period: ProgrammePeriod


def organisation_lines(
    session: Session,
    *,
    period: ProgrammePeriod | None = None,
    municipality_ids: Collection[int] | None = None,
    federal_state: str | None = None,
    named_only: bool = False,
) -> list[OrganisationLine]:
    """Participations, by municipality, year and name; ``named_only`` for published reports."""
    query = (
        select(MigrantOrganisation, Municipality, ProgrammePeriod)
        .join(Municipality, Municipality.id == MigrantOrganisation.municipality_id)
        .join(ProgrammePeriod, ProgrammePeriod.id == MigrantOrganisation.period_id)
        .order_by(Municipality.name, ProgrammePeriod.starts_on, MigrantOrganisation.name)
    )
    if period is not None:
        query = query.where(MigrantOrganisation.period_id == period.id)
    if municipality_ids is not None:
        query = query.where(MigrantOrganisation.municipality_id.in_(municipality_ids))
    if federal_state is not None:
        query = query.where(Municipality.federal_state == federal_state)
    if named_only:
        query = query.where(MigrantOrganisation.may_be_named.is_(True))
    return [OrganisationLine(*row) for row in session.execute(query)]


def unnamed_count(
    session: Session,
    *,
    period: ProgrammePeriod | None = None,
    municipality_ids: Collection[int] | None = None,
    federal_state: str | None = None,
) -> int:
    """Participations of organisations that did not agree to be named (counted, never named)."""
    query = (
        select(func.count())
        .select_from(MigrantOrganisation)
        .join(Municipality, Municipality.id == MigrantOrganisation.municipality_id)
        .where(MigrantOrganisation.may_be_named.is_(False))
    )
    if period is not None:
        query = query.where(MigrantOrganisation.period_id == period.id)
    if municipality_ids is not None:
        query = query.where(MigrantOrganisation.municipality_id.in_(municipality_ids))
    if federal_state is not None:
        query = query.where(Municipality.federal_state == federal_state)
    return int(session.scalar(query) or 0)
