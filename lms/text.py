"""Marking German texts for translation where they are defined, far from any request (class attributes, tables).

``N_("…")`` returns the text unchanged; ``pybabel extract -k N_`` collects it, and the template or view that shows
it translates it with ``_()``. (``lazy_gettext`` would need an application context at import time.)
"""

from __future__ import annotations

import re


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; translation happens where it is displayed."""
    return message


def plural(count: int, singular: str, plural: str) -> str:
    """„1 Zeile“, „2 Zeilen“: the count with the right German form, for output that is German only (the CLI)."""
    return f"{count} {singular if count == 1 else plural}"


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
