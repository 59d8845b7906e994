"""Outgoing mail: through SMTP when ``LMS_SMTP_HOST`` is set, otherwise as .eml files in the outbox folder.

Mails are side effects and go out only after the unit of work has committed (a rolled-back import sends nothing):
services return messages, callers hand them to :func:`send_after_commit`. A delivery failure is logged and never
undoes the committed work; an invitation can be sent again from the staff list.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from lms import time as clock
from lms.config import Settings

log = logging.getLogger(__name__)
_PENDING = "lms.mail.pending"


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
    if settings.smtp_host:
        _send_smtp(settings, messages)
        return []
    outbox = Path(settings.outbox_dir)
    outbox.mkdir(parents=True, exist_ok=True)
    written = []
    for message in messages:
        stem = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        path = outbox / f"{stem}.eml"
        path.write_bytes(bytes(message))
        written.append(path)
    return written


def _send_smtp(settings: Settings, messages: list[EmailMessage]) -> None:
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
        for message in messages:
            smtp.send_message(message)


def send_after_commit(session: Session, settings: Settings, messages: Iterable[EmailMessage]) -> None:
    """Deliver the messages once this session commits; forget them if it rolls back."""
    outbox = session.info.get(_PENDING)
    if outbox is None:
        outbox = session.info[_PENDING] = _PendingMail(session, settings)
    outbox.messages.extend(messages)


class _PendingMail:
    """Messages waiting for the session's commit; listens to the session until it commits or rolls back."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.settings = settings
        self.messages: list[EmailMessage] = []
        self.done = False
        event.listen(session, "after_commit", self.after_commit)
        event.listen(session, "after_soft_rollback", self.after_rollback)

    def _stop(self, session: Session) -> None:
        # Listeners cannot be removed while the event runs; they stay, idle, for the rest of the session's life.
        self.done = True
        if session.info.get(_PENDING) is self:
            session.info.pop(_PENDING)

    def after_commit(self, session: Session) -> None:
        if self.done:
            return
        self._stop(session)
        try:
            deliver(self.settings, self.messages)
        except Exception:  # the work is committed; the invitation can be sent again from the staff list
            log.exception("could not deliver %d mail(s)", len(self.messages))

    def after_rollback(self, session: Session, _previous: object) -> None:
        if (
            not self.done and not session.in_transaction()
        ):  # the whole unit of work, not a savepoint inside it
            self._stop(session)


def invitation_link(settings: Settings, token: str) -> str:
    """The absolute link to the page where the person sets their password."""
    return f"{settings.base_url.rstrip('/')}/einladung/{token}"
