"""The one clock: German calendar days, period bounds and date formats, with the clock set by the test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from time_machine import TimeMachineFixture

from lms import time as clock


def test_today_is_the_german_day_after_midnight_in_berlin_but_not_in_utc(
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(
        datetime(2028, 12, 31, 23, 30, tzinfo=UTC), tick=False
    )  # 00:30 on 1 January in Berlin
    assert clock.now() == datetime(2028, 12, 31, 23, 30, tzinfo=UTC)
    assert clock.today() == date(2029, 1, 1)


def test_today_in_summer_time(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 6, 30, 22, 5, tzinfo=UTC), tick=False)  # 00:05 CEST on 1 July
    assert clock.today() == date(2026, 7, 1)


def test_now_is_aware_utc() -> None:
    moment = clock.now()
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)


def test_day_bounds_cover_whole_german_days_across_a_clock_change() -> None:
    start, end = clock.day_bounds(date(2026, 3, 29), date(2026, 3, 29))  # clocks go forward that night
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


def test_a_period_ends_at_midnight_berlin() -> None:
    start, end = clock.day_bounds(date(2026, 1, 1), date(2026, 12, 31))
    assert start == datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    assert clock.local_date(end - timedelta(microseconds=1)) == date(2026, 12, 31)


def test_fixed_date_is_the_document_format_and_takes_the_berlin_day_of_a_moment() -> None:
    assert clock.fixed_date(date(2026, 3, 1)) == "01.03.2026"
    assert clock.fixed_date(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == "01.03.2026"


def test_dates_for_the_reader_follow_the_language() -> None:
    moment = datetime(2028, 12, 31, 22, 30, tzinfo=UTC)
    assert clock.format_date(moment, "de") == "31.12.2028"
    assert clock.format_date(date(2028, 12, 31), "en") == "Dec 31, 2028"
    assert clock.format_datetime(moment, "de") == "31.12.2028, 23:30 Uhr"
    assert clock.format_datetime(moment, "en") == "Dec 31, 2028, 11:30 PM"


def test_at_local_is_wall_clock_time_in_berlin() -> None:
    assert clock.at_local(date(2026, 7, 1), 12) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
