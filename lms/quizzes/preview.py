"""Taking a quiz in the trainer's preview: the same layout, form and grading as a real attempt, nothing stored.

The objects built here are transient SQLAlchemy instances that are never added to a session, so the
preview cannot write an attempt or a completion even by accident.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from lms import time as clock
from lms.quizzes.models import QuizAttempt, QuizVersion
from lms.quizzes.services import _layout


def transient_quiz_version(
    questions: list[dict[str, Any]], *, pass_mark: int, is_shuffled: bool, number: int = 0
) -> QuizVersion:
    """A quiz version that exists only in memory (a draft's questions, or a copy of a published version's)."""
    return QuizVersion(
        number=number, questions=questions, pass_mark=pass_mark, is_shuffled=is_shuffled, max_attempts=0
    )


def preview_attempt(quiz_version: QuizVersion, seed: int) -> QuizAttempt:
    """An in-memory attempt with the order a real attempt would show (``seed`` keeps it stable across requests)."""
    return QuizAttempt(quiz_version=quiz_version, layout=_layout(quiz_version, random.Random(seed)))


def grade_preview(attempt: QuizAttempt, raw_responses: Mapping[str, Any]) -> QuizAttempt:
    """Grade the in-memory attempt like a real submission (raises ResponseInvalid for forged answers)."""
    attempt.grade(raw_responses, at=clock.now())
    return attempt
