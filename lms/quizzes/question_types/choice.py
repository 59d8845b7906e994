"""Choice questions in LiaScript syntax: single choice ``[( )]``, multiple choice ``[[ ]]``, and true/false."""

from __future__ import annotations

import random
import re
from fractions import Fraction
from typing import Any, ClassVar

from lms.markdown.problems import Problem
from lms.markdown.render import render_inline
from lms.quizzes.question_types.base import QuestionType, ResponseInvalid, letter_id, text_list
from lms.text import N_

_SINGLE_MARKER = re.compile(r"\[\((?P<mark>[ Xx])\)\](?P<text>.*)")
_MULTIPLE_MARKER = re.compile(r"\[\[(?P<mark>[ Xx])\]\](?P<text>.*)")


class ChoiceType(QuestionType):
    """Shared logic for choice questions: one option per line, marked correct with X."""

    marker: ClassVar[re.Pattern[str]]  # group "mark": " " or "X"; group "text": the option
    correct_marker: ClassVar[str]
    multiple: ClassVar[bool]
    arranged = "options"

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """Lines like ``[( )] text`` / ``[(X)] text`` (or the ``[[ ]]`` variant)."""
        return cls.marker.match(line) is not None

    @classmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """Options get ids a, b, c … in file order; their text is rendered as inline Markdown."""
        options: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for line_number, line in answer_lines:
            match = cls.marker.match(line)
            if match is None:
                problems.append(Problem(path, line_number, f"Keine Antwortzeile der Form {cls.syntax}."))
                continue
            text = match["text"].strip()
            if not text:
                problems.append(Problem(path, line_number, N_("Die Antwort hat keinen Text.")))
            options.append(
                {"id": letter_id(len(options)), "html": render_inline(text), "correct": match["mark"] != " "}
            )
        return {"options": options}, problems

    @classmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """At least two options, unique ids; exactly one (single) or at least one (multiple) correct."""
        options = definition.get("options", [])
        messages = []
        if len(options) < 2:
            messages.append(f"{cls.label} braucht mindestens zwei Antworten; gefunden: {len(options)}.")
        ids = [option.get("id") for option in options]
        if len(set(ids)) != len(ids):
            messages.append(N_("Antwort-Kennungen sind doppelt vergeben."))
        correct = sum(1 for option in options if option.get("correct"))
        mark = cls.correct_marker
        if not cls.multiple and cls.name == "true_false" and correct != 1:
            messages.append(f"{cls.label} braucht genau eine richtige Antwort „{mark}“; gefunden: {correct}.")
        if correct < 1:
            messages.append(f"{cls.label} braucht mindestens eine richtige Antwort „{mark}“; gefunden: 0.")
        return messages

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Options with id and html only."""
        return {"options": [{"id": o["id"], "html": o["html"]} for o in definition["options"]]}

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> tuple[str, ...]:
        """Chosen ids in option order, duplicates removed; () means unanswered."""
        chosen = {item for item in text_list(raw) if item != ""}
        known = [option["id"] for option in definition["options"]]
        unknown = sorted(chosen - set(known))
        if unknown:
            raise ResponseInvalid("response.unknown_option", option=unknown[0])
        if not cls.multiple and len(chosen) > 1:
            raise ResponseInvalid("response.single_choice")
        return tuple(option_id for option_id in known if option_id in chosen)

    @classmethod
    def grade(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """All or nothing, as in LiaScript: exactly the correct options chosen; for a single choice with several
        correct options (LiaScript allows them) any one of them."""
        correct = set(cls.correct_response(definition))
        if not cls.multiple:
            return 1.0 if len(response) == 1 and response[0] in correct else 0.0
        return 1.0 if set(response) == correct else 0.0

    @classmethod
    def correct_response(cls, definition: dict[str, Any]) -> tuple[str, ...]:
        """The ids of the correct options, in option order."""
        return tuple(option["id"] for option in definition["options"] if option["correct"])

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """Each chosen option id."""
        return [str(option_id) for option_id in response or ()]

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """The option's HTML, as the learner saw it (already sanitised at publish)."""
        return next((o["html"] for o in definition["options"] if o["id"] == key), key)


#: The answer pairs a true/false question may use (compared case-insensitively): (true word, false word).
TRUE_FALSE_PAIRS = (
    ("wahr", "falsch"),
    ("richtig", "falsch"),
    ("ja", "nein"),
    ("true", "false"),
    ("yes", "no"),
)
_TRUE_FALSE_WORDS = {word for pair in TRUE_FALSE_PAIRS for word in pair}


def _word(line: str) -> str | None:
    """The option text of a ``[( )]`` line, casefolded, if it is one of the true/false words."""
    match = _SINGLE_MARKER.match(line)
    word = match["text"].strip().casefold() if match else None
    return word if word in _TRUE_FALSE_WORDS else None


class TrueFalse(ChoiceType):
    """Exactly two ``[( )]`` lines „Wahr“ and „Falsch“ (or „Richtig“/„Falsch“, „Ja“/„Nein“), one marked."""

    name = "true_false"
    label = N_("Wahr/Falsch")
    syntax = N_("„[(X)] Wahr“ / „[( )] Falsch“ (auch Richtig/Falsch, Ja/Nein, True/False, Yes/No)")
    help_text = N_(
        "Eine Aussage, die Lernende als wahr oder falsch einordnen: zwei Zeilen „[( )] Wahr“ und „[( )] Falsch“ "
        "(oder Richtig/Falsch, Ja/Nein, True/False, Yes/No), die zutreffende mit „[(X)]“ markiert. Richtig ist die Frage, wenn die "
        "markierte Antwort gewählt wurde; die beiden Antworten bleiben in der Reihenfolge der Datei."
    )
    example = """\
## Das AGG schützt auch Bewerberinnen und Bewerber, nicht nur bereits Beschäftigte.

[(X)] Wahr
[( )] Falsch
***
Nach § 6 Abs. 1 Satz 2 AGG gelten Bewerberinnen und Bewerber für ein Beschäftigungsverhältnis als
Beschäftigte. Eine Benachteiligung im Auswahlverfahren ist deshalb nach § 7 Abs. 1 AGG verboten.
***
"""
    correct_marker = "[(X)]"
    marker = _SINGLE_MARKER
    multiple = False

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """A ``[( )]``/``[(X)]`` line whose text is one of the true/false words."""
        return _word(line) is not None

    @classmethod
    def claims(cls, answer_lines: list[str]) -> bool:
        """Exactly two lines forming one pair, in either order; anything else is a single choice."""
        if len(answer_lines) != 2:
            return False
        marked = [_SINGLE_MARKER.match(line) for line in answer_lines]
        if sum(1 for match in marked if match and match["mark"] != " ") != 1:
            return False  # none or both marked: a single choice (LiaScript: either answer counts)
        words = {_word(line) for line in answer_lines}
        return any(words == set(pair) for pair in TRUE_FALSE_PAIRS)

    @classmethod
    def arrange(cls, definition: dict[str, Any], rng: random.Random, shuffle: bool) -> list[str]:
        """Always in file order: „Falsch, Wahr“ one time and „Wahr, Falsch“ the next only confuses."""
        return super().arrange(definition, rng, shuffle=False)


class SingleChoice(ChoiceType):
    """``[( )]`` lines with exactly one ``[(X)]``."""

    name = "single_choice"
    label = N_("Einfachauswahl")
    syntax = N_("„[( )] Antwort“ / „[(X)] richtige Antwort“")
    help_text = N_(
        "Mehrere Antworten, Lernende wählen genau eine: Zeilen „[( )] Antwort“ und eine Zeile „[(X)] richtige "
        "Antwort“. Richtig ist die Frage, wenn die markierte Antwort gewählt wurde. Wie in LiaScript dürfen "
        "mehrere Zeilen „[(X)]“ markiert sein; dann ist jede von ihnen richtig."
    )
    example = """\
## Wen bindet das Benachteiligungsverbot des Art. 3 Abs. 3 GG unmittelbar?

[( )] Nur Bundesbehörden, nicht aber Kommunen
[(X)] Alle staatliche Gewalt, also auch jede Kommunalverwaltung
[( )] Nur private Arbeitgeber
***
Nach Art. 1 Abs. 3 GG binden die Grundrechte Gesetzgebung, vollziehende Gewalt und Rechtsprechung.
Kommunalverwaltungen sind Teil der vollziehenden Gewalt.
***
"""
    correct_marker = "[(X)]"
    marker = _SINGLE_MARKER
    multiple = False


class MultipleChoice(ChoiceType):
    """``[[ ]]`` lines with at least one ``[[X]]``."""

    name = "multiple_choice"
    label = N_("Mehrfachauswahl")
    syntax = N_("„[[ ]] Antwort“ / „[[X]] richtige Antwort“")
    help_text = N_(
        "Mehrere Antworten, eine oder mehrere davon richtig: Zeilen „[[ ]] Antwort“ und „[[X]] richtige "
        "Antwort“. Wie in LiaScript zählt die Frage nur als richtig, wenn genau alle richtigen Antworten "
        "gewählt wurden."
    )
    example = """\
## Welche Gründe nennt § 1 AGG?

[[X]] Rasse oder ethnische Herkunft
[[X]] Religion oder Weltanschauung
[[ ]] Staatsangehörigkeit
***
§ 1 AGG nennt Rasse oder ethnische Herkunft, Geschlecht, Religion oder Weltanschauung, Behinderung, Alter
und sexuelle Identität. Die Staatsangehörigkeit ist kein eigener Grund.
***
"""
    correct_marker = "[[X]]"
    marker = _MULTIPLE_MARKER
    multiple = True

    @classmethod
    def grade_partial(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """Partial credit as in Moodle (``scoring: partial``): each right option chosen earns 1/(right options),
        each wrong one chosen costs 1/(wrong options); never below 0, all right and nothing wrong is 1."""
        right = set(cls.correct_response(definition))
        wrong = {option["id"] for option in definition["options"]} - right
        chosen = set(response)
        earned = Fraction(len(chosen & right), len(right))
        lost = Fraction(len(chosen & wrong), len(wrong)) if wrong else Fraction(0)
        return float(max(earned - lost, Fraction(0)))
