"""A practice example: a short report of what worked, with an optional attachment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, UTCDateTime, created_at, intpk


class PracticeExample(Base):
    """What a municipality or a trainer tried and learned, visible to every model municipality."""

    __tablename__ = "practice_examples"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    #: The municipality it happened in (None: a programme-wide trainer's example).
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The training module it is about, if any.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    #: Markdown as written, and the HTML rendered and sanitised once when saved (pages output the HTML).
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(120))
    file_type: Mapped[str | None] = mapped_column(String(100))
    file_data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
