"""Every quiz form of LiaScript's documentation (LiaScript/docs README.md, chapter „Quizzes“), in our own words.

Each case names the documentation section whose syntax it follows; the question texts are ours. A case checks that
the platform accepts the form and gives it LiaScript's meaning: the question type and the correct answers.
Forms the platform refuses on purpose (scripts, generic quizzes) are checked for a clear message with the line.
"""

from __future__ import annotations

from typing import Any

import pytest

from lms.markdown.problems import ContentInvalid
from lms.quizzes.parse import parse_question
from lms.quizzes.question_types import get_type

# (documentation section, question source, type, correct response, extra definition entries)
ACCEPTED: list[tuple[str, str, str, Any, dict[str, Any]]] = [
    (
        "Quiz Types › 1. Multiple-Choice (starting dashes, lowercase x)",
        "## Welche Gründe nennt § 1 AGG?\n\n- [[ ]] Staatsangehörigkeit\n- [[X]] Alter\n- [[x]] Religion\n"
        "- [[ ]] **Wohnort**\n",
        "multiple_choice",
        ("b", "c"),
        {},
    ),
    (
        "Quiz Types › 1. Multiple-Choice (without dashes)",
        "## Welche Gründe nennt § 1 AGG?\n\n[[ ]] Staatsangehörigkeit\n[[X]] Alter\n[[x]] Religion\n",
        "multiple_choice",
        ("b", "c"),
        {},
    ),
    (
        "Quiz Types › 1. Multiple-Choice (indented by 4 spaces)",
        "## Welche Gründe nennt § 1 AGG?\n\nFrage als Absatz.\n\n    [[ ]] Staatsangehörigkeit\n    [[X]] Alter\n"
        "    [[x]] Religion\n",
        "multiple_choice",
        ("b", "c"),
        {},
    ),
    (
        "Quiz Types › 2. Single-Choice (starting dashes)",
        "## Wen bindet Art. 3 GG?\n\n- [( )] Nur Private\n- [(X)] **Alle staatliche Gewalt**\n"
        "- [( )] ~~Niemanden~~\n",
        "single_choice",
        ("b",),
        {},
    ),
    (
        "Quiz Types › 2. Single-Choice (several correct options, indented)",
        "## Wie schreibt man die Abkürzung?\n\n    [(X)] AGG\n    [( )] AGB\n    [(x)] A.G.G.\n",
        "single_choice",
        ("a", "c"),
        {},
    ),
    (
        "Quiz Types › 2. Single-Choice › How to create a true/false quiz?",
        "## Gibt es eine einfachere Art?\n\n    [( )] Yes\n    [(X)] No\n",
        "true_false",
        ("b",),
        {},
    ),
    (
        "Quiz Types › 3. Matrix-Quiz (starting dashes)",
        "## Welches Genus?\n\n- [[männlich (der)] (weiblich [die]) [sächlich (das)]]\n"
        "- [    [X]           [ ]             [ ]     ]  Antrag\n"
        "- [    ( )           (X)             ( )     ]  Behörde\n",
        "matrix",
        ("a:a", "b:b"),
        {},
    ),
    (
        "Quiz Types › 3. Matrix-Quiz (indented, rows with several marks)",
        "## Welches Genus?\n\n"
        "    [[männlich (der)]   (weiblich [die])   [sächlich (das)]]\n"
        "    [    [X]           [ ]             [ ]     ]  Bescheid\n"
        "    [    ( )           ( )             (X)     ]  Amt\n"
        "    [    [X]           [X]             [ ]     ]  Paprika\n"
        "    [    (X)           (X)             (X)     ]  Joghurt\n",
        "matrix",
        ("a:a", "b:c", "c:a", "c:b", "d:a", "d:b", "d:c"),
        {},
    ),
    (
        "Quiz Types › 4. Text-Quiz (indented)",
        "## Welches Gesetz gilt seit 2006?\n\n    [[AGG]]\n",
        "text_input",
        "AGG",
        {},
    ),
    (
        "Quiz Types › 5. Selection-Quiz (one line)",
        "## Welche Frist gilt?\n\n[[ zwei Wochen | ( zwei Monate ) | ein Jahr ]]\n",
        "gap_text",
        ("g1:b",),
        {},
    ),
    (
        "Quiz Types › 5. Selection-Quiz (over several lines, two correct options)",
        "## Welche Frist gilt?\n\n    [[  zwei Wochen\n    | ( zwei Monate )\n    |   ein Jahr\n"
        "    | ( **acht Wochen** )\n    ]]\n",
        "gap_text",
        ("g1:b", "g1:d"),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme (text gaps in a sentence)",
        "## Ergänzen Sie.\n\nDas [[ AGG ]] gilt seit [[ 2006 ]] in Deutschland.\n",
        "gap_text",
        ("g1:AGG", "g2:2006"),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme (selection in a sentence)",
        "## Ergänzen Sie.\n\nDie Frist beträgt\n__zwei [[ (Monate) | Wochen | Jahre ]]__ ab Kenntnis.\n",
        "gap_text",
        ("g1:a",),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme (styled text gaps over several lines)",
        "## Ergänzen Sie die Zeitformen.\n\n__Ich (lernen) [[  lerne seit Jahren  ]] Deutsch.__\n"
        "Letztes Jahr (nicht / arbeiten) [[ arbeitete nicht ]] genug,\ndeshalb (sein) _[[ waren ]]_ die Noten "
        "schlecht.\n",
        "gap_text",
        ("g1:lerne seit Jahren", "g2:arbeitete nicht", "g3:waren"),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme (text gap and styled selection)",
        "## Ergänzen Sie.\n\nDas [[ AGG ]] gilt seit 2006 für Beschäftigte\nund __für [[ (Bewerbende) | Kundschaft ]]__!\n",
        "gap_text",
        ("g1:AGG", "g2:a"),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme › More!!! › Base Math",
        "## Rechnen Sie.\n\n[[ 2 ]] + [[ 5 ]] = [[ 7 ]]\n",
        "gap_text",
        ("g1:2", "g2:5", "g3:7"),
        {},
    ),
    (
        "Quiz Types › 6. Gap-Text Extreme › More!!! › Who said this?",
        "## Wer sagte das?\n\n> „Die Würde des Menschen ist unantastbar.“\n>\n"
        "> -- Art. 1 [[ BGB | (GG) | AGG ]]\n",
        "gap_text",
        ("g1:b",),
        {},
    ),
    (
        "Tweaks › Hints (indented)",
        "## Was ist 37 + 15?\n\n    [[52]]\n    [[?]] mehr als 50\n    [[?]] weniger als 55\n",
        "text_input",
        "52",
        {"hints": ["mehr als 50", "weniger als 55"]},
    ),
    (
        "Tweaks › Hints (starting dashes)",
        "## Was ist 37 + 15?\n\n[[52]]\n- [[?]] mehr als 50\n- [[?]] gerade Zahl\n",
        "text_input",
        "52",
        {"hints": ["mehr als 50", "gerade Zahl"]},
    ),
    (
        "Tweaks › Solution",
        "## Was ist 37 + 15?\n\n[[52]]\n[[?]] mehr als 50\n*************\n\n52 ist richtig.\n\n*************\n",
        "text_input",
        "52",
        {"hints": ["mehr als 50"]},
    ),
    (
        "Tweaks › Randomization",
        "## Sind die Antworten geordnet?\n\n<!-- data-randomize -->\n- [(X)] ja\n- [( )] nein\n- [(X)] vielleicht\n",
        "single_choice",
        ("a", "c"),
        {"settings": {"randomize": True}},
    ),
    (
        "Tweaks › Further Settings › Maximum Trials",
        '## Was geschieht nach drei Fehlversuchen?\n\n<!-- data-max-trials="3"-->\n[( )] Nichts\n[(X)] Gelöst\n',
        "single_choice",
        ("b",),
        {"settings": {"max_trials": 3}},
    ),
    (
        "Tweaks › Further Settings › Hide and reveal the solve button (off)",
        '## Lässt sich die Lösung zeigen?\n\n<!-- data-solution-button="off" -->\n[( )] Ja\n[(X)] Nein\n',
        "true_false",
        ("b",),
        {"settings": {"solution_button": False}},
    ),
    (
        "Tweaks › Further Settings › Hide and reveal the solve button (after trials)",
        '## Wie viele Versuche?\n\n<!-- data-solution-button="3" -->\n[[3]]\n',
        "text_input",
        "3",
        {"settings": {"solution_button": True}},
    ),
    (
        "Tweaks › Further Settings › Combinations",
        '## Nur zwei Versuche\n\n<!--\n  data-max-trials="2"\n  data-solution-button="off"\n  data-randomize\n-->\n'
        "[( )] Falsch gedacht\n[(X)] Richtig gedacht\n",
        "single_choice",
        ("b",),
        {"settings": {"max_trials": 2, "solution_button": False, "randomize": True}},
    ),
    (
        "Quiz Types › Notes about Questions (question as a paragraph, quiz indented)",
        "## Frage\n\nStellen Sie die Frage als Absatz,\ngefolgt von was?\n\n    [[Quiz]]\n",
        "text_input",
        "Quiz",
        {},
    ),
]

REFUSED = [
    (
        "Quiz Types › 0. Generic Quizzes",
        "## Zufall\n\n[[!]]\n<script>\n  Math.random() < 0.2\n</script>\n",
        3,
    ),
    (
        "Associated Scripts › Cleaning up",
        '## Fisch\n\n[[dam]]\n<script>\nlet input = "@input".trim()\ninput == "dam"\n</script>\n',
        4,
    ),
    (
        "Associated Scripts › Quiz @inputs (selection)",
        "## Auswahl\n\n[[A|B|C|(D)]]\n<script> alert(@input) </script>\n",
        4,
    ),
    (
        "Tweaks › Further Settings › Hide and reveal the hint button (not supported)",
        '## Hinweise\n\n<!-- data-hint-button="2" -->\n[[2]]\n[[?]] kleiner als 3\n',
        3,
    ),
]


@pytest.mark.parametrize(
    ("section", "source", "type_name", "correct", "extra"), ACCEPTED, ids=[c[0] for c in ACCEPTED]
)
def test_documented_form_is_accepted_with_liascripts_meaning(
    section: str, source: str, type_name: str, correct: Any, extra: dict[str, Any]
) -> None:
    question = parse_question(source, "liascript.md")
    assert question.type == type_name, section
    assert get_type(question.type).correct_response(question.definition) == correct
    for key, value in extra.items():
        assert question.definition[key] == value
    assert "data-" not in question.stem_html  # settings comments are read, never shown to learners


@pytest.mark.parametrize(("section", "source", "line"), REFUSED, ids=[c[0] for c in REFUSED])
def test_scripts_and_unsupported_settings_are_refused_clearly(section: str, source: str, line: int) -> None:
    with pytest.raises(ContentInvalid) as raised:
        parse_question(source, "liascript.md")
    (problem,) = raised.value.problems
    assert problem.line == line
    assert "Skript" in problem.message or "nicht unterstützt" in problem.message


def test_selection_grading_matches_liascript_any_marked_option_counts() -> None:
    question = parse_question(next(c[1] for c in ACCEPTED if "several lines" in c[0]), "liascript.md")
    grade = get_type(question.type).grade
    assert grade(question.definition, ("g1:b",)) == 1.0
    assert grade(question.definition, ("g1:d",)) == 1.0
    assert grade(question.definition, ("g1:a",)) == 0.0


def test_text_quiz_is_compared_leniently_here_where_liascript_compares_exactly() -> None:
    """Documented difference (docs/content-format.md): „agg.“ counts here, LiaScript wants exactly „AGG“."""
    question = parse_question(next(c[1] for c in ACCEPTED if "4. Text-Quiz" in c[0]), "liascript.md")
    assert get_type(question.type).grade(question.definition, " agg. ") == 1.0


def test_emphasis_around_a_gap_stays_one_element_in_the_sentence() -> None:
    question = parse_question(next(c[1] for c in ACCEPTED if "styled selection" in c[0]), "liascript.md")
    html = "".join(
        part["html"] if "html" in part else f"[{part['gap']}]" for part in question.definition["parts"]
    )
    assert html == "Das [g1] gilt seit 2006 für Beschäftigte und <strong>für [g2]</strong>!"


SURVEYS = [
    ("Surveys › Text-Inputs", "## Ihre Meinung\n\n[[____ ____ ____]]\n"),
    ("Surveys › Single Choice Vector", "## Wie oft?\n\n[(1)] selten\n[(2)] manchmal\n[(0)] nie\n"),
    ("Surveys › Multi Choice Vector", "## Welche Farben?\n\n[[rot]]   eher rot\n[[blau]]  oder blau\n"),
    (
        "Surveys › Single Choice Matrix",
        "## Ihre Einschätzung\n\n[(stimme zu)(unsicher)(lehne ab)]\n[                            ] Das Modul ist klar.\n",
    ),
    ("Surveys › Multi Choice Matrix", "## Bewertung\n\n[[1][2][3]]\n[         ] Frage eins\n"),
]


@pytest.mark.parametrize(("section", "source"), SURVEYS, ids=[c[0] for c in SURVEYS])
def test_liascript_surveys_are_refused_as_surveys(section: str, source: str) -> None:
    """Surveys have no right answer; a quiz question needs one. The message says what it is, on the first line."""
    with pytest.raises(ContentInvalid) as raised:
        parse_question(source, "liascript.md")
    (problem,) = raised.value.problems
    assert problem.line == 3
    assert problem.message.startswith("Das ist eine Umfrage in LiaScript-Schreibweise")


def test_hints_below_a_gap_sentence_are_hints_not_text() -> None:
    """Tweaks › Hints: „To any type of quiz you can add as many hints as you want“ – also to a gap text."""
    question = parse_question(
        "## Ergänzen Sie.\n\nDie Frist beträgt [[ zwei Wochen | (zwei Monate) ]].\n[[?]] § 15 Abs. 4 AGG\n",
        "x.md",
    )
    assert question.type == "gap_text"
    assert question.definition["hints"] == ["§ 15 Abs. 4 AGG"]
    assert all("?" not in part.get("html", "") for part in question.definition["parts"])
