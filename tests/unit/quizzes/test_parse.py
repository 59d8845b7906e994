"""Quiz files in LiaScript syntax, and the question-type registry behind them."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from lms.markdown.problems import ContentInvalid
from lms.quizzes.parse import parse_quiz
from lms.quizzes.question_types import (
    REGISTRY,
    MultipleChoice,
    Ordering,
    QuestionType,
    ResponseInvalid,
    SingleChoice,
    TextInput,
    TrueFalse,
    get_type,
    register,
    type_for_answer_lines,
)

PATH = "quizzes/grundbegriffe.md"

FRONT_MATTER = """\
---
module: grundbegriffe
pass_mark: 80
shuffle: true
max_attempts: 3
---
"""

SINGLE = """\
## Wer ist nach Art. 3 Abs. 3 GG geschützt?

Optionaler Fragetext in **Markdown**.

[( )] Nur deutsche Staatsangehörige
[(X)] Alle Menschen
[( )] Nur Beschäftigte des öffentlichen Dienstes
****************************************
Erklärung, die nach dem Absenden angezeigt wird.
****************************************
"""

MULTIPLE = """\
## Welche Gründe nennt § 1 AGG?

[[X]] Rasse oder ethnische Herkunft
[[ ]] Staatsangehörigkeit
[[x]] Religion oder Weltanschauung
***
Staatsangehörigkeit steht nicht in § 1 AGG.
***
"""


def quiz(*questions: str, front_matter: str = FRONT_MATTER, title: str = "# Quiz: Grundbegriffe\n\n") -> str:
    if not questions:
        questions = (SINGLE, MULTIPLE, SINGLE, MULTIPLE, SINGLE, MULTIPLE)
    return front_matter + title + "\n".join(questions)


def problems_of(source: str, path: str = PATH) -> list[str]:
    with pytest.raises(ContentInvalid) as raised:
        parse_quiz(source, path)
    return [str(p) for p in raised.value.problems]


def line_of(source: str, text: str, occurrence: int = 1) -> int:
    numbers = [number for number, line in enumerate(source.split("\n"), start=1) if text in line]
    return numbers[occurrence - 1]


def five_good_and(broken: str) -> str:
    return quiz(broken, SINGLE, MULTIPLE, SINGLE, MULTIPLE, SINGLE)


# --- a valid quiz -------------------------------------------------------------------------------


def test_valid_quiz():
    source = quiz()
    doc = parse_quiz(source, PATH)
    assert (doc.module_slug, doc.pass_mark, doc.shuffle, doc.max_attempts) == ("grundbegriffe", 80, True, 3)
    assert [q.key for q in doc.questions] == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert [q.type for q in doc.questions] == ["single_choice", "multiple_choice"] * 3
    assert doc.source == source
    assert doc.content_hash.startswith("sha256:")


def test_single_choice_question():
    source = quiz()
    question = parse_quiz(source, PATH).questions[0]
    assert question.title == "Wer ist nach Art. 3 Abs. 3 GG geschützt?"
    assert question.line == line_of(source, "## Wer ist")
    assert question.stem_html == "<p>Optionaler Fragetext in <strong>Markdown</strong>.</p>\n"
    assert question.explanation_html == "<p>Erklärung, die nach dem Absenden angezeigt wird.</p>\n"
    assert question.definition == {
        "options": [
            {"id": "a", "html": "Nur deutsche Staatsangehörige", "correct": False},
            {"id": "b", "html": "Alle Menschen", "correct": True},
            {"id": "c", "html": "Nur Beschäftigte des öffentlichen Dienstes", "correct": False},
        ]
    }


def test_multiple_choice_question_accepts_lowercase_x_and_has_no_stem():
    question = parse_quiz(quiz(), PATH).questions[1]
    assert question.stem_html == ""
    assert [o["correct"] for o in question.definition["options"]] == [True, False, True]


def test_level_one_title_before_the_first_question_is_ignored():
    assert len(parse_quiz(quiz(title=""), PATH).questions) == 6
    assert len(parse_quiz(quiz(title="# Titel\n\n# Noch einer\n\n"), PATH).questions) == 6


def test_option_text_is_inline_markdown_and_raw_html_stays_text():
    question = SINGLE.replace("[(X)] Alle Menschen", "[(X)] *Alle* <b>Menschen</b>")
    options = parse_quiz(five_good_and(question), PATH).questions[0].definition["options"]
    assert options[1]["html"] == "<em>Alle</em> &lt;b&gt;Menschen&lt;/b&gt;"


def test_crlf_and_bom_do_not_change_the_hash():
    source = quiz()
    assert (
        parse_quiz("\ufeff" + source.replace("\n", "\r\n"), PATH).content_hash
        == parse_quiz(source, PATH).content_hash
    )


# --- question problems --------------------------------------------------------------------------


def test_two_correct_answers_in_a_single_choice():
    """LiaScript docs, Quizzes › 2. Single-Choice: several „[(X)]“ are allowed; choosing any one of them is right."""
    source = five_good_and(SINGLE.replace("[( )] Nur deutsche", "[(X)] Nur deutsche"))
    question = next(q for q in parse_quiz(source, PATH).questions if "Nur deutsche" in str(q.definition))
    assert question.type == "single_choice"
    assert SingleChoice.correct_response(question.definition) == ("a", "b")
    assert SingleChoice.grade(question.definition, ("a",)) == 1.0
    assert SingleChoice.grade(question.definition, ("b",)) == 1.0
    assert SingleChoice.grade(question.definition, ("c",)) == 0.0


def test_no_correct_answer_in_a_single_choice():
    source = five_good_and(SINGLE.replace("[(X)] Alle", "[( )] Alle"))
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Nur deutsche')}: Einfachauswahl braucht mindestens "
        "eine richtige "
        "Antwort „[(X)]“; gefunden: 0."
    ]


def test_no_correct_answer_in_a_multiple_choice():
    source = five_good_and(MULTIPLE.replace("[[X]]", "[[ ]]").replace("[[x]]", "[[ ]]"))
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Rasse oder')}: Mehrfachauswahl braucht mindestens eine "
        "richtige Antwort „[[X]]“; gefunden: 0."
    ]


def test_a_single_answer_is_not_a_choice():
    question = "## Frage?\n\n[(X)] Einzige Antwort\n***\nWeil.\n***\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Einzige')}: Einfachauswahl braucht mindestens "
        "zwei Antworten; "
        "gefunden: 1."
    ]


def test_answer_without_text():
    source = five_good_and(SINGLE.replace("[( )] Nur Beschäftigte des öffentlichen Dienstes", "[( )]"))
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Alle Menschen') + 1}: Die Antwort hat keinen Text."
    ]


def test_missing_explanation_is_allowed_as_in_liascript():
    question = "## Frage?\n\n[( )] a\n[(X)] b\n"
    parsed = next(q for q in parse_quiz(five_good_and(question), PATH).questions if q.title == "Frage?")
    assert (parsed.type, parsed.explanation_html) == ("single_choice", "")


def test_explanation_replaced_by_plain_text():
    question = "## Frage?\n\n[( )] a\n[(X)] b\n\nWeil b stimmt.\n"
    source = five_good_and(question)
    assert problems_of(source)[0].startswith(
        f"quizzes/grundbegriffe.md:{line_of(source, 'Weil b')}: Nach den Antwortzeilen darf nur die Erklärung "
        "stehen"
    )


def test_text_between_answers_and_explanation():
    question = "## Frage?\n\n[( )] a\n[(X)] b\nNachgedanke\n***\nWeil.\n***\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Nachgedanke')}: Zwischen den Antwortzeilen und "
        "der Erklärung "
        "(„***“) darf kein Text stehen."
    ]


def test_missing_closing_asterisk_line():
    question = "## Frage?\n\n[( )] a\n[(X)] b\n*****\nWeil.\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '*****')}: Die Erklärung wird nicht mit einer Zeile aus "
        "Sternchen („***“) abgeschlossen."
    ]


def test_empty_explanation():
    source = five_good_and("## Frage?\n\n[( )] a\n[(X)] b\n***\n\n***\n")
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '***')}: Die Erklärung ist leer."
    ]


def test_mixed_markers():
    question = "## Frage?\n\n[( )] a\n[[X]] b\n***\nWeil.\n***\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '[( )] a')}: Eine Frage verwendet nur eine Art von "
        "Antwortzeilen; hier sind „Einfachauswahl“ und „Mehrfachauswahl“ gemischt."
    ]


def test_unknown_marker():
    question = "## Frage?\n\n[( )] a\n[(Y)] b\n***\nWeil.\n***\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '[(Y)] b')}: Unbekannte Antwortzeile „[(Y)] b“ "
        "– erlaubt sind: „[(X)] Wahr“ / „[( )] Falsch“ (auch Richtig/Falsch, Ja/Nein, True/False, Yes/No); "
        "„[( )] Antwort“ / „[(X)] richtige Antwort“; „[[ ]] Antwort“ / „[[X]] richtige Antwort“; "
        "„[[Antwort]]“ / „[[Antwort | andere Schreibweise]]“; „[[1]] erster Schritt“ / „[[2]] zweiter Schritt“; "
        "„[[Spalte A] (Spalte B)]“, darunter Zeilen „[ ( ) (X) ] Aussage“ oder „[ [X] [ ] ] Aussage“; "
        "„Text [[ Option | (richtige Option) | Option ]] Text“."
    ]


def test_answer_lines_must_stand_together():
    question = "## Frage?\n\n[( )] a\n\n[(X)] b\n***\nWeil.\n***\n"
    source = five_good_and(question)
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '[(X)] b')}: Antwortzeilen einer Frage müssen direkt "
        "untereinander stehen (ohne Leerzeilen oder Text)."
    ]


def test_question_without_answer_lines():
    source = five_good_and("## Nur eine Überschrift\n\nUnd Text.\n")
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '## Nur eine')}: Frage „Nur eine Überschrift“ hat keine "
        "Antwortzeilen, z. B. „[( )] Antwort“ und „[(X)] richtige Antwort“."
    ]


def test_text_after_the_explanation():
    source = five_good_and(SINGLE + "\nNoch ein Absatz.\n")
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Noch ein Absatz')}: Text nach der Erklärung "
        "gehört zu keiner "
        "Frage; eine neue Frage beginnt mit „## “."
    ]


def test_text_before_the_first_question():
    source = quiz(title="# Quiz\n\nEinleitung, die niemand sieht.\n\n")
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Einleitung')}: Text vor der ersten Frage "
        "gehört zu keiner "
        "Frage; jede Frage beginnt mit „## “."
    ]


def test_unsafe_link_in_an_explanation_is_reported_on_its_line():
    source = five_good_and(
        SINGLE.replace("Erklärung, die", "Siehe [hier](javascript:alert(1)). Erklärung, die")
    )
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, 'Siehe [hier]')}: Link-Ziel "
        "„javascript:alert(1)“ ist nicht "
        "erlaubt (nur https, http, mailto oder Seiten der Plattform)."
    ]


def test_facilitator_notes_would_leak_to_learners():
    source = five_good_and(SINGLE.replace("Erklärung, die", "::: moderation\nPsst.\n:::\nErklärung, die"))
    assert problems_of(source) == [
        f"quizzes/grundbegriffe.md:{line_of(source, '::: moderation')}: „::: moderation“ gibt es nur in "
        "Drehbüchern (kind: workshop); Lernende würden den Hinweis sehen."
    ]


def test_callouts_in_explanations():
    source = five_good_and(SINGLE.replace("Erklärung, die", "::: merke\nMerksatz.\n:::\nErklärung, die"))
    html = parse_quiz(source, PATH).questions[0].explanation_html
    assert html.startswith('<aside class="callout callout-merke" aria-label="Merke">')


def test_several_broken_questions_are_all_reported():
    source = quiz(
        SINGLE.replace("[(X)] Alle", "[( )] Alle"),
        "## Ohne Erklärung, mit Nachsatz\n\n[( )] a\n[(X)] b\n\nNachsatz\n",
        MULTIPLE,
        SINGLE,
        MULTIPLE,
        SINGLE,
    )
    assert len(problems_of(source)) == 2


# --- quiz-level problems ----------------------------------------------------------------------------


def test_a_quiz_may_have_two_questions_and_only_module_and_pass_mark():
    source = quiz(SINGLE, MULTIPLE, front_matter="---\nmodule: grundbegriffe\npass_mark: 50\n---\n")
    doc = parse_quiz(source, PATH)
    assert len(doc.questions) == 2
    assert (doc.shuffle, doc.max_attempts) == (False, 0)  # the documented defaults: file order, unlimited


def test_no_questions():
    assert problems_of(quiz("")) == [
        "quizzes/grundbegriffe.md:1: Das Quiz enthält keine Fragen; jede Frage beginnt mit „## “."
    ]


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("pass_mark: 80", "pass_mark: 0", "3: „pass_mark“ muss eine ganze Zahl von 1 bis 100 sein."),
        ("pass_mark: 80", "pass_mark: 80%", "3: „pass_mark“ muss eine ganze Zahl von 1 bis 100 sein."),
        ("shuffle: true", "shuffle: ja", "4: „shuffle“ muss true oder false sein."),
        (
            "max_attempts: 3",
            "max_attempts: -1",
            "5: „max_attempts“ muss eine ganze Zahl von 0 bis 100 sein (0 = unbegrenzt).",
        ),
        (  # beyond any database integer: the import stopped with an OverflowError
            "max_attempts: 3",
            "max_attempts: 99999999999999999999",
            "5: „max_attempts“ muss eine ganze Zahl von 0 bis 100 sein (0 = unbegrenzt).",
        ),
        (
            "max_attempts: 3",
            "max_attempts: 101",
            "5: „max_attempts“ muss eine ganze Zahl von 0 bis 100 sein (0 = unbegrenzt).",
        ),
        ("pass_mark: 80\n", "", "1: Pflichtfeld „pass_mark“ fehlt."),
        ("shuffle: true", "shufle: true", "4: Unbekanntes Feld „shufle“ (meinten Sie „shuffle“?)."),
    ],
)
def test_front_matter_problems(replace, by, message):
    source = quiz(front_matter=FRONT_MATTER.replace(replace, by))
    assert problems_of(source)[0] == f"quizzes/grundbegriffe.md:{message}"


def test_unknown_front_matter_field():
    source = quiz(front_matter=FRONT_MATTER.replace("shuffle: true", "shuffle: true\ntitle: Quiz"))
    assert problems_of(source) == ["quizzes/grundbegriffe.md:5: Unbekanntes Feld „title“."]


def test_max_attempts_zero_means_unlimited():
    source = quiz(front_matter=FRONT_MATTER.replace("max_attempts: 3", "max_attempts: 0"))
    assert parse_quiz(source, PATH).max_attempts == 0


def test_file_must_be_named_after_its_module():
    assert problems_of(quiz(), "quizzes/quiz1.md") == [
        "quizzes/quiz1.md:2: Die Quizdatei muss wie ihr Modul heißen: „grundbegriffe.md“, nicht „quiz1.md“."
    ]


# --- question types -----------------------------------------------------------------------------


def test_registry_and_claims():
    assert REGISTRY["single_choice"] is SingleChoice
    assert REGISTRY["multiple_choice"] is MultipleChoice
    assert get_type("single_choice").label == "Einfachauswahl"
    assert type_for_answer_lines(["[( )] a", "[(X)] b"]) is SingleChoice
    assert type_for_answer_lines(["[[ ]] a", "[[X]] b"]) is MultipleChoice
    assert type_for_answer_lines(["[( )] a", "[[X]] b"]) is None
    assert type_for_answer_lines(["[[Berlin]]"]) is TextInput  # not a multiple choice
    assert type_for_answer_lines(["[[X]]"]) is MultipleChoice  # "[[X]]" stays a multiple-choice marker
    assert type_for_answer_lines(["[(X)] Wahr", "[( )] Falsch"]) is TrueFalse
    assert type_for_answer_lines(["[[2]] b", "[[1]] a", "[[3]] c"]) is Ordering
    assert type_for_answer_lines([]) is None
    assert list(REGISTRY) == [
        "true_false",
        "single_choice",
        "multiple_choice",
        "text_input",
        "ordering",
        "matrix",
        "gap_text",
    ]


def test_public_definition_hides_the_solution():
    definition = parse_quiz(quiz(), PATH).questions[0].definition
    public = SingleChoice.public(definition)
    assert public == {
        "options": [
            {"id": "a", "html": "Nur deutsche Staatsangehörige"},
            {"id": "b", "html": "Alle Menschen"},
            {"id": "c", "html": "Nur Beschäftigte des öffentlichen Dienstes"},
        ]
    }
    assert "correct" not in repr(public)


def test_normalise_response():
    definition = parse_quiz(quiz(), PATH).questions[1].definition
    assert MultipleChoice.normalise_response(definition, ["c", "a", "a"]) == ("a", "c")
    assert MultipleChoice.normalise_response(definition, "b") == ("b",)
    assert MultipleChoice.normalise_response(definition, None) == ()
    assert MultipleChoice.normalise_response(definition, []) == ()
    with pytest.raises(ResponseInvalid, match="Unbekannte Antwort „z“"):
        MultipleChoice.normalise_response(definition, ["a", "z"])
    with pytest.raises(ResponseInvalid):
        MultipleChoice.normalise_response(definition, {"a": 1})
    with pytest.raises(ResponseInvalid, match="nur eine Antwort"):
        SingleChoice.normalise_response(definition, ["a", "b"])


def test_validate_reports_duplicate_ids():
    definition = {
        "options": [{"id": "a", "html": "x", "correct": True}, {"id": "a", "html": "y", "correct": False}]
    }
    assert SingleChoice.validate(definition) == ["Antwort-Kennungen sind doppelt vergeben."]


@pytest.fixture
def true_false_type():
    """A throwaway extra type, registered for one test and removed again."""

    @register
    class TrueFalse(QuestionType):
        name = "true_false_test"
        label = "Richtig oder falsch"
        syntax = "„[richtig]“ / „[falsch]“"
        answers: ClassVar[dict[str, bool]] = {"[richtig]": True, "[falsch]": False}

        @classmethod
        def claims_line(cls, line: str) -> bool:
            return line.strip() in cls.answers

        @classmethod
        def claims(cls, answer_lines: list[str]) -> bool:
            return len(answer_lines) == 1 and cls.claims_line(answer_lines[0])

        @classmethod
        def parse(cls, answer_lines, path):
            return {"answer": cls.answers[answer_lines[0][1].strip()]}, []

        @classmethod
        def validate(cls, definition: dict[str, Any]) -> list[str]:
            return []

        @classmethod
        def public(cls, definition):
            return {}

        @classmethod
        def normalise_response(cls, definition, raw):
            return raw == "true"

        @classmethod
        def grade(cls, definition, response):
            return float(response == definition["answer"])

        @classmethod
        def correct_response(cls, definition):
            return definition["answer"]

    yield TrueFalse
    del REGISTRY[TrueFalse.name]


def test_a_new_type_is_one_registered_class(true_false_type, monkeypatch):
    # Teach the generic parser a new answer-line prefix the way a real new type would.
    monkeypatch.setattr("lms.quizzes.parse.ANSWER_PREFIXES", ("[(", "[[", "[richtig]", "[falsch]"))
    question = "## Ist das so?\n\n[richtig]\n***\nJa.\n***\n"
    doc = parse_quiz(five_good_and(question), PATH)
    assert doc.questions[0].type == "true_false_test"
    assert doc.questions[0].definition == {"answer": True}


@pytest.mark.parametrize("written", ["0", "101", "99999999999999999999", "9" * 5000])
def test_max_trials_beyond_a_hundred_is_a_problem_on_its_line(written: str) -> None:
    """Thousands of digits made Python refuse the number with a traceback; now every such value is a problem."""
    comment = f'<!-- data-max-trials="{written}" -->'
    source = quiz(SINGLE.replace("[( )] Nur deutsche", f"{comment}\n[( )] Nur deutsche"))
    assert problems_of(source) == [
        f"{PATH}:{line_of(source, comment)}: „data-max-trials“ muss eine ganze Zahl von 1 bis 100 sein."
    ]


def test_max_trials_up_to_a_hundred_is_kept() -> None:
    source = quiz(SINGLE.replace("[( )] Nur deutsche", '<!-- data-max-trials="100" -->\n[( )] Nur deutsche'))
    assert parse_quiz(source, PATH).questions[0].definition["settings"] == {"max_trials": 100}
