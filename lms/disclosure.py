"""Small-number suppression: the one place that decides how a count of people may be shown.

Every report, page and export builds its people counts with :func:`people_count` (and shares with :func:`share`)
when it reads them from the database, so the exact number of a small group never reaches a template or a file.
Counts of things (modules, workshops) are not counts of people and are shown as they are.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: Counts of people below this are not shown.
THRESHOLD = 5
#: What is shown instead.
SUPPRESSED = "< 5"

#: A count as it may be shown: the number, or ``SUPPRESSED``.
Shown = int | str


def people_count(count: int | None) -> Shown:
    """The count if it is at least the threshold, else „< 5“ (zero included: it is below five, too)."""
    count = int(count or 0)
    return count if count >= THRESHOLD else SUPPRESSED


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
