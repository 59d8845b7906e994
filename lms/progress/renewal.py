"""When a person may (again) complete a module version: the first time, and to renew an expiring completion.

A completion with a last valid day can be renewed from ``RENEWAL_WINDOW_DAYS`` days before that day on, and of course
once it has expired. The window is the expiry reminder's (lms/reminders): when the mail says „bitte erneuern“, the
quiz accepts the renewal. A renewal is a new completion row (the next ``cycle``) with its own validity, counted from
the day it is earned (like a new certificate in Moodle or ILIAS): the old row stays untouched and keeps counting for
the period it was earned in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.content.models import ModuleVersion
from lms.progress.models import Completion

#: Days before the last valid day from which a completion may be renewed (the expiry reminder is sent then too).
RENEWAL_WINDOW_DAYS = 30


def renewal_opens_on(valid_until: date | None) -> date | None:
    """The first day a completion valid until then may be renewed; None if it is valid for good."""
    if valid_until is None:
        return None
    return valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


def is_renewable(completion: Completion, today: date) -> bool:
    """Has the completion expired, or does it expire within the renewal window?"""
    return valid_until_is_renewable(completion.valid_until, today)


def valid_until_is_renewable(valid_until: date | None, today: date) -> bool:
    """May a completion with this last valid day be renewed today?"""
    opens = renewal_opens_on(valid_until)
    return opens is not None and today >= opens


def is_expired(completion: Completion, today: date) -> bool:
    """Is the completion's last valid day before today?"""
    return completion.valid_until is not None and completion.valid_until < today


def latest_completion_of(session: Session, user_id: int, version_id: int) -> Completion | None:
    """The person's newest completion of exactly this module version (the highest cycle)."""
    return session.scalar(
        select(Completion)
        .where(Completion.user_id == user_id, Completion.module_version_id == version_id)
        .order_by(Completion.cycle.desc())
        .limit(1)
    )


def next_cycles(
    session: Session, version: ModuleVersion, user_ids: Iterable[int], day: date
) -> dict[int, int]:
    """user_id -> the cycle a new completion of this version would get on ``day``, for those of the people who need
    one (never completed it, or their latest completion of it is renewable); the others are left out. One query."""
    ids = list(user_ids)
    latest: dict[int, Completion] = {}
    if ids:
        for completion in session.scalars(
            select(Completion).where(Completion.module_version_id == version.id, Completion.user_id.in_(ids))
        ):
            known = latest.get(completion.user_id)
            if known is None or completion.cycle > known.cycle:
                latest[completion.user_id] = completion
    result = {}
    for user_id in ids:
        known = latest.get(user_id)
        if known is None:
            result[user_id] = 1
        elif is_renewable(known, day):
            result[user_id] = known.cycle + 1
    return result


def needs_completion(session: Session, user_id: int, version: ModuleVersion, day: date) -> int | None:
    """The cycle a new completion of this version by this person would get on ``day``; None while their completion
    of it is still valid beyond the renewal window (then nothing is recorded: „bereits abgeschlossen“)."""
    return next_cycles(session, version, [user_id], day).get(user_id)
