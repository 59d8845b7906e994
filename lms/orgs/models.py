"""Municipalities taking part in the programme."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, created_at, intpk


class Municipality(Base):
    """A model municipality (Modellkommune): a city or a district."""

    __tablename__ = "municipalities"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]
