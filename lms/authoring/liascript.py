"""One LiaScript course file from a module and its quiz (``lms content export --liascript SLUG``), and back.

LiaScript (liascript.github.io) reads a course from one Markdown file: a header comment (``<!-- … -->`` with
``language: de`` …), ``# Title``, the sections. This platform's files differ in three places, which the export
bridges so that LiaScript shows every question as a quiz and never reveals an answer before it is answered
(docs/content-format.md, „LiaScript-Export“):

- the YAML front matter (LiaScript would drop it and take the first question as the course title) goes into the
  header comment: module and quiz settings as ``lms_quiz: {JSON}`` (LiaScript reads unknown header lines as
  macros and shows nothing of them);
- an ordering (``[[1]] Schritt``, a survey in LiaScript) becomes a matrix quiz with one column per position, one
  ``(X)`` per row, marked ``<!-- data-lms-ordering -->``: LiaScript grades it as the platform does (right only if
  every step is at its place), and this platform reads it back as the same ordering (the form quiz files use too);
- a text input with variants (``[[AGG | Allgemeines …]]``, a selection without a right option in LiaScript) becomes
  ``[[AGG]]`` with the other spellings in ``<!-- data-lms-variants="…" -->``, which LiaScript keeps as an
  attribute and this platform reads as further accepted spellings.

The quiz stands in a section ``## Quiz`` with each question one level lower (``###``). ``platform_quiz_source``
turns such a file back into a quiz file of this platform (used by the tests to prove the meaning survives).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from lms.markdown.structure import normalise_source, split_sections
from lms.quizzes.question_types.ordering import MARKER as ORDERING_MARKER

QUIZ_HEADING = "## Quiz"
_FRONT = re.compile(r"\A---\n(?P<yaml>.*?)\n---[ \t]*\n", re.DOTALL)
_ORDERING_LINE = re.compile(r"[ \t]*(?:[-*+][ \t]+)?\[\[(?P<n>\d+)\]\][ \t]*(?P<text>.*)")
_VARIANTS_LINE = re.compile(r"(?P<lead>[ \t]*)\[\[(?P<body>[^\[\]|]+(?:\|[^\[\]|]+)+)\]\][ \t]*")
_HEADER_FIELD = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):[ \t]*(?P<value>.*)$", re.MULTILINE)


def _front_matter(source: str) -> tuple[dict[str, Any], str]:
    """(front-matter mapping, body) of a platform file."""
    match = _FRONT.match(source)
    if match is None:
        return {}, source
    loaded = yaml.safe_load(match["yaml"]) or {}
    return (loaded if isinstance(loaded, dict) else {}), source[match.end() :]


def _one_line(text: str) -> str:
    """A header value on one line; "-->" would end LiaScript's header comment early."""
    return " ".join(str(text).split()).replace("-->", "–>")


def _ordering_as_matrix(body: str) -> str:
    """``[[n]] step`` lines → a LiaScript matrix, columns 1 … n, the step's position marked ``(X)``, under the
    settings comment ``<!-- data-lms-ordering -->`` (added to a settings comment already there)."""
    lines = body.split("\n")
    steps = [(i, m) for i, line in enumerate(lines) if (m := _ORDERING_LINE.fullmatch(line)) is not None]
    if len(steps) < 2:
        return body  # already a matrix (the form quiz files may use), or no ordering at all
    count = len(steps)
    header = "[" + " ".join(f"({n})" for n in range(1, count + 1)) + "]"
    rows = []
    for _, match in steps:
        cells = " ".join("(X)" if n == int(match["n"]) else "( )" for n in range(1, count + 1))
        rows.append(f"[ {cells} ] {match['text'].strip()}")
    first, last = steps[0][0], steps[-1][0]
    above = lines[:first]
    filled = [i for i, line in enumerate(above) if line.strip()]
    if filled and above[filled[-1]].rstrip().endswith("-->"):
        comment = above[filled[-1]].rstrip()
        above[filled[-1]] = f"{comment[:-3].rstrip()} {ORDERING_MARKER} -->"
    else:
        above.append(f"<!-- {ORDERING_MARKER} -->")
    return "\n".join([*above, header, *rows, *lines[last + 1 :]])


def _variants_as_comment(body: str) -> str:
    """``[[a | b]]`` (no option in parentheses) → ``<!-- data-lms-variants="b" -->`` and ``[[a]]``."""
    out = []
    for line in body.split("\n"):
        match = _VARIANTS_LINE.fullmatch(line)
        variants = [v.strip() for v in match["body"].split("|")] if match else []
        if match and not any(v.startswith("(") and v.endswith(")") for v in variants) and '"' not in line:
            out.append(f'{match["lead"]}<!-- data-lms-variants="{"|".join(variants[1:])}" -->')
            out.append(f"{match['lead']}[[{variants[0]}]]")
        else:
            out.append(line)
    return "\n".join(out)


def _question_for_liascript(heading: str, body: str, type_name: str) -> str:
    if type_name == "ordering":
        body = _ordering_as_matrix(body)
    elif type_name == "text_input":
        body = _variants_as_comment(body)
    return f"### {heading}\n{body.rstrip()}\n"


def liascript_course(
    *,
    title: str,
    summary: str,
    version: str,
    module_source: str,
    quiz_source: str | None,
    question_types: list[str],
) -> str:
    """The LiaScript course file: header comment, ``# title``, the module text, then ``## Quiz`` (if any).

    ``question_types`` are the quiz's question types in file order (from its parsed document).
    """
    _, module_body = _front_matter(normalise_source(module_source))
    header = [
        "<!--",
        "author:   Lernplattform „Kommunen für alle?“",
        f"title:    {_one_line(title)}",
        f"version:  {_one_line(version)}",
        "language: de",
        f"comment:  {_one_line(summary)}",
    ]
    quiz_part = ""
    if quiz_source is not None:
        settings, quiz_body = _front_matter(normalise_source(quiz_source))
        header.append(f"lms_quiz: {json.dumps(settings, ensure_ascii=False, sort_keys=True)}")
        _, sections = split_sections(quiz_body, 1)
        questions = [
            _question_for_liascript(raw.heading, raw.body, type_name)
            for raw, type_name in zip(sections, question_types, strict=True)
        ]
        quiz_part = f"\n\n{QUIZ_HEADING}\n\n" + "\n".join(questions)
    header.append("-->")
    return "\n".join(header) + f"\n\n# {_one_line(title)}\n\n{module_body.strip()}{quiz_part}".rstrip() + "\n"


def platform_quiz_source(course: str) -> str:
    """The quiz file of this platform inside a course written by ``liascript_course`` (front matter restored)."""
    text = normalise_source(course)
    end = text.find("-->")
    header = text[:end] if text.startswith("<!--") and end > 0 else ""
    fields = {m["key"]: m["value"].strip() for m in _HEADER_FIELD.finditer(header)}
    settings = json.loads(fields.get("lms_quiz", "{}"))
    lines = text.split("\n")
    start = max(i for i, line in enumerate(lines) if line.rstrip() == QUIZ_HEADING)
    questions = "\n".join("#" + line[2:] if line.startswith("### ") else line for line in lines[start + 1 :])
    front = "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in settings.items())
    return f"---\n{front}\n---\n{questions}"
