"""`lms content export --liascript SLUG`: one LiaScript course file that keeps the quiz's meaning and shows no
question as a LiaScript survey (surveys show their explanation, and so the answer, before anyone answers)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from click.testing import CliRunner, Result

from lms.authoring.liascript import platform_quiz_source
from lms.cli import main
from lms.quizzes.parse import parse_quiz
from lms.quizzes.question_types import get_type
from tests import factories as f

QUIZ = """---
module: testmodul
pass_mark: 70
max_attempts: 2
scoring: partial
review: {right_answer: never}
---

## Das AGG schützt auch Bewerbende.

[(X)] Wahr
[( )] Falsch
***
§ 6 Abs. 1 Satz 2 AGG.
***

## Welches Gesetz setzt die Antirassismusrichtlinie um?

[[AGG | Allgemeines Gleichbehandlungsgesetz]]
***
Das AGG von 2006.
***

## Prüfschritte bei mittelbarer Benachteiligung

[[2]] Trifft die Regel Gruppen härter?
[[1]] Ist die Regel dem Anschein nach neutral?
[[3]] Gibt es ein rechtmäßiges Ziel?
***
Erst neutral, dann Wirkung, dann Rechtfertigung.
***

## Welche Rechtsquelle regelt was?

[[Grundgesetz] [AGG]]
[  (X)  ( )  ]  Gleichheit vor dem Gesetz
[  [X]  [X]  ]  Schutz wegen der ethnischen Herkunft

## Ergänzen Sie.

Die Frist beträgt [[ zwei Wochen | (zwei Monate) ]] nach § [[ 15 ]] AGG.

## Welche Gründe nennt § 1 AGG?

<!-- data-randomize -->
- [[X]] Alter
- [[ ]] Wohnort
- [[?]] Sechs Gründe, der Wohnort ist keiner.
"""

#: LiaScript survey forms (docs, chapter „Surveys“): a question written like this would show its explanation first.
SURVEY = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\[\[(?![ Xx?]\]\])[^\[\]|]+\]\][ \t]+\S"  # [[red]] is it red  (multi choice vector)
    r"|\[\(\d+\)\]"  # [(1)] option  (single choice vector)
    r"|\[\[_+[ _]*\]\])",  # [[___ ___]]  (text survey)
    re.MULTILINE,
)


def _cli(*args: str, url: str) -> Result:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("LMS_")}
    env["LMS_DATABASE_URL"] = url
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def _meaning(source: str) -> list[tuple[str, object]]:
    doc = parse_quiz(source, "quizzes/testmodul.md")
    return [(q.type, get_type(q.type).correct_response(q.definition)) for q in doc.questions]


def test_liascript_export_is_one_course_with_header_text_and_quiz_of_the_same_meaning(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "modules" / "testmodul.md").write_text(f.module_source(), encoding="utf-8")
    (tmp_path / "quizzes" / "testmodul.md").write_text(QUIZ, encoding="utf-8")
    url = "sqlite:///" + str(tmp_path / "db.sqlite3")
    assert _cli("db", "upgrade", url=url).exit_code == 0
    imported = _cli("content", "import", str(tmp_path / "modules"), str(tmp_path / "quizzes"), url=url)
    assert imported.exit_code == 0, imported.stdout

    target = tmp_path / "testmodul.liascript.md"
    exported = _cli("content", "export", "--liascript", "testmodul", "--output", str(target), url=url)
    assert exported.exit_code == 0, exported.stdout
    course = target.read_text(encoding="utf-8")

    # The LiaScript header comment first (LiaScript reads it, shows none of it), then the course title.
    header, _, rest = course.partition("-->\n")
    assert header.startswith("<!--\n")
    assert "language: de" in header and "title:    Testmodul" in header
    assert rest.lstrip().startswith("# Testmodul\n")
    assert "---\nslug:" not in course  # no YAML front matter LiaScript would swallow
    # The module text and the quiz, its questions one level below "## Quiz".
    assert "\n## Quiz\n" in rest and "### Welche Rechtsquelle regelt was?" in rest
    # Ordering as a LiaScript matrix with one column per position; text variants silent in a comment.
    assert (
        "<!-- data-lms-ordering -->\n[(1) (2) (3)]\n[ ( ) (X) ( ) ] Trifft die Regel Gruppen härter?" in rest
    )
    assert '<!-- data-lms-variants="Allgemeines Gleichbehandlungsgesetz" -->\n[[AGG]]' in rest
    # No question is written as a LiaScript survey, so no explanation is shown before an answer.
    assert SURVEY.search(rest.split("\n## Quiz\n", 1)[1]) is None

    # Read back by this platform: same settings, same types and correct answers; the matrix under
    # "<!-- data-lms-ordering -->" is the same ordering again, with the very same definition.
    back = platform_quiz_source(course)
    doc = parse_quiz(back, "quizzes/testmodul.md")
    assert (doc.pass_mark, doc.max_attempts, doc.scoring, str(doc.review.right_answer)) == (
        70,
        2,
        "partial",
        "never",
    )
    original, again = _meaning(QUIZ), _meaning(back)
    assert again == original and again[2] == ("ordering", ("b", "a", "c"))
    before = parse_quiz(QUIZ, "quizzes/testmodul.md").questions[2].definition
    assert doc.questions[2].definition == before
    text = parse_quiz(back, "quizzes/testmodul.md").questions[1]
    assert text.definition["accepted"] == ["AGG", "Allgemeines Gleichbehandlungsgesetz"]
    assert doc.questions[5].definition["hints"] and doc.questions[5].definition["settings"] == {
        "randomize": True
    }


def test_unknown_module_is_a_clear_error(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "db.sqlite3")
    assert _cli("db", "upgrade", url=url).exit_code == 0
    result = CliRunner().invoke(
        main, ["content", "export", "--liascript", "gibtsnicht"], env={"LMS_DATABASE_URL": url}
    )
    assert result.exit_code == 1
    assert "Kein veröffentlichtes Modul „gibtsnicht“" in result.output


def test_content_check_hints_at_forms_liascript_shows_with_their_answer_but_passes(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "modules" / "testmodul.md").write_text(f.module_source(), encoding="utf-8")
    (tmp_path / "quizzes" / "testmodul.md").write_text(QUIZ, encoding="utf-8")
    result = _cli("content", "check", str(tmp_path / "modules"), str(tmp_path / "quizzes"), url="sqlite://")
    assert result.exit_code == 0, result.output
    quiz = str(tmp_path / "quizzes" / "testmodul.md")
    lines = QUIZ.split("\n")
    ordering = lines.index("[[2]] Trifft die Regel Gruppen härter?") + 1
    variants = lines.index("[[AGG | Allgemeines Gleichbehandlungsgesetz]]") + 1
    assert f"{quiz}:{ordering}: Hinweis: LiaScript liest „[[1]] Schritt“ als Umfrage" in result.output
    assert f"{quiz}:{variants}: Hinweis: LiaScript liest „[[a | b]]“ als Umfrage" in result.output
    assert "Keine Probleme gefunden (2 Hinweise)." in result.output
