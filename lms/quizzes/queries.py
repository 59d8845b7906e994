"""Reading quiz attempts for the statistics: anonymous, one quiz version at a time, as SQL.

Nothing here returns people: attempts are read without their user or time, and counts are aggregates.
Who may see the figures (trainers and the programme office) is decided by the view.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lms.content.models import Module
from lms.quizzes.models import Quiz, QuizAttempt, QuizVersion
from lms.quizzes.statistics import AttemptRecord, QuizStatistics, quiz_statistics

#: Rows fetched per round trip while streaming attempts; bounds memory for versions with many attempts.
STREAM_BATCH = 500


@dataclass(frozen=True)
class VersionCounts:
    """Submitted attempts on one quiz version, and how many people made them (= first attempts)."""

    attempts: int = 0
    people: int = 0


def quiz_of_module(session: Session, slug: str) -> tuple[Module, Quiz] | None:
    """The module with this slug and its quiz; retired modules too, their statistics stay readable."""
    row = session.execute(
        select(Module, Quiz).join(Quiz, Quiz.module_id == Module.id).where(Module.slug == slug)
    ).first()
    return (row[0], row[1]) if row else None


def version_counts(session: Session, quiz: Quiz) -> dict[int, VersionCounts]:
    """Submitted attempts and distinct people per version of the quiz, one GROUP BY."""
    rows = session.execute(
        select(QuizAttempt.quiz_version_id, func.count(), func.count(QuizAttempt.user_id.distinct()))
        .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
        .where(QuizVersion.quiz_id == quiz.id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.quiz_version_id)
    ).all()
    return {version_id: VersionCounts(attempts, people) for version_id, attempts, people in rows}


def _counted(version_id: int, *, first_only: bool) -> Select[int]:
    """Ids of the attempts the statistics count: submitted, on this version, optionally each person's first."""
    submitted = select(QuizAttempt.id).where(
        QuizAttempt.quiz_version_id == version_id, QuizAttempt.submitted_at.is_not(None)
    )
    if not first_only:
        return submitted
    # Ids grow in the order attempts start, and an open attempt is always a person's latest, so the smallest
    # submitted id per person is the attempt they made first (Moodle: "first attempt" of each student).
    return (
        select(func.min(QuizAttempt.id))
        .where(QuizAttempt.quiz_version_id == version_id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.user_id)
    )


def counted_attempts(session: Session, version_id: int, *, first_only: bool) -> Iterator[AttemptRecord]:
    """The submitted attempts of exactly one quiz version, streamed in one query: results, responses, pass only."""
    result = session.execute(
        select(QuizAttempt.results, QuizAttempt.responses, QuizAttempt.is_passed)
        .where(QuizAttempt.id.in_(_counted(version_id, first_only=first_only)))
        .order_by(QuizAttempt.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    try:
        for results, responses, is_passed in result:
            yield AttemptRecord(results, responses, is_passed)
    finally:
        result.close()  # also when the reader stops early: release the (server-side) cursor


def version_statistics(session: Session, version: QuizVersion, *, first_only: bool) -> QuizStatistics:
    """Moodle-style statistics of one quiz version; its attempts are never mixed with another version's."""
    return quiz_statistics(version.questions, counted_attempts(session, version.id, first_only=first_only))


def quiz_versions(session: Session, module: Module) -> list[QuizVersion]:
    """The quiz versions of a training module, oldest first (empty for workshop scripts)."""
    return list(
        session.scalars(
            select(QuizVersion)
            .join(Quiz, Quiz.id == QuizVersion.quiz_id)
            .where(Quiz.module_id == module.id)
            .order_by(QuizVersion.number)
        )
    )
