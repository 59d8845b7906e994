"""Marking German texts for translation where they are defined, far from any request (class attributes, tables).

``N_("…")`` returns the text unchanged; ``pybabel extract -k N_`` collects it, and the template or view that shows
it translates it with ``_()``. (``lazy_gettext`` would need an application context at import time.)
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue; translation happens where it is displayed."""
    return message


def plural(count: int, singular: str, plural: str) -> str:
    """„1 Zeile“, „2 Zeilen“: the count with the right German form, for output that is German only (the CLI)."""
    return f"{count} {singular if count == 1 else plural}"
