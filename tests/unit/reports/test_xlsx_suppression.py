"""XLSX exports: a count shown as „< 5“ leaves its number cell empty (sums stay right) and a note says why."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from lms.disclosure import LEGEND, SUPPRESSED
from lms.reports.exports import NOTE_HEADER, Table, to_csv, to_xlsx


def test_suppressed_cells_are_empty_numbers_with_a_note_and_a_legend() -> None:
    table = Table(
        title="Übersicht",
        header=["Kommune", "Beschäftigte", "Teilnehmende Workshops"],
        rows=[["Stadt A", 12, SUPPRESSED], ["Stadt B", SUPPRESSED, 15], ["Stadt C", 0, 0]],
    )
    sheet = load_workbook(io.BytesIO(to_xlsx([table]))).active
    assert [c.value for c in sheet[1]] == ["Kommune", "Beschäftigte", "Teilnehmende Workshops", NOTE_HEADER]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=4)]
    assert rows == [
        ["Stadt A", 12, None, f"{LEGEND}: Teilnehmende Workshops"],
        ["Stadt B", None, 15, f"{LEGEND}: Beschäftigte"],
        ["Stadt C", 0, 0, None],
    ]
    # Every value in the number columns is a number or empty: =SUM() adds exactly what is shown.
    for column in ("B", "C"):
        values = [sheet[f"{column}{r}"].value for r in range(2, 5)]
        assert all(v is None or isinstance(v, int) for v in values)
        assert sheet[f"{column}2"].data_type in {"n"}
    assert sheet["A6"].value == f"Leere Zelle in einer Zahlenspalte: {LEGEND}."
    # CSV has no types: there „< 5“ stays as text (documented in the PDF note and the README).
    assert "< 5" in to_csv(table).decode("utf-8-sig")


def test_a_table_without_suppressed_cells_gets_no_note_column() -> None:
    table = Table(title="T", header=["Kommune", "Beschäftigte"], rows=[["Stadt A", 12]])
    sheet = load_workbook(io.BytesIO(to_xlsx([table]))).active
    assert [c.value for c in sheet[1]] == ["Kommune", "Beschäftigte"]
    assert sheet.max_row == 2
