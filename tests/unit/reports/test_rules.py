"""The rule engine, worked by hand: status and reason for given counts, period and day."""

from __future__ import annotations

from datetime import date

import pytest

from lms.disclosure import SUPPRESSED, network_count, people_count, share
from lms.reports.rules import Delivered, Status, Targets, assess, elapsed_share, expected_by_now

# The default first programme year: 1 Nov 2025 – 31 Dec 2026, 426 days.
START, END = date(2025, 11, 1), date(2026, 12, 31)
TARGETS = Targets(min_training_modules=2, min_staff_per_module=5, min_workshops=2)


def test_elapsed_share_counts_whole_days_including_today() -> None:
    assert elapsed_share(START, END, date(2025, 10, 31)) == 0.0
    assert elapsed_share(START, END, START) == pytest.approx(1 / 426)
    assert elapsed_share(START, END, date(2026, 6, 1)) == pytest.approx(213 / 426)  # exactly half way
    assert elapsed_share(START, END, END) == 1.0
    assert elapsed_share(START, END, date(2027, 3, 1)) == 1.0


@pytest.mark.parametrize(
    ("target", "elapsed", "expected"), [(2, 0.49, 0), (2, 0.5, 1), (2, 0.99, 1), (2, 1.0, 2)]
)
def test_a_steady_pace_delivers_whole_trainings(target: int, elapsed: float, expected: int) -> None:
    assert expected_by_now(target, elapsed) == expected


@pytest.mark.parametrize(
    ("modules", "workshops", "today", "status"),
    [
        # Both targets reached: met, even long before the end.
        (2, 2, date(2026, 1, 15), Status.MET),
        (3, 5, END, Status.MET),
        # Before the period begins nothing can be behind.
        (0, 0, date(2025, 10, 1), Status.ON_TRACK),
        # First half: no delivery is expected yet.
        (0, 0, date(2026, 5, 31), Status.ON_TRACK),
        # From half time one of two is expected: none is behind.
        (0, 1, date(2026, 6, 1), Status.AT_RISK),
        (1, 0, date(2026, 6, 1), Status.AT_RISK),
        (1, 1, date(2026, 6, 1), Status.ON_TRACK),
        # Last quarter (from 16 Sep 2026, day 320 of 426 > 75 %): anything open is at risk.
        (1, 1, date(2026, 9, 15), Status.ON_TRACK),
        (1, 1, date(2026, 9, 16), Status.AT_RISK),
        (2, 1, END, Status.AT_RISK),
        # The day after the end: missed.
        (2, 1, date(2027, 1, 1), Status.MISSED),
        (0, 0, date(2027, 1, 1), Status.MISSED),
    ],
)
def test_status_by_delivery_and_day(modules: int, workshops: int, today: date, status: Status) -> None:
    assert assess(TARGETS, Delivered(modules, workshops), START, END, today).status is status


def test_the_reason_names_the_counts_and_the_deadline() -> None:
    missed = assess(TARGETS, Delivered(1, 2), START, END, date(2027, 1, 10))
    assert missed.reason() == (
        "Der Zeitraum endete am 31.12.2026, ohne dass beide Ziele erreicht wurden. "
        "Schulungsmodule: 1 von 2 (je mindestens 5 Beschäftigte), Empowerment-Workshops: 2 von 2."
    )
    behind = assess(TARGETS, Delivered(0, 1), START, END, date(2026, 6, 1))
    assert behind.reason().startswith(
        "50 % des Zeitraums sind vergangen; im gleichmäßigen Tempo wären jetzt mindestens 1 von 2 Schulungsmodulen"
    )
    final = assess(TARGETS, Delivered(1, 2), START, END, date(2026, 12, 1))
    assert "Bis zum Ende am 31.12.2026 bleiben 31 Tage" in final.reason()
    assert final.label == "gefährdet"


def test_targets_of_zero_are_met_without_delivery() -> None:
    assert assess(Targets(0, 5, 0), Delivered(0, 0), START, END, START).status is Status.MET


def test_reason_is_translated_by_the_given_gettext() -> None:
    met = assess(TARGETS, Delivered(2, 2), START, END, START)
    english = {"Beide Ziele sind erreicht.": "Both targets are reached."}
    assert met.reason(lambda s: english.get(s, s)).startswith(
        "Both targets are reached. Schulungsmodule: 2 von 2"
    )


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, SUPPRESSED), (4, SUPPRESSED), (5, 5), (1800, 1800)])
def test_counts_of_people_below_five_are_suppressed(count: int, shown: object) -> None:
    # Zero is „0“ (issue 10): nobody is not a small group.
    assert people_count(count) == shown


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, 0),
        (1, SUPPRESSED),
        (4, SUPPRESSED),
        (5, 5),
        (7, 5),
        (8, 10),
        (11, 10),
        (12, 10),
        (13, 15),
        (14, 15),
    ],
)
def test_network_counts_are_suppressed_below_five_and_rounded_to_fives(count: int, shown: object) -> None:
    assert network_count(count) == shown


def test_a_share_of_a_small_group_is_hidden_with_it() -> None:
    assert share(4, 100) is None  # would show 4 people
    assert share(3, 3) is None  # 100 % of a group of three
    assert str(share(5, 8)) == "62.5"
    assert str(share(1799, 1800)) == "99.9"


def test_a_surplus_is_not_read_as_three_of_two() -> None:
    assessment = assess(Targets(), Delivered(training_modules=3, workshops=2), START, END, date(2026, 6, 1))
    text = assessment.reason()
    assert (
        "Schulungsmodule: 3 (Ziel: 2, je mindestens 5 Beschäftigte), Empowerment-Workshops: 2 von 2." in text
    )
    assert "3 von 2" not in text
