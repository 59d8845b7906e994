"""Parts of a shown total (a module's staff online and in person): no small part is the total minus the others."""

from __future__ import annotations

import itertools

from lms.disclosure import AT_LEAST, SUPPRESSED, THRESHOLD, split_counts


def test_the_part_beside_a_small_one_reads_at_least_five() -> None:
    assert split_counts(8, (1, 7)) == [SUPPRESSED, AT_LEAST]
    assert split_counts(8, (7, 1)) == [AT_LEAST, SUPPRESSED]


def test_parts_are_shown_as_they_are_where_nothing_follows() -> None:
    assert split_counts(12, (5, 7)) == [5, 7]  # nothing small
    assert split_counts(12, (12, 0)) == [12, 0]  # nobody in person is not a small group
    assert split_counts(6, (3, 3)) == [SUPPRESSED, SUPPRESSED]  # two small parts: 2 + 4, 3 + 3 or 4 + 2
    assert split_counts(3, (2, 1)) == [SUPPRESSED, SUPPRESSED]  # the total is hidden itself


def test_no_small_part_follows_from_the_total_and_the_others() -> None:
    """Every split of up to 30 people (someone may have done both): a part shown as „< 5“ never equals the total
    minus the other part as shown, whenever that other part is shown as a number."""
    for online, in_person in itertools.product(range(31), repeat=2):
        for overlap in range(min(online, in_person) + 1):
            total = online + in_person - overlap
            shown = split_counts(total, (online, in_person))
            for small, other in ((0, 1), (1, 0)):
                if shown[small] == SUPPRESSED and total >= THRESHOLD:
                    assert not isinstance(shown[other], int) or shown[other] == 0, (total, online, in_person)
