"""A planned session as a calendar file (RFC 5545), for Outlook, Thunderbird or a phone's calendar.

A calendar is often shared with a deputy or the team: an empowerment workshop's entry therefore names neither its
script nor the network (as the mails do, lms/workshops/mails.py), only that it is a date of the platform, when and
where, and the link to its page. Times are written in UTC, which every calendar program converts to local time
without a time-zone block. The entry keeps its UID across changes; its SEQUENCE counts the organisers' changes, so a
file downloaded again after a change replaces the old entry instead of adding a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from lms import time as clock
from lms.workshops import queries
from lms.workshops.models import PlannedSession, SessionKind

PRODUCT_ID = "-//ECCAR//Lernplattform Kommunen fuer alle//DE"


def calendar_file(planned: PlannedSession, *, link: str, host: str, changes: int, now: datetime) -> bytes:
    """The .ics file of one planned session (German, as the mails); cancelled sessions say so (STATUS:CANCELLED)."""
    # Imported here: icalendar and its date libraries take 8 MiB that no other request needs (gunicorn.conf.py).
    from icalendar import Calendar, Event

    if planned.kind == SessionKind.WORKSHOP.value:
        summary = "Termin der Lernplattform „Kommunen für alle?“"
    else:
        summary = f"Schulung: {planned.module_version.title}"
    event = Event()
    event.add("uid", f"termin-{planned.id}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", changes)
    event.add("dtstart", _utc(planned, planned.starts_at))
    event.add("dtend", _utc(planned, planned.ends_at))
    event.add("summary", summary)
    event.add("location", planned.place)
    event.add("description", f"Einzelheiten und Abmeldung: {link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if planned.cancelled_at is not None else "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


def calendar_for(session: Session, planned: PlannedSession, link: str) -> bytes:
    """The calendar file of the session whose page is at ``link``, with every change so far counted: the download
    and each mail carry the same entry (UID from the link's host), so the newer one replaces what was added before."""
    return calendar_file(
        planned,
        link=link,
        host=urlsplit(link).hostname or "localhost",
        changes=queries.change_count(session, planned.id),
        now=clock.now(),
    )


def _utc(planned: PlannedSession, wall_clock: time) -> datetime:
    """The German wall-clock time on the session's day, in UTC."""
    return datetime.combine(planned.held_on, wall_clock, tzinfo=clock.BERLIN).astimezone(UTC)
