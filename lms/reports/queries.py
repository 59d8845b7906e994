"""The compliance aggregates as SQL: every count is a GROUP BY over completions, staff or sessions, never a loop.

All functions take a date range (a programme period's dates) and optionally one municipality; without one they
group by municipality, which is what the programme office's table needs. Callers decide who may see what
(lms.scope) and how counts of people are shown (lms.disclosure). The programme office's statement groups the
period's summary instead (lms.reports.models, kept by lms.reports.summary): same counts, far fewer rows.

The statements are built once per process (with and without a municipality) and take the range and the
municipality as bind parameters (``_params``): building these aggregates cost as much CPU as running them.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, lazyload

from lms import time as clock
from lms.auth.models import User
from lms.content.models import Module, ModuleKind, ModuleVersion
from lms.db import built_once
from lms.disclosure import THRESHOLD
from lms.orgs.models import OrgUnit
from lms.progress.models import Completion, CompletionMode
from lms.reports import summary  # noqa: F401  (its mapper events keep the summary read here up to date)
from lms.reports.models import PeriodModuleStaff, PeriodPerson
from lms.workshops.models import LiveSession, SessionKind


@dataclass(frozen=True)
class Range:
    """The dates a report covers (inclusive) and the day on which staff are counted."""

    starts_on: date
    ends_on: date
    #: Staff are counted as of this day: the period's last day, or today while the period runs.
    staff_as_of: date


def _params(r: Range, municipality_id: int | None = None) -> dict[str, Any]:
    """The bind parameters of the statements below for a range (and a municipality)."""
    start, end = clock.day_bounds(r.starts_on, r.ends_on)
    return {
        "range_start": start,
        "range_end": end,
        "starts_on": r.starts_on,
        "ends_on": r.ends_on,
        "staff_end": clock.day_start(r.staff_as_of + timedelta(days=1)),
        "valid_on": r.staff_as_of,
        "municipality_id": municipality_id,
    }


def _in_range() -> ColumnElement[bool]:
    """Completed within the range (``range_start``, ``range_end``: the German days' bounds in UTC)."""
    return and_(
        Completion.completed_at >= bindparam("range_start"), Completion.completed_at < bindparam("range_end")
    )


def staff_on(day: date) -> ColumnElement[bool]:
    """Accounts that existed on ``day`` and were not deactivated by its end: the staff a report counts."""
    end = clock.day_start(day + timedelta(days=1))
    return and_(
        User.created_at < end,
        or_(User.is_active.is_(True), User.deactivated_at >= end),
    )


def _staff_on_day() -> ColumnElement[bool]:
    """``staff_on`` the range's staff day, as a bind parameter (``staff_end``: the end of that day)."""
    end: BindParameter[datetime] = bindparam("staff_end")
    return and_(User.created_at < end, or_(User.is_active.is_(True), User.deactivated_at >= end))


def _training_completions(one: bool) -> Select[*tuple[Any, ...]]:
    """FROM completions of training modules by staff (of one municipality if ``one``), completed within the range."""
    query = (
        select()
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(Module, Module.id == Completion.module_id)
        .where(_in_range(), Module.kind == ModuleKind.TRAINING.value)
    )
    if one:
        query = query.where(User.municipality_id == bindparam("municipality_id"))
    return query


@dataclass(frozen=True)
class ModuleCount:
    """Distinct staff who completed one module in the range, and how (online / in person)."""

    municipality_id: int
    module_id: int
    staff: int
    online: int
    in_person: int


def module_counts(session: Session, r: Range, municipality_id: int | None = None) -> list[ModuleCount]:
    """Per municipality and training module: how many distinct staff completed it (any version) in the range."""
    rows = session.execute(_module_counts(municipality_id is not None), _params(r, municipality_id)).all()
    return [ModuleCount(*row) for row in rows]


@functools.cache
def _module_counts(one: bool) -> Select[*tuple[Any, ...]]:
    return (
        _training_completions(one)
        .add_columns(
            User.municipality_id,
            Completion.module_id,
            func.count(distinct(Completion.user_id)),
            func.count(distinct(case((Completion.mode == CompletionMode.ONLINE.value, Completion.user_id)))),
            func.count(
                distinct(case((Completion.mode == CompletionMode.IN_PERSON.value, Completion.user_id)))
            ),
        )
        .group_by(User.municipality_id, Completion.module_id)
    )


def _still_valid() -> ColumnElement[int]:
    """1 if the completion is still valid on the staff day (``valid_on``), else 0: expired ones leave coverage."""
    return case(
        (or_(Completion.valid_until.is_(None), Completion.valid_until >= bindparam("valid_on")), 1), else_=0
    )


def _pairs(one: bool) -> Subquery:
    """Subquery: each (municipality, person, module) with a training completion in the range, once.

    Deduplicating first lets PostgreSQL hash instead of sorting for COUNT(DISTINCT …): versions of one module
    and repeated completions collapse here, so every count below is a plain COUNT. ``valid`` is 1 if one of the
    pair's completions is still valid on the staff day.
    """
    return (
        _training_completions(one)
        .add_columns(
            User.municipality_id.label("municipality_id"),
            Completion.user_id.label("user_id"),
            Completion.module_id.label("module_id"),
            func.max(_still_valid()).label("valid"),
        )
        .group_by(User.municipality_id, Completion.user_id, Completion.module_id)
        .subquery("pairs")
    )


def _per_person(one: bool) -> Subquery:
    """Subquery: each person with training completions in the range, the number of distinct modules, and how
    many of them are still valid on the staff day (what coverage counts)."""
    pairs = _pairs(one)
    return (
        select(
            pairs.c.municipality_id,
            pairs.c.user_id,
            func.count().label("modules"),
            func.sum(pairs.c.valid).label("valid_modules"),
        )
        .group_by(pairs.c.municipality_id, pairs.c.user_id)
        .subquery("per_person")
    )


def trained_staff(session: Session, r: Range, municipality_id: int | None = None) -> dict[int, int]:
    """municipality_id → distinct staff with at least one training completion in the range (whoever they are now)."""
    rows = session.execute(_trained_staff(municipality_id is not None), _params(r, municipality_id)).all()
    return {m: n for m, n in rows}


@functools.cache
def _trained_staff(one: bool) -> Select[int, int]:
    people = _per_person(one)
    return select(people.c.municipality_id, func.count()).group_by(people.c.municipality_id)


@dataclass(frozen=True)
class CoverageCount:
    """Staff counted on the range's day, and how many of them completed at least one / two distinct modules."""

    municipality_id: int
    org_unit_id: int | None
    staff: int
    at_least_one: int
    at_least_two: int


def coverage_query(r: Range, municipality_id: int | None = None) -> Select[int, int | None, int, int, int]:
    """The coverage statement with the range's (and municipality's) values bound (to run or to EXPLAIN it)."""
    return _coverage_query(municipality_id is not None).params(**_params(r, municipality_id))


@functools.cache
def _coverage_query(one: bool) -> Select[int, int | None, int, int, int]:
    """Per municipality and org unit: staff, and staff with ≥ 1 and ≥ 2 distinct training modules completed in the
    range and still valid on the staff day (an expired completion counts for its period, not for coverage)."""
    people = _per_person(one)
    query = (
        select(
            User.municipality_id,
            User.org_unit_id,
            func.count(User.id),
            func.count(case((people.c.valid_modules >= 1, User.id))),
            func.count(case((people.c.valid_modules >= 2, User.id))),
        )
        .outerjoin(people, people.c.user_id == User.id)
        .where(User.municipality_id.is_not(None), _staff_on_day())
        .group_by(User.municipality_id, User.org_unit_id)
    )
    if one:
        query = query.where(User.municipality_id == bindparam("municipality_id"))
    # The WHERE clause drops people without a municipality, so the first column is never NULL.
    return typing.cast("Select[int, int | None, int, int, int]", query)


def coverage_counts(session: Session, r: Range, municipality_id: int | None = None) -> list[CoverageCount]:
    """The coverage groups as rows (a handful per municipality)."""
    rows = session.execute(_coverage_query(municipality_id is not None), _params(r, municipality_id)).all()
    return [CoverageCount(*row) for row in rows]


def _workshops(one: bool) -> Select[*tuple[Any, ...]]:
    query = (
        select()
        .select_from(LiveSession)
        .where(
            LiveSession.kind == SessionKind.WORKSHOP.value,
            LiveSession.withdrawn_at.is_(None),
            LiveSession.held_on >= bindparam("starts_on"),
            LiveSession.held_on <= bindparam("ends_on"),
        )
    )
    if one:
        query = query.where(LiveSession.municipality_id == bindparam("municipality_id"))
    return query


def workshop_totals(
    session: Session, r: Range, municipality_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """municipality_id → (workshops held, participants counted) in the range; withdrawn records do not count.

    The participants are those of the workshops of at least five (lms.disclosure.network_total): round the sum with
    lms.disclosure.network_count, never add a small workshop back in.
    """
    rows = session.execute(_workshop_totals(municipality_id is not None), _params(r, municipality_id)).all()
    return {m: (int(n), int(p)) for m, n, p in rows}


@functools.cache
def _workshop_totals(one: bool) -> Select[int, int, int]:
    return (
        _workshops(one)
        .add_columns(
            LiveSession.municipality_id,
            func.count(LiveSession.id),
            func.coalesce(
                func.sum(
                    case((LiveSession.participant_count >= THRESHOLD, LiveSession.participant_count), else_=0)
                ),
                0,
            ),
        )
        .group_by(LiveSession.municipality_id)
    )


def workshops_held(session: Session, r: Range, municipality_id: int) -> list[LiveSession]:
    """The workshops of one municipality in the range, in date order (no names: the caller shows counts only)."""
    return list(session.scalars(_workshops_held(), _params(r, municipality_id)))


@built_once
def _workshops_held() -> Select[LiveSession]:
    return (
        _workshops(True)
        .add_columns(LiveSession)
        .options(lazyload(LiveSession.facilitator_links))  # not shown in reports
        .order_by(LiveSession.held_on, LiveSession.id)
    )


def module_titles(session: Session) -> dict[int, str]:
    """module_id → title of its newest version (retired or not), for labelling report rows."""
    return {m: t for m, t in session.execute(_module_titles())}


@built_once
def _module_titles() -> Select[int, str]:
    newest = select(func.max(ModuleVersion.id)).group_by(ModuleVersion.module_id).scalar_subquery()
    return select(ModuleVersion.module_id, ModuleVersion.title).where(ModuleVersion.id.in_(newest))


def org_unit_names(session: Session, municipality_id: int) -> dict[int, str]:
    """org_unit_id → name for one municipality."""
    rows = session.execute(_org_unit_names(), {"municipality_id": municipality_id})
    return {i: n for i, n in rows}


@built_once
def _org_unit_names() -> Select[int, str]:
    return select(OrgUnit.id, OrgUnit.name).where(OrgUnit.municipality_id == bindparam("municipality_id"))


@dataclass(frozen=True)
class CompletionListRow:
    """One completion in a municipality's completion list (trainings only: workshops are never listed by name)."""

    name: str
    email: str
    personnel_number: str | None
    org_unit: str | None
    module_title: str
    version_label: str
    completed_at: datetime
    mode: str
    score_percent: Decimal | None


def completion_list(
    session: Session, r: Range, municipality_id: int, people: ColumnElement[bool] | None = None
) -> list[CompletionListRow]:
    """Every training completion by the municipality's staff in the range, by name then date."""
    return list(completion_rows(session, r, municipality_id, people))


#: Rows fetched from the database at a time when a completion list is streamed (a server-side cursor on PostgreSQL).
STREAM_BATCH = 500


def completion_rows(
    session: Session, r: Range, municipality_id: int, people: ColumnElement[bool] | None = None
) -> Iterator[CompletionListRow]:
    """The completion list row by row, fetched in batches: a download sends each as it comes, memory stays flat.

    ``people``: a condition on User that narrows the staff (lms.scope.progress_filter for a head of org units).
    """
    query = _completion_list()
    if people is not None:
        query = query.where(people)
    result = session.execute(query.execution_options(yield_per=STREAM_BATCH), _params(r, municipality_id))
    for row in result:
        yield CompletionListRow(*row)


@built_once
def _completion_list() -> Select[*tuple[Any, ...]]:
    return (
        select(
            User.display_name,
            User.email,
            User.personnel_number,
            OrgUnit.name,
            ModuleVersion.title,
            ModuleVersion.version_label,
            Completion.completed_at,
            Completion.mode,
            Completion.score_percent,
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .join(ModuleVersion, ModuleVersion.id == Completion.module_version_id)
        .join(Module, Module.id == Completion.module_id)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(
            User.municipality_id == bindparam("municipality_id"),
            _in_range(),
            Module.kind == ModuleKind.TRAINING.value,
        )
        .order_by(User.display_name, User.id, Completion.completed_at)
    )


@dataclass(frozen=True)
class UnitModuleCount:
    """Distinct staff of the chosen org units who completed one module in the range, and how."""

    module_id: int
    staff: int
    online: int
    in_person: int


def unit_module_counts(
    session: Session, r: Range, municipality_id: int, unit_ids: frozenset[int] | None
) -> list[UnitModuleCount]:
    """Per training module: distinct staff of the org units (None: all of the municipality) who completed it."""
    query = (
        _training_completions(True)
        .add_columns(
            Completion.module_id,
            func.count(distinct(Completion.user_id)),
            func.count(distinct(case((Completion.mode == CompletionMode.ONLINE.value, Completion.user_id)))),
            func.count(
                distinct(case((Completion.mode == CompletionMode.IN_PERSON.value, Completion.user_id)))
            ),
        )
        .group_by(Completion.module_id)
    )
    if unit_ids is not None:
        query = query.where(User.org_unit_id.in_(sorted(unit_ids)))
    rows = session.execute(query, _params(r, municipality_id)).all()
    return [UnitModuleCount(*row) for row in rows]


@dataclass(frozen=True)
class ProgrammeCounts:
    """Everything the programme office's table needs from completions, per municipality."""

    delivered: dict[int, int]
    trained: dict[int, int]
    coverage: list[CoverageCount]


def programme_query(period_id: int, r: Range, min_staff: int) -> CompoundSelect[*tuple[Any, ...]]:
    """The programme statement with the period's values bound (to run or to EXPLAIN it)."""
    return _programme_query().params(**_params(r), min_staff=min_staff, period_id=period_id)


@built_once
def _programme_query() -> CompoundSelect[*tuple[Any, ...]]:
    """Delivered modules, trained staff and coverage of every municipality as one statement of two parts.

    Both read the period's summary (lms.reports.models, kept by lms.reports.summary), not its completions: scanning
    two thirds of a million completions nationwide took over a second, the summary has a few rows per municipality
    and one per trained person. Delivered: the modules of a municipality completed by enough distinct staff. People:
    every person of a municipality with their summary row, if any: trained in the period if there is one; of the
    staff on the staff day, one valid module at least if the best validity reaches that day, two distinct ones if
    the second best does.
    """
    zero = literal(0, Integer)
    delivered = (
        select(literal("delivered"), PeriodModuleStaff.municipality_id, func.count(), zero, zero, zero)
        .where(
            PeriodModuleStaff.period_id == bindparam("period_id"),
            PeriodModuleStaff.staff >= bindparam("min_staff"),
        )
        .group_by(PeriodModuleStaff.municipality_id)
    )
    staff = _staff_on_day()
    valid_on: BindParameter[date] = bindparam("valid_on")
    people = (
        select(
            literal("people"),
            User.municipality_id,
            # Trained: whoever completed a module in the period, counted with their municipality today.
            func.count(PeriodPerson.user_id),
            func.count(case((staff, User.id))),
            func.count(case((and_(staff, PeriodPerson.best_until >= valid_on), User.id))),
            func.count(case((and_(staff, PeriodPerson.second_until >= valid_on), User.id))),
        )
        .outerjoin(
            PeriodPerson,
            and_(PeriodPerson.user_id == User.id, PeriodPerson.period_id == bindparam("period_id")),
        )
        .where(User.municipality_id.is_not(None))
        .group_by(User.municipality_id)
    )
    return union_all(delivered, people)


def programme_counts(session: Session, period_id: int, r: Range, min_staff: int) -> ProgrammeCounts:
    """The rows of :func:`programme_query`, sorted into their kinds (coverage: one row per municipality).

    ``r`` must be the period's range (``compliance.range_of``): the summary holds the period's completions.
    """
    result = ProgrammeCounts({}, {}, [])
    params = {**_params(r), "min_staff": min_staff, "period_id": period_id}
    for kind, municipality_id, a, b, c, d in session.execute(_programme_query(), params):
        if kind == "delivered":
            result.delivered[municipality_id] = a
        else:
            if a:
                result.trained[municipality_id] = a
            result.coverage.append(CoverageCount(municipality_id, None, b, c, d))
    return result
