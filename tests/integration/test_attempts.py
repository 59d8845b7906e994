"""Quiz attempts: graded on the server, one completion per pass, bound to the exact versions."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.content.models import ImmutableError
from lms.progress.models import Completion
from lms.quizzes.question_types import ResponseInvalid
from lms.quizzes.services import (
    AttemptClosedError,
    QuizUnavailable,
    presented_questions,
    quizzes_used_up,
    start_attempt,
    submit_attempt,
)
from tests import factories as f


@pytest.fixture
def setup(db: Session):  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    quiz = f.published_quiz(db)
    learner = f.user(db, municipality_id=f.municipality(db).id)
    return version, quiz, learner


def _completions(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Completion)) or 0


def test_passing_creates_one_completion_with_score_and_version(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    completion = submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    assert completion is not None
    assert completion.module_version_id == version.id
    assert completion.score_percent == Decimal("100.0")
    assert completion.mode == "online"
    assert attempt.is_passed and attempt.quiz_version_id == quiz.id


def test_second_submit_is_refused_and_creates_no_second_completion(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    with pytest.raises(AttemptClosedError):
        submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    assert _completions(db) == 1


def test_submitted_attempt_cannot_be_rewritten(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    submit_attempt(db, learner, attempt, {"q1": ["a"]})
    db.flush()
    attempt.score_percent = Decimal("100.0")
    with pytest.raises(ImmutableError):
        db.flush()


def test_completion_is_append_only(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    completion = submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    assert completion is not None
    completion.score_percent = Decimal("1.0")
    with pytest.raises(ImmutableError):
        db.flush()


def test_failing_records_score_but_no_completion(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    # 5 of 7 right = 71.4 % < 80 %
    answers = {**f.CORRECT_ANSWERS, "q1": ["a"], "q7": ["a"]}
    assert submit_attempt(db, learner, attempt, answers) is None
    assert attempt.score_percent == Decimal("71.4") and attempt.is_passed is False
    assert _completions(db) == 0


def test_attempt_limit(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    for _ in range(3):
        attempt = start_attempt(db, learner, version.module, version)
        submit_attempt(db, learner, attempt, {})
    with pytest.raises(QuizUnavailable, match="alle 3 Versuche"):
        start_attempt(db, learner, version.module, version)


def test_used_up_says_what_start_attempt_refuses(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    for _ in range(2):
        submit_attempt(db, learner, start_attempt(db, learner, version.module, version), {})
    start_attempt(db, learner, version.module, version)  # the third, left open: it can still be submitted
    assert quizzes_used_up(db, learner, [version.id]) == {}
    submit_attempt(db, learner, start_attempt(db, learner, version.module, version), {})
    assert quizzes_used_up(db, learner, [version.id]) == {version.id: 3}
    other = f.user(db, municipality_id=learner.municipality_id, email="andere@example.org")
    assert quizzes_used_up(db, other, [version.id]) == {}  # counted per person
    # A new version of the quiz starts with its own attempts.
    f.published_quiz(db, f.quiz_source(max_attempts=2))
    assert quizzes_used_up(db, learner, [version.id]) == {}
    start_attempt(db, learner, version.module, version)


def test_open_attempt_is_resumed_and_keeps_its_quiz_version(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    newer = f.published_quiz(db, f.quiz_source(pass_mark=50))
    assert newer.number == 2
    # The open attempt is on version 1 and is graded by version 1's pass mark (80), not the new 50.
    completion = submit_attempt(db, learner, attempt, {**f.CORRECT_ANSWERS, "q1": ["a"], "q2": ["a"]})
    assert attempt.quiz_version_id == quiz.id
    assert completion is None  # 5/7 = 71.4 % fails at 80
    next_attempt = start_attempt(db, learner, version.module, version)
    assert next_attempt.quiz_version_id == newer.id


def test_completion_stays_bound_to_old_version_after_a_new_one(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    completion = submit_attempt(db, learner, attempt, f.CORRECT_ANSWERS)
    newer = f.published_module(db, f.module_source(version="2.0", extra=" Neu."))
    db.refresh(completion)
    assert completion is not None and completion.module_version_id == version.id != newer.id
    assert completion.module_version.version_label == "1.0"
    # The new version can be completed again: a new row, the old one untouched.
    second = submit_attempt(db, learner, start_attempt(db, learner, newer.module, newer), f.CORRECT_ANSWERS)
    assert second is not None and second.module_version_id == newer.id
    assert _completions(db) == 2


def test_completed_version_cannot_be_attempted_again(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    submit_attempt(db, learner, start_attempt(db, learner, version.module, version), f.CORRECT_ANSWERS)
    with pytest.raises(QuizUnavailable, match="bereits abgeschlossen"):
        start_attempt(db, learner, version.module, version)


def test_presented_questions_hide_the_answers(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    presented = presented_questions(attempt)
    assert len(presented) == 7
    text = repr(presented)
    assert "correct" not in text and "Erklärung" not in text


def test_shuffled_quiz_shuffles_per_attempt(db: Session) -> None:
    version = f.published_module(db)
    f.published_quiz(db, f.quiz_source(shuffle="true"))
    a, b = f.user(db), f.user(db)
    first = start_attempt(db, a, version.module, version, rng=random.Random(1))
    second = start_attempt(db, b, version.module, version, rng=random.Random(2))
    assert first.layout != second.layout
    assert sorted(s["key"] for s in first.layout) == sorted(s["key"] for s in second.layout)


def test_unknown_option_is_rejected(db: Session, setup) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = setup
    attempt = start_attempt(db, learner, version.module, version)
    with pytest.raises(ResponseInvalid):
        submit_attempt(db, learner, attempt, {"q1": ["z"]})
    assert attempt.submitted_at is None
