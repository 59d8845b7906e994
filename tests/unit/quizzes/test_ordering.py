"""Ordering ``[[1]] Schritt``: syntax, problems with their lines, shuffling, the form's and the API's answers."""

from __future__ import annotations

import random

import pytest
from markupsafe import Markup

from lms.quizzes.question_types import Ordering, ResponseInvalid
from tests.unit.quizzes.question_sources import (
    ORDERING,
    first_question,
    line_of,
    problems_of,
)


def test_ordering_question():
    question = first_question(ORDERING)
    assert question.type == "ordering"
    assert question.definition == {
        "steps": [
            {"id": "a", "html": "Trifft die Regel Gruppen härter?", "position": 2},
            {"id": "b", "html": "Ist die Regel dem Anschein nach neutral?", "position": 1},
            {"id": "c", "html": "Gibt es ein rechtmäßiges Ziel?", "position": 3},
        ]
    }
    assert Ordering.correct_response(question.definition) == ("b", "a", "c")


def test_ordering_allows_spaces_in_the_brackets_and_markdown_in_steps():
    question = first_question(ORDERING.replace("[[3]] Gibt es", "[[ 3 ]] Gibt es *wirklich*"))
    assert question.definition["steps"][2] == {
        "id": "c",
        "html": "Gibt es <em>wirklich</em> ein rechtmäßiges Ziel?",
        "position": 3,
    }


def test_ordering_public_definition_hides_the_positions():
    definition = first_question(ORDERING).definition
    public = Ordering.public(definition)
    assert [step["id"] for step in public["steps"]] == ["a", "b", "c"]
    assert "position" not in repr(public)


def test_ordering_problems_with_their_lines():
    duplicate = ORDERING.replace("[[3]]", "[[2]]")
    assert problems_of(duplicate) == [
        f"{line_of(duplicate, 'Trifft')}: Position 3 fehlt: Die Schritte brauchen die Nummern 1 bis 3, "
        "jede genau einmal.",
        f"{line_of(duplicate, 'rechtmäßiges')}: Position 2 ist doppelt vergeben "
        f"(schon in Zeile {line_of(duplicate, 'Trifft')}).",
    ]
    beyond = ORDERING.replace("[[3]]", "[[7]]")
    assert problems_of(beyond) == [
        f"{line_of(beyond, 'Trifft')}: Position 3 fehlt: Die Schritte brauchen die Nummern 1 bis 3, "
        "jede genau einmal.",
        f"{line_of(beyond, 'rechtmäßiges')}: Position 7 gibt es hier nicht: Bei 3 Schritten sind es 1 bis 3.",
    ]
    no_text = ORDERING.replace("[[3]] Gibt es ein rechtmäßiges Ziel?", "[[3]]")
    assert problems_of(no_text) == [f"{line_of(no_text, '[[3]]')}: Der Schritt hat keinen Text."]
    two = "## Zwei Schritte\n\n[[2]] b\n[[1]] a\n***\nWeil.\n***\n"
    assert problems_of(two) == [
        f"{line_of(two, '[[2]] b')}: Eine Reihenfolge braucht mindestens 3 Schritte; gefunden: 2."
    ]
    eleven = "## Elf\n\n" + "".join(f"[[{n}]] Schritt {n}\n" for n in range(1, 12)) + "***\nWeil.\n***\n"
    assert problems_of(eleven) == [
        f"{line_of(eleven, '[[1]]')}: Eine Reihenfolge hat höchstens 10 Schritte; gefunden: 11."
    ]
    zero = ORDERING.replace("[[1]]", "[[0]]")
    assert problems_of(zero) == [
        f"{line_of(zero, 'Trifft')}: Position 1 fehlt: Die Schritte brauchen die Nummern 1 bis 3, jede genau einmal.",
        f"{line_of(zero, '[[0]]')}: Position 0 gibt es hier nicht: Bei 3 Schritten sind es 1 bis 3.",
    ]


def test_ordering_validate_names_every_missing_position():
    steps = [{"id": i, "html": i, "position": 1} for i in "abcd"]
    assert Ordering.validate({"steps": steps}) == [
        "Positionen 2, 3 und 4 fehlen: Die Schritte brauchen die Nummern 1 bis 4, jede genau einmal."
    ]


def test_ordering_is_always_shuffled_and_never_shown_in_the_correct_order():
    definition = first_question(ORDERING).definition
    correct = list(Ordering.correct_response(definition))
    orders = set()
    for seed in range(200):
        shown = Ordering.arrange(definition, random.Random(seed), shuffle=False)
        assert sorted(shown) == ["a", "b", "c"] and shown != correct
        orders.add(tuple(shown))
    assert len(orders) == 5  # every other order of three steps occurs


def test_ordering_accepts_the_apis_list_and_the_forms_positions():
    definition = first_question(ORDERING).definition
    assert Ordering.normalise_response(definition, ["b", "a", "c"]) == ("b", "a", "c")
    assert Ordering.normalise_response(definition, ["a:2", "c:3", "b:1"]) == ("b", "a", "c")
    assert Ordering.normalise_response(definition, None) == ()
    assert Ordering.normalise_response(definition, ["", "", ""]) == ()  # nothing chosen in the form


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["a:1", "", ""], r"Bitte wählen Sie für jeden Schritt eine Position \(1 bis 3\)\."),
        (
            ["a:1", "b:1", "c:2"],
            "Position 1 haben Sie mehreren Schritten gegeben; jede Position darf nur einmal",
        ),
        (["a:1", "b:1", "c:1"], "Position 1 haben Sie mehreren Schritten gegeben"),
        (["a:1", "a:2", "c:3"], "Ein Schritt hat mehr als eine Position."),
        (["a:1", "b:2", "z:3"], "Unbekannter Schritt „z“"),
        (["a:1", "b:2", "c:4"], "Unbekannte Position „4“"),
        (["a:1", "b:2", "c:x"], "Unbekannte Position „x“"),
        (["a:1", "b:2", "c:²"], "Unbekannte Position „²“"),
        (["a:1", "b", "c"], "unerwartete Form"),
        (["b", "a"], "jeden der 3 Schritte genau einmal"),
        (["b", "a", "a"], "jeden der 3 Schritte genau einmal"),
        (["b", "a", "c", "c"], "jeden der 3 Schritte genau einmal"),
        (["b", "a", "z"], "Unbekannter Schritt „z“"),
        (["b", "", "a"], "unerwartete Form"),
        ({"b": 1}, "unerwartete Form"),
        ([1, 2, 3], "unerwartete Form"),
    ],
)
def test_ordering_refuses_incomplete_and_forged_orders(raw, message):
    definition = first_question(ORDERING).definition
    with pytest.raises(ResponseInvalid, match=message):
        Ordering.normalise_response(definition, raw)


def test_ordering_is_all_or_nothing():
    definition = first_question(ORDERING).definition
    assert Ordering.grade(definition, ("b", "a", "c")) == 1.0
    assert Ordering.grade(definition, ("a", "b", "c")) == 0.0  # one swap
    assert Ordering.grade(definition, ("c", "a", "b")) == 0.0  # every step moved by one
    assert Ordering.grade(definition, ()) == 0.0


def test_ordering_result_and_statistics():
    definition = first_question(ORDERING).definition
    assert Ordering.review(definition, ("a", "b", "c")) == {
        "given": [
            {"html": "Trifft die Regel Gruppen härter?", "is_right": False},
            {"html": "Ist die Regel dem Anschein nach neutral?", "is_right": False},
            {"html": "Gibt es ein rechtmäßiges Ziel?", "is_right": True},
        ],
        "expected": [
            "Ist die Regel dem Anschein nach neutral?",
            "Trifft die Regel Gruppen härter?",
            "Gibt es ein rechtmäßiges Ziel?",
        ],
    }
    assert Ordering.review(definition, ())["given"] == []
    assert Ordering.tally_keys(definition, ("a", "b", "c")) == ["a,b,c"]
    assert Ordering.tally_keys(definition, ()) == []
    label = Ordering.describe_tally_key(definition, "b,a,c")
    assert isinstance(label, Markup)
    assert label == (
        "1. Ist die Regel dem Anschein nach neutral?; 2. Trifft die Regel Gruppen härter?; "
        "3. Gibt es ein rechtmäßiges Ziel?"
    )
    assert Ordering.describe_tally_key(definition, "x,y") == "x,y"
