"""Marking German texts for translation where they are defined, far from any request (class attributes, tables).

``N_("…")`` returns the text unchanged; ``pybabel extract -k N_`` collects it, and the template or view that shows
it translates it with ``_()``. (``lazy_gettext`` would need an application context at import time.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from lms.printable_characters import RANGES as PRINTABLE_RANGES


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; translation happens where it is displayed."""
    return message


def plural(count: int, singular: str, plural: str) -> str:
    """„1 Zeile“, „2 Zeilen“: the count with the right German form, for output that is German only (the CLI)."""
    return f"{count} {singular if count == 1 else plural}"


#: C0 control characters and DEL, except tab, line feed and carriage return (text areas and files send those).
#: No person types them; they come in unseen with text copied from a PDF or a word processor, or with a broken
#: file. PostgreSQL refuses NUL in text (SQLite stores it), and the others end up raw in exports. The web edge
#: (lms.web.validation) refuses them in every request; imports of files check their texts with the same pattern.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def excerpt(text: str, limit: int = 120) -> str:
    """The start of ``text`` for a message, at most ``limit`` characters with „…“ where it was cut: a header line
    read from a binary file is thousands of characters long, and a message must stay readable."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def has_control_characters(text: str) -> bool:
    """Does ``text`` hold a control character no text may hold (see ``CONTROL_CHARACTERS``)?"""
    return CONTROL_CHARACTERS.search(text) is not None


def control_character_names(text: str, limit: int = 3) -> str:
    """The distinct control characters of ``text`` as code points („U+0000, U+001B“), for a message: unseen
    characters need a name the person can search for."""
    found = dict.fromkeys(CONTROL_CHARACTERS.findall(text))
    names = [f"U+{ord(char):04X}" for char in list(found)[:limit]]
    return ", ".join(names) + (" …" if len(found) > limit else "")


def lf_line_breaks(text: str) -> str:
    """The text with every line break as ``\n``: a browser sends a textarea's breaks as CRLF, while its
    ``maxlength`` counts each break as one character (as the HTML standard says), so a text counted with its CRLFs
    was longer on the server than the field had allowed. A lone CR (old Macs, some pasted text) counts once too."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


#: Unicode bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a name they
#: can reverse the text shown after it (an e-mail address in the same cell, a file extension); no name needs them.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_ANY_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """The text without bidirectional control characters (letters of right-to-left scripts stay).

    Every ``{{ … }}`` of every page passes here: a search (in C) finds nothing in almost all texts, where
    ``str.translate`` with a table would rebuild each string character by character (4 % of a dashboard's time).
    """
    if _ANY_BIDI_CONTROL.search(text) is None:
        return text
    return text.translate(BIDI_CONTROLS)


def normalised_name(name: str) -> str:
    """A name as it is stored and checked: every run of white space (a tab from a spreadsheet, a narrow no-break
    space) one space, none at either end, in Unicode NFC („e“ and a combining accent as the one letter „é“)."""
    return unicodedata.normalize("NFC", " ".join(name.split()))


#: Any character outside the certificate font's ranges: one search in C per name (a staff list of 30,000 rows).
_UNPRINTABLE = re.compile(
    "[^"
    + "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in PRINTABLE_RANGES)
    + "]"
)


def unprintable_characters(text: str) -> list[str]:
    """The distinct characters of ``text`` that certificates cannot print (lms.printable_characters), in order.

    fpdf2 leaves out a character its font has no glyph for, without a word; a name is therefore checked where it is
    entered. The certificate font has the Latin, Greek and Cyrillic letters, the scripts in which German public
    administration writes names (DIN 91379); a name in another script is entered as in the person's official papers.
    Compare the NFC form: „e“ followed by a combining accent is printed as the one letter „é“.
    """
    if _UNPRINTABLE.search(text) is None:  # almost every name
        return []
    return list(dict.fromkeys(_UNPRINTABLE.findall(text)))


def _invisible_name(char: str) -> str:
    """„U+202E RIGHT-TO-LEFT OVERRIDE“: the code point and Unicode's name, which a search finds."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


#: One visible character in a message, quoted as the reader's language quotes („王“ or “王”), with its code point.
QUOTED_CHARACTER = N_("„%(character)s“ (%(code)s)")


def character_names(
    characters: list[str] | tuple[str, ...], limit: int = 3, gettext: Callable[[str], str] | None = None
) -> str:
    """„„王“ (U+738B), „芳“ (U+82B3)“: characters for a message, each with its code point, quoted through
    ``gettext`` (German without). Invisible ones (format and control characters, marks, spaces) by their code point
    and name alone: a right-to-left override in the message itself would turn the text after it around."""
    quoted = gettext(QUOTED_CHARACTER) if gettext else QUOTED_CHARACTER
    names = [
        _invisible_name(char)
        if unicodedata.category(char)[0] in "CMZ"
        else quoted % {"character": char, "code": f"U+{ord(char):04X}"}
        for char in characters[:limit]
    ]
    return ", ".join(names) + (" …" if len(characters) > limit else "")
