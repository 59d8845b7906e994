"""Exports as CSV (for German Excel) and XLSX, from tables built out of the report objects.

Exports are German documents (evidence for the funding programme), whatever the interface language. Counts of people
arrive here already suppressed (lms.disclosure); this module only formats.

CSV for German Excel: UTF-8 with BOM (so umlauts open correctly), semicolons, CRLF, decimal commas, and every cell
that Excel would read as a formula (starting with =, +, -, @, tab or carriage return) prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import tempfile
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lms import time as clock
from lms.disclosure import LEGEND, is_suppressed
from lms.orgs.models import ProgrammePeriod
from lms.programme.money import format_amount
from lms.reports.compliance import MunicipalityReport, ProgrammeRow, ProgrammeTotals
from lms.reports.people import OpenRow
from lms.reports.queries import CompletionListRow
from lms.spreadsheet import neutralise
from lms.text import plural, without_bidi_controls


class Euro(int):
    """An amount of money in whole cents in a table: „10.000,00 €“ as text, a currency number in XLSX."""


Cell = str | int | Decimal | date | datetime | None

#: Shown for a share that is hidden because its group is small.
HIDDEN = "–"
MODE_LABELS = {"online": "online", "in_person": "in Präsenz"}


@dataclass(frozen=True)
class Table:
    """A titled table: what every export format writes."""

    title: str
    header: list[str]
    #: A list, or an iterator read once (a streamed download) when the table ``hides_counts`` not.
    rows: Iterable[Sequence[Cell]]
    #: Relative column widths (PDF and XLSX); None = equal.
    widths: Sequence[float] | None = None
    #: Its cells may hold counts of people hidden by lms.disclosure („< 5“): XLSX leaves them empty with a note.
    hides_counts: bool = True
    #: A totals row below the table (XLSX); None in a number column = not shown (it would reveal a small count).
    totals: list[Cell] | None = None
    #: The first column names what each row is about (tagged PDF: a row header for screen readers).
    row_headers: bool = False


def german_number(value: Decimal) -> str:
    """91,7."""
    return f"{value:.1f}".replace(".", ",")


def cell_text(value: Cell) -> str:
    """A cell as German text (CSV and PDF)."""
    if value is None:
        return HIDDEN
    if isinstance(value, datetime):
        return value.astimezone(clock.BERLIN).strftime("%d.%m.%Y")
    if isinstance(value, date):
        return clock.fixed_date(value)
    if isinstance(value, Decimal):
        return german_number(value)
    if isinstance(value, Euro):
        return format_amount(value, "de")
    if isinstance(value, int):
        return str(value)
    return without_bidi_controls(value)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The CSV for German Excel line by line (the BOM with the header first): a download can send each as it comes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell_text(c)) for c in row])
        yield buffer.getvalue().encode("utf-8")


def to_csv(table: Table) -> bytes:
    """The table as CSV for German Excel."""
    return b"".join(csv_lines(table.header, table.rows))


#: Header of the column that names the cells left empty in an XLSX row.
NOTE_HEADER = "Hinweis"


def _suppressed_columns(table: Table, row: Sequence[Cell]) -> list[str]:
    return [table.header[c] for c, value in enumerate(row) if isinstance(value, str) and is_suppressed(value)]


def to_xlsx(tables: list[Table]) -> bytes:
    """One worksheet per table, as bytes (small tables); see :func:`_write_xlsx`."""
    buffer = io.BytesIO()
    _write_xlsx(tables, buffer, {"in_memory": True})
    return buffer.getvalue()


def xlsx_file(tables: list[Table]) -> typing.IO[bytes]:
    """The workbook in a temporary file, at its start (deleted when closed): to send as a file, memory flat.

    xlsxwriter's constant_memory mode writes each row to disk as soon as the next one begins, instead of keeping
    every cell of the sheet in memory until the end.
    """
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    _write_xlsx(tables, file, {"constant_memory": True})
    file.seek(0)
    return file


def _write_xlsx(tables: list[Table], target: typing.IO[bytes], options: dict[str, bool]) -> None:
    """One worksheet per table; numbers stay numbers, text is never read as a formula or link.

    A count shown as „< 5“ is not written as text into its number column (Excel's SUM would skip it silently and a
    filter would sort it among words): the cell stays empty, the row's „Hinweis“ column names the columns left
    empty, and a legend below the table says why. Rows are written in order (constant_memory needs it).
    """
    import xlsxwriter  # loaded on the first spreadsheet, not by every web worker at start

    book = xlsxwriter.Workbook(target, {**options, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {
        False: {
            "date": book.add_format({"num_format": "dd.mm.yyyy"}),
            "percent": book.add_format({"num_format": "0.0"}),
            "euro": book.add_format({"num_format": '#,##0.00 "€"'}),
            "plain": None,
        },
        True: {
            "date": book.add_format({"num_format": "dd.mm.yyyy", "bold": True}),
            "percent": book.add_format({"num_format": "0.0", "bold": True}),
            "euro": book.add_format({"num_format": '#,##0.00 "€"', "bold": True}),
            "plain": book.add_format({"bold": True}),
        },
    }

    def write(sheet: Any, r: int, c: int, value: Cell, *, hides_counts: bool, bold: bool = False) -> None:
        style = formats[bold]
        # A hidden count (its note says why), or nothing to say (a column that does not apply): an empty cell, not
        # text that COUNTA and sorting would count.
        if (hides_counts and isinstance(value, str) and is_suppressed(value)) or value == "":
            sheet.write_blank(r, c, None, style["plain"])
        elif isinstance(value, datetime):
            sheet.write_datetime(r, c, value.astimezone(clock.BERLIN).replace(tzinfo=None), style["date"])
        elif isinstance(value, date):
            sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), style["date"])
        elif isinstance(value, Decimal):
            sheet.write_number(r, c, float(value), style["percent"])
        elif isinstance(value, Euro):
            sheet.write_number(r, c, value / 100, style["euro"])
        elif isinstance(value, int):
            sheet.write_number(r, c, value, style["plain"])
        else:
            sheet.write_string(r, c, cell_text(value), style["plain"])

    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.title))
        rows = list(table.rows) if table.hides_counts else table.rows
        notes = [_suppressed_columns(table, row) for row in rows] if table.hides_counts else []
        header = [*table.header, NOTE_HEADER] if any(notes) else table.header
        sheet.write_row(0, 0, header, bold)
        # Widths and print setup before the rows: constant_memory writes each row as soon as the next one begins.
        widths = [*(table.widths or [1] * len(table.header)), *([3] if any(notes) else [])]
        for c, width in enumerate(widths):
            sheet.set_column(c, c, max(10, min(60, 14 * width)))
        sheet.freeze_panes(1, 0)
        # Printed: A4 landscape, as wide as the page, the header row on every page.
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        last = 0
        for r, row in enumerate(rows, start=1):
            last = r
            if notes and notes[r - 1]:
                sheet.write_string(r, len(table.header), f"{LEGEND}: {', '.join(notes[r - 1])}")
            for c, value in enumerate(row):
                write(sheet, r, c, value, hides_counts=table.hides_counts)
        sheet.autofilter(0, 0, max(1, last), len(header) - 1)
        withheld: list[str] = []
        if table.totals is not None:
            last += 1
            for c, value in enumerate(table.totals):
                if value is None:
                    sheet.write_blank(last, c, None, bold)
                else:
                    write(sheet, last, c, value, hides_counts=table.hides_counts, bold=True)
            withheld = [table.header[c] for c, value in enumerate(table.totals) if value is None]
        # Notes below the table, in row order (constant_memory drops a row written after a later one).
        if any(notes):
            sheet.write_string(last + 2, 0, f"Leere Zelle in einer Zahlenspalte: {LEGEND}.")
        if withheld:
            note = f"Summe nicht ausgewiesen (sie verriete eine Zahl unter 5): {', '.join(withheld)}"
            sheet.write_string(last + 3, 0, note)
    book.close()


def _sheet_name(title: str) -> str:
    """Excel allows 31 characters, none of []:*?/\\, and no apostrophe at either end (a period label may bring one)."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)
    return cleaned[:31].strip("'") or "Tabelle"


# --- the tables ---------------------------------------------------------------------------------------------------


def programme_table(
    period: ProgrammePeriod, rows: list[ProgrammeRow], totals: ProgrammeTotals | None = None
) -> Table:
    """The programme office's summary: every municipality side by side (with ``totals``: and a totals row)."""
    return Table(
        title=f"Übersicht {period.label}",
        header=programme_header(period),
        rows=[programme_cells(r) for r in rows],
        widths=[2.2, 1, 1.3, 1.1, 1.1, 1.1, 1.3, 1.1, 1, 5],
        totals=None
        if totals is None
        else [
            f"Insgesamt ({plural(totals.municipalities, 'Kommune', 'Kommunen')})",
            totals.staff,
            totals.modules_delivered,
            totals.trained_staff,
            totals.share_one,
            totals.share_two,
            totals.workshops,
            totals.participants,
            f"{totals.met} erfüllt",
            "",
        ],
    )


def programme_header(period: ProgrammePeriod) -> list[str]:
    """The columns of the programme office's summary."""
    return [
        "Kommune",
        "Beschäftigte",
        f"Schulungsmodule erreicht (Ziel {period.min_training_modules})",
        "Geschulte Beschäftigte",
        "Anteil mit mind. 1 Modul (%)",
        "Anteil mit mind. 2 Modulen (%)",
        f"Empowerment-Workshops (Ziel {period.min_workshops})",
        "Teilnehmende (Workshops ab 5 Personen)",
        "Status",
        "Begründung",
    ]


def programme_cells(r: ProgrammeRow) -> list[Cell]:
    """One municipality's line of the summary."""
    return [
        r.municipality.name,
        r.staff,
        r.modules_delivered,
        r.trained_staff,
        r.share_one,
        r.share_two,
        r.workshops,
        r.participants,
        r.assessment.label,
        r.assessment.reason(),
    ]


def completion_table(report_title: str, rows: Iterable[CompletionListRow], *, scores: bool = True) -> Table:
    """The completion list of one municipality: who completed which module version when, and how (rows read lazily).

    Without ``scores`` (for a head of org units, lms.scope.may_see_quiz_scores) the quiz result column is left out.
    """
    header = [
        "Name",
        "E-Mail-Adresse",
        "Personalnummer",
        "Organisationseinheit",
        "Modul",
        "Version",
        "Abgeschlossen am",
        "Art",
        "Ergebnis (%)",
    ]
    widths = [2, 2.4, 1, 2, 3, 0.7, 1.1, 0.9, 0.9]
    shown = len(header) if scores else len(header) - 1
    return Table(
        title=report_title,
        header=header[:shown],
        rows=(_completion_cells(r)[:shown] for r in rows),
        widths=widths[:shown],
        hides_counts=False,  # names, modules and dates: no count of people
    )


def _completion_cells(r: CompletionListRow) -> list[Cell]:
    return [
        r.name,
        r.email,
        r.personnel_number or "",
        r.org_unit or "",
        r.module_title,
        r.version_label,
        r.completed_at,
        MODE_LABELS.get(r.mode, r.mode),
        r.score_percent,
    ]


def evidence_tables(report: MunicipalityReport) -> list[Table]:
    """The Jahresnachweis as tables: trainings, workshops and coverage per org unit."""
    trainings = Table(
        title="Schulungen",
        header=["Schulungsmodul", "Beschäftigte", "davon online", "davon in Präsenz", "zählt für das Ziel"],
        rows=[
            [m.title, m.staff, m.online, m.in_person, "ja" if m.counts else "nein"] for m in report.modules
        ],
        widths=[4, 1, 1, 1, 1],
    )
    workshops = Table(
        title="Empowerment-Workshops",
        header=["Datum", "Drehbuch", "Version", "Ort", "Teilnehmende"],
        rows=[[w.held_on, w.title, w.version_label, w.place, w.participants] for w in report.workshops],
        widths=[1, 3, 0.8, 2.2, 1.4],
    )
    coverage = Table(
        title="Abdeckung",
        header=[
            "Organisationseinheit",
            "Beschäftigte",
            "mind. 1 Modul",
            "Anteil (%)",
            "mind. 2 Module",
            "Anteil (%)",
        ],
        rows=[
            [c.label, c.staff, c.at_least_one, c.share_one, c.at_least_two, c.share_two]
            for c in [*report.coverage_by_unit, report.coverage]
        ],
        widths=[3, 1, 1, 1, 1, 1],
    )
    return [trainings, workshops, coverage]


def open_table(report_title: str, rows: list[OpenRow]) -> Table:
    """Who has not yet completed a module planned for them (names: for the municipality's coordination)."""
    return Table(
        title=report_title,
        header=[
            "Name",
            "E-Mail-Adresse",
            "Personalnummer",
            "Organisationseinheit",
            "Modul",
            "Fällig am",
            "Überfällig",
        ],
        rows=[
            [
                r.name,
                r.email,
                r.personnel_number or "",
                r.org_unit_name,
                r.module_title,
                r.due_on,
                "ja" if r.is_overdue else "nein",
            ]
            for r in rows
        ],
        widths=[2, 2.4, 1, 2, 3, 1.1, 0.9],
    )
