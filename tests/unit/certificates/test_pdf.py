"""Certificate PDFs: what they say, that they are PDF/A-2b with embedded fonts, the QR code, bit-identical rebuilds."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from lms.certificates.pdf import certificate_pdf, transcript_pdf
from lms.certificates.snapshot import NEUTRAL_PARTICIPATION_TITLE, completion_snapshot, participation_snapshot

CODE = "KFA-7K3M-Q9XD-2HNP-5"


def _snapshot(layout: int = 2, **changes):  # type: ignore[no-untyped-def]
    values = dict(
        code=CODE,
        base_url="https://lernen.kommunen-fuer-alle.example",
        holder_name="Jürgen Weiß-Öztürk",
        municipality_name="Landkreis Darmstadt-Dieburg",
        module_title="Grundbegriffe und Arbeitsdefinitionen",
        module_slug="grundbegriffe",
        version_label="1.2",
        completed_at=datetime(2026, 2, 28, 23, 30, tzinfo=UTC),  # 1 March in Germany
        duration_minutes=45,
        mode="in_person",
        issued_at=datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
    )
    values.update(changes)
    snapshot = completion_snapshot(**values)
    snapshot["layout"] = layout
    return snapshot


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("layout", [1, 2, 3, 4])
def test_certificate_says_who_what_when_and_how(layout: int) -> None:
    text = _text(certificate_pdf(_snapshot(layout)))
    for expected in (
        "Zertifikat",
        "Jürgen Weiß-Öztürk",
        "Landkreis Darmstadt-Dieburg",
        "„Grundbegriffe und Arbeitsdefinitionen“",
        "in der Version 1.2",
        "am 01.03.2026 in Präsenz erfolgreich abgeschlossen",
        "Umfang: 45 Minuten",
        "Europäische Städtekoalition gegen Rassismus (ECCAR) e. V.",
        "Gefördert im Rahmen des Bundesprogramms „Demokratie leben!“",
        CODE,
        f"https://lernen.kommunen-fuer-alle.example/verify/{CODE}",
    ):
        assert expected in text, expected


def test_a_participation_certificate_names_only_the_neutral_title() -> None:
    snapshot = participation_snapshot(
        code=CODE,
        base_url="https://lernen.example",
        holder_name="Deniz Arslan",
        municipality_name="Stadt Offenbach am Main",
        attended_on=date(2026, 5, 4),
        duration_minutes=None,
        issued_at=datetime(2026, 5, 5, 9, tzinfo=UTC),
    )
    assert snapshot["title"] == NEUTRAL_PARTICIPATION_TITLE and snapshot["module_slug"] is None
    text = " ".join(_text(certificate_pdf(snapshot)).split())
    assert "Teilnahmebescheinigung" in text and "Deniz Arslan" in text
    assert "an einer Fortbildung des Modellprogramms „Kommunen für alle?“ teilgenommen" in text
    assert "Empowerment" not in text and "Modul" not in text.replace("Modellprogramms", "")


@pytest.mark.parametrize("layout", [1, 2, 3, 4])
def test_two_builds_are_byte_identical_and_the_layout_is_pinned(layout: int) -> None:
    first, second = certificate_pdf(_snapshot(layout)), certificate_pdf(_snapshot(layout))
    assert first == second
    assert certificate_pdf(_snapshot(layout, holder_name="Jürgen Weiss")) != first
    # A reference certificate per layout: if this changes (a library upgrade, an edit of the drawing), issued
    # certificates would no longer rebuild bit-identically. Keep the layouts as they are and add a new one instead.
    assert hashlib.sha256(first).hexdigest() == REFERENCE_SHA256[layout]


REFERENCE_SHA256 = {
    1: "a0df9121a4e24de17cbd0be622beea2daab7e292aab2a62d7e8ee77ba857e99f",
    2: "eb1718a60a3b723afd2ee4fe07abd3f4626df6cf6fe4849edcc7141cc4a47442",
    3: "bb68d16d19f7b020916733ea4a221b01a5c4378e67cbb3006c82f3b810d86cad",
    4: "bd3dbf6dff2f2ebf7e0f8a87b0a6b79b440a7444e32219d9b56f75dd9edf57cf",
}


#: Names from the staff lists of German municipalities that the first font set could not print.
WIDER_NAMES = (
    "Nguyễn Thị Hương",
    "Ștefan Țurcanu",
    "Γιώργος Παπαδόπουλος",
    "Ольга Коваленко",
    "Oʻzbekova Dilnoza",
)


@pytest.mark.parametrize("name", WIDER_NAMES)
def test_layout_4_prints_vietnamese_romanian_greek_and_cyrillic_names_whole(name: str) -> None:
    data = certificate_pdf(_snapshot(4, holder_name=name))
    assert name in _text(data)
    # Layout 3 (font set 1) dropped the letters it had no glyph for, without a word: kept as issued.
    assert name not in _text(certificate_pdf(_snapshot(3, holder_name=name)))


def test_every_name_the_checks_let_through_is_printed_whole() -> None:
    from lms.printable_characters import RANGES
    from lms.text import unprintable_characters

    letters = "".join(
        chr(point)
        for first, last in RANGES
        for point in range(first, last + 1)
        if chr(point).isalpha() and chr(point).isprintable()
    )
    assert not unprintable_characters(letters)
    # Every letter the name checks accept, 60 to a line as a name's line of the certificate, comes out again.
    for start in range(0, len(letters), 60):
        chunk = letters[start : start + 60]
        text = "".join(_text(certificate_pdf(_snapshot(4, holder_name=chunk))).split())
        assert chunk in text, [char for char in chunk if char not in text]


def test_layout_2_is_the_same_whether_its_fonts_are_built_or_taken_from_the_cache() -> None:
    from lms.certificates import typefaces

    rare = _snapshot(holder_name="Đorđe Łukasiewicz-Şahin")  # letters outside the repertoire
    warm = [certificate_pdf(_snapshot()), certificate_pdf(rare)]
    typefaces.clear_cache()
    builds = typefaces.builds
    assert [certificate_pdf(_snapshot()), certificate_pdf(rare)] == warm
    # Regular once; SemiBold (the name) with and without the rarer letters.
    assert typefaces.builds - builds == 3
    certificate_pdf(_snapshot(code="KFA-0000-0000-0000-X", holder_name="Lea Schneider"))
    assert typefaces.builds - builds == 3  # another code and name with common letters: nothing is built
    assert "Đorđe Łukasiewicz-Şahin" in _text(warm[1])


def test_layout_2_embeds_the_repertoire_layout_1_only_what_it_uses() -> None:
    def glyph_counts(data: bytes) -> list[int]:
        from fontTools.ttLib import TTFont

        page = PdfReader(io.BytesIO(data)).pages[0]
        counts = []
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = descriptor["/FontFile2"].get_object().get_data()
            counts.append(len(TTFont(io.BytesIO(program)).getGlyphOrder()))
        return counts

    assert all(count > 110 for count in glyph_counts(certificate_pdf(_snapshot(2))))
    assert all(count < 90 for count in glyph_counts(certificate_pdf(_snapshot(1))))


@pytest.mark.parametrize("layout", [1, 2, 3, 4])
def test_pdf_a_2b_metadata_output_intent_and_embedded_fonts(layout: int) -> None:
    reader = PdfReader(io.BytesIO(certificate_pdf(_snapshot(layout))))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert 'xmp:CreateDate="2026-03-02T08:15:00+00:00"' in xmp
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an ICC profile with 3 (RGB) channels
    assert reader.pdf_header == "%PDF-1.7" and root["/Lang"] == "de-DE"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType program is embedded


def test_the_qr_code_opens_the_verification_page() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    page = PdfReader(io.BytesIO(certificate_pdf(_snapshot()))).pages[0]
    images = list(page.images)
    assert len(images) == 1
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(images[0].image)]
    assert decoded == [f"https://lernen.kommunen-fuer-alle.example/verify/{CODE}"]


def test_transcript_lists_every_certificate_with_its_code() -> None:
    snapshots = [_snapshot(code=f"KFA-0000-0000-000{n}-X", version_label=f"1.{n}") for n in range(1, 4)]
    text = _text(
        transcript_pdf(
            holder_name="Jürgen Weiß-Öztürk",
            municipality_name="Landkreis Darmstadt-Dieburg",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            snapshots=snapshots,
            verify_base="https://lernen.example",
            created=datetime(2026, 12, 31, tzinfo=UTC),
        )
    )
    assert "Fortbildungsübersicht" in text and "Zeitraum: 01.01.2026 bis 31.12.2026" in text
    assert all(s["code"] in text for s in snapshots) and "Insgesamt: 3 Nachweise, 135 Minuten" in text


def _lines_from_the_top(data: bytes) -> list[tuple[float, str]]:
    """(distance from the page's top in mm, text) of every piece of text on the first page."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    height = float(page.mediabox.height)
    found: list[tuple[float, str]] = []

    def visit(text, _cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if text.strip():
            found.append(((height - tm[5]) * 25.4 / 72, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


LONG_NAME = ("Maria-Magdalena Alexandra Konstantina von Hohenstein-Schmidt-Oberlinden " * 3)[:200].strip()
LONG_TITLE = (
    "Rassismuskritische Perspektiven auf Verwaltungshandeln: Diskriminierungsschutz in Bürgerämtern, "
    "Ausländerbehörden und Jobcentern nach dem AGG und Art. 3 GG, mit Fallbeispielen aus der Praxis"
)
LONG_TOWN = "Landkreis " + "Darmstadt-Dieburg und Bergstraße-Odenwald " * 4
#: The longest each column holds (200, 300, 200 characters), in capitals as some staff lists write names.
LONGEST = (
    ("MARIA-MAGDALENA WOLFESCHLEGELSTEINHAUSENBERGERDORFF " * 4)[:200],
    ("RASSISMUSKRITISCHE PERSPEKTIVEN AUF VERWALTUNGSHANDELN WÄHREND DER ÜBERGANGSZEIT " * 4)[:300],
    ("ZWECKVERBAND WASSERVERSORGUNG MITTLERES WESERGEBIET " * 4)[:200],
)


@pytest.mark.parametrize("layout", [3, 4])
def test_a_long_name_title_and_municipality_stay_above_the_issuer(layout: int) -> None:
    snapshot = _snapshot(
        layout,
        holder_name=LONG_NAME,
        module_title=LONG_TITLE,
        municipality_name=LONG_TOWN.strip(),
        valid_until=date(2028, 12, 31),
    )
    data = certificate_pdf(snapshot)
    lines = _lines_from_the_top(data)
    issuer = min(y for y, text in lines if text.startswith("Ausgestellt von"))
    last = max(
        y for y, text in lines if text.startswith("Gültig bis 31.12.2028")
    )  # the statement's last line
    town_lines = [text for _y, text in lines if "Odenwald" in text]
    if (
        layout == 3
    ):  # drawn as issued: the statement ran into the issuer's block, the town in one line off the page
        assert last > issuer and len(town_lines) == 1
        return
    assert last < issuer - 8, (last, issuer)  # the rule lies between them
    assert len(town_lines) > 1
    words = " ".join(" ".join(text for _y, text in lines).split())
    for expected in ("Hohenstein-Schmidt-", "Jobcentern nach dem AGG", "Ausgestellt am 02.03.2026"):
        assert expected in words


def test_a_participation_certificate_with_a_long_name_stays_above_the_issuer() -> None:
    snapshot = participation_snapshot(
        code=CODE,
        base_url="https://lernen.example",
        holder_name=LONG_NAME,
        municipality_name=LONG_TOWN.strip(),
        attended_on=date(2026, 5, 4),
        duration_minutes=180,
        issued_at=datetime(2026, 5, 5, 9, tzinfo=UTC),
    )
    assert snapshot["layout"] == 4
    lines = _lines_from_the_top(certificate_pdf(snapshot))
    issuer = min(y for y, text in lines if text.startswith("Ausgestellt von"))
    last = max(y for y, text in lines if text.startswith("Umfang: 180 Minuten"))
    assert last < issuer - 8


def test_a_transcript_wraps_a_long_name_and_shortens_it_in_the_footer() -> None:
    data = transcript_pdf(
        holder_name=LONG_NAME,
        municipality_name=LONG_TOWN.strip(),
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        snapshots=[_snapshot(4)],
        verify_base="https://lernen.example/verify",
        created=datetime(2027, 1, 5, 9, tzinfo=UTC),
    )
    lines = _lines_from_the_top(data)
    assert len([text for _y, text in lines if "Hohenstein" in text]) >= 3  # wrapped, and once in the footer
    footer = next(text for y, text in lines if y > 270 and "Seite 1 von 1" in text)
    assert footer.startswith("Maria-Magdalena") and "…" in footer and len(footer) < 130
    assert (
        "Fortbildungsübersicht 01.01.2026–31.12.2026" in footer
    )  # the name gives way, not what the paper is


def test_the_longest_name_title_and_municipality_the_database_holds_stay_above_the_issuer() -> None:
    name, title, town = LONGEST
    assert (len(name), len(title), len(town)) == (200, 300, 200)
    snapshot = _snapshot(
        4, holder_name=name, module_title=title, municipality_name=town, valid_until=date(2028, 12, 31)
    )
    lines = _lines_from_the_top(certificate_pdf(snapshot))
    issuer = min(y for y, text in lines if text.startswith("Ausgestellt von"))
    last = max(y for y, text in lines if text.startswith("Gültig bis 31.12.2028"))
    assert last < issuer - 8  # above the rule, with „Umfang: 45 Minuten“ and the validity


def test_a_name_in_capitals_fits_the_transcript_footer_too() -> None:
    """Shortened by its width, not by 60 characters: 60 capitals were wider than the line."""
    data = transcript_pdf(
        holder_name=("WOLFESCHLEGELSTEINHAUSENBERGERDORFF-MÜLLER " * 5).strip(),
        municipality_name=None,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        snapshots=[_snapshot(4)],
        verify_base="https://lernen.example/verify",
        created=datetime(2027, 1, 5, 9, tzinfo=UTC),
    )
    page = PdfReader(io.BytesIO(data)).pages[0]
    starts: list[float] = []

    def visit(text, _cm, tm, _font, _size) -> None:  # type: ignore[no-untyped-def]
        if "Seite 1 von 1" in text:
            starts.append(tm[4])

    page.extract_text(visitor_text=visit)
    assert starts and all(x >= 0 for x in starts)
