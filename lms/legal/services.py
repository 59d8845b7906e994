"""Barrier reports: accept one from the public form (rate-limited), list them, change their status (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.services import hold_lock
from lms.config import Settings
from lms.legal.models import BarrierReport, BarrierReportSubmission, ReportStatus

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class ReportLimit:
    """Reports per client address per hour, and on the whole platform per day."""

    per_client_hour: int = 5
    per_day: int = 200


@dataclass(frozen=True)
class ReportInput:
    """What the form collected (already checked: description present, lengths, e-mail syntax)."""

    description: str
    page_url: str | None = None
    contact_email: str | None = None


def register_submission(
    session: Session, client_key: str, limit: ReportLimit, now: datetime | None = None
) -> int:
    """Count a report for this client; 0 if allowed, else the seconds until the next one is allowed.

    One lock for all clients (reports are rare): counting and recording are one step, so parallel posts cannot
    all see the same count. Rows older than a day are useless for either limit and are dropped as we go.
    """
    now = now or clock.now()
    hold_lock(session, "barrier-reports")
    session.execute(delete(BarrierReportSubmission).where(BarrierReportSubmission.at < now - DAY))
    count, oldest = session.execute(
        select(func.count(), func.min(BarrierReportSubmission.at)).where(
            and_(BarrierReportSubmission.client_key == client_key, BarrierReportSubmission.at >= now - HOUR)
        )
    ).one()
    if count >= limit.per_client_hour:
        return max(1, int((oldest + HOUR - now).total_seconds()) + 1)
    total, first = session.execute(
        select(func.count(), func.min(BarrierReportSubmission.at)).where(
            BarrierReportSubmission.at >= now - DAY
        )
    ).one()
    if total >= limit.per_day:
        return max(1, int((first + DAY - now).total_seconds()) + 1)
    session.add(BarrierReportSubmission(client_key=client_key, at=now))
    session.flush()
    return 0


def submit_report(session: Session, data: ReportInput) -> BarrierReport:
    """Record a report with the status „neu“ (the caller has registered the submission first)."""
    report = BarrierReport(
        description=data.description.strip(),
        page_url=(data.page_url or "").strip() or None,
        contact_email=(data.contact_email or "").strip() or None,
        status=ReportStatus.NEW.value,
    )
    session.add(report)
    session.flush()
    record_event(
        session,
        actor_id=None,
        action="barrier_report.create",
        object_type="barrier_report",
        object_id=report.id,
    )
    return report


def purge_done_reports(session: Session, retention: timedelta, now: datetime | None = None) -> int:
    """Delete reports marked „erledigt“ longer ago than the retention period; returns how many."""
    cutoff = (now or clock.now()) - retention
    result = session.execute(
        delete(BarrierReport).where(
            BarrierReport.status == ReportStatus.DONE.value, BarrierReport.status_changed_at < cutoff
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_reports(session: Session, status: str | None = None) -> list[BarrierReport]:
    """Reports, newest first, optionally only those with one status."""
    query = select(BarrierReport).order_by(BarrierReport.created_at.desc(), BarrierReport.id.desc())
    if status:
        query = query.where(BarrierReport.status == status)
    return list(session.scalars(query.limit(500)))


def count_open(session: Session) -> int:
    """Reports not yet done."""
    return (
        session.scalar(
            select(func.count())
            .select_from(BarrierReport)
            .where(BarrierReport.status != ReportStatus.DONE.value)
        )
        or 0
    )


def set_status(session: Session, actor_id: int, report: BarrierReport, status: ReportStatus) -> bool:
    """Change a report's status; False (and nothing recorded) if it already has it."""
    if report.status == status.value:
        return False
    previous = report.status
    report.status = status.value
    report.status_changed_at = clock.now()
    report.status_changed_by_id = actor_id
    record_event(
        session,
        actor_id=actor_id,
        action="barrier_report.status",
        object_type="barrier_report",
        object_id=report.id,
        before=previous,
        after=status.value,
    )
    session.flush()
    return True


def report_message(settings: Settings, report: BarrierReport, list_url: str) -> EmailMessage:
    """The German mail to the programme office with the report's text."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = settings.barrier_report_recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lms.local")
    message["Subject"] = f"Barriere gemeldet (Nr. {report.id}) – Lernplattform „Kommunen für alle?“"
    if report.contact_email:
        message["Reply-To"] = report.contact_email
    message.set_content(
        "Über das Formular „Barriere melden“ ist eine Meldung eingegangen.\n\n"
        f"Nummer: {report.id}\n"
        f"Eingegangen: {clock.format_datetime(report.created_at, 'de')}\n"
        f"Seite: {report.page_url or '(nicht angegeben)'}\n"
        f"Kontakt: {report.contact_email or '(keine Angabe)'}\n\n"
        f"Beschreibung:\n{report.description}\n\n"
        f"Alle Meldungen und ihr Stand: {list_url}\n\n"
        "Nach § 12b BGG bzw. dem jeweiligen Landesrecht ist eine Antwort in angemessener Frist zu geben "
        "(in der Regel innerhalb eines Monats).\n\n"
        "Diese Nachricht wurde automatisch erstellt.\n"
    )
    return message
