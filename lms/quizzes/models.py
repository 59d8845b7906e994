"""Quizzes, their immutable versions, and attempts graded on the server."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.content.models import Module, ModuleVersion
from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk
from lms.quizzes.grading import GradeResult, grade_attempt
from lms.quizzes.review import DEFAULT_REVIEW, REVIEW_KEYS, ReviewOptions, When

REVIEW_VALUES_SQL = "(" + ", ".join(f"'{when.value}'" for when in When) + ")"


class AttemptClosedError(RuntimeError):
    """The attempt was already submitted; it cannot be answered or graded again."""


class Quiz(Base):
    """The quiz of one training module, across its versions."""

    __tablename__ = "quizzes"

    id: Mapped[intpk]
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), unique=True)
    created_at: Mapped[created_at]

    module: Mapped[Module] = relationship(lazy="joined")
    #: The whole history, loaded only where it is shown; attempts find the current version with one query
    #: (lms.quizzes.services.current_quiz_version).
    versions: Mapped[list[QuizVersion]] = relationship(
        back_populates="quiz", order_by="QuizVersion.number", lazy="select"
    )

    @property
    def current_version(self) -> QuizVersion | None:
        """The newest version; attempts start on it (loads the history: authoring and statistics only)."""
        return self.versions[-1] if self.versions else None


class QuizVersion(Base):
    """One published, immutable version of a quiz, with its questions as frozen JSON (answers included)."""

    __tablename__ = "quiz_versions"
    __table_args__ = (
        UniqueConstraint("quiz_id", "number"),
        UniqueConstraint("quiz_id", "content_hash"),
        *(
            CheckConstraint(f"review_{part} IN {REVIEW_VALUES_SQL}", name=f"review_{part}_known")
            for part in REVIEW_KEYS
        ),
    )

    id: Mapped[intpk]
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"), index=True)
    #: 1, 2, 3 … in order of publication (quiz files carry no version number of their own).
    number: Mapped[int] = mapped_column(Integer)
    #: The normalised quiz file; loaded on first use (downloads, new drafts), never by the quiz pages.
    source: Mapped[str] = mapped_column(Text, deferred=True)
    content_hash: Mapped[str] = mapped_column(String(80))
    renderer_version: Mapped[str] = mapped_column(String(10))
    #: Percent needed to pass (1–100).
    pass_mark: Mapped[int] = mapped_column(Integer)
    is_shuffled: Mapped[bool] = mapped_column(Boolean)
    #: 0 = unlimited.
    max_attempts: Mapped[int] = mapped_column(Integer)
    #: Review options (lms/quizzes/review.py): when a learner sees whether each answer was right, the right
    #: answer and the explanation. Frozen here, so an attempt is reviewed by the rules it was started under.
    review_correctness: Mapped[str] = mapped_column(
        String(30), default=DEFAULT_REVIEW.correctness.value, server_default=DEFAULT_REVIEW.correctness.value
    )
    review_right_answer: Mapped[str] = mapped_column(
        String(30),
        default=DEFAULT_REVIEW.right_answer.value,
        server_default=DEFAULT_REVIEW.right_answer.value,
    )
    review_explanation: Mapped[str] = mapped_column(
        String(30), default=DEFAULT_REVIEW.explanation.value, server_default=DEFAULT_REVIEW.explanation.value
    )
    #: Questions drawn at random for each attempt (a pool); None = every question.
    draw: Mapped[int | None] = mapped_column(
        Integer, CheckConstraint("draw IS NULL OR draw >= 1", name="draw_positive")
    )
    #: "all_or_nothing" (LiaScript's meaning) or "partial" (multiple choice earns partial credit, as in Moodle).
    scoring: Mapped[str] = mapped_column(
        String(20),
        CheckConstraint("scoring IN ('all_or_nothing', 'partial')", name="scoring_known"),
        default="all_or_nothing",
        server_default="all_or_nothing",
    )
    #: The quiz starts only after every section of the module version was opened.
    require_reading: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: [{"key", "type", "title", "stem_html", "explanation_html", "definition"}]; never sent to a browser as is.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    published_at: Mapped[created_at]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: What changed compared with the previous version, in the author's words.
    change_note: Mapped[str | None] = mapped_column(Text)

    quiz: Mapped[Quiz] = relationship(back_populates="versions", lazy="joined")

    #: Not a column: `lms content rerender` sets it so the immutability guard lets the derived HTML change.
    _rerendering = False

    def question(self, key: str) -> dict[str, Any]:
        """The stored question with this key."""
        return next(q for q in self.questions if q["key"] == key)

    @property
    def explained_after_each_attempt(self) -> str:
        """Which questions show an explanation right after every attempt: "all", "some" or "none" (what the start
        page may promise; ``review: explanation`` other than ``always`` promises none up front)."""
        if self.review_options.explanation is not When.ALWAYS:
            return "none"
        explained = sum(1 for q in self.questions if q.get("explanation_html"))
        return "all" if explained == len(self.questions) else "some" if explained else "none"

    @property
    def review_options(self) -> ReviewOptions:
        """The frozen review options; the defaults for a version built in memory without them."""
        return ReviewOptions(
            When(self.review_correctness or DEFAULT_REVIEW.correctness),
            When(self.review_right_answer or DEFAULT_REVIEW.right_answer),
            When(self.review_explanation or DEFAULT_REVIEW.explanation),
        )


class QuizAttempt(Base):
    """One attempt of one person at one quiz version; frozen once submitted."""

    __tablename__ = "quiz_attempts"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_version_id: Mapped[int] = mapped_column(ForeignKey("quiz_versions.id"), index=True)
    #: The module version the person was reading when they started; a completion records this version.
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_versions.id"))
    started_at: Mapped[created_at]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The order shown to this person: [{"key": "q3", "options": ["b", "a", "c"]}, …], fixed at start.
    layout: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    #: What the person answered, by question key (normalised), set on submit.
    responses: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    #: Per question: {"key", "score", "is_correct"}, set on submit.
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONDocument)
    score_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    is_passed: Mapped[bool | None] = mapped_column(Boolean)
    #: While open: the answers given so far, as posted ({key: [value, …]}), saved as the person goes; not graded.
    draft_responses: Mapped[dict[str, list[str]] | None] = mapped_column(JSONDocument)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    quiz_version: Mapped[QuizVersion] = relationship(lazy="joined")
    module_version: Mapped[ModuleVersion] = relationship(lazy="joined")

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def save_draft(self, answers: dict[str, list[str]], *, at: datetime) -> None:
        """Keep the answers given so far (not graded); refused once the attempt is submitted."""
        if self.is_submitted:
            raise AttemptClosedError(f"attempt {self.id} was already submitted")
        self.draft_responses = answers
        self.draft_saved_at = at

    def grade(self, raw_responses: Mapping[str, Any], *, at: datetime) -> GradeResult:
        """Grade the responses against this attempt's frozen quiz version and close the attempt with the result.

        Raises ResponseInvalid for a response that does not fit its question, AttemptClosedError if submitted.
        """
        version = self.quiz_version
        drawn = {slot["key"] for slot in self.layout}  # a pool: only the questions this attempt drew count
        questions = [q for q in version.questions if q["key"] in drawn]
        result = grade_attempt(
            questions, raw_responses, version.pass_mark, partial=version.scoring == "partial"
        )
        self.record_grade(
            responses={r.key: r.response for r in result.questions},
            results=[{"key": r.key, "score": r.score, "is_correct": r.is_correct} for r in result.questions],
            score_percent=Decimal(str(result.score_percent)),
            is_passed=result.passed,
            at=at,
        )
        return result

    def record_grade(
        self,
        *,
        responses: dict[str, Any],
        results: list[dict[str, Any]],
        score_percent: Decimal,
        is_passed: bool,
        at: datetime,
    ) -> None:
        """Close the attempt with its grade; refuses a second submission."""
        if self.is_submitted:
            raise AttemptClosedError(f"attempt {self.id} was already submitted")
        self.responses = responses
        self.results = results
        self.score_percent = score_percent
        self.is_passed = is_passed
        self.submitted_at = at


@event.listens_for(QuizVersion, "before_update")
def _quiz_versions_are_immutable(_mapper: Any, _connection: Any, target: QuizVersion) -> None:
    allowed = {"quiz"}
    if getattr(target, "_rerendering", False):  # `lms content rerender` renews the derived HTML only
        allowed |= {"questions", "renderer_version"}
    changed = changed_columns(target) - allowed
    if changed:
        raise ImmutableError(f"published quiz versions are immutable (tried to change {sorted(changed)})")


@event.listens_for(QuizAttempt, "before_update")
def _submitted_attempts_are_immutable(_mapper: Any, _connection: Any, target: QuizAttempt) -> None:
    """The one legal update of an attempt is its submission; after that it is frozen."""
    history = inspect(target).attrs.submitted_at.history
    previous = list(history.unchanged or ()) + list(history.deleted or ())
    if any(value is not None for value in previous):
        raise ImmutableError("submitted quiz attempts are immutable")
