"""Small quiz sources and helpers shared by the question-type tests."""

from __future__ import annotations

import pytest

from lms.markdown.problems import ContentInvalid
from lms.quizzes.parse import QuizQuestion, parse_quiz

PATH = "quizzes/grundbegriffe.md"

FRONT_MATTER = "---\nmodule: grundbegriffe\npass_mark: 80\nshuffle: true\nmax_attempts: 3\n---\n\n"

FILLER = "## Wer ist geschützt?\n\n[( )] Niemand\n[(X)] Alle Menschen\n***\nArt. 3 Abs. 3 GG.\n***\n"

TRUE_FALSE = (
    "## Das AGG schützt auch Bewerbende.\n\n[(X)] Wahr\n[( )] Falsch\n***\n§ 6 Abs. 1 Satz 2 AGG.\n***\n"
)

TEXT = (
    "## Welches Gesetz setzt die Antirassismusrichtlinie um?\n\n"
    "[[AGG | Allgemeines Gleichbehandlungsgesetz]]\n***\nDas AGG von 2006.\n***\n"
)

ORDERING = (
    "## Prüfschritte bei § 3 Abs. 2 AGG\n\n"
    "[[2]] Trifft die Regel Gruppen härter?\n"
    "[[1]] Ist die Regel dem Anschein nach neutral?\n"
    "[[3]] Gibt es ein rechtmäßiges Ziel?\n"
    "***\nErst neutral, dann Wirkung, dann Rechtfertigung.\n***\n"
)


def quiz_with(question: str) -> str:
    """The question first, then five valid single-choice questions."""
    return FRONT_MATTER + "\n".join([question] + [FILLER] * 5)


def first_question(question: str) -> QuizQuestion:
    return parse_quiz(quiz_with(question), PATH).questions[0]


def problems_of(question: str) -> list[str]:
    """Every problem of a quiz that starts with this question, as „line: message“."""
    with pytest.raises(ContentInvalid) as raised:
        parse_quiz(quiz_with(question), PATH)
    return [f"{p.line}: {p.message}" for p in raised.value.problems]


def line_of(question: str, text: str) -> int:
    """The file line of the first line of ``question`` containing ``text``."""
    source = quiz_with(question)
    return next(n for n, line in enumerate(source.split("\n"), start=1) if text in line)
