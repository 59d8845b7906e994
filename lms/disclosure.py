"""Small-number suppression: the one place that decides how a count of people may be shown.

Every report, page, export, PDF and the API builds its people counts with :func:`people_count` (and shares with
:func:`share`) when it reads them from the database, so the exact number of a small group never reaches a template or
a file. Counts of things (modules, workshops) are not counts of people and are shown as they are.

Counts about the empowerment network (participants of workshops, redemptions of participation codes) say who has a
migration history (GDPR Art. 9), so they go through :func:`network_count`: below five they are „< 5“ like every
count of people, and from five on they are rounded to a multiple of five. A total of several workshops
(:func:`network_total`) leaves out the workshops of fewer than five and rounds the exact sum of the others once —
never summed from rounded or suppressed parts. So no pair of views (before and after a workshop is recorded,
withdrawn or moved to another day, a municipality and the programme, one period and another) differs by a small
workshop at all: its size stays „< 5“ everywhere but with its facilitators.

Rounding the total alone did not hold (found by a QA sweep on 2026-11-27): whoever may record workshops, a
coordinator or the programme office, could add one of a known size, watch where the rounded total stepped and
withdraw it again, and so learn the exact total; moving a facilitator's small workshop into another year and back
then gave its exact size.

The facilitators recorded for a workshop see that workshop's exact count (lms.scope.may_see_exact_participant_count):
they counted the people in the room.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

#: Counts of people below this are not shown.
THRESHOLD = 5
#: What is shown instead.
SUPPRESSED = "< 5"
#: Counts about the empowerment network are shown as multiples of this.
NETWORK_ROUNDING = 5
#: Said wherever a table can hold „< 5“ (exports, PDFs, pages).
LEGEND = "< 5 – aus Datenschutzgründen nicht ausgewiesen"

#: A count as it may be shown: the number, or ``SUPPRESSED``.
Shown = int | str


def people_count(count: int | None) -> Shown:
    """The count if it is at least the threshold; „< 5“ from 1 to 4; 0 as 0 (nobody is not a small group)."""
    count = int(count or 0)
    if count == 0:
        return 0
    return count if count >= THRESHOLD else SUPPRESSED


#: Shown for a part that is not small beside a part that is (:func:`split_counts`).
AT_LEAST = "≥ 5"


def split_counts(total: int, parts: Sequence[int]) -> list[Shown]:
    """The parts of a total that is shown (staff of a module: online, in person), each as :func:`people_count` —
    except that where exactly one part is small and the total is not, the other parts read „≥ 5“.

    Otherwise the total minus the parts shown would give the small part away (8 in all, 7 in person: „< 5“ online
    is 1). „≥ 5“ is true and leaves the small part between 1 and 4.
    """
    shown = [people_count(part) for part in parts]
    small = [i for i, part in enumerate(parts) if 0 < part < THRESHOLD]
    if total >= THRESHOLD and len(small) == 1:
        shown = [
            AT_LEAST if i not in small and part >= THRESHOLD else shown[i] for i, part in enumerate(parts)
        ]
    return shown


def network_count(count: int | None) -> Shown:
    """A count about the empowerment network: 0 as 0, 1 to 4 as „< 5“, else rounded to a multiple of five.

    For a total of several workshops use :func:`network_total` (or sum only workshops of five or more in SQL and
    round that once): rounding parts and adding them would bring the exact sizes back, and a sum with small
    workshops in it moves by their size.
    """
    count = int(count or 0)
    if count == 0:
        return 0
    if count < THRESHOLD:
        return SUPPRESSED
    return NETWORK_ROUNDING * ((count + NETWORK_ROUNDING // 2) // NETWORK_ROUNDING)


def network_total(counts: Iterable[int | None]) -> Shown:
    """The participants of several workshops as anyone but their facilitators may see them: only the workshops of
    five or more, added up exactly and rounded once (:func:`network_count`); 0 when none had five. Labelled so
    („Teilnehmende der Workshops ab 5 Personen“): a small workshop adds nothing, and its size stays „< 5“."""
    return network_count(sum(count for count in counts if count is not None and count >= THRESHOLD))


def share(count: int | None, total: int | None) -> Decimal | None:
    """``count`` as a percentage of ``total`` (one decimal), or None when either is a small number.

    A share of a small group would give the small number away (1 of 3 is 33.3 %), so it is hidden with it.
    """
    count, total = int(count or 0), int(total or 0)
    if count < THRESHOLD or total < THRESHOLD:
        return None
    return (Decimal(100) * count / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def is_suppressed(value: Shown) -> bool:
    """True for a count that is shown as „< 5“."""
    return value == SUPPRESSED


def pooled(parts: Sequence[tuple[str, Sequence[int]]]) -> list[tuple[list[str], tuple[int, ...]]]:
    """Parts of a whole (the org units of a municipality, each with exact counts per column), merged until no part's
    count follows from the whole minus the other parts.

    A table that shows the whole (its total row, or its shares elsewhere) and exactly one part as „< 5“ in a column
    gives that part away: the total minus the counts shown. So while some column holds exactly one small count (1 to
    4) and the column's total is not small itself, that part is merged with the part whose count in that column is
    the smallest other one that is not 0 (merging with a 0 would change nothing). The merged row shows true sums; no
    count is hidden that a reader could not see is hidden. Returns the merged parts as (labels, summed counts), in
    the order of each one's first part.
    """
    rows: list[tuple[list[str], tuple[int, ...]]] = [([label], tuple(counts)) for label, counts in parts]
    while len(rows) > 1:
        giveaway = _one_small_part(rows)
        if giveaway is None:
            return rows
        small, column = giveaway
        partner = min(
            (i for i, (_labels, counts) in enumerate(rows) if i != small and counts[column] > 0),
            key=lambda i: rows[i][1][column],
        )
        first, second = sorted((small, partner))
        merged = (
            rows[first][0] + rows[second][0],
            tuple(a + b for a, b in zip(rows[first][1], rows[second][1], strict=True)),
        )
        rows = [*rows[:first], merged, *rows[first + 1 : second], *rows[second + 1 :]]
    return rows


def _one_small_part(rows: list[tuple[list[str], tuple[int, ...]]]) -> tuple[int, int] | None:
    """(row, column) of a column's only small count, where the column's total is not small; else None."""
    for column in range(len(rows[0][1])):
        small = [i for i, (_labels, counts) in enumerate(rows) if 0 < counts[column] < THRESHOLD]
        total = sum(counts[column] for _labels, counts in rows)
        if len(small) == 1 and total >= THRESHOLD:
            return small[0], column
    return None
