"""Compliance reports against the database, worked by hand: boundaries, counting rules, inactive staff, suppression."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.disclosure import AT_LEAST, SUPPRESSED
from lms.orgs.models import OrgUnit
from lms.orgs.periods import current_period, period_for
from lms.reports.compliance import municipality_report, programme_report
from lms.reports.rules import Status
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_training, record_workshop
from tests import factories as f

BERLIN = clock.BERLIN
#: The day these reports are computed for; the clock is set to it, so staff created by the factories exist by then.
TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _on_today(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def staff(db: Session, municipality_id: int, n: int, unit: OrgUnit | None = None) -> list[User]:
    people = [f.staff_member(db, municipality_id) for _ in range(n)]
    for person in people:
        person.org_unit_id = unit.id if unit else None
    db.flush()
    return people


def test_periods_default_to_the_programme_years(db: Session) -> None:
    assert period_for(db, date(2025, 10, 31)) is None
    assert period_for(db, date(2025, 11, 1)).label == "Programmjahr 2026"
    assert period_for(db, date(2026, 12, 31)).label == "Programmjahr 2026"
    assert period_for(db, date(2027, 1, 1)).label == "Programmjahr 2027"
    assert (
        current_period(db, date(2029, 3, 1)).label == "Programmjahr 2028"
    )  # after the programme: the last year
    assert current_period(db, date(2025, 1, 1)).label == "Programmjahr 2026"  # before it: the first


def test_period_boundaries_are_german_calendar_days(db: Session) -> None:
    town = f.municipality(db)
    module = f.training_module(db, "grenzfall")
    people = staff(db, town.id, 5)
    moments = [
        berlin(2025, 10, 31, 23, 30),  # before the period
        berlin(2025, 11, 1, 0, 10),  # first minutes of the period (still 31 Oct in UTC)
        berlin(2026, 12, 31, 23, 50),  # last minutes
        berlin(2027, 1, 1, 0, 5),  # next period (still 31 Dec in UTC)
        berlin(2026, 6, 1, 12, 0),
    ]
    for person, moment in zip(people, moments, strict=True):
        f.completion(db, person, module, moment)
    year = f.period(db, "Programmjahr 2026")
    report = municipality_report(db, town, year, TODAY)
    assert [m.staff for m in report.modules] == [SUPPRESSED]  # 3 of 5 fall inside: below five
    assert report.modules_delivered == 0
    # Two more inside the period make five: the module counts.
    f.completion(db, people[0], f.training_module(db, "grenzfall-zwei"), berlin(2026, 1, 2, 9, 0))
    newer = module_version_two(db)
    for person in (people[0], people[3]):
        f.completion(db, person, newer, berlin(2026, 3, 3, 9, 0))
    report = municipality_report(db, town, year, TODAY)
    grenzfall = next(m for m in report.modules if m.title == "Grenzfall")
    assert grenzfall.staff == 5 and grenzfall.counts
    assert report.modules_delivered == 1


def module_version_two(db: Session):  # type: ignore[no-untyped-def]
    """Version 1.1 of the module „grenzfall“: a new version of the same module."""
    from lms.authoring.publishing import publish_module
    from lms.content.modules import parse_module

    source = f.module_source(slug="grenzfall", version="1.1", title="Grenzfall", extra=" Neu gefasst.")
    version, problem = publish_module(
        db, parse_module(source, "modules/grenzfall.md"), path="modules/grenzfall.md", actor_id=None
    )
    assert problem is None
    return version


def test_a_module_counts_once_however_many_staff_and_versions(db: Session) -> None:
    town = f.municipality(db)
    first = f.training_module(db, "grenzfall", title="Grenzfall")
    second = module_version_two(db)
    people = staff(db, town.id, 12)
    for person in people:
        f.completion(db, person, first, berlin(2026, 2, 1, 10, 0))
    f.completion(db, people[0], second, berlin(2026, 4, 1, 10, 0))  # the same person, the new version
    report = municipality_report(db, town, f.period(db), TODAY)
    assert report.modules_delivered == 1
    assert [(m.title, m.staff, m.online) for m in report.modules] == [("Grenzfall", 12, 12)]
    assert (
        report.coverage.at_least_one == 12 and report.coverage.at_least_two == 0
    )  # still one module (nobody with two: „0“, issue 10)
    assert report.assessment.status is Status.AT_RISK  # 1 of 2 modules, no workshop, 92 % of the year gone


def test_inactive_staff_count_for_delivery_but_not_for_coverage(db: Session) -> None:
    town = f.municipality(db)
    module = f.training_module(db, "rassismus-erkennen-test")
    people = staff(db, town.id, 10)
    for person in people[:5]:
        f.completion(db, person, module, berlin(2026, 2, 1, 10, 0))
    for person in people[:2]:  # two who completed it have left since
        person.is_active = False
        person.deactivated_at = clock.now()
    db.flush()
    report = municipality_report(db, town, f.period(db), TODAY)
    assert report.modules_delivered == 1  # they were staff when they completed it
    assert report.coverage.staff == 8 and report.coverage.at_least_one == SUPPRESSED  # 3 of the 8 still here
    assert report.coverage.share_one is None
    # A closed period counts its staff as of its last day: someone who left in March 2027 still counts for 2026.
    leaver = people[5]
    leaver.is_active, leaver.deactivated_at = False, datetime(2027, 3, 1, tzinfo=UTC)
    db.flush()
    assert municipality_report(db, town, f.period(db), date(2027, 5, 1)).coverage.staff == 8
    assert (
        municipality_report(db, town, f.period(db, "Programmjahr 2027"), date(2027, 5, 1)).coverage.staff == 7
    )


def test_in_person_training_creates_completions_that_count(db: Session) -> None:
    town = f.municipality(db)
    trainer = f.user(db, Role.TRAINER)
    module = f.training_module(db, "kommunikation-test")
    people = staff(db, town.id, 6)
    people[0].personnel_number = "P-100"
    f.completion(db, people[1], module, berlin(2026, 1, 10, 10, 0))  # already done online
    result = record_training(
        db,
        trainer,
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=date(2026, 3, 12),
            place="Kreishaus, Sitzungssaal",
            facilitator_ids=frozenset({trainer.id}),
            attendees=["P-100", *[p.email.upper() for p in people[1:]], people[2].email],
        ),
    )
    assert (result.completions_created, result.already_completed) == (5, 1)
    report = municipality_report(db, town, f.period(db), TODAY)
    [row] = report.modules
    # 6 in all and 5 in person would make „< 5“ online a 1: the part beside the small one reads „≥ 5“.
    assert (row.staff, row.online, row.in_person, row.counts) == (6, SUPPRESSED, AT_LEAST, True)


def test_workshops_and_programme_table(db: Session) -> None:
    town = f.municipality(db, "Stadt A")
    f.municipality(db, "Stadt B")  # nothing delivered there
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    script = f.workshop_script(db)
    for day, count in ((date(2026, 2, 5), 12), (date(2026, 5, 7), 3), (date(2025, 10, 1), 9)):
        record = SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=day,
            place="Stadthaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=count,
        )
        record_workshop(db, facilitator, record)
    for i, module in enumerate(("modul-eins", "modul-zwei")):
        version = f.training_module(db, module)
        for person in staff(db, town.id, 5 + i):
            f.completion(db, person, version, berlin(2026, 4, 1, 10, 0))
    report = municipality_report(db, town, f.period(db), TODAY)
    assert report.workshops_count == 2  # the one in October 2025 belongs to no period
    # Network counts are rounded to fives (issue 10): 12 → 10. The total leaves the workshop of 3 out (whoever
    # records workshops of known sizes could otherwise find where the rounded total steps) and rounds 12 once.
    assert [w.participants for w in report.workshops] == [10, SUPPRESSED]
    assert report.participants == 10
    assert report.assessment.status is Status.MET
    rows = {r.municipality.name: r for r in programme_report(db, f.period(db), TODAY)}
    a, b = rows["Stadt A"], rows["Stadt B"]
    assert (a.modules_delivered, a.workshops, a.participants, a.trained_staff, a.staff) == (2, 2, 10, 11, 12)
    assert (
        a.share_one == report.coverage.share_one and str(a.share_one) == "91.7"
    )  # 11 of 12 (the facilitator)
    assert a.assessment.status is Status.MET
    assert (b.modules_delivered, b.workshops, b.participants, b.staff) == (0, 0, 0, 0)  # zero is „0“
    assert b.assessment.status is Status.AT_RISK
