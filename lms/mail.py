"""Outgoing mail: through SMTP when ``LMS_SMTP_HOST`` is set, otherwise as .eml files in the outbox folder.

Mails are side effects and go out only after the unit of work has committed (a rolled-back import sends nothing):
services return messages, callers hand them to :func:`send_after_commit`. A delivery failure is logged and never
undoes the committed work; an invitation can be sent again from the staff list.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lms import time as clock
from lms.config import Settings
from lms.db import run_after_commit

log = logging.getLogger(__name__)


def invitation_message(
    settings: Settings,
    *,
    to: str,
    name: str,
    link: str,
    municipality: str,
    expires_on: date,
    is_reset: bool = False,
) -> EmailMessage:
    """The German invitation (or password reset) mail with the personal link."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lms.local")
    if is_reset:
        message["Subject"] = "Neues Passwort für die Lernplattform „Kommunen für alle?“"
        intro = "Sie haben ein neues Passwort für die Lernplattform „Kommunen für alle?“ angefordert."
    else:
        message["Subject"] = "Einladung zur Lernplattform „Kommunen für alle?“"
        intro = (
            f"{municipality} nimmt am Modellprojekt „Kommunen für alle? – Rassismuskritik in kommunalen "
            "Verwaltungen“ teil. Für Sie ist ein Zugang zur Lernplattform eingerichtet: dort finden Sie die "
            "Schulungsmodule, die Ihre Verwaltung für Sie vorgesehen hat."
        )
    message.set_content(
        f"Guten Tag {name},\n\n{intro}\n\n"
        f"Bitte legen Sie über diesen persönlichen Link Ihr Passwort fest:\n\n{link}\n\n"
        f"Der Link gilt bis einschließlich {clock.fixed_date(expires_on)} und nur einmal. Ist er abgelaufen, wenden Sie "
        "sich bitte an die Koordination Ihrer Verwaltung.\n\n"
        "Ihre Anmeldung: Ihre E-Mail-Adresse " + to + " und das Passwort, das Sie festlegen.\n\n"
        "Diese Nachricht wurde automatisch erstellt.\n"
        "Lernplattform „Kommunen für alle?“ – ein Modellprojekt der Europäischen Städtekoalition gegen Rassismus "
        "(ECCAR), gefördert im Bundesprogramm „Demokratie leben!“\n"
    )
    return message


def invitation_messages(
    settings: Settings, municipality_name: str, invitations: Iterable[tuple[Any, str, str, str, datetime]]
) -> list[EmailMessage]:
    """The invitation mails for (id, e-mail, name, token, expiry) rows, as the staff import returns them."""
    return [
        invitation_message(
            settings,
            to=email,
            name=name,
            link=invitation_link(settings, token),
            municipality=municipality_name,
            expires_on=clock.local_date(expires_at),
        )
        for _id, email, name, token, expires_at in invitations
    ]


def reset_message(
    settings: Settings, *, to: str, name: str, link: str, sent_by_office: bool = False
) -> EmailMessage:
    """The German mail with a 1-hour link to set a new password („Passwort vergessen“ or from the programme office)."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lms.local")
    message["Subject"] = "Neues Passwort für die Lernplattform „Kommunen für alle?“"
    if sent_by_office:
        intro = "das Programmbüro hat Ihnen einen Link geschickt, mit dem Sie ein neues Passwort festlegen."
    else:
        intro = (
            "für Ihr Konto auf der Lernplattform „Kommunen für alle?“ wurde ein neues Passwort angefordert."
        )
    message.set_content(
        f"Guten Tag {name},\n\n{intro}\n\n"
        f"Über diesen persönlichen Link legen Sie Ihr neues Passwort fest:\n\n{link}\n\n"
        "Der Link gilt eine Stunde lang und nur einmal. Mit dem neuen Passwort werden Sie auf allen Geräten "
        "abgemeldet, und Ihre API-Token werden widerrufen.\n\n"
        "Haben Sie kein neues Passwort angefordert, können Sie diese Nachricht ignorieren: Ihr bisheriges Passwort "
        "bleibt gültig.\n\n"
        "Diese Nachricht wurde automatisch erstellt.\n"
        "Lernplattform „Kommunen für alle?“ – ein Modellprojekt der Europäischen Städtekoalition gegen Rassismus "
        "(ECCAR), gefördert im Bundesprogramm „Demokratie leben!“\n"
    )
    return message


def deliver(settings: Settings, messages: list[EmailMessage]) -> list[Path]:
    """Send the messages by SMTP, or write them to the outbox; returns the files written (none when sent)."""
    if not messages:
        return []
    written: list[Path] = []
    with transport(settings) as send:
        for message in messages:
            path = send(message)
            if path is not None:
                written.append(path)
    return written


@contextmanager
def transport(settings: Settings) -> Iterator[Callable[[EmailMessage], Path | None]]:
    """One way out for many mails: a single SMTP connection (or the outbox folder); yields ``send(message)``.

    ``send`` raises what smtplib raises: :class:`smtplib.SMTPRecipientsRefused` when the server refuses the
    address (no point in trying again), other errors when the server is unreachable or busy (try again later).
    """
    if not settings.smtp_host:
        outbox = Path(settings.outbox_dir)
        outbox.mkdir(parents=True, exist_ok=True)

        def write(message: EmailMessage) -> Path:
            stem = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
            path = outbox / f"{stem}.eml"
            path.write_bytes(bytes(message))
            return path

        yield write
        return
    context = ssl.create_default_context()
    connection = (
        smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=30, context=context)
        if settings.smtp_security == "ssl"
        else smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    )
    with connection as smtp:
        if settings.smtp_security == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)

        def send(message: EmailMessage) -> None:
            smtp.send_message(message)

        yield send


def send_after_commit(session: Session, settings: Settings, messages: Iterable[EmailMessage]) -> None:
    """Deliver the messages once this session commits; forget them if it rolls back.

    For a single mail the person waits for (a password link). Mail to many people goes through the job queue
    (``lms.jobs``), which retries when the mail server fails.
    """
    batch = list(messages)

    def send() -> None:
        try:
            deliver(settings, batch)
        except Exception:  # the work is committed; the person can ask for the link again
            log.exception("could not deliver %d mail(s)", len(batch))

    run_after_commit(session, send)


def invitation_link(settings: Settings, token: str) -> str:
    """The absolute link to the page where the person sets their password."""
    return f"{settings.base_url.rstrip('/')}/einladung/{token}"
