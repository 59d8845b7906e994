"""Certificate and transcript PDFs (pure: snapshot in, bytes out; no database, no flask).

Every certificate PDF is PDF/A-2b (embedded fonts, sRGB output intent, XMP metadata) and is rebuilt
bit-identically from its snapshot: the creation date, the file ID and the XMP dates come from the snapshot, the
fonts are files in this package (not system fonts that an update could change), and nothing reads the clock.
A test pins the SHA-256 of a reference certificate per layout, so a library upgrade that changes the output is
noticed. If the drawing code ever has to change the output, add a new layout number and keep drawing old snapshots
with their own layout.

Layout 2 draws the same page as layout 1; it embeds the fonts prepared once per process (lms.certificates.typefaces)
instead of parsing and subsetting them for every certificate, which makes it about three times faster to build.

Layout 3 draws the same page as layout 2 as a tagged PDF (PDF/UA-1, lms.pdf_tags): headings, paragraphs, the QR code
as a figure with its alternative text, the blue bar and the rule as artifacts, the title shown by the reader. The
tags are written only for layout 3, so certificates issued with layouts 1 and 2 rebuild exactly as they were stored.

Layout 4 draws the same page as layout 3 with the certificate font set 2 (lms.certificates.typefaces), which also has
the letters of Vietnamese, Romanian, Greek and Cyrillic names: set 1 lacked them, and fpdf2 leaves a character out of
the page if its font has no glyph for it („Nguyễn“ was printed „Nguyn“). Names that would still lose a character are
refused where they are entered (lms.text.unprintable_characters). Layout 4 also fits a long name, module title and
municipality above the issuer's block (smaller type, down to 9, 8 and 8 pt) and wraps the municipality's name;
layouts 1 to 3 let them run into it.
Transcripts and the empty print page are made on request and are always tagged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from html import escape
from typing import Any

import segno
from fpdf import FPDF, FontFace
from PIL import Image

from lms import time as clock
from lms.certificates.snapshot import (
    MODE_LABELS,
    CertificateKind,
    Snapshot,
)
from lms.certificates.typefaces import FONT_SETS, add_prepared_fonts
from lms.pdf_tags import TaggedPDF, hyphenate, line_count, xmp
from lms.text import plural

FONT = "KfA Zertifikat Sans"
BLUE = (23, 60, 109)
GREY = (80, 80, 80)
PROGRAMME = "Lernplattform „Kommunen für alle?“"
CREATOR = "Lernplattform „Kommunen für alle?“ (ECCAR)"


class _Document(TaggedPDF):
    """FPDF with a file identifier derived from the certificate code (stable, and the same for every rebuild)."""

    def __init__(self, fixed_id: str, footer: tuple[str, str] | None = None, *, tagged: bool = False) -> None:
        super().__init__(
            orientation="portrait", unit="mm", format="A4", enforce_compliance="PDF/A-2B", tagged=tagged
        )
        self._fixed_id = fixed_id
        #: (the person's name, what the document is): the name is shortened where the line would not hold both.
        self._footer = footer

    def file_id(self) -> str:
        return f"<{self._fixed_id}><{self._fixed_id}>"

    def footer(self) -> None:
        if not self._footer:
            return
        self.set_y(-15)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        name, what = self._footer
        rest = f" · {what} · Seite {self.page_no()} von {{nb}}"
        room = self.epw - self.get_string_width(rest.replace("{nb}", "999"))
        self.cell(0, 5, f"{self.fitted(name, room)}{rest}", align="C")


def _xmp(*, title: str, author: str, created: datetime) -> str:
    """XMP metadata matching the document information (PDF/A requires both to agree), with fixed dates."""
    stamp = escape(created.astimezone(UTC).isoformat(timespec="seconds"))
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            '    <rdf:Description rdf:about=""',
            '        xmlns:dc="http://purl.org/dc/elements/1.1/"',
            '        xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
            '        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            f'        xmp:CreatorTool="{escape(CREATOR)}"',
            f'        xmp:CreateDate="{stamp}" xmp:ModifyDate="{stamp}" xmp:MetadataDate="{stamp}"',
            f'        pdf:Producer="{escape(CREATOR)}">',
            "      <pdfaid:part>2</pdfaid:part>",
            "      <pdfaid:conformance>B</pdfaid:conformance>",
            "      <dc:format>application/pdf</dc:format>",
            f'      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>',
            f"      <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>",
            "    </rdf:Description>",
            "  </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


AUTHOR = "Europäische Städtekoalition gegen Rassismus (ECCAR) e. V."


def document_xmp(*, title: str, created: datetime) -> str:
    """The XMP metadata (PDF/A-2b) of a platform document with this title and date."""
    return _xmp(title=title, author=AUTHOR, created=created)


def _new_document(
    *,
    title: str,
    created: datetime,
    identity: str,
    footer: tuple[str, str] | None = None,
    font_set: int = 2,
    prepared_fonts: bool = False,
    tagged: bool = True,
) -> _Document:
    pdf = _Document(hashlib.sha256(identity.encode()).hexdigest()[:32].upper(), footer, tagged=tagged)
    pdf.set_creation_date(created.astimezone(UTC))
    if prepared_fonts:
        add_prepared_fonts(pdf, FONT, font_set)
    else:
        for style, path in FONT_SETS[font_set].items():
            pdf.add_font(FONT, style, str(path))
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator(CREATOR)
    pdf.set_producer(CREATOR)
    pdf.set_lang("de-DE")
    if tagged:
        pdf.set_xmp_metadata(
            xmp(title=title, author=AUTHOR, creator=CREATOR, created=created, pdfa=True, pdfua=True)
        )
    else:
        pdf.set_xmp_metadata(document_xmp(title=title, created=created))
    pdf.set_margins(22, 20, 22)
    return pdf


def _qr_image(url: str) -> Image.Image:
    """The QR code as a black-and-white image (8 pixels per module, a quiet zone of 4 modules).

    The mask pattern is fixed: choosing the "best" one costs most of segno's time (1,800 certificates), every
    mask decodes equally, and a fixed choice keeps the layouts reproducible across segno versions. The image is
    built directly rather than written as a PNG and decoded again: the same pixels (so the same PDF bytes) in a
    third of the time.
    """
    rows = [
        list(row) for row in segno.make(url, error="m", micro=False, mask=0).matrix_iter(scale=1, border=4)
    ]
    image = Image.new("1", (len(rows[0]), len(rows)))
    image.putdata([0 if dark else 255 for row in rows for dark in row])
    return image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST)


def _issued_at(snapshot: Snapshot | dict[str, Any]) -> datetime:
    return datetime.fromisoformat(snapshot["issued_at"])


def document_title(snapshot: Snapshot | dict[str, Any]) -> str:
    """The PDF's title: what it is and for whom."""
    return f"Zertifikat {snapshot['code']} – {snapshot['holder_name']}"


#: Where the statement (who did what, when) may go: from the title down to the rule above the issuer.
STATEMENT_TOP, STATEMENT_BOTTOM = 52, 176
#: Font sizes (pt) of the name, the module title and the municipality, largest first; layout 4 takes the first that
#: fits. The smallest fit the longest of each the database holds (200, 300 and 200 characters) with every line.
STATEMENT_SIZES = (
    (22, 16, 12),
    (20, 15, 12),
    (18, 14, 12),
    (16, 13, 11),
    (14, 12, 11),
    (12, 11, 10),
    (11, 10, 10),
    (10, 9, 9),
    (9, 8, 8),
)


def _draw_certificate_layout_1(
    pdf: _Document, snapshot: Snapshot | dict[str, Any], *, fit_font_set: int | None = None
) -> None:
    """Layouts 1 to 4 (2026): one A4 page. Never change what it draws; add a new layout instead.

    The ``pdf.tag`` blocks write nothing for layouts 1 and 2 (untagged documents); for layout 3 they make the structure
    tree. The reference hashes in the tests hold all four layouts.

    ``fit_font_set`` (layout 4: the font set its text is measured in): a long name, module title and municipality get
    smaller type until the statement ends above the rule, and the municipality's name wraps. Before, a 200-character
    name with a 150-character title ran into „Ausgestellt von“, and a long municipality ran off the page.
    """
    pdf.add_page()
    pdf.set_auto_page_break(False)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    name_size, title_size, town_size = (
        _statement_sizes(snapshot, width, fit_font_set) if fit_font_set else STATEMENT_SIZES[0]
    )
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, pdf.w, 8, style="F")

    pdf.set_y(20)
    pdf.set_text_color(*BLUE)
    pdf.set_font(FONT, "B", 11)
    with pdf.tag("P"):
        pdf.cell(width, 6, PROGRAMME, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 5, "Rassismuskritik in kommunalen Verwaltungen", new_x="LMARGIN", new_y="NEXT")

    pdf.set_y(STATEMENT_TOP)
    pdf.set_text_color(0, 0, 0)
    is_completion = snapshot["kind"] == CertificateKind.COMPLETION
    pdf.set_font(FONT, "B", 30)
    with pdf.tag("H1"):
        pdf.cell(width, 14, "Zertifikat" if is_completion else "Teilnahmebescheinigung", align="C")
    pdf.ln(16)
    if not is_completion:
        # The neutral title from the snapshot, never the event's own name.
        pdf.set_font(FONT, "B", 13)
        with pdf.tag("P"):
            pdf.multi_cell(width, 7, snapshot["title"], align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    with pdf.tag("P"):  # one sentence: who did what, when
        pdf.set_font(FONT, "", 12)
        pdf.cell(width, 7, "Hiermit wird bescheinigt, dass", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(FONT, "B", name_size)
        pdf.multi_cell(
            width, _name_line(name_size), snapshot["holder_name"], align="C", new_x="LMARGIN", new_y="NEXT"
        )
        municipality = snapshot.get("municipality_name")
        if municipality:
            pdf.set_font(FONT, "", town_size)
            pdf.set_text_color(*GREY)
            if fit_font_set:
                pdf.multi_cell(
                    width, _town_line(town_size), municipality, align="C", new_x="LMARGIN", new_y="NEXT"
                )
            else:
                pdf.cell(width, 7, municipality, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        pdf.ln(6)
        pdf.set_font(FONT, "", 12)
        day = clock.fixed_date(date.fromisoformat(snapshot["awarded_on"]))
        mode = MODE_LABELS.get(snapshot["mode"], snapshot["mode"])
        if is_completion:
            pdf.cell(width, 7, "das Schulungsmodul", align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            pdf.set_font(FONT, "B", title_size)
            pdf.multi_cell(
                width,
                _title_line(title_size),
                f"„{snapshot['title']}“",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.ln(2)
            pdf.set_font(FONT, "", 12)
            pdf.cell(
                width,
                7,
                f"in der Version {snapshot['version_label']}",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.cell(
                width,
                7,
                f"am {day} {mode} erfolgreich abgeschlossen hat.",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        else:
            pdf.multi_cell(
                width,
                7,
                _participation_sentence(snapshot),
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    if snapshot.get("duration_minutes"):
        pdf.ln(2)
        pdf.set_text_color(*GREY)
        with pdf.tag("P"):
            pdf.cell(
                width,
                7,
                f"Umfang: {snapshot['duration_minutes']} Minuten",
                align="C",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.set_text_color(0, 0, 0)
    if snapshot.get(
        "valid_until"
    ):  # drawn only for snapshots that have it: older certificates stay unchanged
        pdf.ln(2)
        until = clock.fixed_date(date.fromisoformat(snapshot["valid_until"]))
        pdf.set_font(FONT, "B", 12)
        pdf.cell(width, 7, f"Gültig bis {until}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 12)

    issuer = snapshot["issuer"]
    pdf.set_y(178)
    pdf.set_draw_color(*BLUE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(4)
    pdf.set_font(FONT, "B", 10)
    with pdf.tag("H2"):
        pdf.cell(width, 6, "Ausgestellt von", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    with pdf.tag("P"):
        for line in (issuer["name"], issuer["programme"], issuer["funder_line"]):
            pdf.multi_cell(width, 5, line, new_x="LMARGIN", new_y="NEXT")
    with pdf.tag("P"):
        pdf.cell(width, 5, f"Ausgestellt am {clock.fixed_date(_issued_at(snapshot))}")

    top = 222
    size = 42

    def qr_code() -> None:
        pdf.image(_qr_image(snapshot["verify_url"]), x=pdf.l_margin, y=top, w=size, h=size)

    if not pdf.tagged:
        qr_code()
    text_x = pdf.l_margin + size + 8
    text_width = width - size - 8
    pdf.set_xy(text_x, top + 2)
    pdf.set_font(FONT, "B", 11)
    with pdf.tag("H2"):
        pdf.cell(text_width, 6, "Echtheit prüfen", new_x="LEFT", new_y="NEXT")
    if pdf.tagged:
        # In the reading order the code comes after its heading; where it is drawn does not change the page.
        with pdf.tag("Figure", alt=qr_alt_text(snapshot)):
            qr_code()
    pdf.set_font(FONT, "", 9)
    with pdf.tag("P"):
        pdf.multi_cell(
            text_width,
            4.5,
            "QR-Code scannen oder die Adresse aufrufen und den Code eingeben. Die Prüfung ist ohne Anmeldung möglich.",
            align="L",
            new_x="LEFT",
            new_y="NEXT",
        )
    pdf.set_xy(text_x, pdf.get_y() + 2)
    pdf.set_font(FONT, "B", 14)
    with pdf.tag("P"):
        pdf.cell(text_width, 8, snapshot["code"], new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    with pdf.tag("P"):
        pdf.cell(text_width, 5, snapshot["verify_url"], new_x="LEFT", new_y="NEXT")


def _participation_sentence(snapshot: Snapshot | dict[str, Any]) -> str:
    day = clock.fixed_date(date.fromisoformat(snapshot["awarded_on"]))
    mode = MODE_LABELS.get(snapshot["mode"], snapshot["mode"])
    return f"am {day} {mode} an einer Fortbildung des Modellprogramms „Kommunen für alle?“ teilgenommen hat."


def _name_line(size: float) -> float:
    return size * 10 / 22  # 10 mm at 22 pt, as layouts 1 to 3 draw it


def _title_line(size: float) -> float:
    return size / 2  # 8 mm at 16 pt


def _town_line(size: float) -> float:
    return size * 7 / 12  # 7 mm at 12 pt


def _statement_sizes(
    snapshot: Snapshot | dict[str, Any], width: float, font_set: int
) -> tuple[int, int, int]:
    """The largest sizes of name, title and municipality at which the statement ends above the rule (layout 4).

    The height is summed from the drawing's own steps; the name, the module title and the municipality (and a
    participation certificate's title and sentence, at fixed sizes) wrap. Measured on a scratch page: choosing a
    font on the certificate's page would write to its content (and its tags).
    """
    pdf = FPDF(unit="mm", format="A4")
    add_prepared_fonts(pdf, FONT, font_set)
    pdf.add_page()

    def lines(text: str, style: str, size: float) -> int:
        pdf.set_font(FONT, style, size)
        return line_count(pdf, width, text, align="C")

    is_completion = snapshot["kind"] == CertificateKind.COMPLETION
    fixed = 16.0 + 7 + 4 + 6  # the heading, „Hiermit wird bescheinigt, dass“, the space after the name
    if is_completion:
        fixed += 7 + 2 + 2 + 7 + 7  # „das Schulungsmodul“, the title's spacing, version and day
    else:
        fixed += (
            7 * lines(str(snapshot["title"]), "B", 13)
            + 4
            + 7 * lines(_participation_sentence(snapshot), "", 12)
        )
    fixed += 9 if snapshot.get("duration_minutes") else 0
    fixed += 9 if snapshot.get("valid_until") else 0
    room = STATEMENT_BOTTOM - STATEMENT_TOP
    for name_size, title_size, town_size in STATEMENT_SIZES:
        height = fixed + _name_line(name_size) * lines(snapshot["holder_name"], "B", name_size)
        if snapshot.get("municipality_name"):
            height += _town_line(town_size) * lines(str(snapshot["municipality_name"]), "", town_size)
        if is_completion:
            height += _title_line(title_size) * lines(f"„{snapshot['title']}“", "B", title_size)
        if height <= room:
            return name_size, title_size, town_size
    return STATEMENT_SIZES[-1]


def qr_alt_text(snapshot: Snapshot | dict[str, Any]) -> str:
    """What a screen reader says for the QR code: what it is for and where it leads."""
    return f"QR-Code zur Echtheitsprüfung des Zertifikats {snapshot['code']}: öffnet {snapshot['verify_url']}"


#: Layout number -> (drawing, font set, whether the fonts come prepared from lms.certificates.typefaces, whether
#: tagged).
LAYOUTS: dict[int, tuple[Callable[[_Document, Snapshot | dict[str, Any]], None], int, bool, bool]] = {
    1: (_draw_certificate_layout_1, 1, False, False),
    2: (_draw_certificate_layout_1, 1, True, False),
    3: (_draw_certificate_layout_1, 1, True, True),
    4: (partial(_draw_certificate_layout_1, fit_font_set=2), 2, True, True),
}


def certificate_pdf(snapshot: Snapshot | dict[str, Any]) -> bytes:
    """The certificate as PDF/A-2b bytes (layout 3 on: also PDF/UA-1); the same snapshot always gives the same bytes."""
    draw, font_set, prepared_fonts, tagged = LAYOUTS[snapshot["layout"]]
    pdf = _new_document(
        title=document_title(snapshot),
        created=_issued_at(snapshot),
        identity=snapshot["code"],
        font_set=font_set,
        prepared_fonts=prepared_fonts,
        tagged=tagged,
    )
    draw(pdf, snapshot)
    return bytes(pdf.output())


def empty_print_pdf(*, title: str, created: datetime) -> bytes:
    """The print PDF of a selection without certificates: one page that says so.

    A selection with certificates is printed from their stored PDFs (lms.certificates.merge).
    """
    pdf = _new_document(
        title=title, created=created, identity=f"print:{title}:{created.isoformat()}", prepared_fonts=True
    )
    pdf.add_page()
    pdf.set_font(FONT, "", 12)
    with pdf.tag("P"):
        pdf.multi_cell(0, 7, "Für die gewählte Auswahl gibt es keine Zertifikate.")
    return bytes(pdf.output())


def transcript_pdf(
    *,
    holder_name: str,
    municipality_name: str | None,
    starts_on: date,
    ends_on: date,
    snapshots: list[Snapshot | dict[str, Any]],
    verify_base: str,
    created: datetime,
) -> bytes:
    """All of a person's certificates of a period on one document, each with its code for checking."""
    title = f"Fortbildungsübersicht {clock.fixed_date(starts_on)}–{clock.fixed_date(ends_on)}"
    pdf = _new_document(
        title=f"{title} – {holder_name}",
        created=created,
        identity=f"transcript:{holder_name}:{starts_on}:{ends_on}:{created.isoformat()}",
        footer=(holder_name, title),
    )
    pdf.add_page()
    pdf.set_auto_page_break(True, margin=22)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_fill_color(*BLUE)
    pdf.rect(0, 0, pdf.w, 8, style="F")
    pdf.set_y(20)
    pdf.set_text_color(*BLUE)
    pdf.set_font(FONT, "B", 11)
    with pdf.tag("P"):
        pdf.cell(width, 6, PROGRAMME, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)
    pdf.set_font(FONT, "B", 20)
    with pdf.tag("H1"):
        pdf.cell(width, 10, "Fortbildungsübersicht", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    with pdf.tag("P"):
        pdf.cell(width, 6, f"Zeitraum: {clock.fixed_date(starts_on)} bis {clock.fixed_date(ends_on)}")
    pdf.ln(6)
    with pdf.tag("P"):
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(
            width, 7, holder_name, new_x="LMARGIN", new_y="NEXT", align="L"
        )  # up to 200 characters: wraps
        if municipality_name:
            pdf.set_font(FONT, "", 11)
            pdf.multi_cell(width, 6, municipality_name, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(4)
    if not snapshots:
        pdf.set_font(FONT, "", 11)
        with pdf.tag("P"):
            pdf.multi_cell(width, 6, "In diesem Zeitraum gibt es keine abgeschlossenen Module.", align="L")
    else:
        total = sum(s.get("duration_minutes") or 0 for s in snapshots)
        pdf.set_font(FONT, "", 9)
        pdf.set_fill_color(255, 255, 255)
        pdf.set_draw_color(*GREY)
        with pdf.table(
            col_widths=(20, 62, 16, 20, 48),
            line_height=5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 235, 242)),
            text_align=("LEFT", "LEFT", "RIGHT", "LEFT", "LEFT"),
        ) as table:
            table.row(
                [hyphenate(h) for h in ("Datum", "Fortbildung (Version)", "Minuten", "Form", "Prüfcode")]
            )
            for s in snapshots:
                title_text = s["title"] + (f" ({s['version_label']})" if s.get("version_label") else "")
                table.row(
                    [
                        clock.fixed_date(date.fromisoformat(s["awarded_on"])),
                        title_text,
                        str(s.get("duration_minutes") or "–"),
                        MODE_LABELS.get(s["mode"], s["mode"]),
                        s["code"],
                    ]
                )
        pdf.ln(4)
        pdf.set_font(FONT, "B", 10)
        with pdf.tag("P"):
            pdf.cell(
                width,
                6,
                f"Insgesamt: {plural(len(snapshots), 'Nachweis', 'Nachweise')}, {plural(total, 'Minute', 'Minuten')}",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    with pdf.tag("P"):
        pdf.multi_cell(
            width,
            4.5,
            f"Jeder Eintrag ist mit seinem Prüfcode unter {verify_base.rstrip('/')}/verify ohne Anmeldung prüfbar. "
            "Diese Übersicht fasst die Zertifikate zusammen; sie ersetzt sie nicht.",
        )
    return bytes(pdf.output())
