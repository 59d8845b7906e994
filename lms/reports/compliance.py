"""Compliance reports built from the SQL aggregates: one municipality in a period, or all side by side.

Counts of people pass through lms.disclosure as they are read, so the report objects below never hold the
exact number of a small group: pages, CSV, XLSX and PDF all render these objects and cannot leak what they lack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.disclosure import (
    SUPPRESSED,
    Shown,
    network_count,
    network_total,
    people_count,
    pooled,
    share,
    split_counts,
)
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.reports import queries
from lms.reports.queries import CoverageCount, Range
from lms.reports.rules import N_, Assessment, Delivered, Targets, assess


def targets_of(period: ProgrammePeriod) -> Targets:
    """The period's rules as the rule engine takes them."""
    return Targets(period.min_training_modules, period.min_staff_per_module, period.min_workshops)


def range_of(period: ProgrammePeriod, today: date) -> Range:
    """The period's dates, with staff counted as of today while it runs and as of its last day afterwards."""
    return Range(
        period.starts_on, period.ends_on, staff_as_of=min(max(today, period.starts_on), period.ends_on)
    )


@dataclass(frozen=True)
class ModuleRow:
    """A training module delivered in the period: staff who completed it, online and in person."""

    module_id: int
    title: str
    staff: Shown
    online: Shown
    in_person: Shown
    #: Completed by enough staff to count towards the target.
    counts: bool


@dataclass(frozen=True)
class WorkshopRow:
    """An empowerment workshop held in the period (never with names)."""

    session_id: int
    held_on: date
    title: str
    version_label: str
    place: str
    participants: Shown


@dataclass(frozen=True)
class CoverageRow:
    """Staff coverage of an org unit (or of the whole municipality)."""

    label: str
    staff: Shown
    at_least_one: Shown
    at_least_two: Shown
    share_one: Decimal | None
    share_two: Decimal | None
    #: The org units of a row that holds several („A + B“), so that no small count follows from the total
    #: (lms.disclosure.pooled); empty for a row of one unit or the total.
    parts: tuple[str, ...] = ()

    @property
    def merged(self) -> bool:
        return len(self.parts) > 1


def coverage_row(label: str, staff: int, one: int, two: int, *, parts: tuple[str, ...] = ()) -> CoverageRow:
    return CoverageRow(
        label=label,
        staff=people_count(staff),
        at_least_one=people_count(one),
        at_least_two=people_count(two),
        share_one=share(one, staff),
        share_two=share(two, staff),
        parts=parts,
    )


def coverage_by_unit(counts: list[CoverageCount], names: dict[int, str]) -> list[CoverageRow]:
    """The coverage table's rows per org unit, by name, staff without a unit last; units whose small count would
    otherwise follow from the total and the others are merged into one row (lms.disclosure.pooled)."""
    ordered = sorted(counts, key=lambda c: (c.org_unit_id is None, names.get(c.org_unit_id or 0, "")))
    merged = pooled(
        [
            (
                names.get(c.org_unit_id, NO_UNIT) if c.org_unit_id else NO_UNIT,
                (c.staff, c.at_least_one, c.at_least_two),
            )
            for c in ordered
        ]
    )
    return [
        coverage_row(" + ".join(labels), *counts, parts=tuple(labels) if len(labels) > 1 else ())
        for labels, counts in merged
    ]


#: Label of staff without an org unit in coverage tables (translated where shown).
NO_UNIT = N_("ohne Organisationseinheit")
OVERALL = N_("Alle Beschäftigten")


@dataclass(frozen=True)
class MunicipalityReport:
    """Everything the coordinator's dashboard and the Jahresnachweis show for one municipality and period."""

    municipality: Municipality
    period: ProgrammePeriod
    today: date
    assessment: Assessment
    modules_delivered: int
    workshops_count: int
    modules: list[ModuleRow]
    workshops: list[WorkshopRow]
    participants: Shown
    trained_staff: Shown
    coverage: CoverageRow
    coverage_by_unit: list[CoverageRow]

    @property
    def modules_missing(self) -> int:
        return max(0, self.period.min_training_modules - self.modules_delivered)

    @property
    def workshops_missing(self) -> int:
        return max(0, self.period.min_workshops - self.workshops_count)


def municipality_report(
    session: Session,
    municipality: Municipality,
    period: ProgrammePeriod,
    today: date,
    titles: dict[int, str] | None = None,
) -> MunicipalityReport:
    """The compliance report of one municipality for one period (the caller has checked access).

    ``titles``: ``queries.module_titles``, when the caller has them already (the dashboard needs them twice).
    """
    r = range_of(period, today)
    mid = municipality.id
    titles = queries.module_titles(session) if titles is None else titles
    counts = sorted(queries.module_counts(session, r, mid), key=lambda c: titles.get(c.module_id, ""))
    modules = [
        ModuleRow(
            module_id=c.module_id,
            title=titles.get(c.module_id, str(c.module_id)),
            staff=people_count(c.staff),
            online=online,
            in_person=in_person,
            counts=c.staff >= period.min_staff_per_module,
        )
        for c in counts
        for online, in_person in [split_counts(c.staff, (c.online, c.in_person))]
    ]
    delivered = sum(1 for m in modules if m.counts)
    held = queries.workshops_held(session, r, mid)
    workshops = [
        WorkshopRow(
            session_id=w.id,
            held_on=w.held_on,
            title=w.module_version.title,
            version_label=w.module_version.version_label,
            place=w.place,
            participants=network_count(w.participant_count),
        )
        for w in held
    ]
    coverage = queries.coverage_counts(session, r, mid)
    units = queries.org_unit_names(session, mid)
    by_unit = coverage_by_unit(coverage, units)
    return MunicipalityReport(
        municipality=municipality,
        period=period,
        today=today,
        assessment=assess(
            targets_of(period), Delivered(delivered, len(held)), period.starts_on, period.ends_on, today
        ),
        modules_delivered=delivered,
        workshops_count=len(held),
        modules=modules,
        workshops=workshops,
        # The same sessions as workshop_totals counts (held in the range, not withdrawn), already loaded.
        participants=network_total(w.participant_count for w in held),
        trained_staff=people_count(queries.trained_staff(session, r, mid).get(mid, 0)),
        coverage=total_coverage(OVERALL, coverage),
        coverage_by_unit=by_unit,
    )


@dataclass(frozen=True)
class PeriodStatus:
    """A municipality's status in one period, as the dashboard lists the other periods."""

    period: ProgrammePeriod
    assessment: Assessment
    modules_delivered: int
    workshops_count: int


def period_status(
    session: Session, municipality: Municipality, period: ProgrammePeriod, today: date
) -> PeriodStatus:
    """The status against the period's targets: the same rule and counts as ``municipality_report``, two queries."""
    r = range_of(period, today)
    mid = municipality.id
    delivered = sum(
        1 for c in queries.module_counts(session, r, mid) if c.staff >= period.min_staff_per_module
    )
    held = queries.workshop_totals(session, r, mid).get(mid, (0, 0))[0]
    return PeriodStatus(
        period=period,
        assessment=assess(
            targets_of(period), Delivered(delivered, held), period.starts_on, period.ends_on, today
        ),
        modules_delivered=delivered,
        workshops_count=held,
    )


def total_coverage(label: str, rows: list[CoverageCount]) -> CoverageRow:
    """Adds up the (few) org-unit groups of one municipality."""
    return coverage_row(
        label,
        sum(c.staff for c in rows),
        sum(c.at_least_one for c in rows),
        sum(c.at_least_two for c in rows),
    )


@dataclass(frozen=True)
class ProgrammeRow:
    """One municipality in the programme office's table."""

    municipality: Municipality
    staff: Shown
    modules_delivered: int
    trained_staff: Shown
    workshops: int
    participants: Shown
    share_one: Decimal | None
    share_two: Decimal | None
    assessment: Assessment


def programme_report(session: Session, period: ProgrammePeriod, today: date) -> list[ProgrammeRow]:
    """Every municipality side by side for one period: a fixed number of grouped queries, whatever the size."""
    return _programme_rows(session, period, today, *_programme_figures(session, period, today))


def programme_report_with_totals(
    session: Session, period: ProgrammePeriod, today: date
) -> tuple[list[ProgrammeRow], ProgrammeTotals]:
    """:func:`programme_report` and its totals row, from one run of the aggregates (the XLSX shows both)."""
    counts, workshops = _programme_figures(session, period, today)
    rows = _programme_rows(session, period, today, counts, workshops)
    return rows, _programme_totals(counts, workshops, rows)


def _programme_figures(
    session: Session, period: ProgrammePeriod, today: date
) -> tuple[queries.ProgrammeCounts, dict[int, tuple[int, int]]]:
    """The exact counts behind the programme table: completions (from the summary) and workshops."""
    r = range_of(period, today)
    counts = queries.programme_counts(session, period.id, r, period.min_staff_per_module)
    return counts, queries.workshop_totals(session, r)


def _programme_rows(
    session: Session,
    period: ProgrammePeriod,
    today: date,
    counts: queries.ProgrammeCounts,
    workshops: dict[int, tuple[int, int]],
) -> list[ProgrammeRow]:
    delivered, trained = counts.delivered, counts.trained
    coverage: dict[int, list[CoverageCount]] = {}
    for row in counts.coverage:  # a handful of groups per municipality, not people
        coverage.setdefault(row.municipality_id, []).append(row)
    rows = []
    for municipality in session.scalars(select(Municipality).order_by(Municipality.name)):
        mid = municipality.id
        held, participants = workshops.get(mid, (0, 0))
        total = total_coverage(municipality.name, coverage.get(mid, []))
        rows.append(
            ProgrammeRow(
                municipality=municipality,
                staff=total.staff,
                modules_delivered=delivered.get(mid, 0),
                trained_staff=people_count(trained.get(mid, 0)),
                workshops=held,
                participants=network_count(participants),  # workshops of five or more (workshop_totals)
                share_one=total.share_one,
                share_two=total.share_two,
                assessment=assess(
                    targets_of(period),
                    Delivered(delivered.get(mid, 0), held),
                    period.starts_on,
                    period.ends_on,
                    today,
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class ProgrammeTotals:
    """The totals row of the programme office's table; None where a total would give a small group away.

    Totals are added up from the exact numbers and suppressed or rounded once (lms.disclosure). A total of a column
    in which a municipality's count is shown as „< 5“ (or its share hidden) is not shown either: the total minus
    the other municipalities' numbers would be that small count. The participants of workshops are always shown:
    they are summed from workshops of five or more alone, which no small group is part of.
    """

    municipalities: int
    staff: Shown | None
    modules_delivered: int
    trained_staff: Shown | None
    share_one: Decimal | None
    share_two: Decimal | None
    workshops: int
    participants: Shown
    met: int


def _programme_totals(
    counts: queries.ProgrammeCounts, workshops: dict[int, tuple[int, int]], rows: list[ProgrammeRow]
) -> ProgrammeTotals:
    """The totals of the rows, added up from the exact counts (the rows hold only what may be shown)."""
    staff = sum(c.staff for c in counts.coverage)
    one = sum(c.at_least_one for c in counts.coverage)
    two = sum(c.at_least_two for c in counts.coverage)

    def hidden(values: list[object]) -> bool:
        return any(v == SUPPRESSED for v in values)

    def hidden_share(values: list[Decimal | None]) -> bool:
        # A share hidden for a municipality without staff hides nobody.
        return any(v is None and row.staff != 0 for v, row in zip(values, rows, strict=True))

    staff_hidden = hidden([row.staff for row in rows])
    return ProgrammeTotals(
        municipalities=len(rows),
        staff=None if staff_hidden else people_count(staff),
        modules_delivered=sum(row.modules_delivered for row in rows),
        trained_staff=None
        if hidden([row.trained_staff for row in rows])
        else people_count(sum(counts.trained.values())),
        share_one=None
        if staff_hidden or hidden_share([row.share_one for row in rows])
        else share(one, staff),
        share_two=None
        if staff_hidden or hidden_share([row.share_two for row in rows])
        else share(two, staff),
        workshops=sum(row.workshops for row in rows),
        # Summed from the workshops of five or more alone: no small workshop is in it to be given away.
        participants=network_count(sum(p for _held, p in workshops.values())),
        met=sum(1 for row in rows if row.assessment.status == "erfuellt"),
    )
