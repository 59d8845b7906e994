"""The curriculum shipped in quizzes/ keeps its own target: every quiz asks at least six questions.

This is a check of our content, not a rule of the quiz format: a trainer may write a quiz with one question.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.quizzes.parse import parse_quiz

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted((REPO / "quizzes").glob("*.md"))
MIN_QUESTIONS = 6


def test_the_curriculum_ships_quizzes() -> None:
    assert SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_quiz_has_at_least_six_questions(path: Path) -> None:
    doc = parse_quiz(path.read_text(encoding="utf-8"), f"quizzes/{path.name}")
    assert len(doc.questions) >= MIN_QUESTIONS, f"{path.name}: {len(doc.questions)} Fragen"
