"""Coordinators manage people: one person's planned modules, completions and certificates; who is still open.

Both name people, which the coordination of the municipality (and the programme office) may see: they manage its
staff. A head of org units sees the same for the staff of the units they lead, and nobody else (lms.scope). Nothing of the empowerment network appears here: only training modules, and only completion certificates
(a participation certificate would say that someone took part in an empowerment workshop, GDPR Art. 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.certificates.snapshot import CertificateKind
from lms.content.models import Module, ModuleKind
from lms.orgs.models import Municipality, OrgUnit, ProgrammePeriod, TrainingAssignment
from lms.progress.models import Completion
from lms.reports.queries import module_titles, org_unit_names, staff_on
from lms.scope import OutOfScope, progress_filter, progress_units


@dataclass(frozen=True)
class PlannedModule:
    """A line of the training plan that applies to the person, with where they stand."""

    module_title: str
    due_on: date
    completed_at: datetime | None
    is_overdue: bool


@dataclass(frozen=True)
class FinishedModule:
    """A completed training module, with its certificate if one was issued."""

    module_title: str
    version: str
    completed_at: datetime
    mode: str
    score_percent: Decimal | None
    certificate_code: str | None
    certificate_revoked: bool


@dataclass(frozen=True)
class PersonRecord:
    """What the person's page shows."""

    person: User
    org_unit_name: str | None
    planned: list[PlannedModule]
    finished: list[FinishedModule]


def _first_completions(session: Session, user_ids: list[int]) -> dict[tuple[int, int], datetime]:
    """(user id, module id) → the first completion of a training module."""
    found: dict[tuple[int, int], datetime] = {}
    for start in range(0, len(user_ids), 500):
        rows = session.execute(
            select(Completion.user_id, Completion.module_id, Completion.completed_at)
            .join(Module, Module.id == Completion.module_id)
            .where(
                Completion.user_id.in_(user_ids[start : start + 500]),
                Module.kind == ModuleKind.TRAINING.value,
            )
        )
        for user_id, module_id, at in rows:
            key = (user_id, module_id)
            if key not in found or at < found[key]:
                found[key] = at
    return found


def person_record(
    session: Session,
    actor: User,
    municipality: Municipality,
    person: User,
    period: ProgrammePeriod,
    today: date,
) -> PersonRecord:
    """The person's planned modules in the period, every completed training module, their certificates."""
    units = progress_units(actor, municipality.id)
    if person.municipality_id != municipality.id or (units is not None and person.org_unit_id not in units):
        raise OutOfScope
    titles = module_titles(session)
    done = _first_completions(session, [person.id])
    assignments = session.scalars(
        select(TrainingAssignment)
        .where(
            TrainingAssignment.municipality_id == municipality.id,
            TrainingAssignment.period_id == period.id,
            or_(
                TrainingAssignment.org_unit_id.is_(None), TrainingAssignment.org_unit_id == person.org_unit_id
            ),
        )
        .order_by(TrainingAssignment.due_on, TrainingAssignment.id)
    )
    planned: dict[int, PlannedModule] = {}
    for line in assignments:
        if (
            line.module_id in planned
        ):  # planned for all staff and for the person's unit: the earlier date counts
            continue
        at = done.get((person.id, line.module_id))
        planned[line.module_id] = PlannedModule(
            titles.get(line.module_id, ""), line.due_on, at, at is None and line.due_on < today
        )
    certificates = {
        c.completion_id: c
        for c in session.scalars(
            select(Certificate).where(
                Certificate.holder_id == person.id, Certificate.kind == CertificateKind.COMPLETION.value
            )
        )
    }
    finished = []
    for completion in session.scalars(
        select(Completion)
        .join(Module, Module.id == Completion.module_id)
        .where(Completion.user_id == person.id, Module.kind == ModuleKind.TRAINING.value)
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
    ):
        certificate = certificates.get(completion.id)
        finished.append(
            FinishedModule(
                module_title=titles.get(completion.module_id, ""),
                version=completion.module_version.version_label,
                completed_at=completion.completed_at,
                mode=completion.mode,
                score_percent=completion.score_percent,
                certificate_code=certificate.code if certificate is not None else None,
                certificate_revoked=certificate is not None and certificate.is_revoked,
            )
        )
    unit = session.get(OrgUnit, person.org_unit_id) if person.org_unit_id else None
    return PersonRecord(person, unit.name if unit else None, list(planned.values()), finished)


@dataclass(frozen=True)
class OpenRow:
    """A member of staff who has not yet completed a module planned for them."""

    user_id: int
    name: str
    email: str
    personnel_number: str | None
    org_unit_name: str
    module_title: str
    due_on: date
    is_overdue: bool


def not_completed(
    session: Session,
    actor: User,
    municipality: Municipality,
    period: ProgrammePeriod,
    today: date,
    *,
    org_unit_id: int | None = None,
    module_id: int | None = None,
) -> list[OpenRow]:
    """Active staff who have not completed a module of the period's plan that applies to them, by due date and name."""
    if progress_units(actor, municipality.id) == frozenset():
        raise OutOfScope
    query = (
        select(User, TrainingAssignment)
        .join(
            TrainingAssignment,
            and_(
                TrainingAssignment.municipality_id == User.municipality_id,
                or_(
                    TrainingAssignment.org_unit_id.is_(None),
                    TrainingAssignment.org_unit_id == User.org_unit_id,
                ),
            ),
        )
        .where(
            progress_filter(actor, municipality.id),
            User.is_active.is_(True),
            staff_on(min(today, period.ends_on)),
            TrainingAssignment.period_id == period.id,
        )
        .order_by(TrainingAssignment.due_on, User.display_name, User.id)
    )
    if org_unit_id is not None:
        query = query.where(User.org_unit_id == org_unit_id)
    if module_id is not None:
        query = query.where(TrainingAssignment.module_id == module_id)
    pairs = session.execute(query).all()
    done = _first_completions(session, sorted({user.id for user, _line in pairs}))
    titles, units = module_titles(session), org_unit_names(session, municipality.id)
    rows: list[OpenRow] = []
    seen: set[tuple[int, int]] = set()
    for user, line in pairs:
        key = (user.id, line.module_id)
        if key in done or key in seen:
            continue
        seen.add(key)
        rows.append(
            OpenRow(
                user_id=user.id,
                name=user.display_name,
                email=user.email,
                personnel_number=user.personnel_number,
                org_unit_name=units.get(user.org_unit_id or 0, ""),
                module_title=titles.get(line.module_id, ""),
                due_on=line.due_on,
                is_overdue=line.due_on < today,
            )
        )
    return rows
