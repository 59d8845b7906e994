"""Changing a planned session before it starts: date, time, place, capacity, facilitators (audited old → new).

More places move people up from the waiting list (each mailed); fewer places never push anyone registered out (they
keep their place, nobody moves up until enough have cancelled). A new date or time resets the reminders, so that
everyone is reminded the day before the new date. A new date, time or place is mailed to everyone registered or
waiting (a change of places or facilitators is not: it changes nothing a participant has to do).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.models import User
from lms.errors import ServiceError
from lms.jobs.queue import Queue
from lms.scope import OutOfScope, may_manage_planned
from lms.workshops.models import PlannedSession, PlannedSessionFacilitator, SessionRegistration
from lms.workshops.planning import (
    PlanInput,
    Purpose,
    is_open,
    move_up,
    plan_problems,
    queue_session_mail,
    standing_registration_ids,
)
from lms.workshops.services import SessionInputError

#: The changes participants are told about by mail.
TOLD_CHANGES = frozenset({"held_on", "starts_at", "ends_at", "place"})


def change_planned(
    session: Session, actor: User, planned: PlannedSession, data: PlanInput, queue: Queue | None
) -> dict[str, Any]:
    """Apply the changes; returns them (field → [old, new]); refused once the session has started."""
    if not may_manage_planned(actor, planned):
        raise OutOfScope
    if not is_open(planned):
        raise SessionInputError([ServiceError("planned.closed")])
    _version, problems = plan_problems(session, actor, data, allowed_too=frozenset(planned.facilitator_ids))
    if problems:
        raise SessionInputError(problems)
    changes: dict[str, Any] = {}
    for name, new in (
        ("held_on", data.held_on),
        ("starts_at", data.starts_at),
        ("ends_at", data.ends_at),
        ("place", data.place.strip()[:200]),
        ("capacity", data.capacity),
        ("external_facilitators", data.external_facilitators.strip()[:300]),
    ):
        old = getattr(planned, name)
        if old != new:
            changes[name] = [str(old), str(new)]
            setattr(planned, name, new)
    if data.facilitator_ids != planned.facilitator_ids:
        changes["facilitator_ids"] = [sorted(planned.facilitator_ids), sorted(data.facilitator_ids)]
        planned.facilitator_links = [
            link for link in planned.facilitator_links if link.user_id in data.facilitator_ids
        ]
        for user_id in sorted(data.facilitator_ids - planned.facilitator_ids):
            planned.facilitator_links.append(PlannedSessionFacilitator(user_id=user_id))
    session.flush()
    if {"held_on", "starts_at", "ends_at"} & changes.keys():
        session.execute(
            update(SessionRegistration)
            .where(SessionRegistration.planned_session_id == planned.id)
            .values(reminded_at=None)
            .execution_options(synchronize_session=False)
        )
    if TOLD_CHANGES & changes.keys():
        # Before moving people up: whoever moves up gets the mail of that (with the new date) instead.
        queue_session_mail(session, queue, Purpose.CHANGED, standing_registration_ids(session, planned.id))
    while move_up(session, planned, queue) is not None:
        pass
    if changes:
        record_event(
            session,
            actor_id=actor.id,
            action="planned.change",
            object_type="planned_session",
            object_id=planned.id,
            changes=changes,
        )
    return changes
