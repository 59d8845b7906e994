"""The handlers: what each kind of job does. They sit above the features (like views and commands) and own their
units of work: each commits its work at checkpoints, together with the progress that counts it.

* ``invitations``: one invitation mail per person, over one SMTP connection; each mail is committed with its link
  and the progress, so a retry after a mail server failure continues with the next person. An address the server
  refuses is counted and skipped (the person can be invited again from the staff list).
* ``reminders``: the reminder mails recorded by ``lms reminders send`` (lms.reminders), one per record, over one
  SMTP connection, resuming after the last one sent; a refused address is counted and skipped.
* ``session_mail``: mails about planned sessions (moved up from the waiting list, reminder, called off), one per
  registration, the same way.
* ``certificate_archive``: the coordinator's ZIP of a municipality's certificates, written to the job files folder;
  the initiator downloads it through a signed link for ``LMS_JOB_DOWNLOAD_HOURS``.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.invitations import create_invitations
from lms.auth.models import User
from lms.certificates import queries as certificate_queries
from lms.certificates import services as certificate_services
from lms.certificates.export import zip_stream
from lms.certificates.rendering import Renderer
from lms.config import Settings
from lms.jobs import services
from lms.jobs.models import Job
from lms.jobs.queue import Queue, enqueue_after_commit
from lms.jobs.runner import JobContext, PermanentFailure, handler
from lms.mail import invitation_link, invitation_message, transport
from lms.orgs.models import Municipality
from lms.reminders.mails import reminder_message
from lms.reminders.models import SentReminder
from lms.text import N_
from lms.workshops.calendar import calendar_for
from lms.workshops.mails import session_link, session_message
from lms.workshops.models import RegistrationStatus, SessionRegistration
from lms.workshops.planning import SESSION_MAIL, still_wanted

log = logging.getLogger(__name__)

INVITATIONS = "invitations"
CERTIFICATE_ARCHIVE = "certificate_archive"
REMINDERS = "reminders"
#: What the pages call each kind of job.
KIND_LABELS = {
    INVITATIONS: N_("Einladungen versenden"),
    CERTIFICATE_ARCHIVE: N_("Zertifikate als ZIP-Archiv"),
    REMINDERS: N_("Erinnerungen versenden"),
    SESSION_MAIL: N_("Mitteilungen zu Terminen"),
}
#: Progress of an archive is written after this many certificates.
_ARCHIVE_REPORT_EVERY = 25


def queue_invitations(
    session: Session,
    queue: Queue,
    settings: Settings,
    *,
    municipality_id: int,
    user_ids: list[int],
    actor_id: int | None,
    subject: tuple[str, int] | None = None,
) -> Job | None:
    """Record the job that mails these people their invitations; it starts after the commit. None: nobody."""
    if not user_ids:
        return None
    job = services.create_job(
        session,
        INVITATIONS,
        actor_id=actor_id,
        params={"user_ids": list(user_ids), "municipality_id": municipality_id, "actor_id": actor_id},
        municipality_id=municipality_id,
        subject=subject,
        total=len(user_ids),
        max_attempts=settings.job_max_attempts,
    )
    enqueue_after_commit(session, queue, job)
    return job


@handler(INVITATIONS)
def send_invitations(ctx: JobContext) -> None:
    """A new invitation link by mail to each person in ``user_ids`` not yet reached, in order."""
    user_ids: list[int] = list(ctx.params.get("user_ids") or [])
    actor_id = ctx.params.get("actor_id")
    ctx.total = len(user_ids)
    for key in ("sent", "refused", "skipped"):
        ctx.outcome.setdefault(key, 0)
    with ctx.session() as session:
        municipality = session.get(Municipality, ctx.params.get("municipality_id"))
        if municipality is None:
            raise PermanentFailure("Die Kommune gibt es nicht mehr.")
        municipality_name = municipality.name
    if ctx.done >= len(user_ids):
        return
    settings = ctx.settings
    with transport(settings) as send, ctx.session() as session:
        while ctx.done < len(user_ids):
            person = session.get(User, user_ids[ctx.done])
            if person is None or not person.is_active or person.password_hash is not None:
                ctx.outcome["skipped"] += 1  # left, deactivated, or found their way in meanwhile
            else:
                [(_user, token, invitation)] = create_invitations(
                    session, [person], actor_id=actor_id, days=settings.invitation_days
                )
                message = invitation_message(
                    settings,
                    to=person.email,
                    name=person.display_name,
                    link=invitation_link(settings, token),
                    municipality=municipality_name,
                    expires_on=clock.local_date(invitation.expires_at),
                )
                try:
                    send(message)
                except smtplib.SMTPRecipientsRefused:
                    session.rollback()  # no link without its mail
                    ctx.outcome["refused"] += 1
                    log.warning(
                        "job %s: the mail server refused the address of person %s", ctx.job_id, person.id
                    )
                else:
                    ctx.outcome["sent"] += 1
            ctx.done += 1
            ctx.checkpoint(session)
            session.commit()


def queue_reminders(
    session: Session, queue: Queue, settings: Settings, reminder_ids: list[int]
) -> Job | None:
    """Record the job that mails these recorded reminders; it starts after the commit. None: nothing to send."""
    if not reminder_ids:
        return None
    job = services.create_job(
        session,
        REMINDERS,
        actor_id=None,
        params={"reminder_ids": list(reminder_ids)},
        total=len(reminder_ids),
        max_attempts=settings.job_max_attempts,
    )
    enqueue_after_commit(session, queue, job)
    return job


@handler(REMINDERS)
def send_reminders(ctx: JobContext) -> None:
    """One mail per recorded reminder in ``reminder_ids``, in order, from where the last attempt stopped."""

    def build(session: Session, reminder_id: int) -> EmailMessage | None:
        sent = session.get(SentReminder, reminder_id)
        return (
            reminder_message(ctx.settings, session, sent) if sent is not None else None
        )  # None: switched off

    _mail_each(ctx, list(ctx.params.get("reminder_ids") or []), build)


@handler(SESSION_MAIL)
def send_session_mails(ctx: JobContext) -> None:
    """One mail per registration in ``registration_ids`` (moved up, reminder, change, call-off); with a place, the
    session's calendar file goes with it."""
    purpose = str(ctx.params.get("purpose") or "")

    def build(session: Session, registration_id: int) -> EmailMessage | None:
        registration = session.get(SessionRegistration, registration_id)
        person = session.get(User, registration.user_id) if registration is not None else None
        if (
            registration is None
            or person is None
            or not person.is_active
            or not still_wanted(purpose, registration)
        ):
            return None  # cancelled, removed or called off meanwhile
        planned = registration.planned_session
        return session_message(
            ctx.settings,
            to=person.email,
            name=person.display_name,
            planned=planned,
            purpose=purpose,
            # Only a place goes into the calendar; someone waiting has none yet (their mail says where they stand).
            calendar=(
                calendar_for(session, planned, session_link(ctx.settings, planned.id))
                if registration.status == RegistrationStatus.REGISTERED.value
                else None
            ),
        )

    _mail_each(ctx, list(ctx.params.get("registration_ids") or []), build)


def _mail_each(ctx: JobContext, ids: list[int], build: Callable[[Session, int], EmailMessage | None]) -> None:
    """Mail each id's message over one connection, from where the last attempt stopped; None from ``build`` skips.

    A refused address is counted and skipped (logged without the address: the log is no place for it)."""
    ctx.total = len(ids)
    for key in ("sent", "refused", "skipped"):
        ctx.outcome.setdefault(key, 0)
    if ctx.done >= len(ids):
        return
    with transport(ctx.settings) as send, ctx.session() as session:
        while ctx.done < len(ids):
            message = build(session, ids[ctx.done])
            if message is None:
                ctx.outcome["skipped"] += 1
            else:
                try:
                    send(message)
                except smtplib.SMTPRecipientsRefused:
                    ctx.outcome["refused"] += 1
                    log.warning("job %s: the mail server refused mail number %s", ctx.job_id, ctx.done + 1)
                else:
                    ctx.outcome["sent"] += 1
            ctx.done += 1
            ctx.checkpoint(session)
            session.commit()


def _day(value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PermanentFailure("Ungültiger Zeitraum.") from None


@handler(CERTIFICATE_ARCHIVE)
def certificate_archive(ctx: JobContext) -> None:
    """Issue what is missing, then write the ZIP (manifest and PDFs) to the job files folder."""
    settings = ctx.settings
    municipality_id = int(ctx.params.get("municipality_id") or 0)
    starts_on, ends_on = _day(ctx.params.get("starts_on")), _day(ctx.params.get("ends_on"))
    module = ctx.params.get("module") or None
    org_unit = ctx.params.get("org_unit_id")
    purge_expired_files(ctx.session, Path(settings.job_files_dir))
    with ctx.session() as session:
        municipality = session.get(Municipality, municipality_id)
        if municipality is None:
            raise PermanentFailure("Die Kommune gibt es nicht mehr.")
        slug = municipality.slug
        selection = certificate_queries.export_selection(
            municipality_id, starts_on, ends_on, module, org_unit
        )
        # Issuing renders and stores each new certificate's PDF once (in worker processes for many); older
        # certificates get theirs stored now. The archive below only streams stored bytes.
        with Renderer(settings.certificate_render_processes) as renderer:
            certificate_services.issue_missing(
                session,
                certificate_services.CompletionFilter(
                    starts_on=starts_on,
                    ends_on=ends_on,
                    municipality_id=municipality.id,
                    module_slug=module,
                    org_unit_id=org_unit,
                ),
                actor_id=ctx.params.get("actor_id"),
                base_url=settings.base_url,
                renderer=renderer,
            )
            certificate_services.store_missing_documents(session, selection, renderer=renderer)
        session.commit()
    selection = certificate_queries.export_selection(municipality_id, starts_on, ends_on, module, org_unit)
    folder = Path(settings.job_files_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"certificates-{ctx.job_id}-{secrets.token_hex(8)}.zip"
    partial = folder / (stored + ".part")
    with ctx.session() as session:
        valid_only = certificate_queries.only_valid(selection)
        valid = valid_only.subquery()
        ctx.total = session.scalar(select(func.count()).select_from(valid)) or 0
        ctx.done = 0
        ctx.report()
        try:
            with partial.open("wb") as out:
                for chunk in zip_stream(
                    lambda: certificate_queries.stream_rows(session, selection),
                    lambda: _counting(ctx, certificate_services.STORE.stream(session, valid_only)),
                    created=clock.now(),
                ):
                    out.write(chunk)
            partial.replace(folder / stored)
        finally:
            partial.unlink(missing_ok=True)
        # Nothing to write, but ends the read cleanly (in the tests' shared transaction a rollback here would take
        # the progress reports with it).
        session.commit()
    with ctx.session() as session:
        ctx.set_result(
            session,
            stored,
            f"Zertifikate_{slug}_{starts_on.isoformat()}_{ends_on.isoformat()}.zip",
            clock.now() + timedelta(hours=settings.job_download_hours),
        )
        session.commit()


def _counting(ctx: JobContext, documents: Iterable[tuple[Any, bytes]]) -> Iterator[tuple[Any, bytes]]:
    """The stored PDFs as they stream into the archive, reporting progress every few."""
    for document in documents:
        yield document
        ctx.done += 1
        if ctx.done % _ARCHIVE_REPORT_EVERY == 0:
            ctx.report()


def purge_expired_files(session_factory: Callable[[], Any], folder: Path) -> int:
    """Delete the files whose download links have expired; returns how many."""
    with session_factory() as session:
        expired = services.expired_results(session)
        for job in expired:
            (folder / str(job.result_path)).unlink(missing_ok=True)
            job.result_path = None
        session.commit()
    return len(expired)
