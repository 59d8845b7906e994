"""Reading funding files as German Excel writes them: XLSX with number and date cells, or CSV."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import xlsxwriter

from lms.programme.funding_file import GRANT, FundingFileError, parse_funding_file
from lms.programme.models import MeasureKind


def _xlsx(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Förderung")
    dates = book.add_format({"num_format": "dd.mm.yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, dates)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_xlsx_with_number_and_date_cells() -> None:
    raw = _xlsx(
        [
            ["Kommune", "Art", "Betrag (€)", "Datum", "Beschreibung", "Bemerkung"],
            ["offenbach", "Fortbildungen", 2500.5, datetime(2026, 3, 31), "Schulung Ämter", "x"],
            ["Stadt Offenbach am Main", "Bewilligung", 10000, datetime(2026, 1, 15), "", ""],
            ["offenbach", "Umzug", 10, datetime(2026, 1, 15), "?", ""],
        ]
    )
    parsed = parse_funding_file(raw)
    assert [(r.line, r.kind, r.amount_cents, r.occurred_on) for r in parsed.rows] == [
        (2, MeasureKind.TRAINING, 250_050, date(2026, 3, 31)),
        (3, GRANT, 1_000_000, date(2026, 1, 15)),
    ]
    assert parsed.ignored_columns == ["Bemerkung"]
    [problem] = parsed.problems
    assert problem.line == 4 and "Umzug" in str(problem.message)


def test_csv_from_german_excel_with_problems_per_line() -> None:
    raw = (
        "Kommune;Art;Betrag;Datum;Beschreibung\r\n"
        "hofheim;Externe Beratung;1.200,00 €;01.02.2026;Beratung zur Arbeitsdefinition\r\n"
        "hofheim;Sonstige;-5;01.02.2026;Storno\r\n"
        "hofheim;Personalstellen;100,00;31.02.2026;Stelle\r\n"
        "hofheim;Personalstellen;100,00;01.03.2026;\r\n"
        "hofheim;Personalstellen;999999999999;01.03.2026;zu viel\r\n"
    ).encode("cp1252")
    parsed = parse_funding_file(raw)
    assert [r.amount_cents for r in parsed.rows] == [120_000]
    messages = {p.line: str(p.message) for p in parsed.problems}
    assert "kein Betrag" in messages[3]
    assert "kein Datum" in messages[4]
    assert "Beschreibung fehlt" in messages[5]
    assert "zu groß" in messages[6]


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", "leer"),
        (b"Name;Betrag\nx;1\n", "In der Kopfzeile fehlt"),
        (b"PK\x03\x04 broken", "beschädigt"),
    ],
)
def test_unreadable_files_say_why(raw: bytes, text: str) -> None:
    with pytest.raises(FundingFileError) as caught:
        parse_funding_file(raw)
    assert text in str(caught.value)


def test_a_header_of_thousands_of_characters_is_quoted_in_part() -> None:
    header = ";".join(f"Spalte {n}" for n in range(600)).encode()
    with pytest.raises(FundingFileError) as caught:
        parse_funding_file(header + b"\r\n")
    assert len(str(caught.value)) < 400 and "Spalte 0, Spalte 1" in str(caught.value)
