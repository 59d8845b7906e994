"""Recording reading progress."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.progress.models import SectionRead


def record_section_read(session: Session, user: User, section_id: int, reads: Mapping[int, datetime]) -> None:
    """Remember that the person opened this section now (it becomes where they resume).

    ``reads`` is what the person has read of this section's version (section id -> last read, from
    ``progress.queries.section_reads``). Opening the section that is already the latest one read changes nothing a
    person can see (it is already where they resume), so nothing is written: re-reading a page writes nothing.
    """
    latest = reads.get(section_id)
    if latest is not None:
        others = [at for other, at in reads.items() if other != section_id]
        if all(at < latest for at in others):
            return
        session.execute(
            update(SectionRead)
            .where(SectionRead.user_id == user.id, SectionRead.section_id == section_id)
            .values(last_read_at=clock.now())
        )
        return
    now = clock.now()
    try:
        with session.begin_nested():
            session.add(
                SectionRead(user_id=user.id, section_id=section_id, first_read_at=now, last_read_at=now)
            )
    except IntegrityError:
        # The same section opened in two tabs at once: the other request recorded it already.
        pass
