"""The reminder mails: German, formal „Sie“, plain text, with a link to the module (templates/reminders/*.txt).

Built when the job sends them, from the record and the database as it is then (the digest's counts are those of
the day it goes out). Counts of people in the digest pass through lms.disclosure like on the dashboard.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.config import Settings
from lms.content.models import Module, ModuleVersion
from lms.disclosure import people_count
from lms.orgs.models import Municipality
from lms.orgs.periods import period_for
from lms.reminders.models import ReminderKind, SentReminder
from lms.reminders.services import DUE_SOON_DAYS
from lms.reports.compliance import period_status
from lms.reports.plans import PlanLine, plan_lines
from lms.reports.validity import EXPIRY_HORIZON_DAYS, expiring_count

# Plain text, never HTML: nothing to escape (autoescape would turn „&“ in a title into „&amp;“).
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates" / "reminders"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)

SUBJECTS = {
    ReminderKind.DUE_SOON: "Erinnerung: „{title}“ ist bis zum {day} fällig",
    ReminderKind.OVERDUE: "Überfällig: „{title}“ (fällig am {day})",
    ReminderKind.EXPIRY: "„{title}“: Ihr Abschluss gilt bis zum {day}",
    ReminderKind.MATERIAL_CHANGE: "„{title}“ wurde inhaltlich geändert",
    ReminderKind.DIGEST: "Wochenübersicht {municipality}: Schulungsplan und Ziele",
}
SWITCH_TEXTS = {
    ReminderKind.DIGEST: "Sie erhalten die Wochenübersicht, weil Sie die Schulungen Ihrer Kommune koordinieren.",
}
REMINDER_SWITCH = "Sie erhalten diese Erinnerung, weil Erinnerungen per E-Mail für Sie eingeschaltet sind."


def _base(settings: Settings) -> str:
    return settings.base_url.rstrip("/")


def _module(session: Session, module_id: int | None) -> tuple[str, str]:
    """(slug, title of the newest version) of a module."""
    module = session.get(Module, module_id)
    if module is None:
        return "", ""
    title = session.scalar(
        select(ModuleVersion.title)
        .where(ModuleVersion.module_id == module.id)
        .order_by(ModuleVersion.id.desc())
        .limit(1)
    )
    return module.slug, title or module.slug


def _plan_text(line: PlanLine) -> str:
    group = line.org_unit_name or "alle Beschäftigten"
    return (
        f"„{line.module_title}“ für {group}, fällig am {clock.fixed_date(line.assignment.due_on)} – "
        f"abgeschlossen: {line.completed} von {line.staff}"
    )


def _digest(settings: Settings, session: Session, person: User) -> dict[str, Any] | None:
    municipality = session.get(Municipality, person.municipality_id)
    if municipality is None:
        return None
    today = clock.today()
    values: dict[str, Any] = {
        "municipality": municipality.name,
        "week": today.isocalendar()[1],
        "link": f"{_base(settings)}/kommunen/{municipality.slug}",
        "period": None,
    }
    period = period_for(session, today)
    if period is None:
        return values
    status = period_status(session, municipality, period, today)
    open_lines = [
        line for line in plan_lines(session, municipality, period, today) if line.share != Decimal(100)
    ]
    soon = today + timedelta(days=DUE_SOON_DAYS)
    values.update(
        period=period.label,
        starts_on=clock.fixed_date(period.starts_on),
        ends_on=clock.fixed_date(period.ends_on),
        status=status.assessment.label,
        reason=status.assessment.reason(),
        overdue=[_plan_text(line) for line in open_lines if line.is_overdue],
        due_soon=[
            _plan_text(line)
            for line in open_lines
            if not line.is_overdue and today <= line.assignment.due_on <= soon
        ],
        soon_days=DUE_SOON_DAYS,
        expiring=people_count(expiring_count(session, municipality.id, today)),
        expiry_days=EXPIRY_HORIZON_DAYS,
    )
    return values


def reminder_message(settings: Settings, session: Session, sent: SentReminder) -> EmailMessage | None:
    """The mail for a recorded reminder; None if it should no longer go out (person deactivated or switched off)."""
    person = session.get(User, sent.user_id)
    kind = ReminderKind(sent.kind)
    if person is None or not person.is_active:
        return None
    if not (person.has_weekly_digest if kind is ReminderKind.DIGEST else person.has_reminders):
        return None
    values: dict[str, Any] = {
        "name": person.display_name,
        "profile_link": f"{_base(settings)}/profil#erinnerungen",
        "switch_text": SWITCH_TEXTS.get(kind, REMINDER_SWITCH),
    }
    if kind is ReminderKind.DIGEST:
        digest = _digest(settings, session, person)
        if digest is None:
            return None
        values.update(digest)
    else:
        slug, title = _module(session, sent.module_id)
        values.update(
            title=title,
            link=f"{_base(settings)}/module/{slug}",
            quiz_link=f"{_base(settings)}/module/{slug}/quiz",
            day=clock.fixed_date(sent.day) if sent.day else "",
        )
        if kind is ReminderKind.MATERIAL_CHANGE:
            version = session.get(ModuleVersion, sent.module_version_id)
            values.update(
                version_label=version.version_label if version else "",
                change_note=(version.change_note or "").strip() if version else "",
            )
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = person.email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="lms.local")
    message["Subject"] = SUBJECTS[kind].format(**values)
    message.set_content(_TEMPLATES.get_template(f"{kind.value}.txt").render(**values))
    return message
