"""The programme office's XLSX: numbers as numbers, a totals row that gives no small group away, landscape print."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f
from tests.web.test_compliance_pages import TODAY, programme


@pytest.fixture(autouse=True)
def _during_the_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


def _sheet(client, db: Session):  # type: ignore[no-untyped-def]
    f.login(client, f.user(db, Role.ADMIN).email)
    response = client.get("/programmbuero/uebersicht.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def _rows(sheet) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    header = [c.value for c in sheet[1]]
    return {
        str(row[0].value): dict(zip(header, (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=2)
        if row[0].value
    }


def test_totals_are_numbers_and_withheld_where_they_would_reveal_a_small_count(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    programme(db)  # Offenbach: 13 staff, 12 trained, 4 with two modules, one workshop of 3
    f.municipality(db, "Stadt Hofheim am Taunus")  # nobody yet: 0, not „< 5“
    sheet = _sheet(client, db)
    rows = _rows(sheet)
    total = rows["Insgesamt (2 Kommunen)"]
    assert total["Beschäftigte"] == 13 and isinstance(total["Beschäftigte"], int)
    assert total["Geschulte Beschäftigte"] == 12
    assert total["Schulungsmodule erreicht (Ziel 2)"] == 1
    assert total["Empowerment-Workshops (Ziel 2)"] == 1
    assert total["Anteil mit mind. 1 Modul (%)"] == pytest.approx(92.3)
    # Offenbach's 4 staff with two modules are „< 5“: a total would be them. Its one workshop, of 3, counts in no
    # total of participants (those of workshops of five or more), which is 0 and shown.
    assert total["Anteil mit mind. 2 Modulen (%)"] is None
    assert total["Teilnehmende (Workshops ab 5 Personen)"] == 0
    assert rows["Stadt Hofheim am Taunus"]["Beschäftigte"] == 0
    notes = [
        str(c.value) for c in sheet["A"] if c.value and str(c.value).startswith("Summe nicht ausgewiesen")
    ]
    assert notes == [
        "Summe nicht ausgewiesen (sie verriete eine Zahl unter 5): Anteil mit mind. 2 Modulen (%)"
    ]
    # Every number cell of the table, totals included, is a number or empty.
    for name, row in rows.items():
        if name.startswith(("Leere Zelle", "Summe")):
            continue
        for column in ("Beschäftigte", "Geschulte Beschäftigte", "Teilnehmende (Workshops ab 5 Personen)"):
            assert row[column] is None or isinstance(row[column], int), (name, column)


def test_participants_are_totalled_from_the_workshops_of_five_or_more_and_rounded_once(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = programme(db)  # one workshop of 3 in Offenbach
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=f.workshop_script(db, "empowerment-zwei", "Zweites Drehbuch").id,
            held_on=date(2026, 6, 2),
            place="Rathaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=8,
        ),
    )
    db.flush()
    total = _rows(_sheet(client, db))["Insgesamt (1 Kommune)"]
    assert (
        total["Teilnehmende (Workshops ab 5 Personen)"] == 10
    )  # 8, rounded; the workshop of 3 counts in none
    assert total["Empowerment-Workshops (Ziel 2)"] == 2


def test_the_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    programme(db)
    sheet = _sheet(client, db)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (fitToWidth's default in the file format is 1), as many pages high as it takes.
    assert (sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$1:$1"
