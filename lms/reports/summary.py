"""Keeping the programme summary (lms.reports.models) equal to what the completions say.

Completions are append-only and a person's municipality never changes (the models guard both), so the summary only
ever grows with new completions: each insert updates its person's row and, for that person's first completion of the
module in the period, the municipality's module count. A period whose dates change (or a new one) is rebuilt from
its completions. Both hooks are mapper events, so every way a completion or period is written through the ORM (quiz,
in-person training, import, renewal, demo, tests) keeps the summary; what bypasses the ORM (bench/nationwide.py's
COPY) calls :func:`rebuild_period` itself, and ``lms report rebuild-summary`` rebuilds everything.

Two completions of one person recorded at the same moment in two transactions are serialised by a lock on the
person's row (:func:`_period_of`), so neither computes the person's row without the other; recording several people
at once locks them in the order of their ids (lms.workshops.services.attend), so two such recordings cannot
deadlock. ``lms report rebuild-summary`` stays the repair after anything written past the ORM.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    case,
    delete,
    distinct,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from lms import time as clock
from lms.auth.models import User
from lms.content.models import Module, ModuleKind
from lms.db import built_once
from lms.orgs.models import ProgrammePeriod
from lms.progress.models import Completion
from lms.reports.models import FOREVER, PeriodModuleStaff, PeriodPerson

#: A completion's validity in the summary's terms: a day, FOREVER for "for good".
_until = func.coalesce(Completion.valid_until, literal(FOREVER, Date))


def _in_period(starts_on: date, ends_on: date) -> Any:
    """Training completions whose German day lies in the dates (as lms.reports.queries._in_range counts them)."""
    start, end = clock.day_bounds(starts_on, ends_on)
    training = select(Module.id).where(Module.kind == ModuleKind.TRAINING.value)
    return and_(
        Completion.completed_at >= start, Completion.completed_at < end, Completion.module_id.in_(training)
    )


def rebuild_period(connection: Connection, period_id: int, starts_on: date, ends_on: date) -> None:
    """Replace the period's summary with one computed from its completions (two INSERT … SELECT)."""
    connection.execute(delete(PeriodPerson).where(PeriodPerson.period_id == period_id))
    connection.execute(delete(PeriodModuleStaff).where(PeriodModuleStaff.period_id == period_id))
    in_period = _in_period(starts_on, ends_on)
    per_module = (
        select(Completion.user_id, Completion.module_id, func.max(_until).label("until"))
        .where(in_period)
        .group_by(Completion.user_id, Completion.module_id)
        .subquery("per_module")
    )
    ranked = select(
        per_module.c.user_id,
        per_module.c.until,
        func.row_number()
        .over(partition_by=per_module.c.user_id, order_by=per_module.c.until.desc())
        .label("rank"),
    ).subquery("ranked")
    people = (
        select(
            literal(period_id),
            ranked.c.user_id,
            func.max(case((ranked.c.rank == 1, ranked.c.until))),
            func.max(case((ranked.c.rank == 2, ranked.c.until))),
        )
        .where(ranked.c.rank <= 2)
        .group_by(ranked.c.user_id)
    )
    connection.execute(
        insert(PeriodPerson).from_select(["period_id", "user_id", "best_until", "second_until"], people)
    )
    modules = (
        select(
            literal(period_id),
            User.municipality_id,
            Completion.module_id,
            func.count(distinct(Completion.user_id)),
        )
        .join(User, User.id == Completion.user_id)
        .where(in_period, User.municipality_id.is_not(None))
        .group_by(User.municipality_id, Completion.module_id)
    )
    connection.execute(
        insert(PeriodModuleStaff).from_select(["period_id", "municipality_id", "module_id", "staff"], modules)
    )


def rebuild_all(connection: Connection) -> int:
    """Rebuild every period's summary (after a bulk load past the ORM, or to repair); returns the periods."""
    periods = connection.execute(
        select(ProgrammePeriod.id, ProgrammePeriod.starts_on, ProgrammePeriod.ends_on)
    ).all()
    for period_id, starts_on, ends_on in periods:
        rebuild_period(connection, period_id, starts_on, ends_on)
    return len(periods)


def _upsert(connection: Connection, table: Any, row: dict[str, Any]) -> None:
    """INSERT the row, or on a key conflict UPDATE it (:func:`_upsert_statement`): one atomic statement, so two
    transactions that both find no row (colleagues' first completions of a module at the same moment) cannot fail
    on the key."""
    connection.execute(_upsert_statement(connection.dialect.name, table), row)


@functools.cache
def _upsert_statement(dialect: str, table: Any) -> Any:
    """Built once per dialect and table (building it cost as much as running it): a person's row takes the new
    validities; a module count is incremented in the statement, not from a count read before, so colleagues'
    concurrent first completions both count."""
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:  # pragma: no cover - the platform runs on these two
        raise NotImplementedError(dialect)
    keys = [c.name for c in inspect(table).primary_key]
    if table is PeriodPerson:
        set_ = {"best_until": statement.excluded.best_until, "second_until": statement.excluded.second_until}
    else:
        set_ = {"staff": table.staff + 1}
    return statement.on_conflict_do_update(index_elements=keys, set_=set_)


@built_once
def _period_of() -> Select[int, date, date, int | None]:
    """The period containing ``day`` with the person's municipality, if the module is a training module.

    On PostgreSQL it also locks the person's row until the transaction ends (``FOR NO KEY UPDATE``, which rows
    referring to the person do not wait for): a second completion of the same person in another transaction waits
    here until the first has committed, and its next statement then sees the first one's completion. Without it,
    both would compute the person's summary row from what they saw alone and the later write would drop the other's
    module. SQLite writes one transaction at a time and ignores the clause.
    """
    return (
        select(ProgrammePeriod.id, ProgrammePeriod.starts_on, ProgrammePeriod.ends_on, User.municipality_id)
        .join(User, User.id == bindparam("user_id"))
        .join(Module, Module.id == bindparam("module_id"))
        .where(
            ProgrammePeriod.starts_on <= bindparam("day"),
            ProgrammePeriod.ends_on >= bindparam("day"),
            Module.kind == ModuleKind.TRAINING.value,
        )
        .with_for_update(of=User, key_share=True)
    )


@built_once
def _modules_of_person() -> Select[int, date, int]:
    """The person's training modules completed between ``start`` and ``end``: the latest validity of each, and its
    first completion (lowest id; ids grow with insertion, so this also holds when one flush inserts several
    completions of the module at once)."""
    training = select(Module.id).where(Module.kind == ModuleKind.TRAINING.value)
    return (
        select(Completion.module_id, func.max(_until), func.min(Completion.id))
        .where(
            Completion.user_id == bindparam("user_id"),
            Completion.completed_at >= bindparam("start"),
            Completion.completed_at < bindparam("end"),
            Completion.module_id.in_(training),
        )
        .group_by(Completion.module_id)
    )


def completion_recorded(connection: Connection, completion: Completion) -> None:
    """Add a new completion to the summary of the period its German day lies in (if any, and if a training).

    Statements (each built once per process): one to find the period, the module's kind and the person's
    municipality; if it counts, one for the person's modules in the period, one to insert or update the person's
    row and, for a first completion of the module, one for the municipality's module count. Periods never overlap
    (lms.orgs.periods), so a day lies in one period at most.
    """
    person = {"user_id": completion.user_id}
    day = clock.local_date(completion.completed_at)
    found = connection.execute(
        _period_of(), {**person, "module_id": completion.module_id, "day": day}
    ).first()
    if found is None:
        return
    period_id, starts_on, ends_on, municipality_id = found
    start, end = clock.day_bounds(starts_on, ends_on)
    modules = connection.execute(_modules_of_person(), {**person, "start": start, "end": end}).all()
    validities = sorted((until for _module, until, _first in modules), reverse=True)
    best = {"best_until": validities[0], "second_until": validities[1] if len(validities) > 1 else None}
    _upsert(connection, PeriodPerson, {"period_id": period_id, **person, **best})
    first = next(first for module, _until, first in modules if module == completion.module_id)
    if municipality_id is None or first != completion.id:
        return
    key = {"period_id": period_id, "municipality_id": municipality_id, "module_id": completion.module_id}
    _upsert(connection, PeriodModuleStaff, {**key, "staff": 1})


@event.listens_for(Completion, "after_insert")
def _completion_inserted(_mapper: Any, connection: Connection, target: Completion) -> None:
    completion_recorded(connection, target)


@event.listens_for(ProgrammePeriod, "after_insert")
def _period_created(_mapper: Any, connection: Connection, target: ProgrammePeriod) -> None:
    rebuild_period(connection, target.id, target.starts_on, target.ends_on)


@event.listens_for(ProgrammePeriod, "after_update")
def _period_changed(_mapper: Any, connection: Connection, target: ProgrammePeriod) -> None:
    state = inspect(target)
    if state.attrs.starts_on.history.has_changes() or state.attrs.ends_on.history.has_changes():
        rebuild_period(connection, target.id, target.starts_on, target.ends_on)
