"""Grading attempts: boundaries a learner would argue about."""

from __future__ import annotations

import json

import pytest

from lms.quizzes.grading import grade_attempt
from lms.quizzes.question_types import ResponseInvalid


def single(key: str, correct: str = "b") -> dict:
    options = [{"id": i, "html": i.upper(), "correct": i == correct} for i in "abc"]
    return {"key": key, "type": "single_choice", "definition": {"options": options}}


def multiple(key: str, correct: str = "ac") -> dict:
    options = [{"id": i, "html": i.upper(), "correct": i in correct} for i in "abcd"]
    return {"key": key, "type": "multiple_choice", "definition": {"options": options}}


FIVE = [single("q1"), single("q2"), single("q3"), multiple("q4"), multiple("q5")]


def test_four_of_five_is_exactly_eighty_and_passes_eighty():
    result = grade_attempt(FIVE, {"q1": "b", "q2": "b", "q3": "b", "q4": ["a", "c"], "q5": ["a"]}, 80)
    assert result.points == 4.0
    assert result.max_points == 5
    assert result.score_percent == 80.0
    assert result.passed is True


def test_one_point_below_the_pass_mark_fails():
    result = grade_attempt(FIVE, {"q1": "b", "q2": "b", "q3": "b"}, 80)
    assert result.score_percent == 60.0
    assert result.passed is False
    assert grade_attempt(FIVE, {"q1": "b", "q2": "b", "q3": "b", "q4": ["a", "c"]}, 81).passed is False


def test_percent_is_rounded_to_one_decimal():
    three = [single("q1"), single("q2"), single("q3")]
    assert grade_attempt(three, {"q1": "b", "q2": "b"}, 50).score_percent == 66.7
    assert grade_attempt(three, {"q1": "b"}, 50).score_percent == 33.3


def test_everything_right_passes_a_pass_mark_of_100():
    result = grade_attempt(FIVE, {"q1": "b", "q2": "b", "q3": "b", "q4": ["c", "a"], "q5": ("a", "c")}, 100)
    assert (result.score_percent, result.passed) == (100.0, True)
    assert all(q.is_correct for q in result.questions)


def test_partially_correct_multiple_choice_scores_zero():
    result = grade_attempt([multiple("q1")], {"q1": ["a"]}, 50)
    assert result.questions[0].score == 0.0
    assert result.questions[0].is_correct is False


def test_too_many_choices_in_multiple_choice_score_zero():
    assert grade_attempt([multiple("q1")], {"q1": ["a", "b", "c"]}, 50).points == 0.0


def test_exact_multiple_choice_scores_one():
    result = grade_attempt([multiple("q1")], {"q1": ["c", "a"]}, 50)
    assert result.questions[0].score == 1.0
    assert result.questions[0].response == ("a", "c")
    assert result.questions[0].correct_response == ("a", "c")


@pytest.mark.parametrize("raw", [None, "", [], ()])
def test_unanswered_questions_score_zero(raw):
    result = grade_attempt([single("q1"), multiple("q2")], {"q1": raw, "q2": raw}, 50)
    assert result.points == 0.0
    assert [q.response for q in result.questions] == [(), ()]
    assert result.passed is False


def test_missing_responses_count_as_unanswered_and_unknown_keys_are_ignored():
    result = grade_attempt([single("q1"), single("q2")], {"q1": "b", "csrf_token": "x"}, 50)
    assert [q.score for q in result.questions] == [1.0, 0.0]
    assert result.passed is True


def test_invalid_option_id_raises_with_the_question_key():
    with pytest.raises(ResponseInvalid) as raised:
        grade_attempt(FIVE, {"q4": ["a", "z"]}, 80)
    assert raised.value.key == "q4"
    assert str(raised.value) == "Frage q4: Unbekannte Antwort „z“."
    assert (
        raised.value.message == "Unbekannte Antwort „z“."
    )  # without the key, for a page that numbers questions


def test_two_answers_to_a_single_choice_raise():
    with pytest.raises(ResponseInvalid, match="nur eine Antwort"):
        grade_attempt(FIVE, {"q1": ["a", "b"]}, 80)


def test_wrong_shape_raises():
    with pytest.raises(ResponseInvalid):
        grade_attempt(FIVE, {"q1": 2}, 80)


def test_unknown_question_type_is_a_programming_error():
    with pytest.raises(KeyError):
        grade_attempt([{"key": "q1", "type": "essay", "definition": {}}], {}, 80)


def test_empty_quiz_does_not_pass():
    result = grade_attempt([], {}, 1)
    assert (result.score_percent, result.passed, result.max_points) == (0.0, False, 0)


def test_results_are_json_friendly():
    result = grade_attempt(FIVE, {"q1": "b", "q4": ["a", "c"]}, 80)
    payload = [
        {"key": q.key, "score": q.score, "response": q.response, "correct": q.correct_response}
        for q in result.questions
    ]
    assert json.loads(json.dumps(payload))[3] == {
        "key": "q4",
        "score": 1.0,
        "response": ["a", "c"],
        "correct": ["a", "c"],
    }
