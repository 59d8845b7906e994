"""Training plans: which modules a municipality rolls out in a period, to all staff or to org units, by when."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.models import User
from lms.content.models import Module, ModuleKind
from lms.db import built_once
from lms.errors import ServiceError
from lms.orgs.models import Municipality, OrgUnit, ProgrammePeriod, TrainingAssignment
from lms.scope import Actor, OutOfScope, may_manage_municipality


class PlanError(ServiceError, ValueError):
    """A plan line cannot be saved as entered; the message is for people."""


def add_to_plan(
    session: Session,
    actor: Actor,
    municipality: Municipality,
    period: ProgrammePeriod,
    module_id: int,
    org_unit_ids: list[int],
    due_on: date,
) -> list[TrainingAssignment]:
    """Add a module to the plan for all staff (no org units given) or for each given org unit."""
    if not may_manage_municipality(actor, municipality.id):
        raise OutOfScope
    module = session.get(Module, module_id)
    if module is None or module.kind != ModuleKind.TRAINING.value or module.retired_at is not None:
        raise PlanError("plan.module_missing")
    if not period.contains(due_on):
        raise PlanError("plan.due_outside_period", period=period.label)
    units: list[int | None] = list(org_unit_ids) or [None]
    if org_unit_ids:
        known = set(
            session.scalars(
                select(OrgUnit.id).where(
                    OrgUnit.municipality_id == municipality.id, OrgUnit.id.in_(org_unit_ids)
                )
            )
        )
        if known != set(org_unit_ids):
            raise PlanError("plan.units_foreign")
    created = []
    for unit in units:
        exists = session.scalar(
            select(TrainingAssignment).where(
                TrainingAssignment.municipality_id == municipality.id,
                TrainingAssignment.period_id == period.id,
                TrainingAssignment.module_id == module_id,
                TrainingAssignment.org_unit_id.is_(None)
                if unit is None
                else TrainingAssignment.org_unit_id == unit,
            )
        )
        if exists is not None:
            exists.due_on = due_on  # adding it again moves the due date
            created.append(exists)
            continue
        assignment = TrainingAssignment(
            municipality_id=municipality.id,
            period_id=period.id,
            module_id=module_id,
            org_unit_id=unit,
            due_on=due_on,
            created_by_id=actor.id,
        )
        session.add(assignment)
        created.append(assignment)
    session.flush()
    for assignment in created:
        record_event(
            session,
            actor_id=actor.id,
            action="plan.add",
            object_type="training_assignment",
            object_id=assignment.id,
            due_on=due_on.isoformat(),
        )
    return created


def remove_from_plan(session: Session, actor: User, assignment: TrainingAssignment) -> None:
    """Take a line off the plan (completions are not affected)."""
    if not may_manage_municipality(actor, assignment.municipality_id):
        raise OutOfScope
    record_event(
        session,
        actor_id=actor.id,
        action="plan.remove",
        object_type="training_assignment",
        object_id=assignment.id,
    )
    session.delete(assignment)
    session.flush()


@built_once
def _due_dates() -> Select[int, date]:
    return (
        select(TrainingAssignment.module_id, func.min(TrainingAssignment.due_on))
        .join(ProgrammePeriod, ProgrammePeriod.id == TrainingAssignment.period_id)
        .where(
            ProgrammePeriod.starts_on <= bindparam("today"),
            ProgrammePeriod.ends_on >= bindparam("today"),
            TrainingAssignment.municipality_id == bindparam("municipality_id"),
            or_(
                TrainingAssignment.org_unit_id.is_(None),
                TrainingAssignment.org_unit_id == bindparam("org_unit_id"),
            ),
        )
        .group_by(TrainingAssignment.module_id)
    )


def due_dates_for(session: Session, user: User, today: date) -> dict[int, date]:
    """module_id → the earliest due date of the plan lines of today's period that include this person.

    One query: the period that contains today (periods never overlap) is joined, not looked up first.
    """
    if user.municipality_id is None:
        return {}
    rows = session.execute(
        _due_dates(),
        {"today": today, "municipality_id": user.municipality_id, "org_unit_id": user.org_unit_id},
    ).all()
    return {module_id: due for module_id, due in rows}
