"""The head of org units sees the progress of the staff of the units they lead: nobody else, nothing of the network."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, User
from lms.orgs.models import OrgUnit
from lms.orgs.periods import current_period
from lms.orgs.plans import add_to_plan
from lms.orgs.role_changes import grant_role, revoke_role
from lms.reports.compliance import range_of
from lms.reports.people import not_completed, person_record
from lms.reports.queries import completion_list
from lms.reports.units import unit_report
from lms.scope import OutOfScope, may_view_progress, progress_filter
from tests import factories as f


def _world(db: Session):  # type: ignore[no-untyped-def]
    town, other = f.municipality(db, "Stadt Nord"), f.municipality(db, "Stadt Ost")
    building, social, roads = (
        OrgUnit(municipality_id=town.id, name=n) for n in ("Bauamt", "Sozialamt", "Tiefbau")
    )
    db.add_all([building, social, roads])
    db.flush()
    admin = f.user(db, Role.ADMIN)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    head = f.staff_member(db, town.id, name="Hanna Leitung")
    head.org_unit_id = building.id
    people: dict[str, User] = {}
    for name, unit in [
        ("Bau Eins", building),
        ("Bau Zwei", roads),
        ("Sozial Eins", social),
        ("Ohne Einheit", None),
    ]:
        people[name] = f.staff_member(db, town.id, name=name)
        people[name].org_unit_id = unit.id if unit else None
    db.flush()
    grant_role(db, coordinator, head, Role.UNIT_MANAGER, "Leitet Bauamt und Tiefbau", units=[building, roads])
    period = current_period(db)
    assert period is not None
    basics = f.training_module(db, "grundlagen", "Grundlagen")
    add_to_plan(db, coordinator, town, period, basics.module_id, [], period.ends_on)
    for name in ("Bau Eins", "Sozial Eins"):
        f.completion(db, people[name], basics)
    return town, other, admin, coordinator, head, people, period, (building, social, roads)


def test_the_open_list_and_the_person_pages_are_those_of_the_units_led(db: Session) -> None:
    town, other, _admin, _coordinator, head, people, period, (_building, social, _roads) = _world(db)
    today = clock.today()
    names = {row.name for row in not_completed(db, head, town, period, today)}
    # Bau Eins completed Grundlagen; Bau Zwei (Tiefbau) has not; the Sozialamt and staff without a unit are not theirs.
    assert names == {"Bau Zwei", "Hanna Leitung"}
    assert not_completed(db, head, town, period, today, org_unit_id=social.id) == []
    assert person_record(db, head, town, people["Bau Eins"], period, today).finished
    for outside in ("Sozial Eins", "Ohne Einheit"):
        with pytest.raises(OutOfScope):
            person_record(db, head, town, people[outside], period, today)
    with pytest.raises(OutOfScope):
        not_completed(db, head, other, period, today)
    assert may_view_progress(head, town.id) and not may_view_progress(head, other.id)


def test_the_unit_report_and_the_completion_list_count_only_the_units_led(db: Session) -> None:
    town, _other, _admin, coordinator, head, _people, period, _units = _world(db)
    today = clock.today()
    report = unit_report(db, head, town, period, today)
    assert report.is_partial
    assert [row.label for row in report.coverage_by_unit] == ["Bauamt", "Tiefbau"]
    assert [(row.title, row.staff) for row in report.modules] == [("Grundlagen", "< 5")]
    whole = unit_report(db, coordinator, town, period, today)
    assert not whole.is_partial and len(whole.coverage_by_unit) == 4  # three units and the staff without one
    r = range_of(period, today)
    assert [row.name for row in completion_list(db, r, town.id, progress_filter(head, town.id))] == [
        "Bau Eins"
    ]
    assert [row.name for row in completion_list(db, r, town.id, progress_filter(coordinator, town.id))] == [
        "Bau Eins",
        "Sozial Eins",
    ]


def test_without_the_role_or_the_units_nothing_is_seen(db: Session) -> None:
    town, other, admin, _coordinator, head, _people, period, _units = _world(db)
    today = clock.today()
    # A head of units of another municipality sees nothing of this one.
    stranger = f.staff_member(db, other.id)
    foreign = OrgUnit(municipality_id=other.id, name="Bauamt")
    db.add(foreign)
    db.flush()
    grant_role(db, admin, stranger, Role.UNIT_MANAGER, "Leitung", units=[foreign])
    for who in (stranger, f.staff_member(db, town.id)):
        with pytest.raises(OutOfScope):
            unit_report(db, who, town, period, today)
        with pytest.raises(OutOfScope):
            not_completed(db, who, town, period, today)
    revoke_role(db, admin, head, Role.UNIT_MANAGER, "Leitung abgegeben")
    assert not may_view_progress(head, town.id)
    with pytest.raises(OutOfScope):
        unit_report(db, head, town, period, today)
