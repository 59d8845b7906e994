"""Module and workshop files: front matter plus ``##`` sections, parsed into an immutable document."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from lms.markdown.bounds import bound_problems
from lms.markdown.frontmatter import FieldReader, split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import find_markup_problems, parse_for_checking, render_markdown
from lms.markdown.structure import (
    SLUG_PATTERN,
    RawSection,
    container_problems,
    content_hash,
    normalise_source,
    quiz_syntax_problems,
    split_sections,
)
from lms.text import N_, character_names, normalised_name, unprintable_characters

if TYPE_CHECKING:
    from markdown_it.token import Token

KINDS = ("training", "workshop")
LANGUAGES = ("de", "en")
MIN_SECTIONS = 3
#: Up to three parts of up to six digits: at most 20 characters, the length a version label is stored with.
VERSION_PATTERN = re.compile(r"\d{1,6}(\.\d{1,6}){0,2}")
VERSION_HINT = (
    "„version“ muss die Form 1, 1.0 oder 1.0.0 haben (je Zahl höchstens 6 Ziffern), nicht „{value}“."
)
#: The longest duration a module or one of its sections may give: a week of minutes. Beyond plausibility for any
#: training or workshop, and far below the database's integer columns (a larger number stopped the import).
MAX_DURATION_MINUTES = 7 * 24 * 60
DURATION_HINT = N_(
    "„duration_minutes“ muss eine ganze Zahl von 1 bis %(maximum)s sein (Minuten, höchstens eine Woche)."
)
SECTION_DURATION_TOO_LONG = N_(
    "„%(title)s“: Die Dauer in der Überschrift darf höchstens %(maximum)s Minuten (eine Woche) betragen."
)
VALID_FOR_MONTHS_HINT = N_(
    "„valid_for_months“ muss eine ganze Zahl von 1 bis 120 sein (Monate, die ein Abschluss gilt)."
)
MODULE_FIELDS = (
    "slug",
    "title",
    "kind",
    "version",
    "summary",
    "duration_minutes",
    "audience",
    "objectives",
    "language",
    "materials",
    "valid_for_months",
)
SLUG_HINT = (
    "„slug“ darf nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche enthalten, nicht „{value}“."
)

_DURATION = re.compile(r"\s*\((?P<minutes>\d+)\s*Min\.?\)$")
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)
_ANCHOR_MAX = 80


@dataclass(frozen=True)
class Section:
    """One ``##`` section (a phase in a workshop), rendered and ready to store."""

    position: int
    title: str
    anchor: str
    line: int
    duration_minutes: int | None
    source: str
    html: str


@dataclass(frozen=True)
class ModuleDocument:
    """A parsed, valid module file."""

    slug: str
    title: str
    kind: str
    version: str
    summary: str
    duration_minutes: int
    audience: tuple[str, ...]
    objectives: tuple[str, ...]
    language: str
    materials: tuple[str, ...]
    intro_html: str
    sections: tuple[Section, ...]
    source: str
    content_hash: str
    front_matter: dict[str, Any] = field(hash=False)
    #: How many months a completion stays valid (optional ``valid_for_months``); None: for good.
    valid_for_months: int | None = None


# --- section anchors and durations ---------------------------------------------------------------


def slugify(text: str) -> str:
    """ASCII anchor: umlauts transliterated (ä -> ae), other accents dropped, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > _ANCHOR_MAX:
        slug = slug[:_ANCHOR_MAX].rsplit("-", 1)[0]
    return slug


def unique_anchor(title: str, position: int, taken: set[str]) -> str:
    """A slug of the title that no earlier section uses (``-2``, ``-3`` … on repeats)."""
    base = slugify(title) or f"abschnitt-{position}"
    anchor, counter = base, 2
    while anchor in taken:
        anchor, counter = f"{base}-{counter}", counter + 1
    taken.add(anchor)
    return anchor


def split_duration(heading: str) -> tuple[str, int | None]:
    """``Ankommen (20 Min.)`` -> ("Ankommen", 20); headings without a duration -> (heading, None).

    A number of more digits than any plausible duration has becomes ``MAX_DURATION_MINUTES + 1`` (reported as too
    long): Python refuses to convert strings of thousands of digits at all.
    """
    match = _DURATION.search(heading)
    if match is None:
        return heading, None
    digits = match["minutes"].lstrip("0") or "0"
    minutes = int(digits) if len(digits) <= len(str(MAX_DURATION_MINUTES)) else MAX_DURATION_MINUTES + 1
    return heading[: match.start()].strip(), minutes


# --- footnotes and link references across sections ------------------------------------------------


def _definition_ranges(tokens: list[Token]) -> list[tuple[int, int]]:
    """0-based line ranges of top-level footnote and link reference definitions."""
    return [
        (t.map[0], t.map[1])
        for t in tokens
        if t.type in ("definition", "footnote_reference_open") and t.level == 0 and t.map is not None
    ]


def _with_shared_definitions(lines: list[str], start: int, end: int, ranges: list[tuple[int, int]]) -> str:
    """A section's Markdown plus definitions written elsewhere, so ``[^1]`` works wherever it is defined."""
    own = "\n".join(lines[start:end])
    borrowed = ["\n".join(lines[a:b]) for a, b in ranges if not start <= a < end]
    return "\n\n".join([own, *borrowed]) if borrowed else own


# --- parsing --------------------------------------------------------------------------------------


@dataclass
class _FrontMatterValues:
    """Validated front-matter values (None where a field was missing or invalid)."""

    reader: FieldReader
    values: dict[str, Any]


def _read_front_matter(reader: FieldReader, path: str) -> _FrontMatterValues:
    """Validate every module field; problems accumulate in the reader."""
    values: dict[str, Any] = {
        "slug": reader.text("slug", pattern=SLUG_PATTERN, hint=SLUG_HINT),
        "title": reader.text("title"),
        "kind": reader.choice("kind", KINDS),
        "version": reader.text(
            "version",
            pattern=VERSION_PATTERN,
            hint=VERSION_HINT,
        ),
        "summary": reader.text("summary"),
        "duration_minutes": reader.integer(
            "duration_minutes", minimum=1, maximum=MAX_DURATION_MINUTES, hint=DURATION_HINT
        ),
        "audience": reader.text_list("audience", allow_single=True),
        "objectives": reader.text_list("objectives"),
        "language": reader.choice("language", LANGUAGES),
        "materials": reader.text_list("materials", required=False, min_items=0),
        "valid_for_months": reader.integer(
            "valid_for_months",
            minimum=1,
            maximum=120,
            required=False,
            hint=VALID_FOR_MONTHS_HINT,
        ),
    }
    name = PurePath(path).name
    if values["slug"] and name.endswith(".md") and values["slug"] != name[:-3]:
        message = f"„slug“ („{values['slug']}“) muss dem Dateinamen entsprechen: erwartet „{name[:-3]}“."
        reader.problems.append(Problem(path, reader.line("slug"), message))
    if reader.has("valid_for_months") and values["kind"] == "workshop":
        message = "„valid_for_months“ gibt es nur bei Schulungsmodulen (kind: training)."
        reader.problems.append(Problem(path, reader.line("valid_for_months"), message))
    if reader.has("materials") and values["kind"] == "training":
        message = "„materials“ gibt es nur bei Drehbüchern (kind: workshop)."
        reader.problems.append(Problem(path, reader.line("materials"), message))
    if values["title"] and (unprintable := unprintable_characters(normalised_name(values["title"]))):
        # The title is printed on every certificate of the module, and the PDF would leave these out unseen.
        message = (
            f"„title“ enthält Zeichen, die auf Zertifikaten nicht gedruckt werden können: "
            f"{character_names(unprintable)}."
        )
        reader.problems.append(Problem(path, reader.line("title"), message))
    return _FrontMatterValues(reader, values)


def _body_problems(body: str, first_line: int, kind: str | None, path: str) -> list[Problem]:
    """Problems in the Markdown body as a whole: headings, containers, links, footnotes."""
    problems = find_markup_problems(body, path, first_line - 1)
    tokens = parse_for_checking(body)
    for token in tokens:
        if token.type != "heading_open" or token.map is None:
            continue
        line = first_line + token.map[0]
        if token.tag == "h1":
            message = N_(
                "Überschriften der Ebene 1 („# …“) gehören nicht in den Text – den Titel liefert „title“ "
                "im Front-Matter. Abschnitte beginnen mit „## “."
            )
            problems.append(Problem(path, line, message))
        elif token.tag == "h2" and token.markup == "-":
            message = N_(
                "Die Zeile „---“ direkt unter Text macht diesen Text zur Überschrift. "
                "Für eine Trennlinie eine Leerzeile davor setzen."
            )
            problems.append(Problem(path, first_line + token.map[1] - 1, message))  # the "---" line
    problems += container_problems(body.split("\n"), first_line, kind, path)
    problems += quiz_syntax_problems(body.split("\n"), first_line, path)
    problems += _duplicate_footnotes(tokens, first_line, path)
    return problems


def _duplicate_footnotes(tokens: list[Token], first_line: int, path: str) -> list[Problem]:
    """A footnote label defined twice in one module would silently show only one text."""
    seen: dict[str, int] = {}
    problems = []
    for token in tokens:
        if token.type != "footnote_reference_open" or token.map is None:
            continue
        label, line = token.meta["label"], first_line + token.map[0]
        if label in seen:
            message = f"Fußnote „[^{label}]“ ist schon in Zeile {seen[label]} definiert."
            problems.append(Problem(path, line, message))
        else:
            seen[label] = line
    return problems


def _build_sections(
    body: str, first_line: int, kind: str | None, path: str
) -> tuple[str, list[Section], list[Problem]]:
    """Render intro and sections; check headings, durations and emptiness."""
    intro, raw_sections = split_sections(body, first_line)
    lines = body.split("\n")
    ranges = _definition_ranges(parse_for_checking(body))
    intro_end = (raw_sections[0].line - first_line) if raw_sections else len(lines)
    intro_html = render_markdown(_with_shared_definitions(lines, 0, intro_end, ranges), doc_id="s0")
    problems: list[Problem] = []
    sections: list[Section] = []
    taken: set[str] = set()
    for position, raw in enumerate(raw_sections, start=1):
        title, minutes = split_duration(raw.heading)
        problems += _section_problems(raw, title, minutes, kind, path)
        start = raw.body_line - first_line
        end = start + len(raw.body.split("\n"))
        html = render_markdown(_with_shared_definitions(lines, start, end, ranges), doc_id=f"s{position}")
        anchor = unique_anchor(title, position, taken)
        source = raw.body.strip("\n") + "\n"
        sections.append(Section(position, title, anchor, raw.line, minutes, source, html))
    return (intro_html if intro.strip() else ""), sections, problems


def _section_problems(
    raw: RawSection, title: str, minutes: int | None, kind: str | None, path: str
) -> list[Problem]:
    """Problems with a single section heading or body."""
    problems = []
    if not title:
        problems.append(Problem(path, raw.line, "Die Abschnittsüberschrift „##“ hat keinen Text."))
    if not raw.body.strip():
        problems.append(Problem(path, raw.line, f"Abschnitt „{title or raw.heading}“ hat keinen Text."))
    if kind == "workshop" and minutes is None:
        example = title or "Ankommen"
        message = f"Phase „{title}“: Die Dauer fehlt am Ende der Überschrift, z. B. „## {example} (20 Min.)“."
        problems.append(Problem(path, raw.line, message))
    elif minutes == 0:
        problems.append(
            Problem(path, raw.line, f"Phase „{title}“: Die Dauer muss größer als 0 Minuten sein.")
        )
    elif minutes is not None and minutes > MAX_DURATION_MINUTES:
        problems.append(
            Problem.of(
                path,
                raw.line,
                SECTION_DURATION_TOO_LONG,
                title=title or raw.heading,
                maximum=MAX_DURATION_MINUTES,
            )
        )
    return problems


def _structure_problems(
    sections: list[Section], fm: _FrontMatterValues, body_line: int, path: str
) -> list[Problem]:
    """Module-wide rules: enough sections, and workshop phases that add up."""
    problems = []
    if len(sections) < MIN_SECTIONS:
        message = N_(
            "Ein Modul braucht mindestens %(minimum)s Abschnitte (Überschriften „## “); gefunden: %(found)s."
        )
        line = sections[0].line if sections else body_line
        problems.append(Problem.of(path, line, message, minimum=MIN_SECTIONS, found=len(sections)))
    total = fm.values["duration_minutes"]
    minutes = [s.duration_minutes for s in sections]
    plausible = all(m is not None and m <= MAX_DURATION_MINUTES for m in minutes)  # else reported per section
    if fm.values["kind"] == "workshop" and total and sections and plausible:
        phases = sum(m for m in minutes if m is not None)
        if phases != total:
            message = f"Die Phasen dauern zusammen {phases} Minuten, „duration_minutes“ sagt {total}."
            problems.append(Problem(path, fm.reader.line("duration_minutes"), message))
    return problems


def parse_module(source: str, path: str) -> ModuleDocument:
    """Parse and validate a module file; raise ContentInvalid listing every problem with its line."""
    text = normalise_source(source)
    if too_large := bound_problems(text, path):
        raise ContentInvalid(too_large)  # before any parser: these would take seconds
    node, body, body_line, problems = split_front_matter(text, path)
    reader = FieldReader(node, path, MODULE_FIELDS)
    fm = _read_front_matter(reader, path)
    problems += reader.problems
    kind = fm.values["kind"]
    problems += _body_problems(body, body_line, kind, path)
    intro_html, sections, section_problems = _build_sections(body, body_line, kind, path)
    problems += section_problems
    if node is not None or body.strip():
        problems += _structure_problems(sections, fm, body_line, path)
    if problems:
        raise ContentInvalid(problems)
    return _document(fm.values, intro_html, sections, text)


def _document(values: dict[str, Any], intro_html: str, sections: list[Section], text: str) -> ModuleDocument:
    """Assemble the document from validated values."""
    materials = values["materials"] or ()
    front_matter = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in values.items()
        if (key != "materials" or materials) and (key != "valid_for_months" or value is not None)
    }
    return ModuleDocument(
        slug=values["slug"],
        title=values["title"],
        kind=values["kind"],
        version=values["version"],
        summary=values["summary"],
        duration_minutes=values["duration_minutes"],
        audience=values["audience"],
        objectives=values["objectives"],
        language=values["language"],
        materials=materials,
        intro_html=intro_html,
        sections=tuple(sections),
        source=text,
        content_hash=content_hash(text),
        front_matter=front_matter,
        valid_for_months=values["valid_for_months"],
    )
