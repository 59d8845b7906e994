"""Reading a funding file from German Excel (XLSX, or CSV saved from it): pure, no database.

One row per measure, or per grant of a programme year. Columns are found by name, in any order:
Kommune (its name or short name), Art (Personalstellen, Fortbildungen, Externe Beratung, Sonstige, or Bewilligung
for the funds granted for the programme year of the date), Betrag („10.000,00 €“, „10000,00“ or a number cell),
Datum (31.03.2026, 2026-03-31 or a date cell), Beschreibung (required for measures). Each faulty row is reported
with its line (CSV) or row number (XLSX).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lms.errors import ServiceError, Term, Terms
from lms.orgs.staff_csv import RowProblem, StaffFileError, decode, detect_delimiter
from lms.programme.models import MeasureKind
from lms.programme.money import (
    AmountFractionOfCent,
    AmountInvalid,
    AmountNegative,
    AmountTooLarge,
    cents_from_number,
    parse_amount,
)
from lms.text import CONTROL_CHARACTERS, N_, excerpt

#: The kind of a row that sets the funds granted for a programme year instead of adding a measure.
GRANT = "grant"
MAX_ROWS = 5000
DESCRIPTION_LIMIT = 2000

ALIASES: dict[str, tuple[str, ...]] = {
    "municipality": ("kommune", "modellkommune", "gebietskörperschaft", "kürzel", "kommune (kürzel)"),
    "kind": ("art", "maßnahmenart", "massnahmenart", "kategorie", "typ"),
    "amount": ("betrag", "betrag (€)", "betrag in €", "betrag (eur)", "summe", "kosten", "ausgaben"),
    "date": ("datum", "zahlungsdatum", "beginn", "bewilligt am"),
    "description": ("beschreibung", "bezeichnung", "maßnahme", "massnahme", "verwendungszweck"),
}
REQUIRED = ("municipality", "kind", "amount", "date")
LABELS = {
    "municipality": Term(N_("Kommune")),
    "kind": Term(N_("Art")),
    "amount": Term(N_("Betrag")),
    "date": Term(N_("Datum")),
    "description": Term(N_("Beschreibung")),
}
KINDS: dict[str, str] = {
    "personalstellen": MeasureKind.PERSONNEL,
    "personalstelle": MeasureKind.PERSONNEL,
    "personal": MeasureKind.PERSONNEL,
    "fortbildungen": MeasureKind.TRAINING,
    "fortbildung": MeasureKind.TRAINING,
    "schulung": MeasureKind.TRAINING,
    "schulungen": MeasureKind.TRAINING,
    "externe beratung": MeasureKind.CONSULTING,
    "beratung": MeasureKind.CONSULTING,
    "sonstige": MeasureKind.OTHER,
    "sonstiges": MeasureKind.OTHER,
    "bewilligung": GRANT,
    "bewilligte mittel": GRANT,
    "zuwendung": GRANT,
}
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: What Excel shows in a cell whose formula failed (German and English spellings); openpyxl reads them as text.
_EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#NUM!", "#ZAHL!", "#VALUE!", "#WERT!", "#N/A", "#NV", "#REF!", "#BEZUG!", "#NAME?", "#NULL!"}
)


class FundingFileError(ServiceError, ValueError):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class FundingRow:
    """One valid row: a measure, or the grant of the programme year that contains ``occurred_on``."""

    line: int
    municipality: str
    kind: str
    amount_cents: int
    occurred_on: date
    description: str


@dataclass
class FundingFile:
    """The valid rows and the faulty ones."""

    rows: list[FundingRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def parse_funding_file(raw: bytes) -> FundingFile:
    """Read an XLSX or CSV funding file; raise FundingFileError if it cannot be read at all."""
    if not raw.strip():
        raise FundingFileError("file.empty")
    records = _xlsx_records(raw) if raw.startswith(b"PK\x03\x04") else _csv_records(raw)
    header: Any = []
    while not any(_text(cell) for cell in header):  # Excel sheets often start with a blank row or two
        try:
            _line, header = next(records)
        except StopIteration:
            raise FundingFileError("file.empty") from None
        if isinstance(header, ServiceError):
            raise FundingFileError("staff_file.header_invalid", error=str(header.params.get("error", "")))
    columns, ignored = _columns([_text(cell) for cell in header])
    result = FundingFile(ignored_columns=ignored)
    for line, record in records:
        if isinstance(record, ServiceError):
            result.problems.append(RowProblem(line, record))
            break
        if not any(_text(cell) for cell in record):
            continue
        if len(result.rows) + len(result.problems) >= MAX_ROWS:
            raise FundingFileError("funding_file.too_many_rows", limit=MAX_ROWS)
        row, problem = _row(line, record, columns)
        if row is not None:
            result.rows.append(row)
        else:
            result.problems.append(RowProblem(line, problem or ServiceError("staff_row.unreadable")))
    return result


def _csv_records(raw: bytes) -> Any:
    try:
        text, _encoding = decode(raw)
    except StaffFileError as unreadable:  # a cut-off UTF-16 file, an encoding that is none: the same words
        raise FundingFileError(unreadable.code, **unreadable.params) from None
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text.split("\n", 1)[0]))
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, ServiceError("staff_row.invalid_csv", error=str(error))
            return
        previous_end = reader.line_num
        yield start, record


def _xlsx_records(raw: bytes) -> Any:
    from openpyxl import load_workbook  # only for this upload: keeps it out of every worker's memory

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FundingFileError("funding_file.workbook_damaged") from None
    number = 0
    try:
        sheet = workbook.worksheets[0]
        for number, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(record)
    except ValueError:  # a number cell openpyxl cannot read („inf“, „NaN“): the rows after it are not read
        yield number + 1, ServiceError("funding_row.number_unreadable")
    finally:
        workbook.close()


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    return re.sub(r"\s+", " ", str(cell)).strip()


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    wanted = {alias: key for key, aliases in ALIASES.items() for alias in aliases}
    columns: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        key = wanted.get(name.lower().rstrip(":").strip())
        if key and key not in columns:
            columns[key] = index
        elif name:
            ignored.append(name)
    missing = [LABELS[key] for key in REQUIRED if key not in columns]
    if missing:
        raise FundingFileError(
            "funding_file.columns_missing",
            missing=Terms(tuple(missing)),
            seen=excerpt(", ".join(name for name in header if name)) or "–",
        )
    return columns, ignored


def _row(
    line: int, record: list[Any], columns: dict[str, int]
) -> tuple[FundingRow | None, ServiceError | None]:
    def cell(key: str) -> Any:
        index = columns.get(key)
        return record[index] if index is not None and index < len(record) else None

    # Before anything is looked up or stored: PostgreSQL cannot hold a NUL, the others would stand in reports.
    for key in LABELS:
        if isinstance(cell(key), str) and CONTROL_CHARACTERS.search(cell(key)):
            return None, ServiceError("staff_row.control_characters", field=LABELS[key])
    missing = [LABELS[key] for key in REQUIRED if not _text(cell(key))]
    kind = KINDS.get(_text(cell("kind")).lower())
    description = _text(cell("description"))
    if kind not in (None, GRANT) and not description:
        missing.append(LABELS["description"])
    if missing:
        return None, ServiceError("staff_row.missing", fields=Terms(tuple(missing)))
    if kind is None:
        return None, ServiceError("funding_row.kind_unknown", kind=_text(cell("kind")))
    if len(description) > DESCRIPTION_LIMIT:
        return None, ServiceError("staff_row.too_long", field=LABELS["description"], limit=DESCRIPTION_LIMIT)
    municipality = _text(cell("municipality"))[:200]
    if _text(cell("amount")).upper() in _EXCEL_ERRORS:
        return None, ServiceError("funding_row.amount_excel_error", error=_text(cell("amount")).upper())
    if isinstance(cell("amount"), float) and not math.isfinite(cell("amount")):
        return None, ServiceError("funding_row.amount_not_finite")
    try:
        amount = _amount(cell("amount"))
    # A number cell said why, not quoted: „„12.345“ ist kein Betrag“ read like twelve thousand to a German reader.
    except AmountNegative:
        return None, ServiceError("funding_row.amount_negative")
    except AmountFractionOfCent:
        return None, ServiceError("funding_row.amount_fraction_of_cent")
    except AmountTooLarge:
        return None, ServiceError("funding.amount_too_large", amount=_text(cell("amount")))
    except AmountInvalid:
        return None, ServiceError("funding.amount_invalid", amount=_text(cell("amount")))
    day = _date(cell("date"))
    if day is None:
        return None, ServiceError("funding_row.date_invalid", date=_text(cell("date")))
    return FundingRow(line, municipality, kind, amount, day, description), None


def _amount(value: Any) -> int:
    if isinstance(value, bool):
        raise AmountInvalid(str(value))
    if isinstance(value, int | float | Decimal):
        return cents_from_number(value)
    return parse_amount(_text(value), "de")


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern, order in ((_GERMAN_DATE, (3, 2, 1)), (_ISO_DATE, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            try:
                return date(*(int(match.group(i)) for i in order))
            except ValueError:
                return None
    return None
