"""Coordinators manage people: a person's page, and who has not yet completed a planned module (page, CSV, XLSX)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.certificates.services import issue_for_completion
from lms.orgs.models import OrgUnit
from lms.orgs.periods import current_period
from lms.orgs.plans import add_to_plan
from lms.orgs.staff import set_active
from tests import factories as f


def world(db: Session):  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Süd")
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    building, social = (
        OrgUnit(municipality_id=town.id, name="Bauamt"),
        OrgUnit(municipality_id=town.id, name="Sozialamt"),
    )
    db.add_all([building, social])
    db.flush()
    period = current_period(db)  # the period running on the suite's day (the CI also runs it at 2028-12-31)
    assert period is not None
    basics, law = (
        f.training_module(db, "grundlagen", "Grundlagen"),
        f.training_module(db, "agg", "AGG im Amt"),
    )
    add_to_plan(db, coordinator, town, period, basics.module_id, [], period.ends_on)
    add_to_plan(db, coordinator, town, period, law.module_id, [building.id], period.starts_on)
    people = {}
    for name, unit in [
        ("Ayşe Yılmaz", building),
        ('=HYPERLINK("http://x")', social),
        ("Paul Becker", building),
    ]:
        person = f.staff_member(db, town.id, name=name)
        person.org_unit_id = unit.id
        people[name] = person
    db.flush()
    set_active(db, coordinator, people["Paul Becker"], False)
    done = f.completion(db, people["Ayşe Yılmaz"], basics)
    certificate = issue_for_completion(db, done, actor_id=None, base_url="http://lms.example")
    return town, coordinator, people, period, certificate, (basics, law), (building, social)


def test_the_person_page_shows_plan_status_completions_and_certificates(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, coordinator, people, _period, certificate, _modules, _units = world(db)
    f.login(client, coordinator.email)
    person = people["Ayşe Yılmaz"]
    staff = client.get(f"/kommunen/{town.slug}/beschaeftigte").text
    assert f'href="/kommunen/{town.slug}/beschaeftigte/{person.id}"' in staff
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte/{person.id}")
    assert page.status_code == 200
    text = page.text
    assert "Ayşe Yılmaz" in text and "Bauamt" in text
    assert f"abgeschlossen am {clock.today().strftime('%d.%m.%Y')}" in text
    assert "überfällig" in text  # AGG im Amt was due on the first day of the period
    assert certificate.code in text


def test_the_open_list_names_who_is_missing_and_filters(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, coordinator, _people, _period, _certificate, (basics, law), (_building, social) = world(db)
    f.login(client, coordinator.email)
    url = f"/kommunen/{town.slug}/offen"
    page = client.get(url).text
    # Ayşe: AGG open; the second person: Grundlagen open; Paul is deactivated; Jonas (coordinator, no unit) too.
    assert "Ayşe Yılmaz" in page and "HYPERLINK" in page and "Paul Becker" not in page
    assert "3 offene Einträge." in page  # Ayşe AGG, second person Grundlagen, Jonas Grundlagen
    only_social = client.get(url, query_string={"einheit": social.id}).text
    assert "Ayşe Yılmaz" not in only_social and "1 offener Eintrag." in only_social
    only_law = client.get(url, query_string={"modul": law.module_id}).text
    assert "Ayşe Yılmaz" in only_law and "1 offener Eintrag." in only_law
    csv = client.get(url + ".csv").data.decode("utf-8-sig")
    assert "Ayşe Yılmaz" in csv and "'=HYPERLINK" in csv and "Paul Becker" not in csv
    xlsx = load_workbook(io.BytesIO(client.get(url + ".xlsx", query_string={"modul": basics.module_id}).data))
    cells = [c for row in xlsx.active.iter_rows() for c in row]
    assert "Ayşe Yılmaz" not in [c.value for c in cells] and '=HYPERLINK("http://x")' in [
        c.value for c in cells
    ]
    assert all(c.data_type != "f" for c in cells)  # text, never a formula
    assert client.get(url, query_string={"einheit": "x"}).status_code == 400


def test_other_municipalities_see_nothing(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town, _coordinator, people, *_rest = world(db)
    other = f.municipality(db)
    outsider = f.user(db, Role.COORDINATOR, municipality_id=other.id)
    f.login(client, outsider.email)
    person = people["Ayşe Yılmaz"]
    assert client.get(f"/kommunen/{town.slug}/beschaeftigte/{person.id}").status_code == 404
    assert client.get(f"/kommunen/{town.slug}/offen").status_code == 404
    assert client.get(f"/kommunen/{town.slug}/offen.csv").status_code == 404
    # Someone of another municipality under one's own slug: not found either.
    assert client.get(f"/kommunen/{other.slug}/beschaeftigte/{person.id}").status_code == 404
