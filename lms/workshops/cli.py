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
