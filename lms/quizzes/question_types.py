"""Question types: how answer lines are read, what the browser may see, and how a response is graded.

Each type is one class in ``REGISTRY``. The quiz parser stays generic: it hands a question's answer
lines to ``type_for_answer_lines`` and lets the claiming type build its JSON ``definition``. A new
type (true/false, text input ``[[answer]]``, ordering) is one new ``@register``-ed class.
"""

from __future__ import annotations

import re
import string
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from lms.content.problems import Problem
from lms.content.render import render_inline


class ResponseInvalid(ValueError):
    """A submitted response does not fit the question (unknown option, two answers to a single choice)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key = key


class QuestionType(ABC):
    """A kind of question. Stateless: every method is a classmethod working on a JSON definition."""

    name: ClassVar[str]
    label: ClassVar[str]
    syntax: ClassVar[str]  # how the answer lines look, for error messages

    @classmethod
    @abstractmethod
    def claims_line(cls, line: str) -> bool:
        """Could this single answer line belong to this type?"""

    @classmethod
    def claims(cls, answer_lines: list[str]) -> bool:
        """Does this whole block of answer lines belong to this type?"""
        return bool(answer_lines) and all(cls.claims_line(line) for line in answer_lines)

    @classmethod
    @abstractmethod
    def parse(cls, answer_lines: list[tuple[int, str]], path: str) -> tuple[dict[str, Any], list[Problem]]:
        """Build the JSON-serialisable definition from (file line, text) pairs."""

    @classmethod
    @abstractmethod
    def validate(cls, definition: dict[str, Any]) -> list[str]:
        """German messages for everything wrong with a definition; empty when it is usable."""

    @classmethod
    @abstractmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """The definition without anything that reveals the solution: this is what the browser gets."""

    @classmethod
    @abstractmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> Any:
        """Turn a posted value into an immutable, JSON-friendly response; ResponseInvalid if impossible."""

    @classmethod
    @abstractmethod
    def grade(cls, definition: dict[str, Any], response: Any) -> float:
        """Score in [0.0, 1.0] for a normalised response."""

    @classmethod
    @abstractmethod
    def correct_response(cls, definition: dict[str, Any]) -> Any:
        """The response that scores 1.0, in the same shape as ``normalise_response`` returns."""

    @classmethod
    def tally_keys(cls, definition: dict[str, Any], response: Any) -> list[str]:
        """What quiz statistics count for this response: option ids for choice types, else one key per answer.

        Choice types count each chosen option (so "how often was option b chosen" is one GROUP BY away);
        other types count the whole normalised response, spelled out by ``describe_tally_key``.
        """
        if response in (None, "", (), []):
            return []
        return [repr(response)]

    @classmethod
    def describe_tally_key(cls, definition: dict[str, Any], key: str) -> str:
        """A short plain-text label for a tally key, for the statistics table."""
        return key


REGISTRY: dict[str, type[QuestionType]] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: make a question type known by its ``name`` (registration order = claim priority)."""
    if cls.name in REGISTRY:
        raise ValueError(f"question type {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls
    return cls


def type_for_answer_lines(lines: list[str]) -> type[QuestionType] | None:
    """The first registered type that claims all of these answer lines, or None."""
    return next((cls for cls in REGISTRY.values() if cls.claims(lines)), None)


def types_for_line(line: str) -> list[type[QuestionType]]:
    """Every registered type that could claim this single line (to tell unknown from mixed markers)."""
    return [cls for cls in REGISTRY.values() if cls.claims_line(line)]


def get_type(name: str) -> type[QuestionType]:
    """The registered type called ``name``; KeyError for types this code does not know."""
    return REGISTRY[name]


def _ids(raw: Any) -> list[str]:
    """Posted option ids as a list: a single id, a list of ids, or nothing."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, (list, tuple, set, frozenset)) and all(isinstance(item, str) for item in raw):
        return [item for item in raw if item != ""]
    raise ResponseInvalid("Die Antwort hat eine unerwartete Form.")


class ChoiceType(QuestionType):
    """Shared logic for choice questions: one option per line, marked correct with X."""

    marker: ClassVar[re.Pattern[str]]  # group "mark": " " or "X"; group "text": the option
    correct_marker: ClassVar[str]
    multiple: ClassVar[bool]

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
                problems.append(Problem(path, line_number, "Die Antwort hat keinen Text."))
            options.append(
                {"id": _option_id(len(options)), "html": render_inline(text), "correct": match["mark"] != " "}
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
            messages.append("Antwort-Kennungen sind doppelt vergeben.")
        correct = sum(1 for option in options if option.get("correct"))
        mark = cls.correct_marker
        if not cls.multiple and correct != 1:
            messages.append(f"{cls.label} braucht genau eine richtige Antwort „{mark}“; gefunden: {correct}.")
        if cls.multiple and correct < 1:
            messages.append(f"{cls.label} braucht mindestens eine richtige Antwort „{mark}“; gefunden: 0.")
        return messages

    @classmethod
    def public(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Options with id and html only."""
        return {"options": [{"id": o["id"], "html": o["html"]} for o in definition["options"]]}

    @classmethod
    def normalise_response(cls, definition: dict[str, Any], raw: Any) -> tuple[str, ...]:
        """Chosen ids in option order, duplicates removed; () means unanswered."""
        chosen = set(_ids(raw))
        known = [option["id"] for option in definition["options"]]
        unknown = sorted(chosen - set(known))
        if unknown:
            raise ResponseInvalid(f"Unbekannte Antwort „{unknown[0]}“.")
        if not cls.multiple and len(chosen) > 1:
            raise ResponseInvalid("Bei einer Einfachauswahl ist nur eine Antwort möglich.")
        return tuple(option_id for option_id in known if option_id in chosen)

    @classmethod
    def grade(cls, definition: dict[str, Any], response: tuple[str, ...]) -> float:
        """All or nothing, as in LiaScript: exactly the correct options chosen."""
        return 1.0 if set(response) == set(cls.correct_response(definition)) else 0.0

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


def _option_id(index: int) -> str:
    """a … z, then aa, ab … so long option lists still get stable, short ids."""
    letters = string.ascii_lowercase
    return (
        letters[index]
        if index < len(letters)
        else _option_id(index // len(letters) - 1) + letters[index % 26]
    )


@register
class SingleChoice(ChoiceType):
    """``[( )]`` lines with exactly one ``[(X)]``."""

    name = "single_choice"
    label = "Einfachauswahl"
    syntax = "„[( )] Antwort“ / „[(X)] richtige Antwort“"
    correct_marker = "[(X)]"
    marker = re.compile(r"\[\((?P<mark>[ Xx])\)\](?P<text>.*)")
    multiple = False


@register
class MultipleChoice(ChoiceType):
    """``[[ ]]`` lines with at least one ``[[X]]``."""

    name = "multiple_choice"
    label = "Mehrfachauswahl"
    syntax = "„[[ ]] Antwort“ / „[[X]] richtige Antwort“"
    correct_marker = "[[X]]"
    marker = re.compile(r"\[\[(?P<mark>[ Xx])\]\](?P<text>.*)")
    multiple = True
