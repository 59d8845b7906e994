"""Self-assessment surveys of training modules, their pseudonymous answers, and the advisory boards' assessments.

The answer tables hold no person: no user id, no e-mail, no time stamp, no sequential id (see docs/evaluation.md).
``SurveyLink`` is the one bridge between a person and the pseudonym of their pre answers, keyed by a keyed hash
whose key is not in the database, and it forgets the pseudonym as soon as the post answers are in.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import Module
from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk


class Phase(StrEnum):
    """When a survey is answered: before the first section, or after passing the quiz."""

    PRE = "pre"
    POST = "post"


class LinkState(StrEnum):
    """What a person did with one phase of the survey of one module version."""

    ANSWERED = "answered"
    SKIPPED = "skipped"


class ItemKind(StrEnum):
    """A Likert item (a value on a scale) or a free-text item."""

    LIKERT = "likert"
    TEXT = "text"


class Survey(Base):
    """The self-assessment of one training module, across its versions."""

    __tablename__ = "surveys"

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), unique=True)
    created_at: Mapped[created_at]

    module: Mapped[Module] = relationship(lazy="joined")
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", lazy="selectin"
    )

    @property
    def current_version(self) -> SurveyVersion | None:
        """The newest version; a person's pre answers start on it, and their post answers follow the pre's."""
        return self.versions[-1] if self.versions else None


class SurveyVersion(Base):
    """One published, immutable version of a survey, with its items as frozen JSON."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"), UniqueConstraint("survey_id", "content_hash"))

    id: Mapped[intpk]
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    #: 1, 2, 3 … in order of publication.
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(80))
    renderer_version: Mapped[str] = mapped_column(String(10))
    #: The introduction shown above the items (sanitised HTML).
    intro_html: Mapped[str] = mapped_column(Text, default="")
    #: [{"key", "kind", "text", "group", "scale": [1..5], "labels": {"1": …, "5": …}}]; text is plain text.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    survey: Mapped[Survey] = relationship(back_populates="versions", lazy="joined")

    def item(self, key: str) -> dict[str, Any] | None:
        """The stored item with this key, or None."""
        return next((item for item in self.items if item["key"] == key), None)

    @property
    def likert_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["kind"] == ItemKind.LIKERT.value]

    @property
    def text_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item["kind"] == ItemKind.TEXT.value]


class SurveyLink(Base):
    """Whether one person answered or skipped each phase for one module version, and while pre and post are apart,
    the random pseudonym of their pre answers.

    ``key`` is HMAC-SHA256 over the user id and module version id with a key derived from the application's secret
    key, which is not in the database: a copy of the database cannot say whose row this is. ``pseudonym`` is set
    when pre answers are stored and emptied when the post answers are stored (or skipped), so afterwards not even
    the server with its secret key can find the answers of a person.
    """

    __tablename__ = "survey_links"
    __table_args__ = (
        CheckConstraint("pre IN ('answered', 'skipped')", name="pre_known"),
        CheckConstraint("post IN ('answered', 'skipped')", name="post_known"),
    )

    #: hex HMAC-SHA256 (lms.evaluation.pseudonyms.link_key).
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The survey version of the pre answers: the post answers use the same one, so the pair compares like with like.
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    #: The pseudonym of the pre answers until the post answers are in; then None.
    pseudonym: Mapped[str | None] = mapped_column(String(32))
    pre: Mapped[str | None] = mapped_column(String(10))
    post: Mapped[str | None] = mapped_column(String(10))


class SurveyResponse(Base):
    """One phase of one person's answers, under a random pseudonym; no person, no time stamp, no sequential id."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("pseudonym", "phase"),
        CheckConstraint("phase IN ('pre', 'post')", name="phase_known"),
        Index("ix_survey_responses_group", "municipality_id", "period_id", "module_version_id"),
    )

    #: Random (32 hex digits): an increasing number would give away the order of answers, and with it the person.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Random (32 hex digits); shared by the pre and post responses of one person and module version.
    pseudonym: Mapped[str] = mapped_column(String(32), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    #: The municipality the person belonged to when answering.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    #: The programme period of the day of answering (None outside every period); the only trace of time.
    period_id: Mapped[int | None] = mapped_column(ForeignKey("programme_periods.id"))
    phase: Mapped[str] = mapped_column(String(4))

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="selectin"
    )


class SurveyAnswer(Base):
    """The answer to one item: a value on the item's scale, or a free text."""

    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("value IS NOT NULL OR text IS NOT NULL", name="value_or_text"),)

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class BoardAssessment(Base):
    """A local advisory board's (Beirat) assessment of its municipality for one period; never edited."""

    __tablename__ = "board_assessments"

    id: Mapped[intpk]
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("programme_periods.id"))
    #: The day of the board's meeting or decision, as the board gives it.
    assessed_on: Mapped[date] = mapped_column(Date)
    #: Who wrote it, as the board names them (free text, e.g. „A. Yilmaz, B. Schulz für den Beirat“).
    authors: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


@event.listens_for(SurveyVersion, "before_update")
def _survey_versions_are_immutable(_mapper: Any, _connection: Any, target: SurveyVersion) -> None:
    changed = changed_columns(target) - {"survey"}
    if changed:
        raise ImmutableError(f"published survey versions are immutable (tried to change {sorted(changed)})")


@event.listens_for(SurveyResponse, "before_update")
@event.listens_for(SurveyAnswer, "before_update")
@event.listens_for(BoardAssessment, "before_update")
def _answers_are_never_changed(_mapper: Any, _connection: Any, target: Any) -> None:
    if changed_columns(target) - {"answers", "response"}:
        raise ImmutableError(f"{type(target).__name__} rows are never changed")
