"""Report PDFs keep a short table with its heading on one page instead of leaving a few rows alone on the next."""

from __future__ import annotations

import io

from pypdf import PdfReader

from lms.reports.exports import Table
from lms.reports.pdf import KEEP_TOGETHER_ROWS, ReportDocument


def _pages(rows: int, start_at: float) -> list[str]:
    pdf = ReportDocument("Test")
    pdf.add_page()
    pdf.heading("Jahresnachweis", 18, rank=1)
    pdf.set_y(start_at)
    table = Table(
        title="Abgeschlossene Module",
        header=["Modul", "Beschäftigte"],
        rows=[[f"Modul {n:02d}", n] for n in range(1, rows + 1)],
        widths=[3, 1],
    )
    pdf.table_of(table)
    return [page.extract_text() for page in PdfReader(io.BytesIO(bytes(pdf.output()))).pages]


def test_a_short_table_that_would_split_starts_on_the_next_page_with_its_heading() -> None:
    pages = _pages(8, start_at=245)
    assert len(pages) == 2
    assert "Abgeschlossene Module" not in pages[0] and "Modul 01" not in pages[0]
    assert "Abgeschlossene Module" in pages[1] and "Modul 01" in pages[1] and "Modul 08" in pages[1]


def test_a_short_table_that_fits_stays_where_it_is() -> None:
    pages = _pages(8, start_at=60)
    assert len(pages) == 1 and "Modul 08" in pages[0]


def test_a_long_table_begins_at_once_and_breaks_with_its_header_repeated() -> None:
    pages = _pages(KEEP_TOGETHER_ROWS + 30, start_at=200)
    assert "Abgeschlossene Module" in pages[0] and "Modul 01" in pages[0]
    assert pages[1].count("Beschäftigte") >= 1  # the header again on the next page


def test_a_long_title_is_shortened_in_the_footer_instead_of_running_off_the_page() -> None:
    town = "Zweckverband der Städte und Gemeinden im Landkreis Darmstadt-Dieburg " * 3
    pdf = ReportDocument(f"Jahresnachweis Programmjahr 2026 – {town.strip()}")
    pdf.add_page()
    pdf.heading("Jahresnachweis", 18, rank=1)
    page = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0]
    footer: list[tuple[float, str]] = []

    def visit(text, _cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if "Seite 1 von 1" in text:
            footer.append((tm[4], text))

    page.extract_text(visitor_text=visit)
    [(x, text)] = footer
    assert x >= 0 and text.startswith("Jahresnachweis Programmjahr 2026 – Zweckverband") and "…" in text
