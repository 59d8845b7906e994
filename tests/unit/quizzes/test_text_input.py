"""Text input ``[[Antwort | Variante]]``: syntax, problems with their lines, forgiving grading, forged input."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from lms.quizzes.parse import parse_question
from lms.quizzes.question_types import GapText, ResponseInvalid, TextInput
from lms.quizzes.question_types.text_input import match_key
from tests.unit.quizzes.question_sources import (
    TEXT,
    first_question,
    line_of,
    problems_of,
)


def test_text_input_question():
    question = first_question(TEXT)
    assert question.type == "text_input"
    assert question.definition == {
        "accepted": ["AGG", "Allgemeines Gleichbehandlungsgesetz"],
        "max_length": 200,
    }


def test_text_input_public_definition_hides_every_accepted_answer():
    definition = first_question(TEXT).definition
    public = TextInput.public(definition)
    assert public == {"max_length": 200}
    assert "AGG" not in repr(public) and "Gleichbehandlung" not in repr(public)


@pytest.mark.parametrize(
    "typed",
    [
        "AGG",
        "agg",
        "  Agg  ",
        "AGG.",
        "„AGG“",
        '"agg"!',
        "(AGG)",
        "ＡＧＧ",  # full-width letters (NFKC)
        "allgemeines   gleichbehandlungsgesetz",
        "Allgemeines\u00a0Gleichbehandlungsgesetz",  # non-breaking space
        "ALLGEMEINES GLEICHBEHANDLUNGSGESETZ …",
    ],
)
def test_text_input_forgives_case_spaces_and_edge_punctuation(typed):
    definition = first_question(TEXT).definition
    assert TextInput.grade(definition, TextInput.normalise_response(definition, typed)) == 1.0


@pytest.mark.parametrize(
    "typed", ["", "AG", "A.G.G.", "A G G", "Allgemeines Gleichbehandlungs-Gesetz", "Gleichbehandlungsgesetz"]
)
def test_text_input_does_not_forgive_typos_or_inner_punctuation(typed):
    definition = first_question(TEXT).definition
    assert TextInput.grade(definition, TextInput.normalise_response(definition, typed)) == 0.0


def test_match_key_folds_sharp_s_and_keeps_inner_punctuation():
    assert match_key("Straße") == match_key("STRASSE") == "strasse"
    assert match_key("Art. 3 GG") != match_key("Art 3 GG")
    assert match_key("§ 22 AGG") != match_key("22 AGG")
    assert match_key(" „Jenaer Erklärung“. ") == "jenaer erklärung"


def test_text_input_normalises_what_was_posted():
    definition = first_question(TEXT).definition
    assert TextInput.normalise_response(definition, None) == ""
    assert TextInput.normalise_response(definition, []) == ""
    assert TextInput.normalise_response(definition, [""]) == ""  # the form's empty field: unanswered
    assert TextInput.normalise_response(definition, ["  Allgemeines \t Gesetz \n"]) == "Allgemeines Gesetz"
    assert TextInput.normalise_response(definition, "x" * 200) == "x" * 200


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["AGG", "AG"], "einzelner Text"),
        ({"answer": "AGG"}, "einzelner Text"),
        (5, "einzelner Text"),
        ([5], "einzelner Text"),
        ("x" * 201, "zu lang: höchstens 200 Zeichen"),
        ("AG\x00G", "Steuerzeichen"),
        ("AG\x1bG", "Steuerzeichen"),
        ("AG\ud800G", "Steuerzeichen"),  # a lone surrogate from forged JSON
    ],
)
def test_text_input_refuses_forged_responses(raw, message):
    definition = first_question(TEXT).definition
    with pytest.raises(ResponseInvalid, match=message):
        TextInput.normalise_response(definition, raw)


def test_text_input_result_and_statistics():
    definition = first_question(TEXT).definition
    assert TextInput.correct_response(definition) == "AGG"
    assert TextInput.review(definition, "agg") == {"accepted": ["AGG", "Allgemeines Gleichbehandlungsgesetz"]}
    # Every accepted spelling is counted as the first, so statistics show one correct row.
    assert TextInput.tally_keys(definition, "Allgemeines Gleichbehandlungsgesetz.") == ["agg"]
    assert TextInput.tally_keys(definition, "agg") == TextInput.tally_keys(definition, "AGG") == ["agg"]
    assert TextInput.tally_keys(definition, "Antirassismusgesetz") == ["antirassismusgesetz"]
    assert TextInput.tally_keys(definition, "") == []
    assert TextInput.describe_tally_key(definition, "agg") == "AGG / Allgemeines Gleichbehandlungsgesetz"
    label = TextInput.describe_tally_key(definition, "<b>agg</b>")
    assert label == "<b>agg</b>" and not isinstance(label, Markup)  # typed text is never trusted as HTML


def test_text_input_problems_with_their_lines():
    two_lines = TEXT.replace("]]\n***", "]]\n[[Gleichbehandlungsgesetz]]\n***")
    assert problems_of(two_lines) == [
        f"{line_of(two_lines, '[[Gleichbehandlungsgesetz]]')}: Eine Texteingabe hat genau eine Zeile "
        "„[[Antwort]]“; weitere richtige Schreibweisen stehen in derselben Zeile, getrennt durch „|“."
    ]
    empty = TEXT.replace("[[AGG | ", "[[AGG | | ")
    assert problems_of(empty) == [f"{line_of(empty, '[[AGG')}: Zwischen „|“ fehlt eine Antwort."]
    duplicate = TEXT.replace("[[AGG | ", "[[AGG | agg. | ")
    assert problems_of(duplicate) == [
        f"{line_of(duplicate, '[[AGG')}: „AGG“ und „agg.“ werden gleich bewertet (Groß- und Kleinschreibung, "
        "Leerzeichen und Satzzeichen am Rand zählen nicht); eine Schreibweise genügt."
    ]
    punctuation = TEXT.replace("[[AGG | ", '[["…" | ')
    assert problems_of(punctuation) == [
        f'{line_of(punctuation, "[[")}: Die Antwort „"…"“ besteht nur aus Satzzeichen.'
    ]
    long = TEXT.replace("[[AGG | ", "[[" + "x" * 201 + " | ")
    assert problems_of(long) == [f"{line_of(long, '[[')}: Eine Antwort darf höchstens 200 Zeichen lang sein."]


def test_liascript_selection_is_a_selection_not_a_text_input():
    selection = TEXT.replace("[[AGG | Allgemeines Gleichbehandlungsgesetz]]", "[[AGG | (BGB) | GG]]")
    question = parse_question(selection, "hilfe.md")
    assert question.type == "gap_text"
    assert GapText.correct_response(question.definition) == ("g1:b",)


def test_text_input_validate():
    assert TextInput.validate({"accepted": ["AGG"], "max_length": 200}) == []
    assert TextInput.validate({"accepted": [], "max_length": 200}) == [
        "Die Texteingabe braucht mindestens eine richtige Antwort: „[[Antwort]]“."
    ]
    assert TextInput.validate({"accepted": ["..."], "max_length": 200}) == ["Eine richtige Antwort ist leer."]
    assert TextInput.validate({"accepted": ["AGG"], "max_length": 2}) == [
        "Eine richtige Antwort ist länger als 2 Zeichen."
    ]
    assert TextInput.validate({"accepted": ["AGG"], "max_length": "viel"}) == [
        "Die höchste Antwortlänge muss eine ganze Zahl ab 1 sein."
    ]
