"""The mails about a registration: a place became free, the reminder the day before, a change, a call-off.

A workshop mail names neither the workshop's script nor the network: a work mailbox is often read by a deputy, and
that someone takes part in an empowerment workshop is Art. 9 data. It says only when and where, and links to the
page where the person sees the details after signing in.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from lms import time as clock
from lms.config import Settings
from lms.workshops.models import PlannedSession, SessionKind

FOOTER = (
    "Diese Nachricht wurde automatisch erstellt.\n"
    "Lernplattform „Kommunen für alle?“ – ein Modellprojekt der Europäischen Städtekoalition gegen Rassismus "
    "(ECCAR), gefördert im Bundesprogramm „Demokratie leben!“\n"
)


def session_link(settings: Settings, planned_id: int) -> str:
    """The address of a planned session's page, for mails (outside a request)."""
    return f"{settings.base_url.rstrip('/')}/termine/{planned_id}"


def session_message(
    settings: Settings,
    *,
    to: str,
    name: str,
    planned: PlannedSession,
    purpose: str,
    calendar: bytes | None = None,
) -> EmailMessage:
    """The German mail for ``purpose`` (``moved_up``, ``reminder``, ``called_off``, ``changed``) about one planned
    session (``changed``: as it is now, after the change).

    ``calendar``, the session's calendar file (lms.workshops.calendar), goes with it as ``termin-<id>.ics``: Outlook
    and Thunderbird offer to add, move or remove the entry from the mail, as with an invitation.
    """
    what = (
        "eine Veranstaltung"
        if planned.kind == SessionKind.WORKSHOP.value
        else f"die Schulung „{planned.module_version.title}“"
    )
    when = f"am {clock.fixed_date(planned.held_on)} von {planned.starts_at:%H:%M} bis {planned.ends_at:%H:%M} Uhr"
    link = session_link(settings, planned.id)
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lms.local")
    if purpose == "moved_up":
        message["Subject"] = "Ein Platz ist frei geworden – Sie sind angemeldet"
        intro = f"für {what} {when} ist ein Platz frei geworden: Sie sind von der Warteliste nachgerückt."
    elif purpose == "called_off":
        message["Subject"] = f"Abgesagt: Ihr Termin am {clock.fixed_date(planned.held_on)}"
        intro = f"leider ist {what} {when} abgesagt. Ihre Anmeldung ist damit hinfällig."
    elif purpose == "changed":
        message["Subject"] = f"Geändert: Ihr Termin findet jetzt am {clock.fixed_date(planned.held_on)} statt"
        intro = (
            f"der Termin für {what}, zu der Sie sich angemeldet haben, wurde geändert. Sie findet jetzt {when} "
            "statt; den Ort finden Sie unten. Ihre Anmeldung oder Ihr Platz auf der Warteliste bleibt bestehen."
        )
    else:
        message["Subject"] = f"Erinnerung: Ihr Termin am {clock.fixed_date(planned.held_on)}"
        intro = f"wir erinnern Sie an {what} {when}."
    message.set_content(
        f"Guten Tag {name},\n\n{intro}\n\nOrt: {planned.place}\n\n"
        f"Einzelheiten, und falls Sie nicht teilnehmen können, die Abmeldung:\n{link}\n\n{FOOTER}"
    )
    if calendar is not None:
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename=f"termin-{planned.id}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    return message
