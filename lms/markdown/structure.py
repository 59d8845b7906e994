"""The line structure every Markdown document shares: normalised source, fenced code, ``##`` sections, boxes.

Modules, quizzes and every later document type read their files through these helpers, so a line number
means the same in all of them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lms.markdown.frontmatter import german_list
from lms.markdown.problems import Problem
from lms.markdown.render import CONTAINER_NAMES, FACILITATOR_CONTAINER
from lms.text import N_

#: Slugs name documents (a module file, the module a quiz belongs to): lower-case words joined by hyphens.
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_HEADING = re.compile(r"##(?:[ \t]+(?P<text>.*?))?[ \t]*")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE_OPEN = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_CONTAINER = re.compile(r" {0,3}:{3,}[ \t]*(?P<name>[^\s:]+)")


@dataclass(frozen=True)
class RawSection:
    """A ``##`` heading and the lines up to the next one, before any interpretation."""

    line: int
    heading: str
    body: str
    body_line: int


# --- source normalisation -------------------------------------------------------------------------


def normalise_source(text: str) -> str:
    """Strip a BOM, use LF line ends, drop trailing whitespace at the end, end with exactly one newline."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip() + "\n"


def content_hash(text: str) -> str:
    """``sha256:<hex>`` of the normalised source, so line-end and BOM variants hash alike."""
    return "sha256:" + hashlib.sha256(normalise_source(text).encode("utf-8")).hexdigest()


# --- line structure -------------------------------------------------------------------------------

#: LiaScript quiz syntax: answer lines ``[(X)]``/``[[ ]]``, hints ``[[?]]``, generic ``[[!]]``, matrix rows, and gaps
#: ``[[…]]`` anywhere in a line. In a module LiaScript would make a quiz of it; this platform shows it as text.
_QUIZ_LINE = re.compile(r"[ \t]*(?:[-*+][ \t]+)?(?:\[\([ Xx]\)\]|\[\[[ Xx?!]\]\]|\[[ \t]+[\[(][ Xx]?[\])])")
_QUIZ_GAP = re.compile(r"\[\[[^\[\]\n]+\]\]")
_CODE_SPAN = re.compile(r"(`+).*?\1")


def quiz_syntax_problems(lines: list[str], first_line: int, path: str) -> list[Problem]:
    r"""A module text with LiaScript quiz syntax outside code: one problem at the first such line.

    Inline code (``\`[[X]]\```) and fenced code blocks may show the syntax; anything else would be a quiz in
    LiaScript but plain text here, ungraded, so it belongs in the quiz file.
    """
    for index, line in lines_outside_fences(lines):
        visible = _CODE_SPAN.sub("", line)
        if _QUIZ_LINE.match(visible) or _QUIZ_GAP.search(visible):
            message = N_(
                "Quizfragen in LiaScript-Schreibweise („[(X)]“, „[[ ]]“, „[[…]]“) gehören in die Quizdatei des "
                "Moduls (quizzes/…); im Modultext erschienen sie nur als Text. Um die Schreibweise zu zeigen, "
                "setzen Sie sie in `Backticks`."
            )
            return [Problem(path, first_line + index, message)]
    return []


def lines_outside_fences(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Yield (index, line) for lines that are not inside a fenced code block (the fences themselves too)."""
    fence: str | None = None
    for index, line in enumerate(lines):
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                fence = None
            continue
        match = _FENCE_OPEN.fullmatch(line)
        if match and not (match["fence"][0] == "`" and "`" in match["info"]):
            fence = match["fence"]
            continue
        yield index, line


def split_sections(body: str, first_line: int) -> tuple[str, list[RawSection]]:
    """Split on ``## `` lines outside fenced code into (intro, sections); ``first_line``: body line."""
    lines = body.split("\n")
    starts = [
        (i, m["text"] or "") for i, line in lines_outside_fences(lines) if (m := _HEADING.fullmatch(line))
    ]
    intro_end = starts[0][0] if starts else len(lines)
    sections = []
    for number, (index, text) in enumerate(starts):
        end = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        heading = _CLOSING_HASHES.sub("", text).strip()
        sections.append(
            RawSection(first_line + index, heading, "\n".join(lines[index + 1 : end]), first_line + index + 1)
        )
    return "\n".join(lines[:intro_end]), sections


def container_problems(lines: list[str], first_line: int, kind: str | None, path: str) -> list[Problem]:
    """Unknown ``::: name`` boxes, and facilitator notes outside workshops (learners must never get them)."""
    problems = []
    allowed = german_list(CONTAINER_NAMES)
    for index, line in lines_outside_fences(lines):
        match = _CONTAINER.match(line)
        if match is None:
            continue
        name = match["name"].lower()
        if name not in CONTAINER_NAMES:
            message = f"Unbekannter Kasten „::: {match['name']}“ – erlaubt sind {allowed}."
            problems.append(Problem(path, first_line + index, message))
        elif name == FACILITATOR_CONTAINER and kind == "training":
            message = N_(
                "„::: moderation“ gibt es nur in Drehbüchern (kind: workshop); "
                "Lernende würden den Hinweis sehen."
            )
            problems.append(Problem(path, first_line + index, message))
    return problems
