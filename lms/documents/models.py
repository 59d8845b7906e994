"""Consulted documents: immutable published versions split into sections, consultation windows, comments, answers.

The life of a document (the working definition of racism, the recommendations): a version is published from its
Markdown file and never changes; the programme office opens a consultation window on it; coordinators and
facilitators comment per section; after the window closes the office answers every comment (adopted, partly,
not, with a reason) and publishes the next version, which carries the table of those answers.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms import time as clock
from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk
from lms.text import N_


class DocumentStatus(StrEnum):
    """What a version claims to be: a draft put out for consultation, or the adopted text."""

    DRAFT = "draft"
    ADOPTED = "adopted"


DOCUMENT_STATUS_LABELS = {
    DocumentStatus.DRAFT: N_("Entwurf zur Konsultation"),
    DocumentStatus.ADOPTED: N_("Beschlossene Fassung"),
}


class ConsultationStatus(StrEnum):
    """Where the consultation on a version stands (derived from its dates, never stored)."""

    NONE = "none"
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    CONCLUDED = "concluded"


CONSULTATION_STATUS_LABELS = {
    ConsultationStatus.NONE: N_("Keine Konsultation"),
    ConsultationStatus.PLANNED: N_("Angekündigt"),
    ConsultationStatus.OPEN: N_("Konsultation läuft"),
    ConsultationStatus.CLOSED: N_("Konsultation beendet, Antworten in Arbeit"),
    ConsultationStatus.CONCLUDED: N_("Konsultation abgeschlossen, Antworten veröffentlicht"),
}


class Verdict(StrEnum):
    """The programme office's answer to a comment."""

    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT = "not"


VERDICT_LABELS = {
    Verdict.ADOPTED: N_("übernommen"),
    Verdict.PARTLY: N_("teilweise übernommen"),
    Verdict.NOT: N_("nicht übernommen"),
}


class Document(Base):
    """A consulted document, identified by its slug (the file name) across all of its versions."""

    __tablename__ = "documents"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[created_at]

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", lazy="selectin"
    )

    @property
    def current_version(self) -> DocumentVersion | None:
        """The newest version (documents are superseded, never withdrawn)."""
        return self.versions[-1] if self.versions else None


class DocumentVersion(Base):
    """One published, immutable version of a document."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        UniqueConstraint("document_id", "version_label"),
        UniqueConstraint("document_id", "content_hash"),
        CheckConstraint("status IN ('draft', 'adopted')", name="status_known"),
    )

    id: Mapped[intpk]
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    #: 1, 2, 3 … in order of publication (the URLs use it; the label is the author's).
    number: Mapped[int] = mapped_column(Integer)
    #: The version from the front matter, e.g. "0.1".
    version_label: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    #: "draft" or "adopted" (DocumentStatus).
    status: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    #: Title of the section that relates the text to ICERD Art. 1, as named in the front matter.
    icerd_section: Mapped[str | None] = mapped_column(String(300))
    #: Sanitised HTML of the text before the first section.
    intro_html: Mapped[str] = mapped_column(Text)
    #: The normalised Markdown file (front matter included).
    source: Mapped[str] = mapped_column(Text)
    #: "sha256:<hex>" of the normalised source.
    content_hash: Mapped[str] = mapped_column(String(80))
    #: Version of the Markdown pipeline that produced the stored HTML (see lms.markdown.render).
    renderer_version: Mapped[str] = mapped_column(String(10))
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_note: Mapped[str | None] = mapped_column(Text)
    #: The answers to the consultation on the previous version, frozen at publication: a list of
    #: {section, comment, attribution, verdict, reason}. Empty when no consultation preceded this version.
    response_table: Mapped[list[dict[str, str]]] = mapped_column(JSONDocument, default=list)

    document: Mapped[Document] = relationship(back_populates="versions", lazy="joined")
    sections: Mapped[list[DocumentSection]] = relationship(
        back_populates="version", order_by="DocumentSection.position", lazy="selectin"
    )


class DocumentSection(Base):
    """One ``##`` section of a document version: the unit people comment on."""

    __tablename__ = "document_sections"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), index=True)
    #: 1-based order within the version.
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    #: The section's Markdown (reports quote it as text).
    source: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)

    version: Mapped[DocumentVersion] = relationship(back_populates="sections")


class Consultation(Base):
    """The window in which a version may be commented on: German calendar days, both included."""

    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="window_ordered"),)

    id: Mapped[intpk]
    #: One consultation per version.
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"), unique=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    #: Set when the programme office ends the window before its last day.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The next version, which published the answers; set once, then nothing here changes.
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[created_at]

    version: Mapped[DocumentVersion] = relationship(foreign_keys=[version_id], lazy="joined")
    comments: Mapped[list[ConsultationComment]] = relationship(
        back_populates="consultation", order_by="ConsultationComment.id", lazy="selectin"
    )

    def status_on(self, today: date) -> ConsultationStatus:
        """The status on a German calendar day."""
        if self.concluded_by_id is not None:
            return ConsultationStatus.CONCLUDED
        if self.closed_at is not None or today > self.closes_on:
            return ConsultationStatus.CLOSED
        if today < self.opens_on:
            return ConsultationStatus.PLANNED
        return ConsultationStatus.OPEN

    @property
    def status(self) -> ConsultationStatus:
        """The status today."""
        return self.status_on(clock.today())

    @property
    def is_open(self) -> bool:
        return self.status is ConsultationStatus.OPEN

    @property
    def has_ended(self) -> bool:
        """Closed or concluded: everyone taking part may now read every comment."""
        return self.status in (ConsultationStatus.CLOSED, ConsultationStatus.CONCLUDED)

    @property
    def ended_on(self) -> date:
        """The last day on which comments could be made."""
        return clock.local_date(self.closed_at) if self.closed_at is not None else self.closes_on


class ConsultationComment(Base):
    """A comment on one section, attributed to the commenter's municipality (and name, if they chose so)."""

    __tablename__ = "consultation_comments"

    id: Mapped[intpk]
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("document_sections.id"), index=True)
    #: Who wrote it: they always see their own comments. Never shown to others unless ``shown_name`` is set.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The commenter's municipality when they commented: the comment speaks for it.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    #: The name shown with the comment, only if the commenter chose to be named (else None).
    shown_name: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]

    consultation: Mapped[Consultation] = relationship(back_populates="comments")
    section: Mapped[DocumentSection] = relationship(lazy="joined")
    answer: Mapped[CommentAnswer | None] = relationship(back_populates="comment", lazy="selectin")


class CommentAnswer(Base):
    """The programme office's answer to one comment; it may be revised until the next version publishes it."""

    __tablename__ = "comment_answers"
    __table_args__ = (CheckConstraint("verdict IN ('adopted', 'partly', 'not')", name="verdict_known"),)

    id: Mapped[intpk]
    comment_id: Mapped[int] = mapped_column(ForeignKey("consultation_comments.id"), unique=True)
    #: "adopted", "partly" or "not" (Verdict).
    verdict: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())

    comment: Mapped[ConsultationComment] = relationship(back_populates="answer")


@event.listens_for(DocumentVersion, "before_update")
def _versions_are_immutable(_mapper: Any, _connection: Any, target: DocumentVersion) -> None:
    """A published document version never changes; a correction is the next version."""
    changed = changed_columns(target) - {"sections", "document"}
    if changed:
        raise ImmutableError(f"published document versions are immutable (tried to change {sorted(changed)})")


@event.listens_for(DocumentSection, "before_update")
def _sections_are_immutable(_mapper: Any, _connection: Any, target: DocumentSection) -> None:
    changed = changed_columns(target) - {"version"}
    if changed:
        raise ImmutableError(
            f"sections of published documents are immutable (tried to change {sorted(changed)})"
        )


@event.listens_for(ConsultationComment, "before_update")
def _comments_are_immutable(_mapper: Any, _connection: Any, target: ConsultationComment) -> None:
    """What someone said in a consultation stays as they said it (the answer is a row of its own)."""
    changed = changed_columns(target) - {"consultation", "section", "answer"}
    if changed:
        raise ImmutableError(f"consultation comments are immutable (tried to change {sorted(changed)})")


@event.listens_for(Consultation, "before_update")
def _concluded_consultations_are_immutable(_mapper: Any, _connection: Any, target: Consultation) -> None:
    """Once the next version has published the answers, the window is history."""
    history = inspect(target).attrs.concluded_by_id.history
    was_concluded = any(value is not None for value in (*history.unchanged, *history.deleted))
    changed = changed_columns(target) - {"version", "comments"}
    if was_concluded and changed:
        raise ImmutableError(f"concluded consultations are immutable (tried to change {sorted(changed)})")
