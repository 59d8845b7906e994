"""Reading a municipality's staff list as exported from Excel or an HR system: pure, no database.

Accepted: CSV in UTF-8 (with or without BOM) or Windows-1252 (Excel's „CSV (Trennzeichen-getrennt)“ on German
Windows), also Excel's „Unicode-Text“ (UTF-16, tab-separated); separated by semicolons, commas or tabs (detected on
the header line). Columns are found by name, in any order, case and spacing ignored; unknown columns are ignored.

Required: E-Mail, Name (or Vorname and Nachname), Organisationseinheit (also: Fachbereich, Amt, Abteilung, OE).
Optional: Personalnummer. Each faulty row is reported with its line number in the file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from lms.auth.services import AccountError, check_email
from lms.errors import Characters, ServiceError, Term, Terms
from lms.text import CONTROL_CHARACTERS, N_, excerpt, normalised_name, unprintable_characters

#: Column keys and the header names (normalised) that mean them.
ALIASES: dict[str, tuple[str, ...]] = {
    "email": (
        "e-mail",
        "email",
        "e-mail-adresse",
        "e-mail adresse",
        "emailadresse",
        "mail",
        "dienstliche e-mail",
    ),
    "name": ("name", "anzeigename", "vollständiger name", "vor- und nachname", "vorname nachname"),
    "first_name": ("vorname",),
    "last_name": ("nachname", "familienname"),
    "org_unit": (
        "organisationseinheit",
        "org.-einheit",
        "oe",
        "fachbereich",
        "amt",
        "abteilung",
        "dienststelle",
        "fachdienst",
    ),
    "personnel_number": (
        "personalnummer",
        "personal-nr.",
        "personal-nr",
        "pers.-nr.",
        "pers.-nr",
        "personalnr",
        "pnr",
    ),
}
#: The columns a staff list needs, named as in the file (German headers), in a sentence of the reader's language.
EXPECTED = Term(N_("E-Mail, Name (oder Vorname und Nachname), Organisationseinheit; optional Personalnummer"))
LIMITS = {"email": 254, "name": 200, "org_unit": 200, "personnel_number": 50}
LABELS = {
    "email": Term(N_("E-Mail-Adresse")),
    "name": Term(N_("Name")),
    "org_unit": Term(N_("Organisationseinheit")),
    "personnel_number": Term(N_("Personalnummer")),
}


class StaffFileError(ServiceError, ValueError):
    """The file as a whole cannot be read (empty, wrong format, required columns missing)."""


@dataclass(frozen=True)
class StaffRow:
    """One valid person of the list."""

    line: int
    email: str
    name: str
    org_unit: str
    personnel_number: str | None


@dataclass(frozen=True)
class RowProblem:
    """A faulty row: its line in the file and what is wrong (``str()`` of it is German)."""

    line: int
    message: ServiceError

    def __str__(self) -> str:
        return f"Zeile {self.line}: {self.message}"


@dataclass
class StaffList:
    """The valid rows, the faulty ones, and how the file was read."""

    rows: list[StaffRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    #: Whether the file has a Personalnummer column at all; without one, existing numbers are kept.
    has_personnel_numbers: bool = False

    @property
    def rows_read(self) -> int:
        """Rows with content the file held: the valid ones and the faulty ones (one problem per row)."""
        return len(self.rows) + len(self.problems)


def decode(raw: bytes) -> tuple[str, str]:
    """The text and a German name of its encoding: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if raw.startswith(b"PK\x03\x04"):
        raise StaffFileError("staff_file.workbook")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), N_("UTF-8 mit BOM")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), N_("UTF-16 (Unicode-Text)")
        except UnicodeDecodeError:  # e.g. an odd number of bytes: the file was cut off
            raise StaffFileError("staff_file.utf16_damaged") from None
    if (unmarked := _utf16_without_mark(raw)) is not None:
        try:
            return raw.decode(unmarked), N_("UTF-16 ohne Byte-Order-Mark")
        except UnicodeDecodeError:
            raise StaffFileError("staff_file.utf16_damaged") from None
    try:
        return raw.decode("utf-8"), N_("UTF-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), N_("Windows-1252")
    except UnicodeDecodeError:
        raise StaffFileError("staff_file.encoding") from None


def _utf16_without_mark(raw: bytes) -> str | None:
    """„utf-16-le“ or „utf-16-be“ for UTF-16 text saved without its byte-order mark (some tools do), else None.

    Such a file is valid UTF-8 too, with a NUL after (or before) every letter: the header then reads „E M a i l“.
    German text in UTF-16 has a zero byte in every second position and almost none in the others.
    """
    sample = raw[:400]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.8 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.8 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def detect_delimiter(header_line: str) -> str:
    """The separator used on the header line: the most frequent of ; , and tab (a tie goes to the semicolon)."""
    counts = {sep: header_line.count(sep) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def _normalise_header(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().rstrip(":").strip().lower()


def _names_several_columns(text: str) -> bool:
    """Does one header cell name two or more of our columns („E-Mail|Name|Organisationseinheit“)?"""
    parts = (_normalise_header(part) for part in re.split(r"[|/\\\s]+", text))
    return sum(any(part in names for names in ALIASES.values()) for part in parts if part) >= 2


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """column key → index, and the names of columns that mean nothing to us."""
    found: dict[str, int] = {}
    ignored = []
    for index, raw in enumerate(header):
        name = _normalise_header(raw)
        key = next((k for k, names in ALIASES.items() if name in names), None)
        if key is None or key in found:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        found[key] = index
    # „Vorname“ + „Name“ (and no „Nachname“): in HR exports „Name“ is then the surname.
    if "first_name" in found and "name" in found and "last_name" not in found:
        found["last_name"] = found.pop("name")
    has_name = "name" in found or ("first_name" in found and "last_name" in found)
    missing = [
        label
        for label, ok in (
            ("E-Mail", "email" in found),
            ("Name", has_name),
            ("Organisationseinheit", "org_unit" in found),
        )
        if not ok
    ]
    named = [h.strip() for h in header if h.strip()]
    if missing and len(named) == 1 and _names_several_columns(named[0]):
        # One column that holds the whole header: the file is split by a character we do not read (| or spaces).
        raise StaffFileError("staff_file.separator_unknown", seen=excerpt(named[0]))
    if missing:
        seen = excerpt("; ".join(named)) or Term(N_("keine"))
        raise StaffFileError(
            "staff_file.columns_missing",
            missing=Terms(tuple(missing), and_=False),
            seen=seen,
            expected=EXPECTED,
        )
    return found, ignored


def _clean(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def parse_staff_list(raw: bytes, *, smtputf8: bool = False) -> StaffList:
    """Read the file; raise StaffFileError if it cannot be read at all, else report each faulty row.

    Addresses are checked with email-validator; non-ASCII ones only pass if the mail server speaks SMTPUTF8.
    """
    if not raw.strip():
        raise StaffFileError("file.empty")
    text, encoding = decode(raw)
    if not text.strip(" \t\r\n\ufeff"):
        raise StaffFileError("file.empty")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise StaffFileError("file.empty") from None
    except csv.Error as error:
        raise StaffFileError("staff_file.header_invalid", error=str(error)) from None
    columns, ignored = _columns(header)
    result = StaffList(
        encoding=encoding,
        delimiter=delimiter,
        ignored_columns=ignored,
        has_personnel_numbers="personnel_number" in columns,
    )
    emails: dict[str, int] = {}
    numbers: dict[str, int] = {}
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problems.append(RowProblem(start, ServiceError("staff_row.invalid_csv", error=str(error))))
            break
        previous_end = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines, e.g. at the end of an Excel export
        if previous_end > start and any(
            ("\n" in cell or "\r" in cell) and delimiter in cell for cell in record
        ):
            # A „"“ that is never closed makes the reader take every following line into one field, and those people
            # would be left out without a word. A line break alone is a cell's own (Alt+Enter in Excel); one with
            # the separator behind it is a swallowed row: no name, address or unit holds the separator.
            unclosed = ServiceError("staff_row.unclosed_quote", first=start, last=previous_end)
            result.problems.append(RowProblem(start, unclosed))
            continue
        row, problem = _row(start, record, columns, len(header), smtputf8)
        if problem is None and row is not None:
            if row.email in emails:
                problem = ServiceError("staff_row.duplicate_email", email=row.email, line=emails[row.email])
            elif row.personnel_number and row.personnel_number in numbers:
                problem = ServiceError(
                    "staff_row.duplicate_number",
                    number=row.personnel_number,
                    line=numbers[row.personnel_number],
                )
        if problem is not None or row is None:
            result.problems.append(RowProblem(start, problem or ServiceError("staff_row.unreadable")))
            continue
        emails[row.email] = start
        if row.personnel_number:
            numbers[row.personnel_number] = start
        result.rows.append(row)
    return result


def _row(
    line: int, record: list[str], columns: dict[str, int], width: int, smtputf8: bool = False
) -> tuple[StaffRow | None, ServiceError | None]:
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        return None, ServiceError("staff_row.too_many_fields", fields=len(record), width=width)

    def raw(key: str) -> str:
        index = columns.get(key)
        return record[index] if index is not None and index < len(record) else ""

    def get(key: str) -> str:
        return _clean(raw(key))

    # Checked before cleaning (which turns some of them into spaces): NUL cannot be stored in PostgreSQL, and the
    # others would stand unseen in names, lists and exports. Tab and line breaks in a cell are only spacing.
    for key in ("email", "name", "first_name", "last_name", "org_unit", "personnel_number"):
        if CONTROL_CHARACTERS.search(raw(key)):
            label = LABELS["name" if key in ("first_name", "last_name") else key]
            return None, ServiceError("staff_row.control_characters", field=label)
    email = get("email").lower()
    name = get("name") or " ".join(part for part in (get("first_name"), get("last_name")) if part)
    name = normalised_name(name)
    if unprintable := unprintable_characters(name):  # a certificate would leave them out without a word
        return None, ServiceError("auth.name_unprintable", characters=Characters(tuple(unprintable)))
    values = {
        "email": email,
        "name": name,
        "org_unit": get("org_unit"),
        "personnel_number": get("personnel_number"),
    }
    missing = [LABELS[k] for k in ("email", "name", "org_unit") if not values[k]]
    if missing:
        return None, ServiceError("staff_row.missing", fields=Terms(tuple(missing)))
    try:
        email = values["email"] = check_email(email, smtputf8=smtputf8)
    except AccountError as refused:
        return None, ServiceError(refused.code, **refused.params)
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            return None, ServiceError("staff_row.too_long", field=LABELS[key], limit=limit)
    return StaffRow(line, email, name, values["org_unit"], values["personnel_number"] or None), None
