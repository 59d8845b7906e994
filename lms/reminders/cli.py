"""`lms reminders send [--dry-run]`: what a daily cron job runs (safe to repeat: each reminder goes out once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from lms import time as clock

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lms.config import Settings
    from lms.jobs.queue import Queue
    from lms.reminders.services import Due

KIND_NAMES = {
    "due_soon": "bald fällig",
    "overdue": "überfällig",
    "expiry": "Gültigkeit endet",
    "material_change": "wesentliche Änderung",
    "digest": "Wochenübersicht",
}


def describe(reminder: Due) -> str:
    """One line of the command's output: kind, address, occasion."""
    day = f" ({clock.fixed_date(reminder.day)})" if reminder.day else ""
    return f"{KIND_NAMES[reminder.kind.value]}: {reminder.email} – {reminder.occasion}{day}"


def send_due_reminders(
    session: Session,
    settings: Settings,
    queue: Queue,
    *,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
) -> list[Due]:
    """Find what is due now; unless ``dry_run``, record it and hand one mail job to the queue (after the commit)."""
    from lms.jobs.tasks import queue_reminders
    from lms.reminders import services

    now = clock.now()
    due = services.collect(session, clock.local_date(now), now)
    for reminder in due:
        echo(describe(reminder))
    if dry_run:
        return due
    rows = services.record(session, due, now)
    queue_reminders(session, queue, settings, [row.id for row in rows])
    return due


@click.group("reminders")
def reminders_group() -> None:
    """Erinnerungen per E-Mail: fällige und überfällige Module, ablaufende Abschlüsse, Änderungen, Wochenübersicht."""


@reminders_group.command("send")
@click.option(
    "--dry-run", is_flag=True, help="nur anzeigen, was versendet würde; nichts senden oder vermerken"
)
def send(dry_run: bool) -> None:
    """Fällige Erinnerungen vermerken und über die Warteschlange versenden (täglich aufrufen, z. B. per cron)."""
    from lms.commands import settings, unit_of_work
    from lms.jobs.queue import queue_for
    from lms.workshops.reminders import send_session_reminders

    config = settings()
    with unit_of_work() as session:
        queue = queue_for(config, session)
        due = send_due_reminders(session, config, queue, dry_run=dry_run, echo=click.echo)
        # The day-before reminders of planned sessions (registrations), one per registration.
        sessions = send_session_reminders(session, clock.today(), queue=queue, dry_run=dry_run)
        if dry_run:
            session.rollback()
            click.echo(
                f"Probelauf, nichts gesendet oder vermerkt. Würden versendet: Erinnerungen zu Modulen: {len(due)}, "
                f"zu Terminen: {sessions}."
            )
        else:
            click.echo(
                f"An die Warteschlange übergeben: Erinnerungen zu Modulen: {len(due)}, zu Terminen: {sessions}."
            )
