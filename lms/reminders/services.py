"""What is due for a reminder today, and the record that each went out once (flush, never commit).

Every rule is one SQL query over plans, completions and versions; :func:`collect` drops what was already sent
(``sent_reminders``), so running ``lms reminders send`` every day sends each reminder once per person and occasion.
Who switched reminders off in their profile (``User.has_reminders``, the digest: ``has_weekly_digest``) is not
asked, and nor are deactivated people or people who have not set a password yet (their invitation is the mail
that matters).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from lms import time as clock
from lms.auth.models import Role, User, UserRole
from lms.content.models import ChangeKind, Module, ModuleKind, ModuleVersion
from lms.orgs.models import ProgrammePeriod, TrainingAssignment
from lms.progress.models import Completion
from lms.progress.queries import validity_per_module
from lms.progress.renewal import RENEWAL_WINDOW_DAYS
from lms.reminders.models import ReminderKind, SentReminder

#: A plan module is announced this many days before its due date.
DUE_SOON_DAYS = 14
#: A completion's end of validity is announced this many days before: when renewal opens (lms/progress/renewal.py).
EXPIRY_NOTICE_DAYS = RENEWAL_WINDOW_DAYS
#: Material changes published within this many days are announced (older ones were before reminders existed).
MATERIAL_CHANGE_DAYS = 30


@dataclass(frozen=True)
class Due:
    """A reminder that is due: to whom, why, about what."""

    user_id: int
    email: str
    name: str
    kind: ReminderKind
    #: What it is about; together with person and kind it is sent once (see SentReminder.occasion).
    occasion: str
    module_id: int | None = None
    module_version_id: int | None = None
    #: The due date (plan), the last valid day (expiry), or None.
    day: date | None = None


def _reachable(*, digest: bool = False) -> ColumnElement[bool]:
    """People a reminder may go to: active, with a password, with the switch on."""
    switch = User.has_weekly_digest if digest else User.has_reminders
    return and_(User.is_active.is_(True), User.password_hash.is_not(None), switch.is_(True))


def plan_reminders(session: Session, today: date) -> list[Due]:
    """Modules of the current period's training plan that a person has not completed: due within 14 days
    (DUE_SOON) or past their due date (OVERDUE). Per person and module the earliest due date of their plan lines."""
    target = or_(TrainingAssignment.org_unit_id.is_(None), TrainingAssignment.org_unit_id == User.org_unit_id)
    completed = exists().where(
        Completion.user_id == User.id, Completion.module_id == TrainingAssignment.module_id
    )
    due_on = func.min(TrainingAssignment.due_on)
    rows = session.execute(
        select(
            User.id,
            User.email,
            User.display_name,
            TrainingAssignment.module_id,
            TrainingAssignment.period_id,
            due_on,
        )
        .join(
            TrainingAssignment,
            and_(TrainingAssignment.municipality_id == User.municipality_id, target),
        )
        .join(ProgrammePeriod, ProgrammePeriod.id == TrainingAssignment.period_id)
        .join(Module, Module.id == TrainingAssignment.module_id)
        .where(
            ProgrammePeriod.starts_on <= today,
            ProgrammePeriod.ends_on >= today,
            Module.retired_at.is_(None),
            _reachable(),
            ~completed,
        )
        .group_by(
            User.id, User.email, User.display_name, TrainingAssignment.module_id, TrainingAssignment.period_id
        )
        .having(due_on <= today + timedelta(days=DUE_SOON_DAYS))
    ).all()
    return [
        Due(
            user_id,
            email,
            name,
            ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON,
            f"plan:{period_id}:{module_id}:{due.isoformat()}",
            module_id=module_id,
            day=due,
        )
        for user_id, email, name, module_id, period_id, due in rows
    ]


def expiry_reminders(session: Session, today: date) -> list[Due]:
    """Completions whose validity ends within 30 days, today included, with no later completion renewing them."""
    validity = validity_per_module().subquery()
    rows = session.execute(
        select(User.id, User.email, User.display_name, validity.c.module_id, validity.c.valid_until)
        .select_from(validity)
        .join(User, User.id == validity.c.user_id)
        .join(Module, Module.id == validity.c.module_id)
        .where(
            Module.kind == ModuleKind.TRAINING.value,
            Module.retired_at.is_(None),
            validity.c.unlimited == 0,
            validity.c.valid_until >= today,
            validity.c.valid_until <= today + timedelta(days=EXPIRY_NOTICE_DAYS),
            _reachable(),
        )
    ).all()
    return [
        Due(
            user_id,
            email,
            name,
            ReminderKind.EXPIRY,
            f"expiry:{module_id}:{until.isoformat()}",
            module_id=module_id,
            day=until,
        )
        for user_id, email, name, module_id, until in rows
    ]


def material_change_reminders(session: Session, now: datetime) -> list[Due]:
    """People who completed an earlier version of a module that got a material change in the last 30 days, and
    have not completed that version (or a newer one) since."""
    later = aliased(Completion)
    rows = session.execute(
        select(User.id, User.email, User.display_name, ModuleVersion.module_id, ModuleVersion.id)
        .select_from(ModuleVersion)
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(
            Completion,
            and_(
                Completion.module_id == ModuleVersion.module_id,
                Completion.module_version_id < ModuleVersion.id,
                Completion.completed_at < ModuleVersion.published_at,
            ),
        )
        .join(User, User.id == Completion.user_id)
        .where(
            ModuleVersion.change_kind == ChangeKind.MATERIAL.value,
            ModuleVersion.retired_at.is_(None),
            Module.retired_at.is_(None),
            ModuleVersion.published_at >= now - timedelta(days=MATERIAL_CHANGE_DAYS),
            ModuleVersion.published_at <= now,
            _reachable(),
            ~exists().where(
                later.user_id == User.id,
                later.module_id == ModuleVersion.module_id,
                later.module_version_id >= ModuleVersion.id,
            ),
        )
        .distinct()
    ).all()
    return [
        Due(
            user_id,
            email,
            name,
            ReminderKind.MATERIAL_CHANGE,
            f"version:{version_id}",
            module_id=module_id,
            module_version_id=version_id,
        )
        for user_id, email, name, module_id, version_id in rows
    ]


def week_of(today: date) -> str:
    """The ISO week, e.g. "2026-W48": the digest goes out once in it."""
    year, week, _day = today.isocalendar()
    return f"{year}-W{week:02d}"


def digest_reminders(session: Session, today: date) -> list[Due]:
    """Every coordinator of a municipality who keeps the weekly digest: once per ISO week."""
    rows = session.execute(
        select(User.id, User.email, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.COORDINATOR.value,
            User.municipality_id.is_not(None),
            _reachable(digest=True),
        )
        .distinct()
    ).all()
    week = week_of(today)
    return [Due(user_id, email, name, ReminderKind.DIGEST, f"week:{week}") for user_id, email, name in rows]


def collect(session: Session, today: date | None = None, now: datetime | None = None) -> list[Due]:
    """Everything due today that was not sent before, in a stable order (person, kind, occasion)."""
    now = now or clock.now()
    today = today or clock.local_date(now)
    found = [
        *plan_reminders(session, today),
        *expiry_reminders(session, today),
        *material_change_reminders(session, now),
        *digest_reminders(session, today),
    ]
    sent = _already_sent(session, found)
    return sorted(
        (d for d in found if (d.user_id, d.kind.value, d.occasion) not in sent),
        key=lambda d: (d.user_id, d.kind.value, d.occasion),
    )


def _already_sent(session: Session, found: Sequence[Due]) -> set[tuple[int, str, str]]:
    """The (person, kind, occasion) keys among ``found`` that are on record."""
    keys = sorted({(d.user_id, d.kind.value, d.occasion) for d in found})
    sent: set[tuple[int, str, str]] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        sent.update(
            (u, k, o)
            for u, k, o in session.execute(
                select(SentReminder.user_id, SentReminder.kind, SentReminder.occasion).where(
                    tuple_(SentReminder.user_id, SentReminder.kind, SentReminder.occasion).in_(chunk)
                )
            )
        )
    return sent


def record(session: Session, due: Iterable[Due], now: datetime | None = None) -> list[SentReminder]:
    """Put the reminders on record (the mails go out through the job queue after the commit)."""
    now = now or clock.now()
    rows = [
        SentReminder(
            user_id=d.user_id,
            kind=d.kind.value,
            occasion=d.occasion,
            module_id=d.module_id,
            module_version_id=d.module_version_id,
            day=d.day,
            sent_at=now,
        )
        for d in due
    ]
    session.add_all(rows)
    session.flush()
    return rows
