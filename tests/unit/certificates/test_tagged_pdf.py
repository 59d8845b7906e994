"""New certificates, transcripts and the empty print page are tagged PDFs (PDF/UA-1) that stay PDF/A-2b.

A screen reader gets headings, the statement as one paragraph, the transcript as a table with column headers, and
the QR code as a figure that says where it leads; decoration and page footers are skipped; the reader shows the
title. Certificates issued before (layouts 1 and 2) stay untagged, byte for byte as stored.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from lms.certificates.pdf import certificate_pdf, empty_print_pdf, transcript_pdf
from lms.certificates.snapshot import CURRENT_LAYOUT
from tests.tagged_pdf import catalog, parent_tree_is_consistent, pdfua_findings, structure, untagged_painting
from tests.unit.certificates.test_pdf import CODE, _snapshot


def _assert_tagged_pdf_a(data: bytes, tmp_path: Path) -> None:
    assert pdfua_findings(data, tmp_path, pdf_a=True) == []
    about = catalog(data)
    assert about["lang"] == "de-DE" and about["marked"] and about["display_doc_title"]
    xmp = about["xmp"]
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    # PDF/A admits the pdfuaid namespace only with its extension schema declared in the same packet.
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>" in xmp
    assert untagged_painting(data) == []
    assert parent_tree_is_consistent(data)


def test_new_certificates_are_drawn_with_the_tagged_layout() -> None:
    assert CURRENT_LAYOUT == 4


@pytest.mark.parametrize("layout", [3, 4])
def test_a_new_certificate_reads_in_order_with_headings_and_a_described_qr_code(
    tmp_path: Path, layout: int
) -> None:
    data = certificate_pdf(_snapshot(layout))
    _assert_tagged_pdf_a(data, tmp_path)
    tree = structure(data)
    assert tree.role == "Document"
    assert [n.role for n in tree.kids] == ["P", "H1", "P", "P", "H2", "P", "P", "H2", "Figure", "P", "P", "P"]
    texts = [n.text for n in tree.kids]
    assert texts[1] == "Zertifikat"
    statement = texts[2]
    for part in (
        "Hiermit wird bescheinigt, dass",
        "Jürgen Weiß-Öztürk",
        "Grundbegriffe und Arbeitsdefinitionen",
    ):
        assert part in statement
    assert texts[4] == "Ausgestellt von" and texts[7] == "Echtheit prüfen"
    (figure,) = tree.find("Figure")
    assert figure.alt is not None and CODE in figure.alt and f"/verify/{CODE}" in figure.alt
    assert figure.alt.startswith("QR-Code")
    assert texts[-2] == CODE
    # The blue bar and the rule are decoration: nothing of the tree is empty but the figure.
    assert all(n.text for n in tree.kids if n.role != "Figure")


def test_a_participation_certificate_is_headed_by_its_kind(tmp_path: Path) -> None:
    from lms.certificates.snapshot import participation_snapshot

    snapshot = participation_snapshot(
        code=CODE,
        base_url="https://lernen.kommunen-fuer-alle.example",
        holder_name="Deniz Aydın",
        municipality_name=None,
        attended_on=date(2026, 5, 12),
        duration_minutes=None,
        issued_at=datetime(2026, 5, 13, 8, tzinfo=UTC),
    )
    data = certificate_pdf(snapshot)
    _assert_tagged_pdf_a(data, tmp_path)
    tree = structure(data)
    assert tree.find("H1")[0].text == "Teilnahmebescheinigung"
    assert "Deniz Aydın" in tree.kids[3].text


def test_certificates_issued_before_stay_untagged(tmp_path: Path) -> None:
    for layout in (1, 2):
        data = certificate_pdf(_snapshot(layout))
        # The checker notices an untagged document (so its silence on the tagged ones means something).
        assert any(f.startswith("UA-01-005") for f in pdfua_findings(data, tmp_path, pdf_a=True))
        root = PdfReader(io.BytesIO(data)).trailer["/Root"]
        assert "/StructTreeRoot" not in root and b"pdfuaid" not in data


def test_a_long_transcript_is_a_table_with_column_headers_read_once(tmp_path: Path) -> None:
    snapshots = [
        _snapshot(3, module_title=f"Modul {n:02d} mit einem langen Titel, der umbricht") for n in range(40)
    ]
    data = transcript_pdf(
        holder_name="Jürgen Weiß-Öztürk",
        municipality_name="Landkreis Darmstadt-Dieburg",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        snapshots=snapshots,
        verify_base="https://lernen.kommunen-fuer-alle.example",
        created=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )
    _assert_tagged_pdf_a(data, tmp_path)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    # The heading row is printed again on the next page …
    assert "Prüfcode" in reader.pages[1].extract_text()
    tree = structure(data)
    (table,) = tree.find("Table")
    rows = table.kids
    assert [r.role for r in rows] == ["TR"] * 41  # … but read once: one heading row and 40 entries
    headers = rows[0].kids
    assert [h.role for h in headers] == ["TH"] * 5
    assert [h.text for h in headers] == ["Datum", "Fortbildung (Version)", "Minuten", "Form", "Prüfcode"]
    assert all(h.attributes == {"/O": "/Table", "/Scope": "/Column"} for h in headers)
    assert [c.role for c in rows[40].kids] == ["TD"] * 5
    assert rows[40].kids[1].text.startswith("Modul 39")
    assert [n.role for n in tree.kids][:5] == ["P", "H1", "P", "P", "Table"]
    # The footer („Seite 1 von 2“) is pagination, not text of the document.
    assert not any("Seite" in n.text for n in tree.walk())
    assert re.search(r"Seite 1 von \d", reader.pages[0].extract_text())


def test_the_empty_print_page_is_tagged_too(tmp_path: Path) -> None:
    data = empty_print_pdf(title="Zertifikate Auswahl", created=datetime(2026, 12, 1, 9, tzinfo=UTC))
    _assert_tagged_pdf_a(data, tmp_path)
    assert [n.text for n in structure(data).kids] == ["Für die gewählte Auswahl gibt es keine Zertifikate."]
