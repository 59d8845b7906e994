"""The LiaScript-safe ordering: a matrix with one column per position under ``<!-- data-lms-ordering -->``.

LiaScript reads ``[[1]] Schritt`` as a survey and shows the explanation – and so the answer – before anyone answers;
the matrix form it shows as a matrix quiz with a hidden solution. This platform reads it as the very same ordering.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms.authoring.liascript import liascript_course, platform_quiz_source
from lms.markdown.problems import ContentInvalid
from lms.quizzes.parse import parse_question, parse_quiz
from lms.quizzes.question_types import REGISTRY, Ordering, TextInput
from tests.unit.quizzes.question_sources import FRONT_MATTER, ORDERING, PATH

SAFE = (
    "## Prüfschritte bei § 3 Abs. 2 AGG\n\n"
    "<!-- data-lms-ordering -->\n"
    "[(1) (2) (3)]\n"
    "[ ( ) (X) ( ) ] Trifft die Regel Gruppen härter?\n"
    "- [ (X) ( ) ( ) ] Ist die Regel dem Anschein nach neutral?\n"
    "[   ( )   ( )   (X)   ]   Gibt es ein rechtmäßiges Ziel?\n"
    "***\nErst neutral, dann Wirkung, dann Rechtfertigung.\n***\n"
)
REPO = Path(__file__).resolve().parents[3]


def _problems(source: str) -> list[str]:
    with pytest.raises(ContentInvalid) as error:
        parse_question(source, "x.md")
    return [f"{p.line}: {p.message}" for p in error.value.problems]


def _line(source: str, text: str) -> int:
    return next(number for number, line in enumerate(source.split("\n"), 1) if text in line)


def test_the_matrix_form_is_the_same_ordering_as_the_numbered_form() -> None:
    safe, numbered = parse_question(SAFE, "x.md"), parse_question(ORDERING, "x.md")
    assert safe.type == "ordering"
    assert Ordering.correct_response(safe.definition) == ("b", "a", "c")
    # The very same definition (no trace of the marker), so grading, statistics, review and the API are unchanged.
    assert safe.definition == numbered.definition
    assert (safe.title, safe.stem_html, safe.explanation_html) == (
        numbered.title,
        numbered.stem_html,
        numbered.explanation_html,
    )


def test_a_matrix_without_the_marker_stays_a_matrix() -> None:
    plain = parse_question(SAFE.replace("<!-- data-lms-ordering -->\n", ""), "x.md")
    assert plain.type == "matrix"
    assert [row["correct"] for row in plain.definition["rows"]] == [["b"], ["a"], ["c"]]
    randomized = parse_question(SAFE.replace("data-lms-ordering", "data-randomize"), "x.md")
    assert randomized.type == "matrix" and randomized.definition["settings"] == {"randomize": True}


def test_the_marker_joins_other_settings_in_one_comment() -> None:
    question = parse_question(
        SAFE.replace("data-lms-ordering", "data-lms-ordering data-max-trials=2"), "x.md"
    )
    assert question.type == "ordering" and question.definition["settings"] == {"max_trials": 2}


@pytest.mark.parametrize(
    ("change", "line_text", "message"),
    [
        (
            ("[(1) (2) (3)]", "[(1) (3) (2)]"),
            "[(1) (3) (2)]",
            "beginnt mit der Kopfzeile „[(1) (2) (3)]“",
        ),
        (
            ("[(1) (2) (3)]", "[(erst) (dann) (zuletzt)]"),
            "[(erst)",
            "beginnt mit der Kopfzeile „[(1) (2) (3)]“",
        ),
        (
            ("- [ (X) ( ) ( ) ]", "- [ (X) (X) ( ) ]"),
            "(X) (X)",
            "Jeder Schritt braucht genau ein „(X)“ in der Spalte seiner Position",
        ),
        (
            ("- [ (X) ( ) ( ) ]", "- [ ( ) ( ) ( ) ]"),
            "[ ( ) ( ) ( ) ]",
            "Jeder Schritt braucht genau ein „(X)“ in der Spalte seiner Position",
        ),
        (
            ("- [ (X) ( ) ( ) ]", "- [ [X] [ ] [ ] ]"),
            "[X] [ ] [ ]",
            "Jeder Schritt braucht genau ein „(X)“ in der Spalte seiner Position",
        ),
        (
            ("- [ (X) ( ) ( ) ]", "- [ (X) ( ) ( ) ( ) ]"),
            "(X) ( ) ( ) ( )",
            "Die Zeile hat 4 Felder, die Kopfzeile 3 Spalten.",
        ),
        (
            ("[(1) (2) (3)]", "[(1) (2) (3) (4)]"),
            "[(1) (2) (3) (4)]",
            "Die Kopfzeile hat 4 Spalten, die Reihenfolge 3 Schritte; je Schritt eine Spalte.",
        ),
    ],
)
def test_a_broken_ordering_matrix_is_refused_with_its_line(
    change: tuple[str, str], line_text: str, message: str
) -> None:
    source = SAFE.replace(*change)
    problems = _problems(source)
    assert any(p.startswith(f"{_line(source, line_text)}: ") and message in p for p in problems), problems


def test_too_few_steps_are_refused_as_for_the_numbered_form() -> None:
    two = "## Zwei\n\n<!-- data-lms-ordering -->\n[(1) (2)]\n[ ( ) (X) ] b\n[ (X) ( ) ] a\n"
    assert _problems(two) == ["4: Eine Reihenfolge braucht mindestens 3 Schritte; gefunden: 2."]


def test_the_marker_on_another_question_type_is_refused() -> None:
    source = "## Wer ist geschützt?\n\n<!-- data-lms-ordering -->\n[( )] Niemand\n[(X)] Alle Menschen\n"
    assert _problems(source) == [
        "1: „data-lms-ordering“ gilt nur für eine Reihenfolge als Matrix: Kopfzeile „[(1) (2) (3)]“, darunter je "
        "Schritt „[ ( ) (X) ( ) ] Schritt“ mit „(X)“ an seiner Position."
    ]


def _course(quiz: str) -> str:
    doc = parse_quiz(quiz, PATH)
    return liascript_course(
        title="Grundbegriffe",
        summary="Kurz.",
        version="1.0",
        module_source="---\nslug: grundbegriffe\n---\n\n## Text\n\nText.\n",
        quiz_source=quiz,
        question_types=[q.type for q in doc.questions],
    )


@pytest.mark.parametrize("question", [ORDERING, SAFE], ids=["numbered", "matrix"])
def test_export_and_read_back_keep_the_ordering(question: str) -> None:
    quiz = FRONT_MATTER + question
    course = _course(quiz)
    assert course.count("<!-- data-lms-ordering -->\n[(1) (2) (3)]\n") == 1
    assert "[[1]]" not in course
    back = parse_quiz(platform_quiz_source(course), PATH).questions[0]
    assert back.type == "ordering"
    assert back.definition == parse_quiz(quiz, PATH).questions[0].definition


def test_export_adds_the_marker_to_a_settings_comment_already_there() -> None:
    quiz = FRONT_MATTER + ORDERING.replace("[[2]] Trifft", "<!-- data-max-trials=2 -->\n[[2]] Trifft")
    course = _course(quiz)
    assert "<!-- data-max-trials=2 data-lms-ordering -->\n[(1) (2) (3)]\n" in course
    back = parse_quiz(platform_quiz_source(course), PATH).questions[0]
    assert back.definition == parse_quiz(quiz, PATH).questions[0].definition
    assert back.definition["settings"] == {"max_trials": 2}


#: Forms LiaScript reads as a survey (showing the explanation first): "[[2]] Schritt", "[[a | b]]" without "(…)".
_UNSAFE = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?\[\[(?:[ \t]*\d+[ \t]*\]\][ \t]*\S|[^\[\]()]*\|[^\[\]()]*\]\])", re.M
)


@pytest.mark.parametrize("path", sorted((REPO / "quizzes").glob("*.md")), ids=lambda p: p.name)
def test_shipped_quizzes_use_only_forms_liascript_shows_without_the_answer(path: Path) -> None:
    assert _UNSAFE.search(path.read_text(encoding="utf-8")) is None


def test_the_editor_snippets_and_help_examples_write_the_safe_forms() -> None:
    assert "<!-- data-lms-ordering -->" in Ordering.example
    assert parse_question(Ordering.example, "beispiel.md").type == "ordering"
    text = parse_question(TextInput.example, "beispiel.md")
    assert text.definition["accepted"] == ["Allgemeines Gleichbehandlungsgesetz", "AGG"]
    for question_type in REGISTRY.values():  # the editor's toolbar inserts these examples
        assert _UNSAFE.search(question_type.example) is None, question_type.name
        assert parse_quiz(FRONT_MATTER + question_type.example, PATH).warnings == (), question_type.name


def test_the_unsafe_pattern_finds_the_old_forms() -> None:
    assert _UNSAFE.search(ORDERING) and _UNSAFE.search("[[AGG | Allgemeines Gleichbehandlungsgesetz]]")
    assert not _UNSAFE.search(SAFE) and not _UNSAFE.search("[[ zwei Wochen | (zwei Monate) ]]")


def test_the_numbered_form_still_works_but_the_check_warns_with_its_line() -> None:
    doc = parse_quiz(FRONT_MATTER + ORDERING, PATH)
    assert doc.questions[0].type == "ordering"  # accepted: existing files keep working
    [warning] = doc.warnings
    assert warning.line == _line(FRONT_MATTER + ORDERING, "[[2]] Trifft")
    assert warning.message.startswith("Hinweis: LiaScript liest „[[1]] Schritt“ als Umfrage")
    assert "<!-- data-lms-ordering -->" in warning.message
    assert parse_quiz(FRONT_MATTER + SAFE, PATH).warnings == ()


def test_text_variants_in_the_brackets_warn_and_the_comment_form_does_not() -> None:
    old = FRONT_MATTER + "## Welches Gesetz?\n\n[[AGG | Allgemeines Gleichbehandlungsgesetz]]\n"
    [warning] = parse_quiz(old, PATH).warnings
    assert warning.line == _line(old, "[[AGG |")
    assert '„[[AGG]]“ und darüber „<!-- data-lms-variants="Allgemeines Gleichbehandlungsgesetz" -->“' in (
        warning.message
    )
    safe = FRONT_MATTER + (
        '## Welches Gesetz?\n\n<!-- data-lms-variants="Allgemeines Gleichbehandlungsgesetz" -->\n[[AGG]]\n'
    )
    assert parse_quiz(safe, PATH).warnings == ()
    assert parse_quiz(safe, PATH).questions[0].definition == parse_quiz(old, PATH).questions[0].definition
    # A selection "[[a | (b)]]" is LiaScript's own quiz: no warning.
    selection = FRONT_MATTER + "## Frist\n\nDie Frist beträgt [[ zwei Wochen | (zwei Monate) ]].\n"
    assert parse_quiz(selection, PATH).warnings == ()
