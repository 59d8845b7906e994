"""Every question type documents itself; true/false; lines that do not fit together; grading all types at once."""

from __future__ import annotations

import random

import pytest

from lms.markdown.problems import ContentInvalid
from lms.quizzes.grading import grade_attempt
from lms.quizzes.parse import parse_question, parse_quiz
from lms.quizzes.question_types import REGISTRY, ResponseInvalid, SingleChoice, TrueFalse
from tests.unit.quizzes.question_sources import (
    FILLER,
    FRONT_MATTER,
    ORDERING,
    PATH,
    TEXT,
    TRUE_FALSE,
    first_question,
    line_of,
    problems_of,
)

# --- every type: help text and an example that parses as that very type -----------------------------------


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_type_documents_itself_with_an_example_of_its_own_kind(name):
    question_type = REGISTRY[name]
    assert question_type.help_text.strip() and question_type.label and question_type.syntax
    question = parse_question(question_type.example, "hilfe.md")
    assert question.type == name
    assert question.title.strip() and question.explanation_html.strip()
    assert question_type.validate(question.definition) == []


def test_parse_question_wants_exactly_one_question():
    with pytest.raises(ContentInvalid) as raised:
        parse_question(TRUE_FALSE + "\n" + TEXT, "hilfe.md")
    assert [str(p) for p in raised.value.problems] == [
        "hilfe.md:1: Erwartet wird genau eine Frage („## …“); gefunden: 2."
    ]
    with pytest.raises(ContentInvalid) as raised:
        parse_question("## Frage?\n\n[( )] a\n[( )] a\n[( )] b\n***\nWeil.\n***\n", "hilfe.md")
    assert [str(p) for p in raised.value.problems] == [
        "hilfe.md:3: Einfachauswahl braucht mindestens eine richtige Antwort „[(X)]“; gefunden: 0."
    ]


# --- true/false ---------------------------------------------------------------------------------------------


def test_true_false_question():
    question = first_question(TRUE_FALSE)
    assert question.type == "true_false"
    assert question.definition == {
        "options": [
            {"id": "a", "html": "Wahr", "correct": True},
            {"id": "b", "html": "Falsch", "correct": False},
        ]
    }


@pytest.mark.parametrize(
    "lines",
    [
        "[( )] Richtig\n[(X)] Falsch",
        "[(X)] Ja\n[( )] Nein",
        "[( )] falsch\n[(x)] WAHR",  # any order, any case
        "[(X)]  Nein \n[( )] Ja",
    ],
)
def test_true_false_word_pairs(lines):
    assert first_question(f"## Stimmt das?\n\n{lines}\n***\nWeil.\n***\n").type == "true_false"


@pytest.mark.parametrize(
    "lines",
    [
        "[(X)] Wahr\n[( )] Falsch\n[( )] Weiß nicht",  # a third answer
        "[(X)] Ja\n[( )] Falsch",  # not one pair
        "[(X)] Wahr, weil § 6 AGG das sagt\n[( )] Falsch",
    ],
)
def test_anything_else_stays_a_single_choice(lines):
    assert first_question(f"## Stimmt das?\n\n{lines}\n***\nWeil.\n***\n").type == "single_choice"


def test_true_false_needs_exactly_one_marked_answer():
    """Both or neither marked: LiaScript reads a single choice, and so does the platform."""
    both = TRUE_FALSE.replace("[( )] Falsch", "[(X)] Falsch")
    assert first_question(both).type == "single_choice"
    neither = TRUE_FALSE.replace("[(X)] Wahr", "[( )] Wahr")
    assert problems_of(neither) == [
        f"{line_of(neither, 'Wahr')}: Einfachauswahl braucht mindestens eine richtige Antwort „[(X)]“; "
        "gefunden: 0."
    ]


def test_true_false_in_the_browser_grading_and_statistics():
    definition = first_question(TRUE_FALSE).definition
    assert TrueFalse.public(definition) == {
        "options": [{"id": "a", "html": "Wahr"}, {"id": "b", "html": "Falsch"}]
    }
    assert TrueFalse.normalise_response(definition, ["a"]) == ("a",)
    assert TrueFalse.normalise_response(definition, "") == ()
    with pytest.raises(ResponseInvalid, match="nur eine Antwort"):
        TrueFalse.normalise_response(definition, ["a", "b"])
    with pytest.raises(ResponseInvalid, match="Unbekannte Antwort „c“"):
        TrueFalse.normalise_response(definition, "c")
    assert TrueFalse.grade(definition, ("a",)) == 1.0
    assert TrueFalse.grade(definition, ("b",)) == 0.0
    assert TrueFalse.grade(definition, ()) == 0.0
    assert TrueFalse.correct_response(definition) == ("a",)
    assert TrueFalse.tally_keys(definition, ("b",)) == ["b"]
    assert TrueFalse.describe_tally_key(definition, "b") == "Falsch"


def test_true_false_keeps_the_written_order_even_in_shuffled_quizzes():
    definition = first_question(
        TRUE_FALSE.replace("[(X)] Wahr\n[( )] Falsch", "[( )] Falsch\n[(X)] Wahr")
    ).definition
    for seed in range(20):
        assert TrueFalse.arrange(definition, random.Random(seed), shuffle=True) == ["a", "b"]
    orders = {
        tuple(SingleChoice.arrange(definition, random.Random(seed), shuffle=True)) for seed in range(20)
    }
    assert orders == {("a", "b"), ("b", "a")}  # a single choice with the same lines would be shuffled


# --- lines that do not fit together -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "kinds"),
    [
        ("[[AGG]]\n[( )] BGB", "„Texteingabe“ und „Einfachauswahl“"),
        ("[[1]] erst\n[[ ]] dann\n[[X]] zuletzt", "„Reihenfolge“ und „Mehrfachauswahl“"),
        ("[(X)] Wahr\n[[ ]] Falsch", "„Einfachauswahl“ und „Mehrfachauswahl“"),
        ("[[1]] erst\n[[2]] dann\n[( )] zuletzt", "„Reihenfolge“ und „Einfachauswahl“"),
    ],
)
def test_mixed_answer_lines_name_both_kinds(lines, kinds):
    question = f"## Frage?\n\n{lines}\n***\nWeil.\n***\n"
    assert problems_of(question) == [
        f"{line_of(question, lines.split(chr(10))[0])}: Eine Frage verwendet nur eine Art von Antwortzeilen; "
        f"hier sind {kinds} gemischt."
    ]


def test_a_lone_x_marker_is_a_multiple_choice_not_a_text_input():
    question = "## Frage?\n\n[[X]]\n***\nWeil.\n***\n"
    assert problems_of(question) == [
        f"{line_of(question, '[[X]]')}: Die Antwort hat keinen Text.",
        f"{line_of(question, '[[X]]')}: Mehrfachauswahl braucht mindestens zwei Antworten; gefunden: 1.",
    ]


def test_a_lone_number_is_a_text_input():
    question = first_question("## Wie viele Gründe nennt § 1 AGG?\n\n[[6 | sechs]]\n***\nSechs.\n***\n")
    assert question.type == "text_input"
    assert question.definition["accepted"] == ["6", "sechs"]


def test_text_after_a_text_input_is_a_liascript_survey_line():
    """LiaScript docs, Surveys › Multi Choice Vector: "[[rot]] Text" is a survey, which has no right answer."""
    question = "## Frage?\n\n[[AGG]] Gesetz\n***\nWeil.\n***\n"
    (problem,) = problems_of(question)
    assert problem.startswith(
        f"{line_of(question, '[[AGG]]')}: Das ist eine Umfrage in LiaScript-Schreibweise (ohne richtige Antwort)"
    )


# --- grading a quiz of all types --------------------------------------------------------------------------------


def test_a_quiz_of_every_type_is_graded_question_by_question():
    source = FRONT_MATTER + "\n".join([TRUE_FALSE, TEXT, ORDERING, FILLER, FILLER, FILLER])
    questions = [
        {"key": q.key, "type": q.type, "definition": q.definition} for q in parse_quiz(source, PATH).questions
    ]
    responses = {
        "q1": ["a"],
        "q2": ["allgemeines gleichbehandlungsgesetz"],
        "q3": ["a:2", "b:1", "c:3"],
        "q4": "b",
    }
    result = grade_attempt(questions, responses, 50)
    assert [q.score for q in result.questions] == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert result.questions[1].response == "allgemeines gleichbehandlungsgesetz"
    assert result.questions[1].correct_response == "AGG"
    assert result.questions[2].response == ("b", "a", "c")
    assert (result.score_percent, result.passed) == (66.7, True)


def test_an_invalid_order_names_the_question():
    source = FRONT_MATTER + "\n".join([ORDERING] + [FILLER] * 5)
    questions = [
        {"key": q.key, "type": q.type, "definition": q.definition} for q in parse_quiz(source, PATH).questions
    ]
    with pytest.raises(ResponseInvalid) as raised:
        grade_attempt(questions, {"q1": ["a:1", "b:1", "c:3"]}, 50)
    assert raised.value.key == "q1"
    assert raised.value.message.startswith("Position 1 haben Sie mehreren Schritten gegeben")
    assert str(raised.value).startswith("Frage q1: Position 1 haben Sie")
