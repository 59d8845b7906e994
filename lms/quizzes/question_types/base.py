"""The question-type interface and the registry every quiz question is read, shown and graded through."""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any, ClassVar, Protocol

from lms.errors import ServiceError
from lms.markdown.problems import Problem
from lms.text import excerpt

#: How much of a sent value a message quotes: an option id is a letter or two, a step „a:3“.
QUOTED_CHARS = 40


def _quoted(value: Any) -> Any:
    return excerpt(value, QUOTED_CHARS) if isinstance(value, str) else value


class ResponseInvalid(ServiceError, ValueError):
    """A submitted response does not fit the question (unknown option, two answers to a single choice).

    The code says what is wrong (``message`` is the German text); ``key`` names the question once grading knows
    it, and then ``str()`` reads „Frage q3: …“ (API callers know the keys; the web form shows its own number).
    """

    def __init__(self, code: str, key: str | None = None, **params: Any) -> None:
        self.key = key
        # A text among the parameters is what the request sent (an unknown option, step or position), perhaps
        # 100,000 characters of it: the message quotes its start.
        super().__init__(code, **{name: _quoted(value) for name, value in params.items()})

    @property
    def message(self) -> str:
        """What is wrong, in German, without naming the question."""
        return self.render()

    def __str__(self) -> str:
        return f"Frage {self.key}: {self.message}" if self.key else self.message


#: Refusals of a value the question does not have (an option, a step, a position): no answer holds one, finished
#: or not, so a draft is refused for them as a submission is. What an unfinished answer may still lack or hold
#: twice (a step without its position, one position for two steps while the learner moves them) waits for the submit.
UNKNOWN_VALUE = frozenset({"response.unknown_option", "response.unknown_step", "response.unknown_position"})


class QuestionType(ABC):
    """A kind of question. Stateless: every method is a classmethod working on a JSON definition."""

    name: ClassVar[str]
    label: ClassVar[str]
    #: How the answer lines look, for error messages.
    syntax: ClassVar[str]
    #: One or two German sentences for the trainers' help page: what the type is, how it is graded.
    help_text: ClassVar[str]
    #: A complete Markdown question of this type (``##`` title, answer lines, ``***`` explanation ``***``).
    example: ClassVar[str]
    #: The list in the definition whose display order an attempt fixes at its start ("options", "steps"),
    #: stored under the same name in the attempt's layout; None when the question has no such list.
    arranged: ClassVar[str | None] = None

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
    def check_draft(cls, definition: dict[str, Any], values: list[str]) -> None:
        """ResponseInvalid for a saved value that no answer to this question can hold (see ``UNKNOWN_VALUE``).

        Each value is read on its own, as the only one: so a value is judged by itself, never by what the other
        values of an unfinished answer still lack.
        """
        for value in values:
            try:
                cls.normalise_response(definition, [value])
            except ResponseInvalid as invalid:
                if invalid.code in UNKNOWN_VALUE:
                    raise

    @classmethod
    @abstractmethod
    def grade(cls, definition: dict[str, Any], response: Any) -> float:
        """Score in [0.0, 1.0] for a normalised response."""

    @classmethod
    @abstractmethod
    def correct_response(cls, definition: dict[str, Any]) -> Any:
        """The response that scores 1.0, in the same shape as ``normalise_response`` returns."""

    @classmethod
    def arrange(cls, definition: dict[str, Any], rng: random.Random, shuffle: bool) -> list[str]:
        """Ids of the ``arranged`` list in the order one attempt shows them (shuffled if the quiz asks)."""
        if cls.arranged is None:
            return []
        ids = [str(entry["id"]) for entry in definition.get(cls.arranged, [])]
        if shuffle:
            rng.shuffle(ids)
        return ids

    @classmethod
    def review(cls, definition: dict[str, Any], response: Any) -> dict[str, Any]:
        """Extra facts for the result page after submitting (it may reveal the solution); {} if none."""
        return {}

    @classmethod
    def listed_keys(cls, definition: dict[str, Any]) -> list[str]:
        """Tally keys the statistics list even when nobody chose them (cells of a matrix, options of a gap)."""
        return []

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
        """A short label for a tally key, for the statistics table.

        Plain text (the page escapes it), or ``markupsafe.Markup`` built only from HTML sanitised at publish.
        """
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


class PostedForm(Protocol):
    """What ``posted_answers`` needs of a form (werkzeug's MultiDict has it)."""

    def getlist(self, key: str) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


def posted_answers(form: PostedForm, key: str) -> list[str]:
    """The values a form posted for question ``key``: fields named ``key``, and per matrix row or gap a field
    ``key~part`` (a row's radio buttons need a group of their own), whose values become ``"part:value"``; an empty
    field there is no answer."""
    values = list(form.getlist(key))
    prefix = f"{key}~"
    for name in form:
        if name.startswith(prefix):
            part = name[len(prefix) :]
            values += [f"{part}:{value}" for value in form.getlist(name) if value.strip()]
    return values


def one_text(raw: Any) -> str:
    """A posted value that must be a single string: a string, a list of at most one, or nothing ("")."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (list, tuple)) and len(raw) <= 1 and all(isinstance(item, str) for item in raw):
        return raw[0] if raw else ""
    raise ResponseInvalid("response.not_one_text")


def text_list(raw: Any) -> list[str]:
    """Posted values as a list of strings: a single string, a list of strings, or nothing."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, (list, tuple, set, frozenset)) and all(isinstance(item, str) for item in raw):
        return list(raw)
    raise ResponseInvalid("response.shape")


def letter_id(index: int) -> str:
    """a … z, then aa, ab … so long lists still get stable, short ids."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return (
        letters[index] if index < len(letters) else letter_id(index // len(letters) - 1) + letters[index % 26]
    )
