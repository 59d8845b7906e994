"""The Jahresnachweis, the programme summary and the state report are tagged PDFs (PDF/UA-1) as downloaded.

Read back as a screen reader gets them: one H1 with the document's title, H2 per section or question, tables with
column headers, the page header and footer skipped, German, the title shown by the reader. The state report stays
PDF/A-2b.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role
from lms.reports.state_document import QUESTIONS
from tests import factories as f
from tests.tagged_pdf import (
    Node,
    catalog,
    parent_tree_is_consistent,
    pdfua_findings,
    structure,
    untagged_painting,
)
from tests.web.test_compliance_pages import TODAY, as_coordinator, programme
from tests.web.test_state_report import _world


@pytest.fixture(autouse=True)
def _during_the_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


def _tagged(data: bytes, title: str, tmp_path: Path, *, pdf_a: bool = False) -> Node:
    assert pdfua_findings(data, tmp_path, pdf_a=pdf_a) == []
    about = catalog(data)
    assert about["lang"] == "de-DE" and about["marked"] and about["display_doc_title"]
    assert "<pdfuaid:part>1</pdfuaid:part>" in about["xmp"] and title in about["xmp"]
    assert untagged_painting(data) == []
    assert parent_tree_is_consistent(data)
    tree = structure(data)
    assert [n.role for n in tree.walk()].count("H1") == 1
    # The page header („Modellprojekt …“) and footer („Seite 1 von 1“) are pagination artifacts.
    assert not any("Seite" in n.text or n.text.startswith("Modellprojekt") for n in tree.walk())
    for table in tree.find("Table"):
        assert table.kids and all(kid.role == "TR" for kid in table.kids)
        assert {c.role for c in table.kids[0].kids} == {"TH"}
        assert all({c.role for c in row.kids[1:]} <= {"TD"} for row in table.kids[1:])
    return tree


def test_the_jahresnachweis_reads_as_headings_paragraphs_and_tables(
    client, db: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    town = programme(db)
    as_coordinator(client, db, town)
    data = client.get(f"/kommunen/{town.slug}/jahresnachweis.pdf").data
    tree = _tagged(data, "Jahresnachweis Programmjahr 2026", tmp_path)
    assert tree.kids[0].role == "H1" and tree.kids[0].text == "Jahresnachweis Programmjahr 2026"
    headings = [n.text for n in tree.find("H2")]
    assert headings[0] == "Status: gefährdet" and "Kennzahlen" in headings
    figures = tree.find("Table")[0]
    assert [c.text for c in figures.kids[0].kids] == ["Kennzahl", "Wert"]
    # Each figure's label is the header of its row: a screen reader says „Empowerment-Workshops: 1 von 2“.
    workshops = next(row for row in figures.kids if row.kids[0].text == "Empowerment-Workshops")
    assert [(c.role, c.text) for c in workshops.kids] == [("TH", "Empowerment-Workshops"), ("TD", "1 von 2")]
    assert workshops.kids[0].attributes == {"/O": "/Table", "/Scope": "/Row"}
    trainings = next(t for t in tree.find("Table") if t.kids[0].kids[0].text == "Schulungsmodul")
    assert {c.role for row in trainings.kids[1:] for c in row.kids} == {"TD"}  # no row headers there
    assert "Stabsstelle Vielfalt" in " ".join(n.text for n in tree.find("TD"))
    # Each table follows its heading in the reading order.
    roles = [n.role for n in tree.kids]
    assert all(roles[i - 1] == "H2" for i, role in enumerate(roles) if role == "Table")


def test_the_programme_summary_has_hyphenated_column_headers(client, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    programme(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    data = client.get("/programmbuero/uebersicht.pdf").data
    tree = _tagged(data, "Programmübersicht Programmjahr 2026", tmp_path)
    assert tree.kids[0].text == "Programmübersicht Programmjahr 2026"
    (table,) = tree.find("Table")
    headers = [c.text for c in table.kids[0].kids]
    assert headers[0] == "Kommune"
    # A header wider than its column breaks at a syllable with a hyphen („Beschäf-|tigte“), not „Beschäftig|te“.
    assert headers[1] == "Beschäf- tigte" and headers[7] == "Teilneh- mende (Workshops ab 5 Perso- nen)"
    assert table.kids[0].kids[1].actual_text == "Beschäftigte"  # what a screen reader says


def test_the_state_report_is_tagged_and_stays_archival(client, db: Session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _world(db)
    f.login(client, f.user(db, Role.ADMIN).email)
    data = client.get("/programmbuero/landesbericht.pdf?land=Hessen").data
    about = catalog(data)
    assert "<pdfaid:part>2</pdfaid:part>" in about["xmp"] and b"/OutputIntents" in data
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in about["xmp"]
    tree = _tagged(data, "Bericht Hessen", tmp_path, pdf_a=True)
    assert [n.text for n in tree.find("H2")] == list(QUESTIONS)
    after = [tree.kids[i + 1] for i, n in enumerate(tree.kids) if n.role == "H2"]
    assert all(n.role == "Table" or n.text == "Keine Angaben." for n in after)
    assert len(tree.find("Table")) >= 4
    definition = next(t for t in tree.find("Table") if t.kids[0].kids[0].text == "Angabe")
    assert all(
        row.kids[0].role == "TH" for row in definition.kids[1:]
    )  # „Dokument“, „Version“ … head their rows
