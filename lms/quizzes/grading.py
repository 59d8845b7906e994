"""Grading a quiz attempt against the questions frozen into it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from lms.quizzes.question_types import ResponseInvalid, get_type


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered and what would have been right."""

    key: str
    score: float
    is_correct: bool
    response: Any
    correct_response: Any


@dataclass(frozen=True)
class GradeResult:
    """The whole attempt: points, percentage (one decimal) and whether it passed."""

    points: float
    max_points: int
    score_percent: float
    passed: bool
    questions: tuple[QuestionResult, ...]


def _percent(points: Fraction, max_points: int) -> Decimal:
    """Exact percentage rounded half-up to one decimal (4 of 5 is exactly 80.0, never 79.99999)."""
    if max_points == 0:
        return Decimal("0.0")
    exact = points * 100 / max_points
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _grade_question(question: Mapping[str, Any], raw: Any, partial: bool = False) -> QuestionResult:
    """Normalise and grade one response; a missing response counts as unanswered (score 0)."""
    key = str(question["key"])
    question_type = get_type(question["type"])
    definition = question["definition"]
    try:
        response = question_type.normalise_response(definition, raw)
    except ResponseInvalid as error:
        raise ResponseInvalid(error.code, key=key, **error.params) from error  # str(): „Frage q3: …“
    grade = getattr(question_type, "grade_partial", question_type.grade) if partial else question_type.grade
    score = min(max(float(grade(definition, response)), 0.0), 1.0)
    correct = question_type.correct_response(definition)
    return QuestionResult(key, score, score == 1.0, response, correct)


def grade_attempt(
    questions: Sequence[Mapping[str, Any]],
    responses: Mapping[str, Any],
    pass_mark: int,
    *,
    partial: bool = False,
) -> GradeResult:
    """Grade every question; responses for unknown keys are ignored, unanswered questions score 0.

    ``partial``: types that know partial credit (multiple choice) give it; the others stay all or nothing.
    """
    results = tuple(
        _grade_question(question, responses.get(str(question["key"])), partial) for question in questions
    )
    points = sum((Fraction(result.score) for result in results), Fraction(0))
    percent = _percent(points, len(results))
    # Compare the percentage the learner sees, so "80.0 %" never reads as failed at pass mark 80.
    passed = bool(results) and percent >= pass_mark
    return GradeResult(float(points), len(results), float(percent), passed, results)
