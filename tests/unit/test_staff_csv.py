"""Reading staff lists as Excel and HR systems really write them (files generated here, byte for byte)."""

from __future__ import annotations

import random
import time

import pytest

from lms.orgs.staff_csv import StaffFileError, parse_staff_list
from tests import factories as f

HEADER = "E-Mail;Vorname;Nachname;Organisationseinheit;Personalnummer"
ROWS = [
    "a.yilmaz@kreis.example;Ayşe;Yılmaz;Amt für Soziales;100234",
    "j.schmidt@kreis.example;Jürgen;Schmidt;Bürgerservice;100871",
    "m.nguyen@kreis.example;Minh;Nguyễn;Ausländerbehörde;",
]


def excel_csv(
    lines: list[str], *, encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n"
) -> bytes:
    data = newline.join(lines).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data + newline.encode(encoding)


def test_utf8_with_bom_and_semicolons_as_excel_saves_csv_utf8() -> None:
    staff = parse_staff_list(excel_csv([HEADER, *ROWS], bom=True))
    assert (staff.encoding, staff.delimiter, staff.problems) == ("UTF-8 mit BOM", ";", [])
    assert [(r.line, r.email, r.name, r.org_unit, r.personnel_number) for r in staff.rows] == [
        (2, "a.yilmaz@kreis.example", "Ayşe Yılmaz", "Amt für Soziales", "100234"),
        (3, "j.schmidt@kreis.example", "Jürgen Schmidt", "Bürgerservice", "100871"),
        (4, "m.nguyen@kreis.example", "Minh Nguyễn", "Ausländerbehörde", None),
    ]


def test_windows_1252_as_german_excel_saves_plain_csv() -> None:
    lines = [HEADER, ROWS[0].replace("Ayşe;Yılmaz", "Ayse;Yilmaz"), ROWS[1]]
    staff = parse_staff_list(excel_csv(lines, encoding="cp1252"))
    assert staff.encoding == "Windows-1252"
    assert [r.name for r in staff.rows] == ["Ayse Yilmaz", "Jürgen Schmidt"]
    assert staff.rows[0].org_unit == "Amt für Soziales"


def test_commas_quotes_and_a_name_column_in_any_order() -> None:
    raw = excel_csv(
        [
            "Name,Fachbereich,E-Mail-Adresse,Telefon",
            '"Schmidt, Jürgen",FB 3 – Bürgerservice,J.Schmidt@Kreis.Example ,06151-1234',
            '"Okafor, Miriam","Amt für Jugend, Familie und Soziales",m.okafor@kreis.example,',
        ],
        newline="\n",
    )
    staff = parse_staff_list(raw)
    assert staff.delimiter == "," and staff.encoding == "UTF-8" and staff.ignored_columns == ["Telefon"]
    assert [(r.email, r.name, r.org_unit) for r in staff.rows] == [
        ("j.schmidt@kreis.example", "Schmidt, Jürgen", "FB 3 – Bürgerservice"),
        ("m.okafor@kreis.example", "Okafor, Miriam", "Amt für Jugend, Familie und Soziales"),
    ]


def test_excel_unicode_text_is_utf16_with_tabs() -> None:
    raw = "\ufeff" + "\r\n".join(line.replace(";", "\t") for line in [HEADER, *ROWS]) + "\r\n"
    staff = parse_staff_list(raw.encode("utf-16-le"))
    assert staff.delimiter == "\t" and len(staff.rows) == 3 and staff.rows[2].name == "Minh Nguyễn"


def test_utf16_saved_without_its_byte_order_mark_is_read_too() -> None:
    """Some tools save „Unicode“ text without the mark: it was read as UTF-8 with a NUL after every letter, and the
    header came out as „E M a i l“ (an operator's QA check)."""
    text = "E-Mail;Name;Organisationseinheit\r\nb.oezdemir@kreis.example;Büşra Özdemir;Bürgerbüro\r\n"
    for codec in ("utf-16-le", "utf-16-be"):
        staff = parse_staff_list(text.encode(codec))
        assert staff.problems == [] and [r.name for r in staff.rows] == ["Büşra Özdemir"], codec
        assert staff.encoding == "UTF-16 ohne Byte-Order-Mark"


def test_vorname_and_name_mean_first_and_last_name() -> None:
    staff = parse_staff_list(
        excel_csv(["Vorname;Name;E-Mail;Amt", "Deniz;Arslan;d.arslan@stadt.example;Ordnungsamt"])
    )
    assert staff.rows[0].name == "Deniz Arslan" and staff.rows[0].org_unit == "Ordnungsamt"


def test_each_faulty_row_is_reported_with_its_line_number() -> None:
    lines = [
        HEADER,
        ROWS[0],
        "keine-adresse;Paul;Becker;Bauamt;1",  # line 3
        ";Lena;Wolf;Bauamt;2",  # line 4: no e-mail
        "l.wolf@kreis.example;Lena;Wolf;;3",  # line 5: no org unit
        "",  # blank line: skipped silently
        "A.Yilmaz@kreis.example;Ayşe;Yılmaz;Amt für Soziales;9",  # line 7: duplicate of line 2
        "p.k@kreis.example;Peter;Klein;Bauamt;100234",  # line 8: personnel number of line 2
        'x@kreis.example;"Eva;Maria";Fuchs;Bauamt;4;zu viel',  # line 9: one field too many
    ]
    staff = parse_staff_list(excel_csv(lines))
    assert [r.line for r in staff.rows] == [2]
    assert [str(p) for p in staff.problems] == [
        "Zeile 3: „keine-adresse“ ist keine gültige E-Mail-Adresse.",
        "Zeile 4: E-Mail-Adresse fehlt.",
        "Zeile 5: Organisationseinheit fehlt.",
        "Zeile 7: Die E-Mail-Adresse a.yilmaz@kreis.example steht schon in Zeile 2.",
        "Zeile 8: Die Personalnummer 100234 steht schon in Zeile 2.",
        "Zeile 9: 6 Felder, aber nur 5 Spalten. Enthält ein Wert das Trennzeichen? Dann muss er in Anführungszeichen stehen.",
    ]


def test_line_numbers_count_lines_inside_quoted_fields() -> None:
    lines = [HEADER, 'a@kreis.example;"Anna\nMaria";Berg;Bauamt;', "kaputt;B;C;Bauamt;"]
    staff = parse_staff_list(excel_csv(lines))
    assert staff.rows[0].name == "Anna Maria Berg"
    assert [p.line for p in staff.problems] == [4]


def test_a_quote_never_closed_is_named_with_the_lines_it_swallowed() -> None:
    """The reader took every line after an unclosed „"“ into one field: only „Organisationseinheit fehlt“ was said,
    and with „fehlerhafte Zeilen überspringen“ the people below were left out without a word (an operator's check)."""
    lines = [
        HEADER,
        'q1@kreis.example;"Offen;Berg;Bauamt;',
        "q2@kreis.example;B;C;Bauamt;",
        "q3@kreis.example;D;E;Bauamt;",
    ]
    staff = parse_staff_list(excel_csv(lines))
    assert staff.rows == [] and [p.line for p in staff.problems] == [2]
    message = str(staff.problems[0].message)
    assert "wird nicht geschlossen: die Zeilen 2 bis 4 wurden als eine Zeile gelesen" in message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\xef\xbb\xbf\r\n  \r\n", "Die Datei ist leer."),
        (b"PK\x03\x04\x14\x00\x06\x00", "Das ist eine Excel-Arbeitsmappe (.xlsx)"),
        (
            b"Name;Telefon\nA;1\n",
            "In der Kopfzeile fehlt: E-Mail, Organisationseinheit. Gefunden: Name; Telefon.",
        ),
        (b"Vorname;E-Mail;Amt\n", "In der Kopfzeile fehlt: Name."),
        # Another separator (found by a QA sweep: the message named as missing the columns it showed as found).
        (
            b"E-Mail|Name|Organisationseinheit\na@kreis.example|A|Bauamt\n",
            "Die Kopfzeile „E-Mail|Name|Organisationseinheit“ ist nicht in Spalten geteilt. Zwischen den Spalten "
            "muss ein Semikolon (;), ein Komma (,) oder ein Tabulator stehen",
        ),
    ],
)
def test_files_that_cannot_be_read_say_why(raw: bytes, message: str) -> None:
    with pytest.raises(StaffFileError) as error:
        parse_staff_list(raw)
    assert message in str(error.value)


def test_a_header_only_file_has_no_rows_and_no_problems() -> None:
    staff = parse_staff_list(excel_csv([HEADER], bom=True))
    assert staff.rows == [] and staff.problems == []


def test_a_five_megabyte_file_is_read_in_seconds() -> None:
    raw = f.big_hr_export(5 * 1024 * 1024)
    assert len(raw) >= 5 * 1024 * 1024
    started = time.perf_counter()
    staff = parse_staff_list(raw)
    elapsed = time.perf_counter() - started
    assert staff.problems == [] and len(staff.rows) > 30_000
    assert staff.rows[-1].email.startswith("person.") and staff.rows[-1].line == len(staff.rows) + 1
    assert elapsed < 10, f"parsing 5 MB took {elapsed:.1f} s"


def test_addresses_are_checked_with_email_validator_and_umlauts_need_smtputf8() -> None:
    lines = [
        HEADER,
        "märta.lindström@kreis.example;Märta;Lindström;Bauamt;1",  # line 2: accepted today, its To: was invalid
        "a..b@kreis.example;A;B;Bauamt;2",  # line 3: two dots in a row
        "c@kreis;C;D;Bauamt;3",  # line 4: no top-level domain
        "e.f@kreis.example;E;F;Bauamt;4",
    ]
    staff = parse_staff_list(excel_csv(lines))
    assert [r.email for r in staff.rows] == ["e.f@kreis.example"]
    assert [str(p) for p in staff.problems] == [
        "Zeile 2: „märta.lindström@kreis.example“ enthält Umlaute, Akzente oder andere Sonderzeichen. An solche "
        "Adressen kann der Mailserver der Plattform nicht zustellen; bitte verwenden Sie die Schreibweise ohne "
        "Umlaute (z. B. ae statt ä).",
        "Zeile 3: „a..b@kreis.example“ ist keine gültige E-Mail-Adresse.",
        "Zeile 4: „c@kreis“ ist keine gültige E-Mail-Adresse.",
    ]
    with_utf8 = parse_staff_list(excel_csv(lines), smtputf8=True)
    assert [r.email for r in with_utf8.rows] == ["märta.lindström@kreis.example", "e.f@kreis.example"]


def test_a_binary_file_is_refused_in_a_message_of_readable_length() -> None:
    """5 KB of random bytes read as Windows-1252 made a header of 5,000 characters, all of it quoted back in the
    message (a QA sweep)."""
    readable = [b for b in range(0x21, 0x7F) if b not in b";,\t\"'"] + list(range(0xC0, 0x100))
    noise = bytes(random.Random(7).choices(readable, k=5000))
    with pytest.raises(StaffFileError) as error:
        parse_staff_list(noise)
    assert len(str(error.value)) < 400 and "…" in str(error.value)
