"""Document files (``documents/*.md``): front matter plus ``##`` sections, through the same Markdown pipeline as modules.

A document is a programme text that is consulted on and versioned (the working definition of racism, the
recommendations). Its file has the module format's shape, with its own fields::

    ---
    slug: arbeitsdefinition-rassismus        # = file name
    title: "Arbeitsdefinition Rassismus"
    version: "0.1"                           # 1, 1.0 or 1.0.0; a new text needs a new number
    status: draft                            # draft („Entwurf zur Konsultation“) or adopted („Beschlossene Fassung“)
    summary: "Ein Satz, worum es geht."
    language: de
    icerd_section: "Bezug zu ICERD Art. 1"   # optional: the heading of the section that relates the text to ICERD
    ---

Sections are the ``##`` headings; every section is rendered and sanitised once, here, and stored with its Markdown
(people comment per section, and reports quote a section as text).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from lms.content.modules import VERSION_HINT, VERSION_PATTERN, unique_anchor
from lms.markdown.bounds import bound_problems
from lms.markdown.frontmatter import FieldReader, split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import find_markup_problems, parse_for_checking, render_markdown
from lms.markdown.structure import (
    SLUG_PATTERN,
    container_problems,
    content_hash,
    normalise_source,
    split_sections,
)

DOCUMENT_FIELDS = ("slug", "title", "version", "status", "summary", "language", "icerd_section")
STATUSES = ("draft", "adopted")
LANGUAGES = ("de", "en")
#: A document needs at least this many sections (people comment per section).
MIN_SECTIONS = 2


@dataclass(frozen=True)
class DocumentSectionFile:
    """One ``##`` section, rendered and ready to store."""

    position: int
    title: str
    anchor: str
    line: int
    source: str
    html: str


@dataclass(frozen=True)
class DocumentFile:
    """A parsed, valid document file."""

    slug: str
    title: str
    version: str
    status: str
    summary: str
    language: str
    #: The title of the section that relates the text to ICERD Art. 1 (None if the file names none).
    icerd_section: str | None
    intro_html: str
    sections: tuple[DocumentSectionFile, ...]
    source: str
    content_hash: str


def _body_problems(body: str, first_line: int, path: str) -> list[Problem]:
    """Links, headings of level 1 and boxes, as in modules (facilitator notes are refused: everyone reads these)."""
    problems = find_markup_problems(body, path, first_line - 1)
    for token in parse_for_checking(body):
        if token.type == "heading_open" and token.tag == "h1" and token.map is not None:
            message = (
                "Überschriften der Ebene 1 („# …“) gehören nicht in den Text – den Titel liefert „title“ "
                "im Front-Matter. Abschnitte beginnen mit „## “."
            )
            problems.append(Problem(path, first_line + token.map[0], message))
    problems += container_problems(body.split("\n"), first_line, "training", path)
    return problems


def _sections(body: str, first_line: int, path: str) -> tuple[str, list[DocumentSectionFile], list[Problem]]:
    """Render the text before the first section and every section; report empty ones."""
    intro, raw_sections = split_sections(body, first_line)
    problems: list[Problem] = []
    sections: list[DocumentSectionFile] = []
    taken: set[str] = set()
    for position, raw in enumerate(raw_sections, start=1):
        title = raw.heading
        if not title:
            problems.append(Problem(path, raw.line, "Die Abschnittsüberschrift „##“ hat keinen Text."))
        if not raw.body.strip():
            problems.append(Problem(path, raw.line, f"Abschnitt „{title}“ hat keinen Text."))
        source = raw.body.strip("\n") + "\n"
        html = render_markdown(source, doc_id=f"s{position}")
        sections.append(
            DocumentSectionFile(
                position, title, unique_anchor(title, position, taken), raw.line, source, html
            )
        )
    intro_html = render_markdown(intro, doc_id="s0") if intro.strip() else ""
    return intro_html, sections, problems


def parse_document(source: str, path: str) -> DocumentFile:
    """Parse and validate a document file; raise ContentInvalid listing every problem with its line."""
    text = normalise_source(source)
    if too_large := bound_problems(text, path):
        raise ContentInvalid(too_large)
    node, body, body_line, problems = split_front_matter(text, path)
    reader = FieldReader(node, path, DOCUMENT_FIELDS)
    slug = reader.text(
        "slug",
        pattern=SLUG_PATTERN,
        hint="„slug“ darf nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche enthalten, nicht „{value}“.",
    )
    title = reader.text("title")
    version = reader.text(
        "version",
        pattern=VERSION_PATTERN,
        hint=VERSION_HINT,
    )
    status = reader.choice("status", STATUSES)
    summary = reader.text("summary")
    language = reader.choice("language", LANGUAGES)
    icerd_section = reader.text("icerd_section", required=False)
    name = PurePath(path).name
    if slug and name.endswith(".md") and slug != name[:-3]:
        message = f"„slug“ („{slug}“) muss dem Dateinamen entsprechen: erwartet „{name[:-3]}“."
        reader.problems.append(Problem(path, reader.line("slug"), message))
    problems += reader.problems
    problems += _body_problems(body, body_line, path)
    intro_html, sections, section_problems = _sections(body, body_line, path)
    problems += section_problems
    if node is not None and len(sections) < MIN_SECTIONS:
        message = (
            f"Ein Dokument braucht mindestens {MIN_SECTIONS} Abschnitte (Überschriften „## “), "
            f"damit abschnittsweise kommentiert werden kann; gefunden: {len(sections)}."
        )
        problems.append(Problem(path, sections[0].line if sections else body_line, message))
    if icerd_section and sections and icerd_section not in {s.title for s in sections}:
        message = f"„icerd_section“ nennt „{icerd_section}“, aber keine Abschnittsüberschrift lautet so."
        problems.append(Problem(path, reader.line("icerd_section"), message))
    if problems:
        raise ContentInvalid(problems)
    assert slug and title and version and status and summary and language  # no problems: every field was read
    return DocumentFile(
        slug=slug,
        title=title,
        version=version,
        status=status,
        summary=summary,
        language=language,
        icerd_section=icerd_section,
        intro_html=intro_html,
        sections=tuple(sections),
        source=text,
        content_hash=content_hash(text),
    )
