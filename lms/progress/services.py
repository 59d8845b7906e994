"""Recording reading progress."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.content.models import ModuleSection
from lms.progress.models import SectionRead


def record_section_read(session: Session, user: User, section: ModuleSection) -> None:
    """Remember that the person opened this section now (it becomes where they resume)."""
    now = clock.now()
    existing = session.get(SectionRead, (user.id, section.id))
    if existing is not None:
        existing.last_read_at = now
        return
    try:
        with session.begin_nested():
            session.add(
                SectionRead(user_id=user.id, section_id=section.id, first_read_at=now, last_read_at=now)
            )
    except IntegrityError:
        # The same section opened in two tabs at once: the other request recorded it already.
        pass
