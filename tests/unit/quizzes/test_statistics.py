"""Quiz statistics (pure core): Moodle's facility, discrimination and consistency on examples worked by hand."""

from __future__ import annotations

import pytest

from lms.quizzes.question_types import REGISTRY, QuestionType
from lms.quizzes.statistics import (
    AttemptRecord,
    Consistency,
    Flag,
    Missing,
    QuizStatistics,
    quiz_statistics,
)


def single(key: str, correct: str = "b", title: str | None = None) -> dict:
    options = [{"id": i, "html": f"<em>{i.upper()}</em>", "correct": i == correct} for i in "abc"]
    return {
        "key": key,
        "type": "single_choice",
        "title": title or f"Frage {key}",
        "definition": {"options": options},
    }


def multiple(key: str, correct: str = "ac") -> dict:
    options = [{"id": i, "html": i.upper(), "correct": i in correct} for i in "abcd"]
    return {
        "key": key,
        "type": "multiple_choice",
        "title": f"Frage {key}",
        "definition": {"options": options},
    }


def attempt(scores: dict[str, float], responses: dict | None = None, passed: bool = False) -> AttemptRecord:
    """An attempt as stored: results per question; responses as JSON gives them back (lists)."""
    results = [{"key": key, "score": score, "is_correct": score == 1.0} for key, score in scores.items()]
    if responses is None:  # right → the correct option "b", wrong → "a"
        responses = {key: ["b"] if score == 1.0 else ["a"] for key, score in scores.items()}
    return AttemptRecord(results, responses, passed)


def from_matrix(rows: list[tuple[int, ...]], questions: list[dict]) -> QuizStatistics:
    keys = [q["key"] for q in questions]
    return quiz_statistics(
        questions, [attempt(dict(zip(keys, map(float, row), strict=True))) for row in rows]
    )


THREE = [single("q1"), single("q2"), single("q3")]

#: Five attempts × three right/wrong questions (see the worked example below).
HAND = [(1, 1, 0), (1, 1, 1), (1, 1, 0), (0, 0, 1), (0, 0, 0)]


def test_hand_computed_example() -> None:
    """Scores x_i per attempt, total T and, per question, the rest of the quiz X_i = T - x_i:

        attempt  q1 q2 q3 | T  | X_1 X_3
        1         1  1  0 | 2  |  1   2
        2         1  1  1 | 3  |  2   2
        3         1  1  0 | 2  |  1   2
        4         0  0  1 | 1  |  1   0
        5         0  0  0 | 0  |  0   0

    Facility = mean score / max 1: q1 = q2 = 3/5 = 60 %, q3 = 2/5 = 40 %.

    Discrimination D = 100 · Σ dx·dX / √(Σ dx² · Σ dX²) with deviations from the means (the n - 1 cancels):
      q1: mean x 0.6, mean X 1.0; dx = .4 .4 .4 -.6 -.6; dX = 0 1 0 0 -1
          Σ dx·dX = .4 + .6 = 1.0; Σ dx² = 3·.16 + 2·.36 = 1.2; Σ dX² = 2
          D = 100 · 1 / √2.4 = 64.55  (q2 has the same scores, so the same value)
      q3: mean x 0.4, mean X 1.2; dx = -.4 .6 -.4 .6 -.4; dX = .8 .8 .8 -1.2 -1.2
          Σ dx·dX = -.32 + .48 - .32 - .72 + .48 = -0.4; Σ dx² = 1.2; Σ dX² = 3·.64 + 2·1.44 = 4.8
          D = 100 · -.4 / √5.76 = -40 / 2.4 = -16.67  → negative: the question is flagged.
    Discriminative efficiency = Σ dx·dX divided by the same sum with both columns sorted ascending:
      q1: x 0 0 1 1 1 / X 0 1 1 1 2 → (-.6)(-1) + (.4)(1) = 1.0 → 100 %
      q3: x 0 0 0 1 1 / X 0 0 2 2 2 → .48 + .48 - .32 + .48 + .48 = 1.6 → -0.4 / 1.6 = -25 %
    Quiz: T = 2 3 2 1 0 of 3 points: mean 1.6 → 53.33 %, median 2 → 66.67 %;
      V(T) = (.16 + 1.96 + .16 + .36 + 2.56) / 4 = 1.3, SD = √1.3 / 3 = 38.01 %;
      V(x_i) = 1.2 / 4 = .3 for each question;
      Cronbach's alpha = 100 · 3/2 · (1 - .9 / 1.3) = 100 · .6 / 1.3 = 46.15 % → low (below 64 %).
    """
    result = from_matrix(HAND, THREE)
    q1, q2, q3 = result.questions
    assert (q1.facility, q2.facility, q3.facility) == pytest.approx((60.0, 60.0, 40.0))
    assert q1.discrimination == pytest.approx(64.5497, abs=1e-3)
    assert q2.discrimination == pytest.approx(q1.discrimination)
    assert q3.discrimination == pytest.approx(-100 / 6)
    assert q1.discriminative_efficiency == pytest.approx(100.0)
    assert q3.discriminative_efficiency == pytest.approx(-25.0)
    assert q3.flags == (Flag.NEGATIVE,) and q1.flags == () and q3.missing is None
    assert result.attempts == 5
    assert result.mean == pytest.approx(160 / 3)
    assert result.median == pytest.approx(200 / 3)
    assert result.sd == pytest.approx(1.3**0.5 / 3 * 100)
    assert result.alpha == pytest.approx(60 / 1.3)
    assert result.consistency is Consistency.LOW
    assert result.alpha_missing is None and result.sd_missing is None


def test_pass_rate_counts_the_stored_pass() -> None:
    attempts = [attempt({"q1": 1.0}, passed=True), attempt({"q1": 0.0}), attempt({"q1": 1.0}, passed=True)]
    result = quiz_statistics([single("q1")], attempts)
    assert (result.attempts, result.passed) == (3, 2)
    assert result.pass_rate == pytest.approx(200 / 3)


def test_option_frequencies_mark_the_right_answer_and_keep_unchosen_options() -> None:
    questions = [single("q1", correct="b"), multiple("q2", correct="ac")]
    attempts = [
        attempt({"q1": 1.0, "q2": 1.0}, {"q1": ["b"], "q2": ["a", "c"]}),
        attempt({"q1": 0.0, "q2": 0.0}, {"q1": ["a"], "q2": ["a"]}),
        attempt({"q1": 1.0, "q2": 0.0}, {"q1": ["b"], "q2": []}),
        attempt({"q1": 0.0, "q2": 0.0}, {"q2": ["a", "b", "c"]}),  # q1 left unanswered
    ]
    q1, q2 = quiz_statistics(questions, attempts).questions
    assert [(o.key, o.count, o.is_correct) for o in q1.options] == [
        ("a", 1, False),
        ("b", 2, True),
        ("c", 0, False),  # nobody chose it: still listed
    ]
    assert [o.share for o in q1.options] == pytest.approx([25.0, 50.0, 0.0])
    assert (q1.unanswered, q1.unanswered_share) == (1, 25.0)
    # The option's sanitised HTML is shown as HTML; multiple choice shares add up to more than 100 %.
    assert q1.options[0].label == "<em>A</em>" and q1.options[0].label_is_html
    assert [(o.key, o.count, o.is_correct) for o in q2.options] == [
        ("a", 3, True),
        ("b", 1, False),
        ("c", 2, True),
        ("d", 0, False),
    ]
    assert q2.unanswered == 1
    assert (q1.type_label, q2.type_label) == ("Einfachauswahl", "Mehrfachauswahl")


class FreeText(QuestionType):
    """A stand-in for a type without options (like a text input being added): the base class tallies whole responses."""

    name = "free_text_for_tests"
    label = "Freitext"
    syntax = "[[Antwort]]"

    @classmethod
    def claims_line(cls, line: str) -> bool:
        return False

    @classmethod
    def parse(cls, answer_lines, path):  # type: ignore[no-untyped-def]
        return {}, []

    @classmethod
    def validate(cls, definition: dict) -> list[str]:
        return []

    @classmethod
    def public(cls, definition: dict) -> dict:
        return {}

    @classmethod
    def normalise_response(cls, definition: dict, raw: object) -> tuple[str, ...]:
        return tuple(str(raw).split())

    @classmethod
    def grade(cls, definition: dict, response: object) -> float:
        return float(response == cls.correct_response(definition))

    @classmethod
    def correct_response(cls, definition: dict) -> tuple[str, ...]:
        return tuple(definition["answer"].split())


def test_answers_without_options_are_counted_as_text_and_never_trusted_as_html(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(REGISTRY, FreeText.name, FreeText)
    question = {
        "key": "q1",
        "type": FreeText.name,
        "title": "Begriff?",
        "definition": {"answer": "Art. 3 GG"},
    }
    stored = [
        ["Art.", "3", "GG"],
        ["<b>AGG</b>"],
        ["Art.", "3", "GG"],
        [],
    ]  # as JSON gives tuples back: lists
    attempts = [attempt({"q1": float(r == stored[0])}, {"q1": r}) for r in stored]
    (q1,) = quiz_statistics([question], attempts).questions
    assert [(o.count, o.is_correct, o.label_is_html) for o in q1.options] == [
        (2, True, False),
        (1, False, False),
    ]
    assert q1.options[1].label == repr(("<b>AGG</b>",))  # text: the page escapes it
    assert q1.unanswered == 1 and q1.facility == pytest.approx(50.0)


def test_no_attempts_gives_dashes_with_reasons_not_errors() -> None:
    result = quiz_statistics(THREE, [])
    assert (result.attempts, result.pass_rate, result.mean, result.median, result.sd) == (
        0,
        None,
        None,
        None,
        None,
    )
    assert result.alpha is None and result.alpha_missing is Missing.NO_ATTEMPTS
    assert result.sd_missing is Missing.NO_ATTEMPTS and not result.few_attempts
    for question in result.questions:
        assert question.facility is None and question.discrimination is None
        assert question.missing is Missing.NO_ATTEMPTS and question.flags == ()
        assert [o.count for o in question.options] == [0, 0, 0] and question.options[0].share is None


def test_one_attempt_has_facility_but_no_spread() -> None:
    result = from_matrix([(1, 0, 1)], THREE)
    assert [q.facility for q in result.questions] == [100.0, 0.0, 100.0]
    assert all(q.missing is Missing.ONE_ATTEMPT and q.discrimination is None for q in result.questions)
    assert result.sd is None and result.sd_missing is Missing.ONE_ATTEMPT
    assert result.alpha_missing is Missing.ONE_ATTEMPT and result.few_attempts
    assert result.mean == pytest.approx(200 / 3) and result.median == pytest.approx(200 / 3)


def test_zero_variance_makes_discrimination_not_computable() -> None:
    """q1: everyone right (no variance of its own); q3: the rest (q1 + q2) is the same for everyone."""
    questions = [single("q1"), single("q2"), single("q3")]
    result = from_matrix([(1, 1, 1), (1, 1, 0), (1, 1, 0)], questions)
    q1, q2, q3 = result.questions
    assert (
        q1.missing is Missing.SAME_SCORE
        and q1.discrimination is None
        and q1.discriminative_efficiency is None
    )
    assert q1.facility == 100.0 and q1.flags == (Flag.EASY,)
    assert q2.missing is Missing.SAME_SCORE
    assert (
        q3.missing is Missing.REST_SAME
        and q3.discrimination is None
        and q3.facility == pytest.approx(100 / 3)
    )


def test_alpha_needs_two_questions_and_varying_totals() -> None:
    one = quiz_statistics([single("q1")], [attempt({"q1": 1.0}), attempt({"q1": 0.0})])
    assert one.alpha is None and one.alpha_missing is Missing.ONE_QUESTION
    same = from_matrix([(1, 0, 1), (0, 1, 1)], THREE)  # both totals 2
    assert same.alpha is None and same.alpha_missing is Missing.TOTAL_SAME and same.sd == 0.0


def test_perfectly_consistent_quiz() -> None:
    """Everyone either knows everything or nothing: alpha = 100 %, every discrimination = 100."""
    result = from_matrix([(1, 1, 1), (1, 1, 1), (0, 0, 0), (0, 0, 0)], THREE)
    assert result.alpha == pytest.approx(100.0) and result.consistency is Consistency.GOOD
    assert all(q.discrimination == pytest.approx(100.0) and q.flags == () for q in result.questions)


@pytest.mark.parametrize(
    ("rows", "flags"),
    [
        # facility 1/5 = 20 %: Moodle's "difficult" band ends at 20 → flagged; discrimination 50 (fine)
        ([(1, 1, 1), (0, 1, 1), (0, 0, 1), (0, 1, 0), (0, 0, 0)], (Flag.HARD,)),
        # facility 2/5 = 40 %, discrimination exactly 0 → "very weak" (Moodle: 0–19)
        ([(1, 1, 0), (0, 1, 1), (1, 0, 1), (0, 0, 0), (0, 1, 0)], (Flag.WEAK,)),
    ],
)
def test_flags_follow_moodles_guidance(rows: list[tuple[int, ...]], flags: tuple[Flag, ...]) -> None:
    assert from_matrix(rows, THREE).questions[0].flags == flags


def test_easy_flag_starts_at_95_percent() -> None:
    nineteen_of_twenty = [(1, 1, 1)] * 19 + [(0, 0, 0)]
    q1 = from_matrix(nineteen_of_twenty, THREE).questions[0]
    assert q1.facility == pytest.approx(95.0) and Flag.EASY in q1.flags
    eighteen = [(1, 1, 1)] * 18 + [(0, 0, 0), (0, 1, 1)]
    assert Flag.EASY not in from_matrix(eighteen, THREE).questions[0].flags


def test_partial_scores_count_as_fractions_of_the_question() -> None:
    """A question type with partial credit: facility is the mean score, not the share fully right."""
    result = quiz_statistics(
        [single("q1")], [attempt({"q1": 0.5}), attempt({"q1": 1.0}), attempt({"q1": 0.0})]
    )
    assert result.questions[0].facility == pytest.approx(50.0)
    assert result.questions[0].sd == pytest.approx(50.0)


def test_a_question_an_attempt_did_not_draw_is_skipped_not_counted_wrong() -> None:
    # A pool (draw: 2 of 3): each attempt has results only for the questions it drew.
    attempts = [
        AttemptRecord(
            [{"key": "q1", "score": 1.0}, {"key": "q2", "score": 1.0}], {"q1": ["b"], "q2": ["b"]}, True
        ),
        AttemptRecord(
            [{"key": "q1", "score": 0.0}, {"key": "q3", "score": 1.0}], {"q1": ["a"], "q3": ["b"]}, False
        ),
        AttemptRecord([{"key": "q2", "score": 0.0}, {"key": "q3", "score": 1.0}], {"q3": ["b"]}, False),
    ]
    result = quiz_statistics(THREE, attempts)
    assert [q.facility for q in result.questions] == [50.0, 50.0, 100.0]
    assert [q.unanswered for q in result.questions] == [0, 1, 0]
    assert [q.unanswered_share for q in result.questions] == [0.0, 50.0, 0.0]
    assert result.mean == pytest.approx(200 / 3)  # 2 of 2, 1 of 2, 1 of 2
    assert result.alpha is None and result.alpha_missing is Missing.POOLED
