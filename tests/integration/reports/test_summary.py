"""The programme summary gives the programme office exactly the counts its completions give.

The programme office's table reads a summary kept as completions are recorded (lms.reports.summary); these tests
build a random programme and compare every count with the statement that computed them from the completions before
(kept below as the reference): for each period, staff day and threshold; after a period's dates change; after more
completions; and after the migration filled the summary of a database that already held completions.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Integer, and_, case, distinct, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from lms import migrate
from lms import time as clock
from lms.auth.models import Role, User
from lms.authoring.publishing import publish_module
from lms.content.models import Module, ModuleKind, ModuleVersion
from lms.content.modules import parse_module
from lms.db import ImmutableError, make_engine
from lms.orgs.periods import PeriodInput, all_periods, save_period
from lms.progress.models import Completion
from lms.reports.compliance import programme_report
from lms.reports.models import PeriodModuleStaff, PeriodPerson
from lms.reports.queries import (
    CoverageCount,
    ProgrammeCounts,
    Range,
    _in_range,
    _params,
    _staff_on_day,
    _still_valid,
    programme_counts,
)
from lms.reports.summary import rebuild_all
from tests import factories as f
from tests.integration.test_migrations import scratch_database_url  # noqa: F401  (fixture)


def reference_counts(session: Session, r: Range, min_staff: int) -> ProgrammeCounts:
    """The programme office's counts straight from the completions: the statement the summary replaced."""
    training = select(Module.id).where(Module.kind == ModuleKind.TRAINING.value)
    in_period = and_(_in_range(), Completion.module_id.in_(training))
    per_module = (
        select(
            User.municipality_id.label("municipality_id"),
            func.count(distinct(Completion.user_id)).label("staff"),
        )
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .where(in_period)
        .group_by(User.municipality_id, Completion.module_id)
        .cte("per_module")
    )
    valid_module = case((_still_valid() == 1, Completion.module_id))
    per_person = (
        select(
            Completion.user_id.label("user_id"),
            func.min(valid_module).label("lowest"),
            func.max(valid_module).label("highest"),
        )
        .where(in_period)
        .group_by(Completion.user_id)
        .cte("per_person")
    )
    zero = literal(0, Integer)
    delivered = (
        select(literal("delivered"), per_module.c.municipality_id, func.count(), zero, zero, zero)
        .where(per_module.c.staff >= min_staff)
        .group_by(per_module.c.municipality_id)
    )
    staff = _staff_on_day()
    people = (
        select(
            literal("people"),
            User.municipality_id,
            func.count(per_person.c.user_id),
            func.count(case((staff, User.id))),
            func.count(case((and_(staff, per_person.c.lowest.is_not(None)), User.id))),
            func.count(case((and_(staff, per_person.c.lowest != per_person.c.highest), User.id))),
        )
        .outerjoin(per_person, per_person.c.user_id == User.id)
        .where(User.municipality_id.is_not(None))
        .group_by(User.municipality_id)
    )
    result = ProgrammeCounts({}, {}, [])
    for kind, municipality_id, a, b, c, d in session.execute(union_all(delivered, people), _params(r)):
        if kind == "delivered":
            # Modules completed by people without a municipality (the programme office) are nobody's delivery.
            if municipality_id is not None:
                result.delivered[municipality_id] = a
        else:
            if a:
                result.trained[municipality_id] = a
            result.coverage.append(CoverageCount(municipality_id, None, b, c, d))
    return result


def _sorted(counts: ProgrammeCounts) -> tuple[Any, ...]:
    return counts.delivered, counts.trained, sorted(counts.coverage, key=lambda c: c.municipality_id)


def assert_summary_agrees(session: Session) -> int:
    """Every period, on several staff days and thresholds: the summary's counts equal the reference's."""
    session.flush()
    checked = 0
    for period in all_periods(session):
        days = {period.starts_on, period.ends_on, period.starts_on + (period.ends_on - period.starts_on) // 2}
        days |= {period.ends_on - timedelta(days=40), period.starts_on + timedelta(days=100)}
        for day in sorted(d for d in days if period.starts_on <= d <= period.ends_on):
            r = Range(period.starts_on, period.ends_on, staff_as_of=day)
            for min_staff in (1, 2, 3, 5):
                expected = reference_counts(session, r, min_staff)
                got = programme_counts(session, period.id, r, min_staff)
                assert _sorted(got) == _sorted(expected), (period.label, day, min_staff)
                checked += 1
    return checked


class Programme:
    """A random programme: municipalities, staff (some deactivated, some hired late), modules, completions."""

    def __init__(self, db: Session, seed: int) -> None:
        self.db = db
        self.rng = random.Random(seed)
        self.towns = [f.municipality(db) for _ in range(3)]
        self.people: list[User] = []
        for town in self.towns:
            for n in range(10):
                person = f.staff_member(db, town.id)
                if n % 4 == 1:  # left at some point in the three years
                    person.is_active = False
                    person.deactivated_at = self.moment(date(2026, 3, 1), date(2028, 12, 1))
                if n % 5 == 2:  # hired during the programme
                    person.created_at = self.moment(date(2026, 1, 1), date(2028, 6, 1))
                self.people.append(person)
        # The programme office completes modules too, without a municipality: counted for no one.
        self.people.append(f.user(db, Role.ADMIN))
        db.flush()
        self.versions = [f.training_module(db, f"modul-{n}") for n in range(4)]
        second = parse_module(f.module_source(slug="modul-0", version="1.1"), "modules/modul-0.md")
        version, problem = publish_module(db, second, path="modules/modul-0.md", actor_id=None)
        assert problem is None and version is not None
        self.versions.append(version)
        self.script = f.workshop_script(db)
        self.cycles: dict[tuple[int, int], int] = {}

    def moment(self, first: date, last: date) -> datetime:
        day = first + timedelta(days=self.rng.randrange((last - first).days + 1))
        return clock.at_local(day, self.rng.randrange(24), self.rng.randrange(60))

    def completion(
        self,
        person: User,
        version: ModuleVersion,
        at: datetime,
        valid_until: date | None = None,
        mode: str = "online",
    ) -> Completion:
        """A completion (the next validity cycle if the person holds this version already: a renewal)."""
        key = (person.id, version.id)
        self.cycles[key] = self.cycles.get(key, 0) + 1
        row = Completion(
            user_id=person.id,
            module_id=version.module_id,
            module_version_id=version.id,
            mode=mode,
            completed_at=at,
            valid_until=valid_until,
            cycle=self.cycles[key],
        )
        self.db.add(row)
        return row

    def random_completions(self, count: int, first: date, last: date) -> None:
        """Completions of random people, versions, days, modes and validities, flushed a few at a time."""
        for n in range(count):
            person = self.rng.choice(self.people)
            version = self.script if self.rng.random() < 0.1 else self.rng.choice(self.versions)
            at = self.moment(first, last)
            choice = self.rng.random()
            # None: valid for good; else a last valid day from before the completion's period ends to long after.
            until = (
                None if choice < 0.3 else clock.local_date(at) + timedelta(days=self.rng.randrange(-30, 900))
            )
            mode = "in_person" if self.rng.random() < 0.3 else "online"
            self.completion(person, version, at, until, mode)
            if (
                n % 7 == 0
            ):  # several completions (of one person too) in one flush, as an attendance list records
                self.db.flush()
        self.db.flush()

    def boundary_completions(self) -> None:
        """Completions at the edges of the 2026 period, where the German day and the UTC day differ."""
        # Two people of their own, so that where their completions land is theirs alone.
        self.late = late = f.staff_member(self.db, self.towns[1].id)
        self.early = early = f.staff_member(self.db, self.towns[2].id)
        # 23:30 on the period's last German day is 22:30 UTC: in the 2026 period.
        self.completion(late, self.versions[1], clock.at_local(date(2026, 12, 31), 23, 30), date(2027, 6, 30))
        # 00:30 on the first German day of 2027 is 23:30 UTC on 31 December: in the 2027 period, not 2026.
        self.completion(early, self.versions[2], clock.at_local(date(2027, 1, 1), 0, 30))
        # The first German day of the 2026 period begins at 23:00 UTC the day before.
        self.completion(early, self.versions[3], datetime(2025, 10, 31, 23, 15, tzinfo=UTC), date(2026, 2, 1))
        self.db.flush()


@pytest.fixture
def programme(db: Session) -> Iterator[Programme]:
    yield Programme(db, seed=11)


def test_the_summary_counts_what_the_completions_count(db: Session, programme: Programme) -> None:
    programme.random_completions(400, date(2025, 9, 1), date(2029, 2, 28))
    programme.boundary_completions()
    assert assert_summary_agrees(db) > 40
    # The boundary completions landed where their German day says.
    periods = {p.label: p for p in all_periods(db)}
    rows = db.execute(select(PeriodPerson.period_id, PeriodPerson.user_id)).all()
    late, early = programme.late.id, programme.early.id
    assert (periods["Programmjahr 2026"].id, late) in rows
    assert (periods["Programmjahr 2027"].id, late) not in rows
    assert (periods["Programmjahr 2027"].id, early) in rows
    assert (periods["Programmjahr 2026"].id, early) in rows  # by the 23:15 UTC completion on 31 October
    # A workshop script completed by someone with no training completion does not make them trained.
    newcomer = f.staff_member(db, programme.towns[0].id)
    programme.completion(newcomer, programme.script, clock.at_local(date(2027, 5, 5), 10))
    db.flush()
    assert db.scalar(select(func.count()).where(PeriodPerson.user_id == newcomer.id)) == 0
    assert_summary_agrees(db)


def test_renewals_and_more_completions_keep_the_counts(db: Session, programme: Programme) -> None:
    programme.random_completions(150, date(2026, 1, 1), date(2028, 12, 31))
    person, version = programme.people[5], programme.versions[2]
    # An expired completion, then its renewals: the same version again, each valid longer.
    programme.completion(person, version, clock.at_local(date(2027, 2, 1), 9), date(2027, 3, 1))
    db.flush()
    programme.completion(person, version, clock.at_local(date(2027, 4, 1), 9), date(2027, 9, 1))
    programme.completion(person, version, clock.at_local(date(2027, 10, 1), 9), None)
    db.flush()
    assert_summary_agrees(db)
    programme.random_completions(100, date(2027, 1, 1), date(2027, 12, 31))
    assert_summary_agrees(db)


def test_changing_a_periods_dates_rebuilds_its_summary(db: Session, programme: Programme) -> None:
    programme.random_completions(300, date(2025, 9, 1), date(2028, 12, 31))
    programme.boundary_completions()
    admin = f.user(db, Role.ADMIN)
    periods = {p.label: p for p in all_periods(db)}
    first, second = periods["Programmjahr 2026"], periods["Programmjahr 2027"]
    # The 2026 period now ends a day earlier (the 23:30 completion leaves it), 2027 keeps only spring to autumn.
    save_period(db, admin, PeriodInput(first.label, date(2025, 11, 1), date(2026, 12, 30), 2, 2, 2), first)
    save_period(db, admin, PeriodInput(second.label, date(2027, 3, 1), date(2027, 10, 31), 2, 3, 2), second)
    assert_summary_agrees(db)
    assert (first.id, programme.late.id) not in db.execute(
        select(PeriodPerson.period_id, PeriodPerson.user_id)
    ).all()
    # A new period over the freed days: its summary is built from the completions already there.
    save_period(db, admin, PeriodInput("Zwischenzeit", date(2027, 11, 1), date(2027, 12, 31)))
    assert_summary_agrees(db)
    programme.random_completions(60, date(2027, 1, 1), date(2027, 12, 31))
    assert_summary_agrees(db)


def test_a_rebuild_gives_the_summary_the_inserts_kept(db: Session, programme: Programme) -> None:
    programme.random_completions(200, date(2025, 9, 1), date(2028, 12, 31))
    before = _summary_rows(db)
    assert rebuild_all(db.connection()) == len(all_periods(db))
    assert _summary_rows(db) == before and before[0] and before[1]


def test_the_programme_office_table_shows_the_same_numbers(
    db: Session, programme: Programme, time_machine: Any
) -> None:
    programme.random_completions(200, date(2025, 9, 1), date(2027, 12, 31))
    time_machine.move_to(clock.at_local(date(2027, 6, 15), 9), tick=False)
    period = next(p for p in all_periods(db) if p.label == "Programmjahr 2027")
    rows = {row.municipality.id: row for row in programme_report(db, period, clock.today())}
    expected = reference_counts(db, Range(period.starts_on, period.ends_on, date(2027, 6, 15)), 5)
    for town in programme.towns:
        assert rows[town.id].modules_delivered == expected.delivered.get(town.id, 0)


def _summary_rows(session: Session) -> tuple[list[Any], list[Any]]:
    people = session.execute(
        select(PeriodPerson.__table__).order_by(PeriodPerson.period_id, PeriodPerson.user_id)
    )
    staff = session.execute(
        select(PeriodModuleStaff.__table__).order_by(
            PeriodModuleStaff.period_id, PeriodModuleStaff.municipality_id, PeriodModuleStaff.module_id
        )
    )
    return [tuple(r) for r in people], [tuple(r) for r in staff]


def test_the_migration_fills_the_summary_of_existing_completions(scratch_database_url: str) -> None:  # noqa: F811
    migrate.upgrade(scratch_database_url)
    engine = make_engine(scratch_database_url)
    try:
        with Session(engine) as session:
            programme = Programme(session, seed=29)
            programme.random_completions(250, date(2025, 9, 1), date(2028, 12, 31))
            programme.boundary_completions()
            kept = _summary_rows(session)
            session.commit()
        # Back to the revision before the summary and up again: the migration computes it from the completions.
        migrate.downgrade(scratch_database_url, "0028")
        migrate.upgrade(scratch_database_url)
        with Session(engine) as session:
            assert _summary_rows(session) == kept
            assert kept[0] and kept[1]
            assert_summary_agrees(session)
    finally:
        engine.dispose()


def test_a_persons_municipality_never_changes(db: Session) -> None:
    """The summary counts people where they work; moving one would leave it behind, so the model refuses it."""
    person = f.staff_member(db, f.municipality(db).id)
    db.flush()
    person.municipality_id = f.municipality(db).id
    with pytest.raises(ImmutableError, match="municipality never changes"):
        db.flush()


@pytest.mark.skipif(
    not os.environ.get("LMS_TEST_DATABASE_URL"), reason="two transactions at the same moment need PostgreSQL"
)
def test_two_completions_of_one_person_in_two_transactions_both_count(
    scratch_database_url: str,  # noqa: F811
) -> None:
    """A quiz pass and an in-person record of the same person at the same moment, in two transactions: the second
    waits for the first to commit and then counts both modules (it did not see the first completion before)."""
    migrate.upgrade(scratch_database_url)
    engine = make_engine(scratch_database_url)
    day = date(2027, 5, 5)
    try:
        with Session(engine, expire_on_commit=False) as session:
            person = f.staff_member(session, f.municipality(session).id)
            first, second = f.training_module(session, "modul-a"), f.training_module(session, "modul-b")
            session.commit()

        def complete(session: Session, version: ModuleVersion) -> None:
            session.add(
                Completion(
                    user_id=person.id,
                    module_id=version.module_id,
                    module_version_id=version.id,
                    mode="online",
                    completed_at=clock.at_local(day, 10),
                )
            )
            session.flush()

        failures: list[BaseException] = []

        def other_request() -> None:
            try:
                with Session(engine) as session:
                    complete(session, second)
                    session.commit()
            except BaseException as error:  # the test below reports it
                failures.append(error)

        with Session(engine) as one:
            complete(one, first)  # written, not yet committed
            thread = threading.Thread(target=other_request)
            thread.start()
            _wait_for_a_lock_wait(engine)
            one.commit()
        thread.join(timeout=30)
        assert not thread.is_alive() and not failures
        with Session(engine) as session:
            period = next(p for p in all_periods(session) if p.starts_on <= day <= p.ends_on)
            row = session.get(PeriodPerson, (period.id, person.id))
            assert row is not None and row.best_until is not None and row.second_until is not None
            assert_summary_agrees(session)
    finally:
        engine.dispose()


def _wait_for_a_lock_wait(engine: Any) -> None:
    """Until another session of this database waits for a lock (the second transaction reached the first's row)."""
    for _ in range(200):
        with engine.connect() as connection:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")
