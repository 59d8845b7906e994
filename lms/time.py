"""The one clock of the platform, and how its dates are shown.

Only this module reads the wall clock (ruff's banned-API rule TID251 holds that), so tests can set it with
time-machine and the whole suite passes on any day and at any hour. Moments are stored as aware UTC datetimes;
days are German calendar days (Europe/Berlin): a completion at 00:30 on 1 January belongs to the new year.

Import it as ``from lms import time as clock`` so it never shadows the standard library's ``time``.
"""

from __future__ import annotations

import calendar
import functools
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time

#: Every user of the platform works in Germany; periods, due dates and certificates use German calendar days.
BERLIN = ZoneInfo("Europe/Berlin")

#: The one fixed date format of documents that do not follow the reader's language (PDFs, CSVs, mails).
FIXED_DATE = "%d.%m.%Y"
#: The days a person may enter (forms, filters, the command line): far around the programme (2025–2028) and its
#: records, and far from the ends of Python's calendar, where a day's first moment in UTC (year 1 in Berlin) or the
#: next day (9999-12-31) cannot be represented.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def is_plausible_day(day: date) -> bool:
    """True for a day between ``EARLIEST_DAY`` and ``LATEST_DAY``."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's German calendar day."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    """The German calendar day a moment falls on."""
    return moment.astimezone(BERLIN).date()


def day_start(day: date) -> datetime:
    """The first moment of a German calendar day, aware (compares correctly with UTC columns)."""
    return datetime.combine(day, clock_time.min, tzinfo=BERLIN)


def day_bounds(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """[start, end) of a range of German calendar days in UTC, for ``at >= start AND at < end``.

    UTC, because Python subtracts two datetimes of the same zone by wall time, which is an hour off across a clock
    change.
    """
    # The last representable day (9999-12-31, typed into a date field) has no next day: end at its start instead.
    after = ends_on + timedelta(days=1) if ends_on < date.max else ends_on
    return day_start(starts_on).astimezone(UTC), day_start(after).astimezone(UTC)


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on a German calendar day (e.g. noon of the day a session was held), aware."""
    return datetime.combine(day, clock_time(hour, minute), tzinfo=BERLIN)


def fixed_date(value: date | datetime) -> str:
    """31.12.2028 — the fixed format of PDFs, CSVs and mails; a moment is taken as its German calendar day."""
    day = local_date(value) if isinstance(value, datetime) else value
    return day.strftime(FIXED_DATE)


def format_date(value: date | datetime, locale: str) -> str:
    """A day for the reader: „31.12.2028" in German, „Dec 31, 2028" in English (Babel's medium format)."""
    day = local_date(value) if isinstance(value, datetime) else value
    return _medium_date(day, locale)


@functools.lru_cache(maxsize=4096)
def _medium_date(day: date, locale: str) -> str:
    """Babel formats a date in about 50 µs; a page shows the same few days (periods, deadlines) again and again."""
    return babel_format_date(day, format="medium", locale=locale)


def format_datetime(moment: datetime, locale: str) -> str:
    """A moment for the reader in German local time: „31.12.2028, 23:30 Uhr" / „Dec 31, 2028, 11:30 PM"."""
    day = format_date(moment, locale)
    if locale.startswith("de"):
        return f"{day}, {babel_format_time(moment, 'HH:mm', tzinfo=BERLIN, locale=locale)} Uhr"
    return f"{day}, {babel_format_time(moment, 'h:mm a', tzinfo=BERLIN, locale=locale)}"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day where it is shorter (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))
