"""The reminder rules against the database: what is due when, once per person and occasion, and who opted out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.authoring.publishing import publish_module
from lms.content.models import ChangeKind, ModuleVersion
from lms.content.modules import parse_module
from lms.orgs.models import Municipality, TrainingAssignment
from lms.reminders import services
from lms.reminders.models import ReminderKind
from tests import factories as f

#: A Wednesday in the running period „Programmjahr 2026“ (1 Nov 2025 – 31 Dec 2026).
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _on_today(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 9), tick=False)


def module(
    db: Session, slug: str, *, version: str = "1.0", months: int | None = None, **publish
) -> ModuleVersion:  # type: ignore[no-untyped-def]
    source = f.module_source(slug=slug, version=version, title=slug.replace("-", " ").title())
    if months is not None:
        source = source.replace("language: de\n", f"language: de\nvalid_for_months: {months}\n")
    if version != "1.0":
        source = source.replace(
            "Das AGG schützt Beschäftigte.", f"Das AGG schützt Beschäftigte (Fassung {version})."
        )
    doc = parse_module(source, f"modules/{slug}.md")
    found, problem = publish_module(db, doc, path=f"modules/{slug}.md", actor_id=None, **publish)
    assert problem is None
    if found is None:  # published before with this text: that version
        found = db.scalar(select(ModuleVersion).where(ModuleVersion.content_hash == doc.content_hash))
    assert found is not None
    return found


def plan(
    db: Session, town: Municipality, version: ModuleVersion, due_on: date, unit_id: int | None = None
) -> None:
    db.add(
        TrainingAssignment(
            municipality_id=town.id,
            period_id=f.period(db).id,
            module_id=version.module_id,
            org_unit_id=unit_id,
            due_on=due_on,
        )
    )
    db.flush()


def kinds(due: list[services.Due], person: User) -> list[tuple[str, date | None]]:
    return sorted((d.kind.value, d.day) for d in due if d.user_id == person.id)


def test_a_plan_module_is_announced_14_days_ahead_and_again_when_overdue(db: Session) -> None:
    town = f.municipality(db)
    lea = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Schneider")
    done = f.user(db, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    invited = f.staff_member(db, town.id)  # no password yet: the invitation is their mail
    soon, later, late = module(db, "soon"), module(db, "later"), module(db, "late")
    plan(db, town, soon, TODAY + timedelta(days=14))
    plan(db, town, later, TODAY + timedelta(days=15))
    plan(db, town, late, TODAY - timedelta(days=1))
    f.completion(db, done, soon, at=clock.now() - timedelta(days=3))

    due = services.collect(db)

    assert kinds(due, lea) == [
        ("due_soon", TODAY + timedelta(days=14)),
        ("overdue", TODAY - timedelta(days=1)),
    ]
    assert kinds(due, done) == [("overdue", TODAY - timedelta(days=1))]  # completed „soon“, not „late“
    assert kinds(due, invited) == []


def test_the_earliest_plan_line_of_a_person_counts_and_other_municipalities_are_not_asked(
    db: Session,
) -> None:
    town, other = f.municipality(db), f.municipality(db)
    lea = f.user(db, Role.LEARNER, municipality_id=town.id)
    stranger = f.user(db, Role.LEARNER, municipality_id=other.id)
    from lms.orgs.models import OrgUnit

    unit = OrgUnit(municipality_id=town.id, name="Bürgeramt")
    db.add(unit)
    db.flush()
    lea.org_unit_id = unit.id
    version = module(db, "grundlagen")
    plan(db, town, version, TODAY + timedelta(days=10))
    plan(db, town, version, TODAY + timedelta(days=5), unit_id=unit.id)

    due = services.collect(db)

    assert kinds(due, lea) == [("due_soon", TODAY + timedelta(days=5))]
    assert kinds(due, stranger) == []


def test_running_daily_sends_each_reminder_once_and_a_moved_due_date_again(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    town = f.municipality(db)
    lea = f.user(db, Role.LEARNER, municipality_id=town.id)
    version = module(db, "grundlagen")
    plan(db, town, version, TODAY + timedelta(days=7))
    first = services.collect(db)
    assert kinds(first, lea) == [("due_soon", TODAY + timedelta(days=7))]
    services.record(db, first)

    assert kinds(services.collect(db), lea) == []  # the same day again
    time_machine.move_to(clock.at_local(TODAY + timedelta(days=1), 9), tick=False)
    assert kinds(services.collect(db), lea) == []  # the next day

    time_machine.move_to(clock.at_local(TODAY + timedelta(days=8), 9), tick=False)
    overdue = services.collect(db)
    assert kinds(overdue, lea) == [("overdue", TODAY + timedelta(days=7))]  # a new occasion: once more
    services.record(db, overdue)
    assert kinds(services.collect(db), lea) == []

    line = db.query(TrainingAssignment).one()
    line.due_on = TODAY + timedelta(days=20)  # the coordinator gives more time
    db.flush()
    assert kinds(services.collect(db), lea) == [("due_soon", TODAY + timedelta(days=20))]


def test_people_who_switched_reminders_off_get_none_and_the_digest_has_its_own_switch(db: Session) -> None:
    town = f.municipality(db)
    quiet = f.user(db, Role.LEARNER, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    quiet.has_reminders = False
    coordinator.has_reminders = False  # reminders off, digest on
    version = module(db, "grundlagen")
    plan(db, town, version, TODAY - timedelta(days=2))

    due = services.collect(db)
    assert kinds(due, quiet) == []
    assert kinds(due, coordinator) == [("digest", None)]

    coordinator.has_reminders, coordinator.has_weekly_digest = True, False
    db.flush()
    assert kinds(services.collect(db), coordinator) == [("overdue", TODAY - timedelta(days=2))]


def test_the_digest_goes_to_coordinators_once_per_iso_week(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    learner = f.user(db, Role.LEARNER, municipality_id=town.id)
    programme_office = f.user(db, Role.ADMIN)
    due = services.collect(db)
    assert [d.occasion for d in due if d.kind is ReminderKind.DIGEST] == ["week:2026-W24"]
    assert kinds(due, learner) == [] and kinds(due, programme_office) == []
    services.record(db, due)

    time_machine.move_to(clock.at_local(date(2026, 6, 14), 20), tick=False)  # Sunday of the same week
    assert kinds(services.collect(db), coordinator) == []
    time_machine.move_to(clock.at_local(date(2026, 6, 15), 6), tick=False)  # Monday: a new week
    assert [d.occasion for d in services.collect(db) if d.user_id == coordinator.id] == ["week:2026-W25"]


def test_a_material_change_is_announced_only_to_those_who_completed_an_earlier_version(db: Session) -> None:
    town = f.municipality(db)
    completed = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Schneider")
    started = f.user(db, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    already_new = f.user(db, Role.LEARNER, municipality_id=town.id, name="Ayşe Yılmaz")
    first = module(db, "grundlagen")
    f.completion(db, completed, first, at=clock.now() - timedelta(days=40))
    f.completion(db, already_new, first, at=clock.now() - timedelta(days=40))
    editorial = module(db, "grundlagen", version="1.1", change_kind=ChangeKind.EDITORIAL)
    assert [d for d in services.collect(db) if d.kind is ReminderKind.MATERIAL_CHANGE] == []

    material = module(
        db, "grundlagen", version="2.0", change_kind=ChangeKind.MATERIAL, change_note="Neues AGG"
    )
    f.completion(db, already_new, material, at=clock.now() + timedelta(seconds=1))
    due = [d for d in services.collect(db) if d.kind is ReminderKind.MATERIAL_CHANGE]

    assert [(d.user_id, d.occasion) for d in due] == [(completed.id, f"version:{material.id}")]
    assert editorial.id != material.id and started.id not in {d.user_id for d in due}


def test_a_completion_is_announced_30_days_before_its_validity_ends_unless_renewed(db: Session) -> None:
    town = f.municipality(db)
    lea = f.user(db, Role.LEARNER, municipality_id=town.id)
    jonas = f.user(db, Role.LEARNER, municipality_id=town.id)
    forever = f.user(db, Role.LEARNER, municipality_id=town.id)
    yearly = module(db, "auffrischung", months=12)
    unlimited = module(db, "grundlagen")
    f.completion(db, lea, yearly, at=clock.at_local(date(2025, 7, 10), 10))  # valid until 10 July 2026
    f.completion(db, jonas, yearly, at=clock.at_local(date(2025, 7, 11), 10))  # 31 days ahead: not yet
    f.completion(db, forever, unlimited, at=clock.at_local(date(2025, 1, 1), 10))

    due = services.collect(db)

    assert kinds(due, lea) == [("expiry", date(2026, 7, 10))]
    assert kinds(due, jonas) == [] and kinds(due, forever) == []
    renewed = module(db, "auffrischung", version="2.0", months=12, change_kind=ChangeKind.EDITORIAL)
    f.completion(db, lea, renewed)
    assert kinds(services.collect(db), lea) == []


def test_a_completion_is_valid_for_the_months_the_version_says_from_the_german_day(db: Session) -> None:
    lea = f.user(db, Role.LEARNER)
    version = module(db, "auffrischung", months=1)
    # 23:30 UTC on 31 January is 1 February in Germany: valid until 1 March.
    completion = f.completion(db, lea, version, at=datetime(2026, 1, 31, 23, 30, tzinfo=clock.UTC))
    assert version.valid_for_months == 1 and completion.valid_until == date(2026, 3, 1)
    assert f.completion(db, lea, module(db, "grundlagen")).valid_until is None
    assert clock.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
