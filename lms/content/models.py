"""Modules and their immutable published versions, split into sections."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk


class ModuleKind(StrEnum):
    """A training module for staff, or an empowerment workshop script for facilitators."""

    TRAINING = "training"
    WORKSHOP = "workshop"


KIND_LABELS = {ModuleKind.TRAINING: "Schulungsmodul", ModuleKind.WORKSHOP: "Empowerment-Drehbuch"}


class Module(Base):
    """A training module or workshop script, identified by its slug across all of its versions."""

    __tablename__ = "modules"
    __table_args__ = (CheckConstraint("kind IN ('training', 'workshop')", name="kind_known"),)

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[created_at]
    #: Set when the whole module leaves the catalogue; completions stay valid and viewable.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    versions: Mapped[list[ModuleVersion]] = relationship(
        back_populates="module", order_by="ModuleVersion.id", lazy="selectin"
    )

    @property
    def current_version(self) -> ModuleVersion | None:
        """The newest version that is not retired (what the catalogue shows)."""
        live = [v for v in self.versions if v.retired_at is None]
        return live[-1] if live else None


class ModuleVersion(Base):
    """One published, immutable version of a module: its source, its rendered sections and its metadata."""

    __tablename__ = "module_versions"
    __table_args__ = (
        UniqueConstraint("module_id", "version_label"),
        UniqueConstraint("module_id", "content_hash"),
    )

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    #: The author's version number from the front matter, e.g. "1.0".
    version_label: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    audience: Mapped[list[str]] = mapped_column(JSONDocument)
    objectives: Mapped[list[str]] = mapped_column(JSONDocument)
    materials: Mapped[list[str]] = mapped_column(JSONDocument)
    language: Mapped[str] = mapped_column(String(5))
    #: Sanitised HTML of the text before the first section.
    intro_html: Mapped[str] = mapped_column(Text)
    #: The normalised Markdown file this version was published from (front matter included).
    source: Mapped[str] = mapped_column(Text)
    #: "sha256:<hex>" of the normalised source; the same text gives the same hash wherever it was published.
    content_hash: Mapped[str] = mapped_column(String(80))
    #: Version of the Markdown pipeline that produced the stored HTML (see lms.content.render).
    renderer_version: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str | None] = mapped_column(Text)
    #: Set when this version leaves the catalogue; records that point to it stay intact.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    module: Mapped[Module] = relationship(back_populates="versions", lazy="joined")
    sections: Mapped[list[ModuleSection]] = relationship(
        back_populates="version", order_by="ModuleSection.position", lazy="selectin"
    )


class ModuleSection(Base):
    """One section of a module version: a `##` heading of the source and the text below it."""

    __tablename__ = "module_sections"
    __table_args__ = (UniqueConstraint("module_version_id", "position"),)

    id: Mapped[intpk]
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"), index=True)
    #: 1-based order within the version.
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    #: For workshop phases: the planned duration from the heading.
    duration_minutes: Mapped[int | None] = mapped_column(Integer)

    version: Mapped[ModuleVersion] = relationship(back_populates="sections")


@event.listens_for(ModuleVersion, "before_update")
def _versions_are_immutable(_mapper: Any, _connection: Any, target: ModuleVersion) -> None:
    """A published version may only be retired (and re-rendered by the `rerender` command); nothing else changes."""
    allowed = {"retired_at", "sections", "module"}
    if getattr(target, "_rerendering", False):
        allowed |= {"intro_html", "renderer_version"}
    changed = changed_columns(target) - allowed
    if changed:
        raise ImmutableError(f"published module versions are immutable (tried to change {sorted(changed)})")


@event.listens_for(ModuleSection, "before_update")
def _sections_are_immutable(_mapper: Any, _connection: Any, target: ModuleSection) -> None:
    if getattr(target, "_rerendering", False):
        return
    changed = changed_columns(target) - {"version"}
    if changed:
        raise ImmutableError(
            f"sections of published versions are immutable (tried to change {sorted(changed)})"
        )
