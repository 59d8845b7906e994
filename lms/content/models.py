"""Modules and their immutable published versions, split into sections."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk
from lms.text import N_


class ModuleKind(StrEnum):
    """A training module for staff, or an empowerment workshop script for facilitators."""

    TRAINING = "training"
    WORKSHOP = "workshop"


KIND_LABELS = {ModuleKind.TRAINING: "Schulungsmodul", ModuleKind.WORKSHOP: "Empowerment-Drehbuch"}


class ChangeKind(StrEnum):
    """What a new version means for the people who completed an older one."""

    #: Wording, typos, layout: completions of earlier versions stay fully valid for this one.
    EDITORIAL = "editorial"
    #: New content or a corrected statement: earlier completers are told what changed and offered this version.
    MATERIAL = "material"


CHANGE_KIND_LABELS = {ChangeKind.EDITORIAL: N_("redaktionell"), ChangeKind.MATERIAL: N_("inhaltlich")}


class DocumentType(StrEnum):
    """The two kinds of content files: a module (or workshop script) and the quiz of a training module."""

    MODULE = "module"
    QUIZ = "quiz"


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

    #: The whole history, loaded only where it is shown (authoring); the learner's pages ask for the current
    #: version with one indexed query (lms.content.queries) and never load the history.
    versions: Mapped[list[ModuleVersion]] = relationship(
        back_populates="module", order_by="ModuleVersion.id", lazy="select"
    )

    @property
    def current_version(self) -> ModuleVersion | None:
        """The newest version that is not retired (what the catalogue shows); loads the history (authoring only)."""
        live = [v for v in self.versions if v.retired_at is None]
        return live[-1] if live else None

    @property
    def shown_version(self) -> ModuleVersion | None:
        """The version that names the module in authoring (its title, its language): the current one, else the
        newest retired one; None before the first is published. Loads the history (authoring only)."""
        return self.current_version or (self.versions[-1] if self.versions else None)


class ModuleVersion(Base):
    """One published, immutable version of a module: its source, its rendered sections and its metadata."""

    __tablename__ = "module_versions"
    __table_args__ = (
        UniqueConstraint("module_id", "version_label"),
        UniqueConstraint("module_id", "content_hash"),
        CheckConstraint("change_kind IN ('editorial', 'material')", name="change_kind_known"),
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
    #: The normalised Markdown file this version was published from (front matter included); loaded on first use
    #: (downloads, comparisons, new drafts), never by the pages that show the stored HTML.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    #: "sha256:<hex>" of the normalised source; the same text gives the same hash wherever it was published.
    content_hash: Mapped[str] = mapped_column(String(80))
    #: Version of the Markdown pipeline that produced the stored HTML (see lms.markdown.render).
    renderer_version: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str | None] = mapped_column(Text)
    #: "editorial" or "material" (see ChangeKind); a module's first version counts as material.
    change_kind: Mapped[str] = mapped_column(
        String(20), default=ChangeKind.MATERIAL.value, server_default=ChangeKind.MATERIAL.value
    )
    #: How many months a completion of this version stays valid (front matter ``valid_for_months``); None: for good.
    valid_for_months: Mapped[int | None] = mapped_column(Integer)
    #: Set when this version leaves the catalogue; records that point to it stay intact.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    module: Mapped[Module] = relationship(back_populates="versions", lazy="joined")
    #: Loaded when used, in one query per version (a page shows one version's sections, never a history's).
    sections: Mapped[list[ModuleSection]] = relationship(
        back_populates="version", order_by="ModuleSection.position", lazy="select"
    )

    #: Not a column: `lms content rerender` sets it so the immutability guard lets the derived HTML change.
    _rerendering = False


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

    #: Not a column: `lms content rerender` sets it so the immutability guard lets the derived HTML change.
    _rerendering = False


class Draft(Base):
    """Unpublished Markdown of a module, workshop script or quiz, saved from the browser editor.

    A draft is working material: it may be invalid, it is saved as often as the author likes, and it is
    deleted when it is published (the version keeps the text) or discarded.
    """

    __tablename__ = "content_drafts"
    __table_args__ = (
        CheckConstraint("document IN ('module', 'quiz')", name="document_known"),
        # Draft numbers are never reused (SQLite would hand a deleted draft's number to the next one).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[intpk]
    #: "module" or "quiz" (DocumentType).
    document: Mapped[str] = mapped_column(String(10))
    #: The module this draft changes (for a quiz: the module the quiz belongs to); None for a module not yet published.
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    #: What the author calls it, read from the front matter on every save (for lists only).
    label: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    #: Content hash of the published version the draft started from, to warn when someone published meanwhile.
    base_hash: Mapped[str | None] = mapped_column(String(80))
    #: Incremented on every save; a save based on an older revision is refused (two tabs, two authors).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[created_at]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    module: Mapped[Module | None] = relationship(lazy="joined")


class MediaFile(Base):
    """An image uploaded for use in modules, stored in the database by the SHA-256 of its bytes.

    Stored in the database (not on one machine's disk) so every web process and machine serves it.
    """

    __tablename__ = "media_files"

    id: Mapped[intpk]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: The checked type the file is served with (image/png, image/jpeg, image/webp).
    media_type: Mapped[str] = mapped_column(String(40))
    extension: Mapped[str] = mapped_column(String(5))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The name on the uploader's computer, shown in the media list only.
    original_name: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[created_at]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def path(self) -> str:
        """The platform path a module references, e.g. ``/media/<sha256>.png``."""
        return f"/media/{self.sha256}.{self.extension}"


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
