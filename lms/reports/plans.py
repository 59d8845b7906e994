"""How far each line of a municipality's training plan has got: counts of its target group, as they may be shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.disclosure import Shown, people_count, share
from lms.orgs.models import Municipality, ProgrammePeriod, TrainingAssignment
from lms.progress.models import Completion
from lms.reports.queries import module_titles, staff_on


@dataclass(frozen=True)
class PlanLine:
    """One line of the training plan with how far its target group has got."""

    assignment: TrainingAssignment
    module_title: str
    #: None = all staff.
    org_unit_name: str | None
    staff: Shown
    completed: Shown
    share: Decimal | None
    is_overdue: bool


def plan_lines(
    session: Session,
    municipality: Municipality,
    period: ProgrammePeriod,
    today: date,
    titles: dict[int, str] | None = None,
) -> list[PlanLine]:
    """The plan of one municipality for one period, by due date, with completions among the target group (SQL).

    ``titles``: ``module_titles``, when the caller has them already.
    """
    assignments = list(
        session.scalars(
            select(TrainingAssignment)
            .where(
                TrainingAssignment.municipality_id == municipality.id,
                TrainingAssignment.period_id == period.id,
            )
            .order_by(TrainingAssignment.due_on, TrainingAssignment.id)
        )
    )
    if not assignments:
        return []
    done = (
        select(Completion.user_id, Completion.module_id)
        .join(User, User.id == Completion.user_id)
        .where(User.municipality_id == municipality.id)
        .distinct()
        .subquery()
    )
    target = or_(TrainingAssignment.org_unit_id.is_(None), User.org_unit_id == TrainingAssignment.org_unit_id)
    counts = {
        a: (staff, completed)
        for a, staff, completed in session.execute(
            select(TrainingAssignment.id, func.count(User.id), func.count(done.c.user_id))
            .join(User, and_(User.municipality_id == TrainingAssignment.municipality_id, target))
            .outerjoin(
                done, and_(done.c.user_id == User.id, done.c.module_id == TrainingAssignment.module_id)
            )
            .where(
                TrainingAssignment.municipality_id == municipality.id,
                TrainingAssignment.period_id == period.id,
                staff_on(min(today, period.ends_on)),
            )
            .group_by(TrainingAssignment.id)
        )
    }
    titles = module_titles(session) if titles is None else titles
    lines = []
    for a in assignments:
        staff, completed = counts.get(a.id, (0, 0))
        lines.append(
            PlanLine(
                assignment=a,
                module_title=titles.get(a.module_id, ""),
                org_unit_name=a.org_unit.name if a.org_unit else None,
                staff=people_count(staff),
                completed=people_count(completed),
                share=share(completed, staff),
                is_overdue=a.due_on < today and completed < staff,
            )
        )
    return lines


def due_next(
    session: Session,
    municipality: Municipality,
    period: ProgrammePeriod,
    today: date,
    limit: int = 5,
    titles: dict[int, str] | None = None,
) -> list[PlanLine]:
    """Plan lines still open: overdue ones first, then by due date."""
    open_lines = [
        line
        for line in plan_lines(session, municipality, period, today, titles)
        if line.share != Decimal(100)
    ]
    return sorted(open_lines, key=lambda line: (not line.is_overdue, line.assignment.due_on))[:limit]
