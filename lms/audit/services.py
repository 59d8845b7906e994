"""Recording audit events (services call this inside their unit of work)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent


def record_event(
    session: Session, *, actor_id: int | None, action: str, object_type: str, object_id: Any, **detail: Any
) -> AuditEvent:
    """Add one audit event to the current unit of work."""
    event = AuditEvent(
        actor_id=actor_id, action=action, object_type=object_type, object_id=str(object_id), detail=detail
    )
    session.add(event)
    return event
