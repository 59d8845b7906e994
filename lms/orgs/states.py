"""The sixteen federal states (Länder) a municipality can belong to, with their official short names."""

from __future__ import annotations

FEDERAL_STATES: tuple[str, ...] = (
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
)


def find_state(text: str) -> str | None:
    """The official name for a state written in any case (``hessen`` → „Hessen“), else None."""
    wanted = text.strip().casefold()
    return next((state for state in FEDERAL_STATES if state.casefold() == wanted), None)
