"""Each programme period a page can show has a <title> of its own (WCAG 2.4.2): a QA sweep found the certificate
export (and the other pages below) titled the same for every ?zeitraum=, so that tabs and history could not be told
apart, unlike the dashboard („Nachweis Programmjahr 2026 – …“)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.programme.services import set_federal_state
from lms.scope import COMMAND_LINE
from tests import factories as f


def _title(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(r"<title>(.*?)</title>", response.text, re.S)
    assert found is not None
    return found.group(1)


def test_pages_with_a_period_name_the_chosen_period_in_their_title(  # type: ignore[no-untyped-def]
    client, db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(f.period(db).starts_on.replace(month=12, day=1), 12), tick=False)
    first, second = f.period(db, "Programmjahr 2026"), f.period(db, "Programmjahr 2027")
    town = f.municipality(db, "Stadt Titelhausen")
    set_federal_state(db, COMMAND_LINE, town, "Hessen")
    person = f.staff_member(db, town.id, name="Tara Titel")
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    pages = {
        "certificates": f"/kommunen/{town.slug}/zertifikate",
        "evaluation": f"/kommunen/{town.slug}/evaluation",
        "units": f"/kommunen/{town.slug}/einheiten",
        "not completed": f"/kommunen/{town.slug}/offen",
        "person": f"/kommunen/{town.slug}/beschaeftigte/{person.id}",
        "state report": "/programmbuero/landesbericht?land=Hessen",
    }
    for name, url in pages.items():
        joiner = "&" if "?" in url else "?"
        titles = {
            period.label: _title(client, f"{url}{joiner}zeitraum={period.id}") for period in (first, second)
        }
        for label, title in titles.items():
            assert label in title, (name, title)
        assert len(set(titles.values())) == 2, (name, titles)
    assert town.name in _title(client, pages["certificates"])
    # Without a period the state report covers them all, and says so.
    assert "alle begonnenen Programmjahre" in _title(client, pages["state report"])
