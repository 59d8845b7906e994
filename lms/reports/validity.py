"""Completions whose validity runs out soon (modules with ``valid_for_months``), counted in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.content.models import Module, ModuleKind
from lms.progress.queries import validity_per_module

#: The dashboard's horizon: „läuft in den nächsten 90 Tagen ab“.
EXPIRY_HORIZON_DAYS = 90


def expiring_count(
    session: Session, municipality_id: int, today: date, days: int = EXPIRY_HORIZON_DAYS
) -> int:
    """Completions (one per person and training module) of the municipality's active staff whose validity ends
    within the next ``days`` days, today included, and that no later completion of the module renews."""
    validity = validity_per_module().subquery()
    return (
        session.scalar(
            select(func.count())
            .select_from(validity)
            .join(User, User.id == validity.c.user_id)
            .join(Module, Module.id == validity.c.module_id)
            .where(
                User.municipality_id == municipality_id,
                User.is_active.is_(True),
                Module.kind == ModuleKind.TRAINING.value,
                validity.c.unlimited == 0,
                validity.c.valid_until >= today,
                validity.c.valid_until <= today + timedelta(days=days),
            )
        )
        or 0
    )
