"""Org units merged in the coverage table so that no small count follows from the total minus the others."""

from __future__ import annotations

import itertools
import random

from lms.disclosure import THRESHOLD, pooled


def _giveaways(rows: list[tuple[list[str], tuple[int, ...]]]) -> list[int]:
    """Columns in which the total minus the counts shown (those ≥ 5 or 0) leaves exactly one hidden part."""
    found = []
    for column in range(len(rows[0][1])):
        hidden = [counts[column] for _labels, counts in rows if 0 < counts[column] < THRESHOLD]
        if len(hidden) == 1 and sum(counts[column] for _labels, counts in rows) >= THRESHOLD:
            found.append(column)
    return found


def test_the_one_small_unit_shares_a_row_with_the_smallest_other_unit_that_has_someone() -> None:
    rows = pooled([("Ausländerbehörde", (20, 6, 2)), ("Bürgerservice", (30, 10, 5)), ("Bauamt", (10, 7, 0))])
    # Column 3: only the Ausländerbehörde is small (2) and the total is 7: merged with Bürgerservice (5), not with
    # the Bauamt's 0, which would hide nothing.
    assert rows == [(["Ausländerbehörde", "Bürgerservice"], (50, 16, 7)), (["Bauamt"], (10, 7, 0))]


def test_two_small_units_or_a_small_total_stay_as_they_are() -> None:
    two_small = [("A", (20, 6, 2)), ("B", (30, 10, 3)), ("C", (10, 5, 6))]
    assert pooled(two_small) == [([label], counts) for label, counts in two_small]
    small_total = [("A", (20, 6, 2)), ("B", (30, 10, 0))]  # the total (2) is „< 5“ itself
    assert pooled(small_total) == [([label], counts) for label, counts in small_total]


def test_random_municipalities_never_give_a_small_count_away_and_keep_every_person() -> None:
    generator = random.Random(20261127)
    for _ in range(2000):
        units = [
            (f"Einheit {n}", tuple(generator.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 30]) for _ in range(3)))
            for n in range(generator.randint(1, 7))
        ]
        rows = pooled(units)
        assert _giveaways(rows) == [] or len(rows) == 1
        assert sorted(itertools.chain.from_iterable(labels for labels, _counts in rows)) == sorted(
            u[0] for u in units
        )
        assert [sum(c[i] for _l, c in rows) for i in range(3)] == [
            sum(c[i] for _l, c in units) for i in range(3)
        ]
