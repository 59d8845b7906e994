"""Survey files in LiaScript's survey syntax: a self-assessment per training module (surveys/<module>.md).

Each ``##`` section holds one survey block, as LiaScript writes it:

* a matrix of Likert items: a header ``[(1)(2)(3)(4)(5)]`` and one row ``[            ] statement`` per item;
* a single-choice vector: lines ``[(1)] trifft gar nicht zu`` … ``[(5)] trifft voll zu`` – one Likert item, whose
  statement is the heading;
* a free-text input ``[[___]]`` (``[[___ ___ ___]]`` for several lines) – its question is the heading.

Scales are the whole numbers from 1 up (2 to 10 points). The front matter names the module and may give the words
for the scale's points (``scale: {1: trifft gar nicht zu, 5: trifft voll zu}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path, PurePath
from typing import Any

from yaml.nodes import MappingNode

from lms.markdown.bounds import bound_problems
from lms.markdown.frontmatter import FieldReader, construct, split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import find_markup_problems, render_inline, render_markdown
from lms.markdown.structure import (
    SLUG_PATTERN,
    RawSection,
    container_problems,
    content_hash,
    lines_outside_fences,
    normalise_source,
    split_sections,
)

SURVEY_FIELDS = ("module", "scale")
MAX_ITEMS = 30
MAX_POINTS = 10
DEFAULT_LABELS = {"1": "trifft gar nicht zu", "5": "trifft voll zu"}
_MATRIX_HEADER = re.compile(r"[ \t]*\[((?:\([^()\]]*\))+)\][ \t]*")
_MATRIX_ROW = re.compile(r"[ \t]*\[[ \t]*\][ \t]*(?P<text>.*)")
_VECTOR = re.compile(r"[ \t]*\[\((?P<value>[^()\]]*)\)\][ \t]*(?P<label>.*)")
_TEXT_INPUT = re.compile(r"[ \t]*\[\[(?P<blanks>_{3,}(?:[ \t]+_{3,})*)\]\][ \t]*")
_LEVEL_ONE = re.compile(r"#(?:[ \t].*)?")
_MODULE_HINT = "„module“ muss der slug eines Moduls sein (a–z, Ziffern, Bindestriche), nicht „{value}“."


@dataclass(frozen=True)
class SurveyDocument:
    """A parsed, valid survey file."""

    module_slug: str
    intro_html: str
    items: tuple[dict[str, Any], ...]
    source: str
    content_hash: str


def _is_block_line(line: str) -> bool:
    return line.lstrip().startswith("[")


def _scale(values: list[str], line: int, path: str) -> tuple[list[int], list[Problem]]:
    """The points of a scale must be 1, 2, … n with 2 ≤ n ≤ 10."""
    expected = [str(n) for n in range(1, len(values) + 1)]
    if [v.strip() for v in values] != expected or not 2 <= len(values) <= MAX_POINTS:
        message = (
            f"Eine Skala zählt von 1 an lückenlos aufwärts, mit 2 bis {MAX_POINTS} Punkten, z. B. "
            f"„[(1)(2)(3)(4)(5)]“; hier: „{' '.join(values)}“."
        )
        return [], [Problem(path, line, message)]
    return [int(v) for v in expected], []


def _labels(scale: list[int], defaults: dict[str, str]) -> dict[str, str]:
    """The words for the scale's points that exist on this scale (the last point takes the default's top label)."""
    labels = {key: text for key, text in defaults.items() if key.isdigit() and int(key) in scale}
    if scale and str(scale[-1]) not in labels and "5" in defaults and scale[-1] != 5:
        labels[str(scale[-1])] = defaults["5"]
    return labels


def _section_items(
    raw: RawSection, path: str, labels: dict[str, str], first_key: int
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The items of one ``##`` section: a matrix, a vector or a text input (exactly one block)."""
    lines = raw.body.split("\n")
    block = [(i, line) for i, line in lines_outside_fences(lines) if _is_block_line(line)]
    question = raw.heading
    problems: list[Problem] = []
    if not question:
        problems.append(Problem(path, raw.line, "Der Abschnitt hat keine Überschrift: „## “ ohne Text."))
    if not block:
        message = (
            f"Abschnitt „{question}“ enthält keine Umfragezeilen, z. B. „[(1)(2)(3)(4)(5)]“ mit Zeilen "
            "„[   ] Aussage“, „[(1)] trifft gar nicht zu“ oder „[[___]]“."
        )
        return [], [*problems, Problem(path, raw.line, message)]
    indexes = [i for i, _ in block]
    gap = next((b for a, b in pairwise(indexes) if b != a + 1), None)
    if gap is not None:
        message = "Die Zeilen eines Umfrageblocks stehen direkt untereinander; je Abschnitt gibt es nur einen Block."
        problems.append(Problem(path, raw.body_line + gap, message))
    first_index, first = block[0]
    line_of = {i: raw.body_line + i for i in indexes}
    stem_end = first_index
    stem = "\n".join(lines[:stem_end]).strip()
    after = next((i for i in range(indexes[-1] + 1, len(lines)) if lines[i].strip()), None)
    if after is not None:
        message = "Nach dem Umfrageblock darf in einem Abschnitt kein Text mehr stehen; ein neuer beginnt mit „## “."
        problems.append(Problem(path, raw.body_line + after, message))
    base = {"question": question, "stem_html": render_markdown(stem) if stem else ""}
    if (header := _MATRIX_HEADER.fullmatch(first)) is not None:
        scale, scale_problems = _scale(re.findall(r"\(([^()]*)\)", header[1]), line_of[first_index], path)
        problems += scale_problems
        items: list[dict[str, Any]] = []
        for index, line in block[1:]:
            row = _MATRIX_ROW.fullmatch(line)
            if row is None or not row["text"].strip():
                message = "Eine Zeile der Matrix hat die Form „[        ] Aussage“ (eckige Klammern, dann die Aussage)."
                problems.append(Problem(path, line_of[index], message))
                continue
            text = row["text"].strip()
            items.append(
                {
                    **base,
                    "key": f"i{first_key + len(items)}",
                    "kind": "likert",
                    "text": text,
                    "html": render_inline(text),
                    "scale": scale,
                    "labels": _labels(scale, labels),
                    "line": line_of[index],
                }
            )
        if not items and not problems:
            message = "Unter der Kopfzeile der Matrix steht keine Aussage („[        ] Aussage“)."
            problems.append(Problem(path, line_of[first_index], message))
        return items, problems
    if _VECTOR.fullmatch(first) is not None:
        matches = [(index, _VECTOR.fullmatch(line)) for index, line in block]
        bad = next((index for index, match in matches if match is None), None)
        if bad is not None:
            message = "Alle Zeilen einer Einfachauswahl haben die Form „[(3)] Beschriftung“."
            return [], [*problems, Problem(path, line_of[bad], message)]
        values = [m["value"] for _, m in matches if m is not None]
        scale, scale_problems = _scale(values, line_of[first_index], path)
        own = {
            m["value"].strip(): m["label"].strip() for _, m in matches if m is not None and m["label"].strip()
        }
        item = {
            **base,
            "key": f"i{first_key}",
            "kind": "likert",
            "text": question,
            "html": render_inline(question),
            "scale": scale,
            "labels": own or _labels(scale, labels),
            "line": raw.line,
        }
        return ([item] if not scale_problems else []), problems + scale_problems
    if (text_input := _TEXT_INPUT.fullmatch(first)) is not None:
        if len(block) > 1:
            message = "Ein Textfeld („[[___]]“) steht allein in seinem Abschnitt."
            problems.append(Problem(path, line_of[block[1][0]], message))
        item = {
            **base,
            "key": f"i{first_key}",
            "kind": "text",
            "text": question,
            "html": render_inline(question),
            "lines": len(text_input["blanks"].split()),
            "line": raw.line,
        }
        return [item], problems
    shown = first.strip() if len(first.strip()) <= 30 else first.strip()[:29] + "…"
    message = (
        f"Unbekannte Umfragezeile „{shown}“ – erlaubt sind eine Matrix („[(1)(2)(3)(4)(5)]“ mit Zeilen "
        "„[   ] Aussage“), eine Einfachauswahl („[(1)] …“ bis „[(5)] …“) und ein Textfeld („[[___]]“)."
    )
    return [], [*problems, Problem(path, line_of[first_index], message)]


def _scale_labels(reader: FieldReader, path: str) -> tuple[dict[str, str], list[Problem]]:
    if not reader.has("scale"):
        return dict(DEFAULT_LABELS), []
    node = reader.fields["scale"][1]
    value = construct(node) if isinstance(node, MappingNode) else None
    if not isinstance(value, dict) or not all(
        isinstance(k, int) and 1 <= k <= MAX_POINTS and isinstance(v, str) and v.strip()
        for k, v in value.items()
    ):
        message = (
            "„scale“ nennt die Worte für Punkte der Skala, z. B. „scale: {1: trifft gar nicht zu, "
            "5: trifft voll zu}“ (ganze Zahlen von 1 bis 10, jeweils mit Text)."
        )
        return dict(DEFAULT_LABELS), [Problem(path, reader.line("scale"), message)]
    return {str(k): v.strip() for k, v in value.items()}, []


def _intro(intro: str, first_line: int, path: str) -> tuple[str, list[Problem]]:
    """Text before the first section is the introduction (a LiaScript title ``# …`` is dropped)."""
    kept = [line for line in intro.split("\n") if not _LEVEL_ONE.fullmatch(line)]
    problems = [
        Problem(path, first_line + index, "Umfragezeilen stehen in einem Abschnitt („## …“), nicht davor.")
        for index, line in enumerate(intro.split("\n"))
        if _is_block_line(line)
    ]
    text = "\n".join(kept).strip()
    return (render_markdown(text) if text and not problems else ""), problems


def parse_survey(source: str, path: str) -> SurveyDocument:
    """Parse and validate a survey file; raise ContentInvalid listing every problem with its line."""
    text = normalise_source(source)
    if too_large := bound_problems(text, path):
        raise ContentInvalid(too_large)
    node, body, body_line, problems = split_front_matter(text, path)
    reader = FieldReader(node, path, SURVEY_FIELDS)
    module = reader.text("module", pattern=SLUG_PATTERN, hint=_MODULE_HINT)
    problems += reader.problems
    labels, label_problems = _scale_labels(reader, path)
    problems += label_problems
    name = PurePath(path).name
    if module and name.endswith(".md") and name[:-3] != module:
        message = f"Die Umfragedatei muss wie ihr Modul heißen: „{module}.md“, nicht „{name}“."
        problems.append(Problem(path, reader.line("module"), message))
    intro, raw_sections = split_sections(body, body_line)
    intro_html, intro_problems = _intro(intro, body_line, path)
    problems += intro_problems
    items: list[dict[str, Any]] = []
    for raw in raw_sections:
        section_items, section_problems = _section_items(raw, path, labels, len(items) + 1)
        items += section_items
        problems += section_problems
    if not any(item["kind"] == "likert" for item in items) and not problems:
        message = "Die Umfrage braucht mindestens eine Aussage mit Skala (Matrix oder Einfachauswahl)."
        problems.append(Problem(path, body_line, message))
    if len(items) > MAX_ITEMS:
        message = f"Eine Selbsteinschätzung hat höchstens {MAX_ITEMS} Fragen; gefunden: {len(items)}."
        problems.append(Problem(path, body_line, message))
    problems += find_markup_problems(body, path, body_line - 1)
    problems += container_problems(body.split("\n"), body_line, "training", path)
    if problems:
        raise ContentInvalid(problems)
    assert module is not None
    return SurveyDocument(module, intro_html, tuple(items), text, content_hash(text))


def is_survey_path(path: str) -> bool:
    """Survey files live in a folder named ``surveys``."""
    return PurePath(path).parent.name == "surveys"


def load_surveys(paths: list[str]) -> tuple[list[tuple[str, SurveyDocument]], list[Problem]]:
    """Read and parse the survey files (``*.md`` in the folders given, or the files themselves)."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files += sorted(path.glob("*.md")) if path.is_dir() else [path]
    documents, problems = [], []
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as error:
            problems.append(
                Problem(str(path), 1, f"Die Datei kann nicht gelesen werden: {error.strerror or error}.")
            )
            continue
        except UnicodeDecodeError:
            problems.append(Problem(str(path), 1, "Die Datei ist nicht in UTF-8 gespeichert."))
            continue
        try:
            documents.append((str(path), parse_survey(text, str(path))))
        except ContentInvalid as invalid:
            problems += invalid.problems
    return documents, problems
