"""The tagging layer under every platform PDF: marked content across page breaks, artifacts, syllable breaks."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from lms.pdf_tags import SOFT_HYPHEN, TaggedPDF, hyphenate, xmp
from tests.tagged_pdf import parent_tree_is_consistent, pdfua_findings, structure, untagged_painting

FONTS = Path(__file__).resolve().parents[2] / "lms" / "reports" / "fonts"


class _Pages(TaggedPDF):
    def header(self) -> None:
        self.set_font("Fira", "", 8)
        self.cell(0, 5, "Kopfzeile", new_x="LMARGIN", new_y="NEXT")
        self.line(10, 16, 200, 16)


def _document(tagged: bool = True) -> _Pages:
    pdf = _Pages(tagged=tagged)
    pdf.add_font("Fira", "", str(FONTS / "FiraSans-Regular.ttf"))
    pdf.add_font("Fira", "B", str(FONTS / "FiraSans-SemiBold.ttf"))
    pdf.set_title("Probe")
    pdf.set_xmp_metadata(
        xmp(
            title="Probe",
            author="A",
            creator="C",
            created=datetime(2026, 1, 1, tzinfo=UTC),
            pdfa=False,
            pdfua=True,
        )
    )
    return pdf


def test_a_paragraph_across_a_page_break_stays_one_paragraph_and_headers_are_artifacts(
    tmp_path: Path,
) -> None:
    pdf = _document()
    pdf.add_page()
    pdf.set_font("Fira", "", 12)
    with pdf.tag("H1"):
        pdf.cell(0, 10, "Überschrift", new_x="LMARGIN", new_y="NEXT")
    words = " ".join(f"Wort{n}" for n in range(900))
    with pdf.tag("P"):
        pdf.multi_cell(0, 6, words)
    data = bytes(pdf.output())
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    tree = structure(data)
    assert [n.role for n in tree.kids] == ["H1", "P"]
    paragraph = tree.kids[1].text
    assert paragraph.startswith("Wort0 ") and paragraph.endswith("Wort899")
    assert "Kopfzeile" not in paragraph
    assert untagged_painting(data) == []
    assert parent_tree_is_consistent(data)
    assert (
        b"/Artifact <</Type /Pagination>> BDC"
        in PdfReader(io.BytesIO(data)).pages[1].get_contents().get_data()
    )
    assert pdfua_findings(data, tmp_path, pdf_a=False) == []


def test_untagged_documents_are_plain_fpdf() -> None:
    pdf = _document(tagged=False)
    pdf.add_page()
    pdf.set_font("Fira", "", 12)
    with pdf.tag("P"):
        pdf.cell(0, 10, "Text")
    data = bytes(pdf.output())
    assert b"BDC" not in PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(data)).trailer["/Root"]


def test_text_outside_any_tag_is_still_read_as_a_paragraph() -> None:
    pdf = _document()
    pdf.add_page()
    pdf.set_font("Fira", "", 12)
    pdf.cell(0, 10, "Ohne Tag")
    assert [(n.role, n.text) for n in structure(bytes(pdf.output())).kids] == [("P", "Ohne Tag")]


def test_german_words_break_at_syllables() -> None:
    assert hyphenate("Beschäftigte") == f"Beschäf{SOFT_HYPHEN}tigte"
    assert (
        hyphenate("Teilnehmende Workshops")
        == f"Teil{SOFT_HYPHEN}neh{SOFT_HYPHEN}mende Work{SOFT_HYPHEN}shops"
    )
    assert hyphenate("Datum") == "Datum"  # short words stay whole
    assert hyphenate("Beschäftigte").replace(SOFT_HYPHEN, "") == "Beschäftigte"


def test_a_narrow_header_cell_breaks_with_a_hyphen_at_a_syllable() -> None:
    def header_text(title: str) -> tuple[str, str | None]:
        pdf = _document()
        pdf.add_page()
        pdf.set_font("Fira", "", 9)
        with pdf.table(col_widths=(18, 60), width=78) as table:
            table.row([title, "Kommune"])
        header = structure(bytes(pdf.output())).find("TH")[0]
        return " ".join(header.text.split()), header.actual_text

    assert header_text("Beschäftigte") == ("Beschäftig te", None)  # what fpdf2 does with a word too wide
    # Printed with a hyphen at the syllable; read by assistive technology as the whole word.
    assert header_text(hyphenate("Beschäftigte")) == ("Beschäf- tigte", "Beschäftigte")
