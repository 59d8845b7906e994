"""Text input in LiaScript syntax: ``[[Antwort]]``, further accepted spellings separated by ``|``."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from lms.markdown.problems import Problem
from lms.quizzes.question_types.base import QuestionType, ResponseInvalid, one_text
from lms.text import N_

#: Longest answer a learner may type (and longest accepted answer a trainer may write).
MAX_LENGTH = 200
_LINE = re.compile(r"\[\[(?P<body>[^\[\]]*)\]\]\s*")
#: LiaScript marks the right entry of a selection list with parentheses: ``[[a | (b) | c]]``.
_SELECTION = re.compile(r"\(.*\)")
#: Characters ignored at the start and end of an answer: whitespace, sentence punctuation, quotes, brackets.
EDGE_CHARACTERS = " .,;:!?…\"'„“”‚‘’«»‹›`´()[]{}¿¡"
_SELECTION_HINT = (
    "„(…)“ markiert in LiaScript die richtige Antwort einer Auswahlliste; Auswahllisten gibt es hier nicht. "
    "Für eine Texteingabe schreiben Sie alle richtigen Antworten ohne Klammern, z. B. "
    "„[[AGG | Allgemeines Gleichbehandlungsgesetz]]“; für eine Auswahl nehmen Sie Zeilen „[( )] Antwort“ "
    "und „[(X)] richtige Antwort“."
)


def match_key(text: str) -> str:
    """The form answers are compared in: NFKC, casefolded, whitespace collapsed, edge punctuation removed.

    So „AGG“, "agg.", " Agg " and "ＡＧＧ" (full-width) all match, while "Art. 3 GG" and "Art 3 GG" do not:
    punctuation inside an answer, umlauts (ä ≠ ae) and typing errors still count.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(EDGE_CHARACTERS)


def tidy_text(text: str) -> str:
    """What a learner typed, as stored and shown again: NFC, whitespace collapsed; control characters refused."""
    tidy = " ".join(unicodedata.normalize("NFC", text).split())
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in tidy):
        raise ResponseInvalid("response.control_characters")
    return tidy


class TextInput(QuestionType):
    """One line ``[[Antwort]]`` or ``[[Antwort | andere Schreibweise]]``; the learner types the answer."""

    name = "text_input"
    label = N_("Texteingabe")
    syntax = N_("„[[Antwort]]“ / „[[Antwort | andere Schreibweise]]“")
    help_text = N_(
        "Lernende tippen eine kurze Antwort (höchstens 200 Zeichen) in ein Textfeld: eine Zeile „[[Antwort]]“, "
        'weitere richtige Schreibweisen direkt darüber in „<!-- data-lms-variants="AGG|Gleichbehandlungsgesetz" -->“ '
        "(getrennt durch „|“). Die ältere Form „[[Antwort | Schreibweise]]“ gilt weiter, LiaScript liest sie aber "
        "als Umfrage und zeigt die Lösung vorab. Groß- und Kleinschreibung, mehrfache Leerzeichen, "
        "Anführungszeichen und Satzzeichen am Anfang oder Ende zählen nicht; Tippfehler, Umlaute (ä ≠ ae) und "
        "Satzzeichen im Inneren schon – nennen Sie gängige Schreibweisen deshalb als Varianten."
    )
    example = """\
## Welches Gesetz setzt seit 2006 mehrere EU-Richtlinien gegen Diskriminierung in deutsches Recht um?

<!-- data-lms-variants="AGG" -->
[[Allgemeines Gleichbehandlungsgesetz]]
***
Das Allgemeine Gleichbehandlungsgesetz (AGG) setzt unter anderem die Antirassismusrichtlinie 2000/43/EG um.
***
"""

    @classmethod
    def claims_line(cls, line: str) -> bool:
        """A line that is nothing but ``[[…]]``, except the multiple-choice markers ``[[ ]]`` and ``[[X]]``."""
        match = _LINE.fullmatch(line)
        if match is None or match["body"].strip() in ("", "X", "x", "?", "!"):
            return False
        if set(match["body"]) <= {"_", " ", "\t"}:
            return False  # "[[___ ___]]" is LiaScript's text survey: no answer to compare with
        # "[[a | (b) | c]]" is LiaScript's selection (the gap text type), not a text with variants.
        return not any(_SELECTION.fullmatch(part.strip()) for part in match["body"].split("|"))

    @classmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """The accepted answers as written; problems for extra lines, empty, bracketed or duplicate ones."""
        problems = [
            Problem(
                path,
                line_number,
                "Eine Texteingabe hat genau eine Zeile „[[Antwort]]“; weitere richtige Schreibweisen stehen "
                "in derselben Zeile, getrennt durch „|“.",
            )
            for line_number, _ in answer_lines[1:]
        ]
        line_number, line = answer_lines[0]
        match = _LINE.fullmatch(line)
        body = match["body"] if match else ""
        accepted: list[str] = []
        messages: list[str] = []
        seen: dict[str, str] = {}
        for variant in (part.strip() for part in body.split("|")):
            key = match_key(variant)
            if not variant:
                messages.append(N_("Zwischen „|“ fehlt eine Antwort."))
            elif _SELECTION.fullmatch(variant):
                messages.append(_SELECTION_HINT)
            elif not key:
                messages.append(f"Die Antwort „{variant}“ besteht nur aus Satzzeichen.")
            elif len(variant) > MAX_LENGTH:
                messages.append(f"Eine Antwort darf höchstens {MAX_LENGTH} Zeichen lang sein.")
            elif key in seen:
                messages.append(
                    f"„{seen[key]}“ und „{variant}“ werden gleich bewertet (Groß- und Kleinschreibung, "
                    "Leerzeichen und Satzzeichen am Rand zählen nicht); eine Schreibweise genügt."
                )
            else:
                seen[key] = variant
                accepted.append(variant)
        problems += [Problem(path, line_number, message) for message in dict.fromkeys(messages)]
        return {"accepted": accepted, "max_length": MAX_LENGTH}, problems

    @classmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """At least one accepted answer, each non-empty after normalising and within the length limit."""
        accepted = definition.get("accepted", [])
        limit = definition.get("max_length")
        messages = []
        if not isinstance(limit, int) or limit < 1:
            messages.append(N_("Die höchste Antwortlänge muss eine ganze Zahl ab 1 sein."))
            limit = MAX_LENGTH
        if not accepted:
            messages.append(N_("Die Texteingabe braucht mindestens eine richtige Antwort: „[[Antwort]]“."))
        if any(not isinstance(text, str) or not match_key(text) for text in accepted):
            messages.append(N_("Eine richtige Antwort ist leer."))
        elif any(len(text) > limit for text in accepted):
            messages.append(f"Eine richtige Antwort ist länger als {limit} Zeichen.")
        return messages

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Only the length limit: the accepted answers stay on the server."""
        return {"max_length": definition["max_length"]}

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> str:
        """The typed text with whitespace collapsed ("" = unanswered); too long or control characters refused."""
        text = tidy_text(one_text(raw))
        if len(text) > definition["max_length"]:
            raise ResponseInvalid("response.too_long", max=definition["max_length"])
        return text

    @classmethod
    def grade(cls, definition: dict[str, Any], response: str) -> float:
        """1.0 if the answer matches an accepted one after ``match_key``; there is no partial credit."""
        key = match_key(response or "")
        return 1.0 if key and key in {match_key(text) for text in definition["accepted"]} else 0.0

    @classmethod
    def correct_response(cls, definition: dict[str, Any]) -> str:
        """The first accepted answer, as the trainer wrote it."""
        first: str = definition["accepted"][0]
        return first

    @classmethod
    def review(cls, definition: dict[str, Any], response: Any) -> dict[str, Any]:
        """Every accepted answer (the first is the one shown as „the“ correct answer)."""
        return {"accepted": list(definition["accepted"])}

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """The normalised answer; every accepted spelling counts as the first accepted answer."""
        if not response:
            return []
        key = match_key(response)
        if key in {match_key(text) for text in definition["accepted"]}:
            return [match_key(definition["accepted"][0])]
        return [key or response]

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """The normalised answer as plain text; the correct row lists every accepted spelling."""
        if key == match_key(definition["accepted"][0]):
            return " / ".join(definition["accepted"])
        return key
