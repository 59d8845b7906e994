"""The audit log: who did what to which object, and when. Rows are only ever added."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, JSONDocument, created_at, intpk


class AuditEvent(Base):
    """One recorded action."""

    __tablename__ = "audit_events"

    id: Mapped[intpk]
    at: Mapped[created_at]
    #: None when the action came from the command line without a person (e.g. an import by a deploy job).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Dotted verb, e.g. "content.publish".
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
