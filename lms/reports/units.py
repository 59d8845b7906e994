"""Progress by org unit: what the head of org units sees of the units they lead (the coordination of all of them).

Only training progress: coverage (staff with at least one / two modules in the period) and the modules completed,
each count of people through lms.disclosure like the dashboard. Nothing of the empowerment network — no workshop,
no count of its participants, no facilitator: a head of org units has no part in it, and every further view of
the network's counts would be one more view to subtract from another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.disclosure import Shown, people_count, split_counts
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.reports import queries
from lms.reports.compliance import OVERALL, CoverageRow, coverage_by_unit, range_of, total_coverage
from lms.scope import OutOfScope, progress_units
from lms.text import N_

#: Label of the total row for a head of org units (translated where shown).
OWN_UNITS = N_("Beschäftigte Ihrer Einheiten")


@dataclass(frozen=True)
class UnitModuleRow:
    """A training module completed in the period by staff of the units."""

    title: str
    staff: Shown
    online: Shown
    in_person: Shown


@dataclass(frozen=True)
class UnitReport:
    """What the page „Fortschritt nach Organisationseinheit“ shows for one municipality and period."""

    municipality: Municipality
    period: ProgrammePeriod
    #: True when the page shows only some of the municipality's units (those the person leads).
    is_partial: bool
    coverage: CoverageRow
    coverage_by_unit: list[CoverageRow]
    modules: list[UnitModuleRow]


def unit_report(
    session: Session, actor: User, municipality: Municipality, period: ProgrammePeriod, today: date
) -> UnitReport:
    """Coverage and completed modules of the org units the person sees (all for the coordination and the office)."""
    units = progress_units(actor, municipality.id)
    if units == frozenset():
        raise OutOfScope
    r = range_of(period, today)
    names = queries.org_unit_names(session, municipality.id)
    coverage = [
        c
        for c in queries.coverage_counts(session, r, municipality.id)
        if units is None or (c.org_unit_id is not None and c.org_unit_id in units)
    ]
    by_unit = coverage_by_unit(coverage, names)
    titles = queries.module_titles(session)
    modules = sorted(
        (
            UnitModuleRow(
                titles.get(c.module_id, str(c.module_id)),
                people_count(c.staff),
                *split_counts(c.staff, parts),
            )
            for c in queries.unit_module_counts(session, r, municipality.id, units)
            for parts in [(c.online, c.in_person)]
        ),
        key=lambda row: row.title,
    )
    return UnitReport(
        municipality=municipality,
        period=period,
        is_partial=units is not None,
        coverage=total_coverage(OWN_UNITS if units is not None else OVERALL, coverage),
        coverage_by_unit=by_unit,
        modules=modules,
    )
