"""`lms workshops purge-names`: the daily deletion of workshop attendee names past their retention period."""

from __future__ import annotations

import click

from lms import time as clock


@click.group("workshops")
def workshops_group() -> None:
    """Empowerment-Workshops und Schulungen in Präsenz."""


@workshops_group.command("purge-names")
def purge_names() -> None:
    """Namen der Teilnehmenden löschen, deren Workshop länger als die Aufbewahrungsfrist zurückliegt (täglich)."""
    from lms.commands import settings, unit_of_work
    from lms.workshops.names import purge_expired_attendee_names

    days = settings().workshop_names_retention_days
    with unit_of_work() as session:
        count = purge_expired_attendee_names(session, clock.today(), days)
    click.echo(f"Namen von {count} Workshop(s) gelöscht (Aufbewahrungsfrist {days} Tage).")


@click.group("sessions")
def sessions_group() -> None:
    """Geplante Termine: Schulungen und Workshops mit Anmeldung."""


@sessions_group.command("remind")
@click.option("--dry-run", is_flag=True, help="nur zählen, nichts versenden")
def remind(dry_run: bool) -> None:
    """Erinnerungen an die Angemeldeten der Termine von morgen versenden (täglich; jede Anmeldung nur einmal)."""
    from lms.commands import settings, unit_of_work
    from lms.jobs.queue import queue_for
    from lms.workshops.reminders import send_session_reminders

    with unit_of_work() as session:
        queue = None if dry_run else queue_for(settings(), session)
        count = send_session_reminders(session, clock.today(), queue=queue, dry_run=dry_run)
    if dry_run:
        click.echo(f"Probelauf: {count} Erinnerung(en) wären zu versenden.")
    else:
        click.echo(f"{count} Erinnerung(en) zum Versand eingereiht.")
