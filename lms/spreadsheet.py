"""Cells for spreadsheet files (CSV opened in Excel): text that starts like a formula must stay text."""

from __future__ import annotations

from lms.text import without_bidi_controls

#: How a cell starts when Excel or LibreOffice would run it as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Put an apostrophe before text a spreadsheet would evaluate, so it is shown, never run."""
    text = without_bidi_controls(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
