"""The LiaScript course file, as a pure function of the texts (the CLI and the database: tests/integration)."""

from __future__ import annotations

from lms.authoring.liascript import liascript_course, platform_quiz_source
from lms.quizzes.parse import parse_quiz
from tests import factories as f


def test_a_header_value_cannot_end_the_header_comment_and_a_module_without_quiz_has_no_quiz_section() -> None:
    course = liascript_course(
        title="Titel --> mit Pfeil",
        summary="Zeile eins\nZeile zwei -->",
        version="1.0",
        module_source=f.module_source(),
        quiz_source=None,
        question_types=[],
    )
    header, _, rest = course.partition("-->\n")
    assert "title:    Titel –> mit Pfeil" in header and "comment:  Zeile eins Zeile zwei –>" in header
    assert (
        header.count("\n") == 6 and "## Quiz" not in rest and rest.lstrip().startswith("# Titel –> mit Pfeil")
    )


def test_the_shipped_quiz_survives_the_round_trip_with_its_meaning() -> None:
    source = f.quiz_source()
    doc = parse_quiz(source, "quizzes/testmodul.md")
    course = liascript_course(
        title="Testmodul",
        summary="Kurz.",
        version="1.0",
        module_source=f.module_source(),
        quiz_source=source,
        question_types=[q.type for q in doc.questions],
    )
    back = parse_quiz(platform_quiz_source(course), "quizzes/testmodul.md")
    assert [(q.type, q.title, q.definition) for q in back.questions] == [
        (q.type, q.title, q.definition) for q in doc.questions
    ]
    assert (back.pass_mark, back.max_attempts, back.shuffle) == (doc.pass_mark, doc.max_attempts, doc.shuffle)
