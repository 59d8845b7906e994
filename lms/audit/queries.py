"""Reading the audit log (for the people who manage content)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import User

#: Actions of authoring: publishing, retiring, uploads, drafts thrown away, images.
CONTENT_ACTIONS = ("content.", "quiz.", "media.")


def content_events(
    session: Session, *, page: int, per_page: int = 50
) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """One page of authoring events, newest first, with the actor's name; and the number of all such events."""
    is_content = or_(*(AuditEvent.action.startswith(prefix) for prefix in CONTENT_ACTIONS))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(is_content)) or 0
    rows = session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(is_content)
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [(event, name) for event, name in rows], total
