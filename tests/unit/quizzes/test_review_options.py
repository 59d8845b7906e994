"""The optional ``review:`` front matter of a quiz: defaults, valid spellings, and problems at their line."""

from __future__ import annotations

import pytest

from lms.quizzes.parse import parse_quiz
from lms.quizzes.review import DEFAULT_REVIEW, EVERYTHING, Reveal, ReviewOptions, When
from tests.unit.quizzes.test_parse import FRONT_MATTER, PATH, problems_of, quiz


def _with(review: str) -> str:
    return quiz(front_matter=FRONT_MATTER.replace("max_attempts: 3\n", f"max_attempts: 3\n{review}\n"))


def test_without_review_the_default_holds_back_only_the_right_answers():
    options = parse_quiz(quiz(), PATH).review
    assert (
        options == DEFAULT_REVIEW == ReviewOptions(When.ALWAYS, When.AFTER_PASS_OR_LAST_ATTEMPT, When.ALWAYS)
    )
    assert options.reveal(finished=False) == Reveal(correctness=True, right_answer=False, explanation=True)
    assert options.reveal(finished=True) == EVERYTHING


@pytest.mark.parametrize(
    ("review", "expected"),
    [
        ("review: {right_answer: always}", ReviewOptions(right_answer=When.ALWAYS)),
        ("review: {}", DEFAULT_REVIEW),
        (
            "review:\n  correctness: after_pass_or_last_attempt\n  explanation: never",
            ReviewOptions(When.AFTER_PASS_OR_LAST_ATTEMPT, When.AFTER_PASS_OR_LAST_ATTEMPT, When.NEVER),
        ),
        # Left out, right_answer never comes before correctness: the right answer would tell what was right.
        ("review: {correctness: never}", ReviewOptions(When.NEVER, When.NEVER, When.ALWAYS)),
        (
            "review: {correctness: never, right_answer: never}",
            ReviewOptions(When.NEVER, When.NEVER, When.ALWAYS),
        ),
    ],
)
def test_review_spellings(review, expected):
    assert parse_quiz(_with(review), PATH).review == expected


def test_reveal_by_timing():
    later = ReviewOptions(When.AFTER_PASS_OR_LAST_ATTEMPT, When.NEVER, When.AFTER_PASS_OR_LAST_ATTEMPT)
    assert later.reveal(finished=False) == Reveal(False, False, False)
    assert later.reveal(finished=True) == Reveal(True, False, True)
    assert ReviewOptions(When.NEVER, When.NEVER, When.NEVER).reveal(finished=True) == Reveal(
        False, False, False
    )


@pytest.mark.parametrize(
    ("review", "messages"),
    [
        (
            "review:\n  correctness: sometimes",
            [
                "7: „correctness“ muss „always“, „after_pass_or_last_attempt“ oder „never“ sein, nicht „sometimes“."
            ],
        ),
        (
            "review:\n  correctness: always\n  right_anwser: always",
            ["8: Unbekanntes Feld „right_anwser“ (meinten Sie „right_answer“?)."],
        ),
        (
            "review:\n  explanation:\n    - always",
            ["7: „explanation“ muss ein einzelner Text sein."],
        ),
        (
            "review:\n  explanation: true",
            ["7: „explanation“ muss „always“, „after_pass_or_last_attempt“ oder „never“ sein, nicht „true“."],
        ),
        (
            "review: always",
            [
                "6: „review“ muss Zeilen der Form „correctness: always“ enthalten (eingerückt unter „review:“) "
                "oder „{correctness: always, right_answer: never}“ sein."
            ],
        ),
        (
            "review:\n  correctness: never\n  right_answer: always",
            [
                "8: „right_answer: always“ zeigt die richtigen Antworten früher, als „correctness: never“ zeigt, "
                "ob eine Antwort richtig war; die richtige Antwort verriete das. Wählen Sie für „right_answer“ "
                "denselben oder einen späteren Zeitpunkt („never“ ist der späteste)."
            ],
        ),
        (
            "review:\n  correctness: always\n  correctness: never",
            ["8: Feld „correctness“ steht doppelt im Front-Matter."],
        ),
    ],
)
def test_bad_review_options_are_problems_at_their_line(review, messages):
    assert problems_of(_with(review)) == [f"{PATH}:{message}" for message in messages]
