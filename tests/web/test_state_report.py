"""The state report: per municipality of one federal state and year, every question of the parliament's inquiry."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import migrate
from lms import time as clock
from lms.auth.models import Role
from lms.cli import main
from lms.db import make_engine
from lms.demo import create_demo_data
from lms.documents.queries import WORKING_DEFINITION
from lms.orgs.models import Municipality
from lms.orgs.periods import current_period
from lms.programme.models import MeasureKind, ParticipationFormat
from lms.programme.services import (
    MeasureInput,
    OrganisationInput,
    add_measure,
    save_organisation,
    set_federal_state,
    set_granted,
)
from lms.scope import COMMAND_LINE
from tests import factories as f
from tests import factories_documents as fd


def _world(db: Session):  # type: ignore[no-untyped-def]
    period = f.period(db)
    north, south, bavaria = (f.municipality(db, name) for name in ("Stadt Nord", "Stadt Süd", "Stadt Bayern"))
    for town, state in ((north, "Hessen"), (south, "Hessen"), (bavaria, "Bayern")):
        set_federal_state(db, COMMAND_LINE, town, state)
    set_granted(db, COMMAND_LINE, north, period, 1_000_000)
    day = period.starts_on
    add_measure(db, COMMAND_LINE, north, MeasureInput(MeasureKind.PERSONNEL, 600_000, day, "Stelle"))
    add_measure(db, COMMAND_LINE, north, MeasureInput(MeasureKind.TRAINING, 450_050, day, "Schulungen"))
    add_measure(
        db, COMMAND_LINE, bavaria, MeasureInput(MeasureKind.OTHER, 99_900, day, "Bayerische Maßnahme")
    )
    save_organisation(
        db,
        COMMAND_LINE,
        north,
        OrganisationInput("Verein Offen", "Nord", ParticipationFormat.SURVEY, period.id, True),
    )
    save_organisation(
        db,
        COMMAND_LINE,
        north,
        OrganisationInput("Verein Verborgen", "Nord", ParticipationFormat.ADVISORY_BOARD, period.id, False),
    )
    db.flush()
    return period


def test_xlsx_has_a_sheet_per_question_with_exact_numbers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    period = _world(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    page = client.get("/programmbuero/landesbericht?land=Hessen")
    assert page.status_code == 200 and "Stadt Nord" in page.text and "Stadt Bayern" not in page.text
    answer = client.get(f"/programmbuero/landesbericht.xlsx?land=hessen&zeitraum={period.id}")
    assert answer.status_code == 200
    # The period is in the name, so a download of another period does not overwrite this one.
    assert (
        f"landesbericht-hessen-{period.label.lower().replace(' ', '-')}.xlsx"
        in answer.headers["Content-Disposition"]
    )
    every = client.get("/programmbuero/landesbericht.csv?land=Hessen").headers["Content-Disposition"]
    assert "landesbericht-hessen-alle-zeitraeume.csv" in every
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == [
        "1 Förderung",
        "2 Maßnahmen nach Art",
        "3 Migrantenorganisationen",
        "4 Arbeitsdefinition Rassismus",
        "5 Schulungen und Workshops",
        "6 Evaluationsindikatoren",
    ]
    funding = {row[0]: row for row in book["1 Förderung"].iter_rows(min_row=2, values_only=True)}
    assert funding["Stadt Nord"][2] == 10000 and funding["Stadt Nord"][3] == 10500.5
    assert funding["Stadt Nord"][4] == "ja"  # above the 10.000 € ceiling
    assert funding["Stadt Süd"][2] == "nicht erfasst"
    assert "Stadt Bayern" not in funding
    measures = {row[0]: row for row in book["2 Maßnahmen nach Art"].iter_rows(min_row=2, values_only=True)}
    assert measures["Stadt Nord"][2:] == (6000, 4500.5, 0, 0, 10500.5)
    organisations = [row for row in book["3 Migrantenorganisationen"].iter_rows(min_row=2, values_only=True)]
    names = [row[0] for row in organisations]
    assert "Verein Offen" in names and "Verein Verborgen" not in names
    assert "weitere Organisationen ohne Einverständnis zur Nennung: 1" in names
    indicators = list(book["6 Evaluationsindikatoren"].iter_rows(min_row=2, values_only=True))
    assert {row[3] for row in indicators} == {"Stadt Nord", "Stadt Süd"}  # each municipality of the state
    assert all(row[2] for row in indicators)  # each indicator says how it is measured
    assert b"Verein Verborgen" not in client.get("/programmbuero/landesbericht.csv?land=Hessen").data


def test_working_definition_is_cited_with_its_consultation_and_icerd_section(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _world(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    before = load_workbook(io.BytesIO(client.get("/programmbuero/landesbericht.xlsx?land=Hessen").data))
    assert "noch keine Arbeitsdefinition" in str(list(before["4 Arbeitsdefinition Rassismus"].values))
    document = fd.published_document(db, slug=WORKING_DEFINITION)
    fd.open_window(db, document)
    after = load_workbook(io.BytesIO(client.get("/programmbuero/landesbericht.xlsx?land=Hessen").data))
    rows = dict(after["4 Arbeitsdefinition Rassismus"].iter_rows(min_row=2, values_only=True))
    assert rows["Dokument"] == "Arbeitsdefinition (Test)" and rows["Version"] == "0.1"
    assert "0 Kommentare" in rows["Stand der Konsultation"]
    assert rows["Bezug zu ICERD Art. 1"].startswith("Bezug zu ICERD Art. 1: Unterscheidung, Ausschließung")


def test_pdf_is_archival_with_a_bookmark_per_question(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _world(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    answer = client.get("/programmbuero/landesbericht.pdf?land=Hessen")
    reader = PdfReader(io.BytesIO(answer.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Bericht Hessen" in text and "10.500,50 €" in text and "Verein Verborgen" not in text
    outline = [item.title for item in reader.outline[0:1]] + [
        item.title for item in reader.outline[1] if not isinstance(item, list)
    ]
    assert "1 Förderung" in outline and "6 Evaluationsindikatoren" in outline
    assert b"pdfaid:part" in answer.data and b"/OutputIntents" in answer.data


def test_unknown_state_and_period_are_404_and_others_refused(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _world(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    admin = f.user(db, Role.ADMIN)
    f.login(client, coordinator.email)
    assert client.get("/programmbuero/landesbericht?land=Hessen").status_code == 403
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, admin.email)
    assert client.get("/programmbuero/landesbericht?land=Atlantis").status_code == 404
    assert client.get("/programmbuero/landesbericht?land=Hessen&zeitraum=999999").status_code == 404
    assert client.get("/programmbuero/landesbericht?zeitraum=²").status_code == 400


def test_command_line_report_for_the_demo(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "state.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        create_demo_data(session)
        session.commit()
    env = {"LMS_DATABASE_URL": url, "LMS_TEST_DATABASE_URL": ""}
    runner = CliRunner()
    output = tmp_path / "hessen.csv"
    done = runner.invoke(
        main, ["report", "state", "--state", "Hessen", "--format", "csv", "--output", str(output)], env=env
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig")), delimiter=";"))
    questions = {row[0] for row in rows if row}
    assert {
        "1 Förderung",
        "2 Maßnahmen nach Art",
        "3 Migrantenorganisationen",
        "5 Schulungen und Workshops",
    } <= questions
    towns = {row[1] for row in rows if row and row[0] == "1 Förderung"}
    assert towns == {"Landkreis Darmstadt-Dieburg", "Stadt Offenbach am Main", "Stadt Hofheim am Taunus"}
    refused = runner.invoke(main, ["report", "state", "--state", "Atlantis"], env=env)
    assert refused.exit_code == 1 and "kein Bundesland" in refused.output
    engine.dispose()


def test_csv_downloads_name_their_charset_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _world(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    for url in ("/programmbuero/landesbericht.csv?land=Hessen", "/programmbuero/uebersicht.csv"):
        assert client.get(url).headers["Content-Type"] == "text/csv; charset=utf-8"


def test_indicator_values_are_numbers_in_the_xlsx_with_their_unit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """They were text („83,3 %“): Excel could neither sum nor sort them."""
    _world(db)
    period = current_period(
        db, clock.today()
    )  # the completions below happen now, whichever year the clock says
    assert period is not None
    north = next(t for t in db.scalars(select(Municipality)) if t.name == "Stadt Nord")
    version = f.training_module(db, "grundlagen")
    people = [f.staff_member(db, north.id) for _ in range(6)]
    for person in people[:5]:
        f.completion(db, person, version)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    answer = client.get(f"/programmbuero/landesbericht.xlsx?land=hessen&zeitraum={period.id}")
    book = load_workbook(io.BytesIO(answer.data))
    rows = list(book["6 Evaluationsindikatoren"].iter_rows(min_row=1, values_only=True))
    assert rows[0][4:7] == ("Wert", "Einheit", "Vorher-nachher-Paare")
    north_rates = [row for row in rows[1:] if row[3] == "Stadt Nord" and row[5] == "%"]
    shown = [row[4] for row in north_rates if row[4] != "–"]  # „–“: hidden (a small group), as in every table
    assert shown and all(isinstance(value, float) for value in shown)
    assert round(100 * 5 / 6, 1) in shown  # 5 of 6 staff took part
    assert all(row[6] is None for row in north_rates)  # pairs do not apply to a rate: an empty cell, not text
    south = [row for row in rows[1:] if row[3] == "Stadt Süd"]
    assert south and all(row[4] == "–" for row in south)  # nobody there: hidden
    text = client.get(f"/programmbuero/landesbericht.csv?land=hessen&zeitraum={period.id}").data.decode(
        "utf-8-sig"
    )
    assert ";83,3;%;" in text
