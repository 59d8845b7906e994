"""Completions whose validity runs out soon (modules with ``valid_for_months``), counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.content.models import Module, ModuleKind
from lms.db import built_once
from lms.progress.models import Completion

#: The dashboard's horizon: „läuft in den nächsten 90 Tagen ab“.
EXPIRY_HORIZON_DAYS = 90


def expiring_count(
    session: Session, municipality_id: int, today: date, days: int = EXPIRY_HORIZON_DAYS
) -> int:
    """Completions (one per person and training module) of the municipality's active staff whose validity ends
    within the next ``days`` days, today included, and that no later completion of the module renews."""
    params = {
        "municipality_id": municipality_id,
        "first_day": today,
        "last_day": today + timedelta(days=days),
    }
    return session.scalar(_expiring(), params) or 0


@built_once
def _expiring() -> Select[int]:
    """Per person and module (as ``lms.progress.queries.validity_per_module``), but only the municipality's
    staff are grouped: the filter sits inside the grouping, so a dashboard reads one municipality's completions
    (from the index on person, module and date), not every completion of the programme."""
    validity_ends = func.max(Completion.valid_until)
    unlimited = func.count() - func.count(Completion.valid_until)
    per_module = (
        select(Completion.user_id)
        .join(User, User.id == Completion.user_id)
        .join(Module, Module.id == Completion.module_id)
        .where(
            User.municipality_id == bindparam("municipality_id"),
            User.is_active.is_(True),
            Module.kind == ModuleKind.TRAINING.value,
        )
        .group_by(Completion.user_id, Completion.module_id)
        .having(
            unlimited == 0,
            validity_ends >= bindparam("first_day"),
            validity_ends <= bindparam("last_day"),
        )
        .subquery()
    )
    return select(func.count()).select_from(per_module)
