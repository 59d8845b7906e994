"""YAML front matter: splitting it off, loading it with line numbers, and checking typed fields."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lms.markdown.problems import Problem
from lms.text import N_

DELIMITER = "---"
_NULL_TAG = "tag:yaml.org,2002:null"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"

# PyYAML's complaints, in German words a trainer can act on (PyYAML's English text is never shown).
_YAML_HINTS: dict[str, str] = {
    "mapping values are not allowed here": N_(
        "Das Front-Matter ist kein gültiges YAML: Ein zweiter Doppelpunkt in einem Wert – "
        "Werte mit „:“ in Anführungszeichen setzen."
    ),
    "found character '\\t' that cannot start any token": N_(
        "Das Front-Matter ist kein gültiges YAML: Tabulator gefunden – bitte mit Leerzeichen einrücken."
    ),
    "could not find expected ':'": N_(
        "Das Front-Matter ist kein gültiges YAML: Doppelpunkt nach dem Feldnamen fehlt („feld: Wert“)."
    ),
    "found undefined alias": N_(
        "Das Front-Matter ist kein gültiges YAML: „*“ am Anfang eines Werts – den Wert in Anführungszeichen setzen."
    ),
}
_YAML_CONTEXT_HINTS: dict[str, str] = {
    "while scanning a quoted scalar": N_(
        "Das Front-Matter ist kein gültiges YAML: Ein Anführungszeichen wird nicht geschlossen."
    ),
    "while scanning a simple key": _YAML_HINTS["could not find expected ':'"],
    "while parsing a flow sequence": N_(
        "Das Front-Matter ist kein gültiges YAML: Eine eckige Klammer „[“ wird nicht geschlossen – "
        "Werte, die mit „[“ beginnen, in Anführungszeichen setzen."
    ),
    "while parsing a flow mapping": N_(
        "Das Front-Matter ist kein gültiges YAML: Eine geschweifte Klammer „{“ wird nicht geschlossen – "
        "Werte, die mit „{“ beginnen, in Anführungszeichen setzen."
    ),
    "while parsing a block mapping": N_(
        "Das Front-Matter ist kein gültiges YAML: Die Einrückung passt nicht – Felder beginnen am "
        "Zeilenanfang, Listeneinträge eingerückt mit „- “."
    ),
}
_YAML_UNKNOWN = N_(
    "Das Front-Matter ist kein gültiges YAML: Prüfen Sie in dieser Zeile Doppelpunkt, Einrückung und "
    "Anführungszeichen."
)
_CONTEXT_IS_THE_MISTAKE = (
    "while scanning a simple key",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
)
_UNCLOSED_QUOTE = _YAML_CONTEXT_HINTS["while scanning a quoted scalar"]
_MISSING_COLON = _YAML_HINTS["could not find expected ':'"]
_TOP_LEVEL_FIELD = re.compile(r"^[A-Za-z_][\w-]*\s*:(\s|$)")


def node_line(node: Node) -> int:
    """1-based file line of a node from ``split_front_matter`` (its YAML is offset to match the file)."""
    return node.start_mark.line + 1


def split_front_matter(source: str, path: str) -> tuple[MappingNode | None, str, int, list[Problem]]:
    """Split ``---``-delimited YAML from the body: (mapping node, body, body's first file line, problems)."""
    lines = source.split("\n")
    if not lines or lines[0].rstrip() != DELIMITER:
        message = N_(
            "Die Datei muss mit einer Zeile „---“ beginnen, gefolgt vom Front-Matter und wieder „---“."
        )
        return None, source, 1, [Problem(path, 1, message)]
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER), None)
    if closing is None:
        message = N_("Das Front-Matter wird nicht mit einer Zeile „---“ abgeschlossen.")
        return None, "", len(lines) + 1, [Problem(path, 1, message)]
    # A leading newline stands in for the opening "---", so YAML marks are file lines (0-based).
    node, problems = _compose("\n" + "\n".join(lines[1:closing]), path)
    return node, "\n".join(lines[closing + 1 :]), closing + 2, problems


def _compose(text: str, path: str) -> tuple[MappingNode | None, list[Problem]]:
    """Compose YAML into a node tree without constructing Python objects (keeps line numbers)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        return None, [_yaml_problem(error, path, text.split("\n"))]
    except yaml.YAMLError:
        return None, [Problem(path, 1, _YAML_UNKNOWN)]
    if node is None:
        return MappingNode("tag:yaml.org,2002:map", []), []
    if not isinstance(node, MappingNode):
        message = N_("Das Front-Matter muss aus Zeilen der Form „feld: Wert“ bestehen.")
        return None, [Problem(path, node_line(node), message)]
    return node, []


def _suspect_line(lines: list[str], before: int) -> tuple[int, str] | None:
    """The first front-matter line (1-based file line, < ``before``) that is plainly wrong, with the message.

    PyYAML often notices a mistake only lines later (an unclosed quote swallows the next field); the trainer
    has to look where the mistake is, not where the parser gave up.
    """
    for number in range(2, min(before, len(lines) + 1)):
        line = lines[number - 1]
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or line[0] in " \t-":
            continue
        if not _TOP_LEVEL_FIELD.match(line):
            return number, _MISSING_COLON
        value = line.split(":", 1)[1].strip()
        if value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0]):
            return number, _UNCLOSED_QUOTE
    return None


def _yaml_problem(error: yaml.MarkedYAMLError, path: str, lines: list[str]) -> Problem:
    """Turn a YAML syntax error into a German Problem on the line where the mistake is."""
    mark = error.problem_mark or error.context_mark
    if error.context_mark is not None and (
        "end of stream" in (error.problem or "") or error.context in _CONTEXT_IS_THE_MISTAKE
    ):
        mark = error.context_mark  # an unclosed quote or bracket, a missing colon: point where it begins
    line = max(mark.line + 1 if mark is not None else 1, 2)
    detail = (error.problem or "").strip()
    message = _YAML_HINTS.get(detail) or _YAML_CONTEXT_HINTS.get(error.context or "") or _YAML_UNKNOWN
    suspect = _suspect_line(lines, line)
    if suspect is not None:
        line, message = suspect
    return Problem(path, line, message)


def construct(node: Node) -> Any:
    """Build the plain Python value of a node with the safe constructor; None if YAML cannot."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except (yaml.YAMLError, ValueError, KeyError, TypeError):
        return None  # e.g. "!!int abc": the caller reports the field as having the wrong type
    finally:
        loader.dispose()


def _closest(name: str, allowed: Iterable[str]) -> str | None:
    """The allowed field a typo most likely meant."""
    matches = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.7)
    return matches[0] if matches else None


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


class FieldReader:
    """Reads typed fields from a front-matter mapping and collects German problems with lines."""

    def __init__(self, node: MappingNode | None, path: str, allowed: Iterable[str]) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.fields: dict[str, tuple[Node, Node]] = {}
        # Without a mapping (no front matter, broken YAML) the split already reported the cause;
        # listing every field as missing on top would bury it.
        self.available = node is not None
        self._allowed = tuple(allowed)
        if node is not None:
            self._index(node)

    def _index(self, node: MappingNode) -> None:
        """Collect key -> (key node, value node); report odd keys, duplicates and unknown fields."""
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or _is_null(key_node):
                self._add(node_line(key_node), N_("Ein Feldname fehlt oder ist kein einfacher Text."))
                continue
            name = key_node.value
            if name in self.fields:
                self._of(node_line(key_node), N_("Feld „%(name)s“ steht doppelt im Front-Matter."), name=name)
                continue
            self.fields[name] = (key_node, value_node)
            if name not in self._allowed:
                guess = _closest(name, self._allowed)
                if guess:
                    self._of(
                        node_line(key_node),
                        N_("Unbekanntes Feld „%(name)s“ (meinten Sie „%(guess)s“?)."),
                        name=name,
                        guess=guess,
                    )
                else:
                    self._of(node_line(key_node), N_("Unbekanntes Feld „%(name)s“."), name=name)

    def _add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def _of(self, line: int, msgid: str, **params: Any) -> None:
        """A problem from a catalogue entry (``N_``), shown in the reader's language in the browser."""
        self.problems.append(Problem.of(self.path, line, msgid, **params))

    def has(self, name: str) -> bool:
        """Is the field present (even if empty)?"""
        return name in self.fields

    def line(self, name: str) -> int:
        """The line of a field's key, or 1 (the opening ``---``) when it is absent."""
        return node_line(self.fields[name][0]) if name in self.fields else 1

    def _value(self, name: str, required: bool) -> Node | None:
        """The value node, reporting a missing or empty required field."""
        if name not in self.fields:
            if required and self.available:
                self._of(1, N_("Pflichtfeld „%(name)s“ fehlt."), name=name)
            return None
        value = self.fields[name][1]
        if _is_null(value) or (isinstance(value, ScalarNode) and value.value.strip() == ""):
            if required:
                self._of(self.line(name), N_("„%(name)s“ darf nicht leer sein."), name=name)
            return None
        return value

    def text(
        self, name: str, *, required: bool = True, pattern: re.Pattern[str] | None = None, hint: str = ""
    ) -> str | None:
        """A text field; plain scalars count as written (``version: 1.10`` is "1.10", not 1.1).

        ``hint`` replaces the message when ``pattern`` does not match; ``{value}`` in it is the text found.
        """
        value = self._value(name, required)
        if value is None:
            return None
        if not isinstance(value, ScalarNode):
            self._of(self.line(name), N_("„%(name)s“ muss ein einzelner Text sein."), name=name)
            return None
        text: str = value.value.strip()  # a scalar node's value is always a str
        if pattern is not None and not pattern.fullmatch(text):
            if hint:
                self._add(self.line(name), hint.replace("{value}", text))
            else:
                self._of(
                    self.line(name),
                    N_("„%(name)s“ hat eine ungültige Form: „%(value)s“."),
                    name=name,
                    value=text,
                )
            return None
        return text

    def integer(
        self, name: str, *, minimum: int, maximum: int | None = None, required: bool = True, hint: str = ""
    ) -> int | None:
        """A whole number within [minimum, maximum].

        ``hint`` replaces the message when the value is not such a number: a catalogue entry (``N_``) that may use
        ``%(minimum)s`` and ``%(maximum)s``.
        """
        value = self._value(name, required)
        if value is None:
            return None
        number = construct(value) if isinstance(value, ScalarNode) and value.tag == _INT_TAG else None
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or number < minimum
            or (maximum is not None and number > maximum)
        ):
            if hint:
                self.problems.append(
                    Problem.of(self.path, self.line(name), hint, minimum=minimum, maximum=maximum)
                )
            else:
                self._of(
                    self.line(name),
                    _integer_hint(minimum, maximum),
                    name=name,
                    minimum=minimum,
                    maximum=maximum,
                )
            return None
        return number

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        """``true`` or ``false``."""
        value = self._value(name, required)
        if value is None:
            return None
        flag = construct(value) if isinstance(value, ScalarNode) and value.tag == _BOOL_TAG else None
        if not isinstance(flag, bool):
            self._of(self.line(name), N_("„%(name)s“ muss true oder false sein."), name=name)
            return None
        return flag

    def choice(self, name: str, choices: Iterable[str], *, required: bool = True) -> str | None:
        """One of a fixed set of words."""
        options = tuple(choices)
        text = self.text(name, required=required)
        if text is None:
            return None
        if text not in options:
            if len(options) in _CHOICE:  # the usual lengths: in the reader's language
                values = {f"option{i}": option for i, option in enumerate(options, start=1)}
                self._of(self.line(name), _CHOICE[len(options)], name=name, value=text, **values)
            else:
                allowed = german_list(options, "oder")
                self._add(self.line(name), f"„{name}“ muss {allowed} sein, nicht „{text}“.")
            return None
        return text

    def text_list(
        self, name: str, *, required: bool = True, allow_single: bool = False, min_items: int = 1
    ) -> tuple[str, ...] | None:
        """A list of texts (or, with ``allow_single``, one text standing for a one-item list)."""
        value = self._value(name, required)
        if value is None:
            return None
        if isinstance(value, ScalarNode) and allow_single:
            return (value.value.strip(),)
        if not isinstance(value, SequenceNode):
            kind = "ein Text oder eine Liste von Texten" if allow_single else "eine Liste von Texten"
            self._add(self.line(name), f"„{name}“ muss {kind} sein (Zeilen, die mit „- “ beginnen).")
            return None
        items: list[str] = []
        for index, item in enumerate(value.value, start=1):
            if not isinstance(item, ScalarNode) or _is_null(item) or not item.value.strip():
                self._add(node_line(item), f"„{name}“: Eintrag {index} muss ein nicht leerer Text sein.")
                continue
            items.append(item.value.strip())
        if len(value.value) < min_items:
            self._add(self.line(name), f"„{name}“ braucht mindestens {_entries(min_items)}.")
            return None
        return tuple(items)


#: „… muss „a“ oder „b“ sein“ by the number of choices.
_CHOICE = {
    2: N_("„%(name)s“ muss „%(option1)s“ oder „%(option2)s“ sein, nicht „%(value)s“."),
    3: N_("„%(name)s“ muss „%(option1)s“, „%(option2)s“ oder „%(option3)s“ sein, nicht „%(value)s“."),
}


def _integer_hint(minimum: int, maximum: int | None) -> str:
    """The catalogue entry for an integer range (``%(name)s``, ``%(minimum)s``, ``%(maximum)s``)."""
    if maximum is not None:
        return N_("„%(name)s“ muss eine ganze Zahl von %(minimum)s bis %(maximum)s sein.")
    if minimum == 1:
        return N_("„%(name)s“ muss eine ganze Zahl größer 0 sein.")
    return N_("„%(name)s“ muss eine ganze Zahl ab %(minimum)s sein.")


def _entries(number: int) -> str:
    """ "einen Eintrag", "2 Einträge": German needs the count and the noun to agree."""
    return "einen Eintrag" if number == 1 else f"{number} Einträge"


def german_list(words: Iterable[str], conjunction: str = "und") -> str:
    """„a“, „b“ und „c“ – quoted words joined as in running German text."""
    quoted = [f"„{w}“" for w in words]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {conjunction} " + quoted[-1]
