"""Reminders the day before a planned session: one mail per registration, queued as a job.

``send_session_reminders(db, day)`` is called by ``lms sessions remind`` (and the daily ``lms reminders send``):
it finds the registrations for sessions held the day after ``day`` that have had no reminder, marks them reminded
and records one mail job for them, in the caller's unit of work. Called twice, it sends nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.jobs.queue import Queue
from lms.workshops.models import PlannedSession, RegistrationStatus, SessionRegistration
from lms.workshops.planning import Purpose, queue_session_mail


def due_reminders(session: Session, day: date) -> list[SessionRegistration]:
    """Registrations (with a place) for sessions held on the day after ``day`` that were not yet reminded."""
    return list(
        session.scalars(
            select(SessionRegistration)
            .join(PlannedSession, PlannedSession.id == SessionRegistration.planned_session_id)
            .where(
                PlannedSession.held_on == day + timedelta(days=1),
                PlannedSession.cancelled_at.is_(None),
                SessionRegistration.status == RegistrationStatus.REGISTERED.value,
                SessionRegistration.reminded_at.is_(None),
            )
            .order_by(SessionRegistration.id)
        )
    )


def send_session_reminders(
    session: Session, day: date, *, queue: Queue | None = None, dry_run: bool = False
) -> int:
    """Queue the reminders for sessions held the day after ``day``; returns how many (once per registration)."""
    due = due_reminders(session, day)
    if dry_run or not due:
        return len(due)
    moment = clock.now()
    for registration in due:
        registration.reminded_at = moment
    session.flush()
    queue_session_mail(session, queue, Purpose.REMINDER, [r.id for r in due])
    return len(due)
