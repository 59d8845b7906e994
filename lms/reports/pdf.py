"""PDF documents with fpdf2: the municipality's Jahresnachweis and the programme office's summary.

The font is Fira Sans (the KERN design system's typeface, SIL Open Font License, see fonts/FONT-LICENSE.md),
embedded as a subset, so umlauts, „Anführungszeichen“ and dashes print on any machine.

Every report is a tagged PDF (PDF/UA-1, lms.pdf_tags): headings, paragraphs and tables with header cells in reading
order, the page header and footer as artifacts, German as the language, the title shown by the reader. Table headers
break at German syllables with a hyphen, never inside a syllable.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf.fonts import FontFace

from lms import time as clock
from lms.disclosure import SUPPRESSED
from lms.orgs.models import ProgrammePeriod
from lms.pdf_tags import TaggedPDF, hyphenate, line_count, xmp
from lms.reports.compliance import MunicipalityReport, ProgrammeRow
from lms.reports.exports import Table, cell_text, evidence_tables, programme_table

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "FiraSans"
PROGRAMME = "Modellprojekt „Kommunen für alle? – Rassismuskritik in kommunalen Verwaltungen“"
FUNDING = (
    "Europäische Städtekoalition gegen Rassismus (ECCAR) · gefördert im Bundesprogramm „Demokratie leben!“"
)
NOTE = (
    f"Zahlen unter 5, die Personen betreffen, sind als „{SUPPRESSED}“ ausgewiesen; "
    "ein Anteil einer so kleinen Gruppe erscheint als „–“. Teilnehmende der Empowerment-Workshops sind auf "
    "Vielfache von 5 gerundet; ihre Summen zählen nur Workshops mit mindestens 5 Teilnehmenden. Ihre Namen werden "
    "nie ausgewiesen."
)
NAVY = (23, 26, 107)
#: Space inside each table cell (mm).
CELL_PADDING = 1.2
#: Tables of up to this many rows are kept on one page where they fit on one (a longer one breaks, its header
#: repeated).
KEEP_TOGETHER_ROWS = 20


AUTHOR = "Lernplattform „Kommunen für alle?“"


class _Document(TaggedPDF):
    """A4 with the programme's header line and page numbers; tagged."""

    def __init__(self, title: str, orientation: str = "portrait", *, archival: bool = False) -> None:
        # archival: PDF/A-2b (embedded fonts, sRGB output intent, XMP), for reports that go into public records.
        super().__init__(
            orientation=orientation,
            unit="mm",
            format="A4",
            enforce_compliance="PDF/A-2B" if archival else None,
            tagged=True,
        )
        self.add_font(FAMILY, "", str(FONTS / "FiraSans-Regular.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "FiraSans-SemiBold.ttf"))
        created = clock.now()
        self.set_creation_date(created)
        self.set_title(title)
        self.set_author(AUTHOR)
        self.set_creator(AUTHOR)
        self.set_producer(AUTHOR)
        self.set_xmp_metadata(
            xmp(title=title, author=AUTHOR, creator=AUTHOR, created=created, pdfa=archival, pdfua=True)
        )
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(16, 16, 16)
        self.alias_nb_pages()
        self.doc_title = title

    def header(self) -> None:
        self.set_font(FAMILY, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, PROGRAMME, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*NAVY)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(80, 80, 80)
        page = f" · Seite {self.page_no()} von {{nb}}"
        # One line whatever the title's length (a municipality's name has up to 200 characters); „{nb}“ stands for
        # the page count, so room is left for three digits.
        room = self.epw - self.get_string_width(page.replace("{nb}", "999"))
        self.cell(0, 5, f"{self.fitted(self.doc_title, room)}{page}", align="R")

    def heading(self, text: str, size: int = 13, level: int | None = None, rank: int = 2) -> None:
        """A heading of this rank (H1, H2 …); with a level it is also a bookmark (the outline a reader navigates by)."""
        self.ln(2)
        if level is not None:
            self.start_section(text, level=level)
        self.set_font(FAMILY, "B", size)
        self.set_text_color(*NAVY)
        with self.tag(f"H{rank}"):
            self.multi_cell(
                0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L"
            )  # fpdf2 justifies by default
        self.set_text_color(0, 0, 0)
        self.ln(1)

    def paragraph(self, text: str, size: int = 10) -> None:
        self.set_font(FAMILY, "", size)
        with self.tag("P"):
            self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.ln(1)

    def table_of(
        self,
        table: Table,
        size: int = 9,
        empty: str = "Keine Einträge in diesem Zeitraum.",
        level: int | None = None,
    ) -> None:
        if self._splits_needlessly(table, size):
            self.add_page()  # a short table starts on the next page rather than leave a few rows alone on it
        self.heading(table.title, 11, level)
        if not table.rows:
            self.paragraph(empty)
            return
        self.set_font(FAMILY, "", size)
        headings = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY)
        with self.table(
            col_widths=tuple(table.widths or [1] * len(table.header)),
            headings_style=headings,
            line_height=size * 0.5,
            text_align="LEFT",
            padding=CELL_PADDING,
            repeat_headings=1,
            row_headers=table.row_headers,
        ) as pdf_table:
            heading = pdf_table.row()
            for title in table.header:
                heading.cell(hyphenate(title))
            for row in table.rows:
                cells = pdf_table.row()
                for value in row:
                    cells.cell(cell_text(value))
        self.ln(3)

    def _splits_needlessly(self, table: Table, size: int) -> bool:
        """Would a short table (up to ``KEEP_TOGETHER_ROWS`` rows, with its heading) break across pages where it
        would fit whole on the next one? Measured as the table draws its cells, without drawing them."""
        if not isinstance(table.rows, list) or not table.rows or len(table.rows) > KEEP_TOGETHER_ROWS:
            return False
        widths = list(table.widths or [1] * len(table.header))
        share = self.epw / sum(widths)
        line = size * 0.5
        self.set_font(
            FAMILY, "B", size
        )  # the header row's font; the body measured in it errs on the safe side
        height = 11.0  # the heading: its spacing and one line
        for texts in [
            [hyphenate(h) for h in table.header],
            *([cell_text(v) for v in row] for row in table.rows),
        ]:
            lines = max(
                line_count(self, width * share - 2 * CELL_PADDING, text, line_height=line)
                for width, text in zip(widths, texts, strict=False)
            )
            height += lines * line + 2 * CELL_PADDING
        return self.will_page_break(height) and height <= self.eph


ReportDocument = _Document


def evidence_pdf(report: MunicipalityReport, today: date) -> bytes:
    """The Jahresnachweis of one municipality for one period."""
    period = report.period
    title = f"Jahresnachweis {period.label} – {report.municipality.name}"
    pdf = _Document(title)
    pdf.add_page()
    pdf.heading(f"Jahresnachweis {period.label}", 18, rank=1)
    pdf.paragraph(
        f"{report.municipality.name} · Zeitraum {clock.fixed_date(period.starts_on)} bis {clock.fixed_date(period.ends_on)} · "
        f"Stand {clock.fixed_date(today)}",
        11,
    )
    pdf.heading(f"Status: {report.assessment.label}", 13)
    pdf.paragraph(report.assessment.reason())
    pdf.paragraph(
        f"Ziele des Zeitraums: mindestens {period.min_training_modules} Schulungsmodule, die jeweils mindestens "
        f"{period.min_staff_per_module} Beschäftigte abgeschlossen haben (online oder in Präsenz), und mindestens "
        f"{period.min_workshops} Empowerment-Workshops für das Netzwerk der Beschäftigten mit Migrationsgeschichte."
    )
    figures = Table(
        title="Kennzahlen",
        header=["Kennzahl", "Wert"],
        rows=[
            [
                "Schulungsmodule, die für das Ziel zählen",
                f"{report.modules_delivered} von {period.min_training_modules}",
            ],
            ["Empowerment-Workshops", f"{report.workshops_count} von {period.min_workshops}"],
            ["Teilnehmende der Empowerment-Workshops ab 5 Personen", report.participants],
            ["Beschäftigte mit mindestens einem abgeschlossenen Modul", report.trained_staff],
            ["Anteil der Beschäftigten mit mind. 1 Modul (%)", report.coverage.share_one],
            ["Anteil der Beschäftigten mit mind. 2 Modulen (%)", report.coverage.share_two],
        ],
        widths=[3, 1],
        row_headers=True,
    )
    pdf.table_of(figures)
    for table in evidence_tables(report):
        pdf.table_of(table)
    pdf.paragraph(NOTE, 8)
    return bytes(pdf.output())


def programme_pdf(period: ProgrammePeriod, rows: list[ProgrammeRow], today: date) -> bytes:
    """The programme office's summary of every municipality for one period (landscape)."""
    title = f"Programmübersicht {period.label}"
    pdf = _Document(title, orientation="landscape")
    pdf.add_page()
    pdf.heading(title, 18, rank=1)
    pdf.paragraph(
        f"Alle Modellkommunen · Zeitraum {clock.fixed_date(period.starts_on)} bis {clock.fixed_date(period.ends_on)} · "
        f"Stand {clock.fixed_date(today)}",
        11,
    )
    pdf.paragraph(FUNDING, 9)
    met = sum(1 for r in rows if r.assessment.status == "erfuellt")
    pdf.paragraph(
        f"{len(rows)} {'Kommune' if len(rows) == 1 else 'Kommunen'}; davon {'hat' if met == 1 else 'haben'} {met} beide Ziele des Zeitraums erreicht (mindestens "
        f"{period.min_training_modules} Schulungsmodule mit je mindestens {period.min_staff_per_module} Beschäftigten "
        f"und mindestens {period.min_workshops} Empowerment-Workshops)."
    )
    pdf.table_of(programme_table(period, rows), size=8, empty="Es nehmen noch keine Kommunen teil.")
    pdf.paragraph(NOTE, 8)
    return bytes(pdf.output())
