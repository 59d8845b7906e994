"""What the editor's preview shows: the document as learners will get it, or the problems that stop it.

The preview runs the very same parser, renderer and sanitiser as publishing (``parse_module`` /
``parse_quiz``), so what the author sees is what learners get. Pure code: the database checks (does the
quiz's module exist, are the images uploaded) are added by the draft service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lms.content.models import DocumentType
from lms.content.modules import LANGUAGES, ModuleDocument, parse_module
from lms.markdown.bounds import bound_problems
from lms.markdown.frontmatter import split_front_matter
from lms.markdown.problems import ContentInvalid, Problem
from lms.markdown.render import render_markdown
from lms.markdown.structure import SLUG_PATTERN, normalise_source
from lms.quizzes.parse import QuizDocument, parse_quiz


@dataclass
class Preview:
    """A checked source: the parsed document if it is valid, else every problem and a rough rendering."""

    problems: list[Problem] = field(default_factory=list)
    module: ModuleDocument | None = None
    quiz: QuizDocument | None = None
    #: When the source has problems: its body rendered as plain Markdown, so the author still sees their text.
    rough_html: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.problems and (self.module is not None or self.quiz is not None)


def document_path(document: str, slug: str | None) -> str:
    """The file a source would live in, e.g. ``modules/grundbegriffe.md`` (used in problems and downloads)."""
    folder = "quizzes" if document == DocumentType.QUIZ else "modules"
    return f"{folder}/{slug or 'neu'}.md"


def preview_source(document: str, source: str, path: str) -> Preview:
    """Parse a module or quiz source exactly as publishing would."""
    try:
        if document == DocumentType.QUIZ:
            return Preview(quiz=parse_quiz(source, path))
        return Preview(module=parse_module(source, path))
    except ContentInvalid as invalid:
        return Preview(problems=list(invalid.problems), rough_html=_rough_html(source, path))


def _rough_html(source: str, path: str) -> str:
    """The body as ordinary Markdown (same renderer and sanitiser), for a source that does not parse yet."""
    if bound_problems(normalise_source(source), path):
        return ""  # too large to render in reasonable time; the problems say why
    _node, body, _line, _problems = split_front_matter(normalise_source(source), path)
    return render_markdown(body) if body.strip() else ""


def declared_slug(document: str, source: str) -> str | None:
    """The ``slug:`` of a module or the ``module:`` of a quiz, read leniently (the source may be broken)."""
    key = "module" if document == DocumentType.QUIZ else "slug"
    node, _body, _line, _problems = split_front_matter(normalise_source(source), "entwurf.md")
    if node is None:
        return None
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == key and isinstance(getattr(value_node, "value", None), str):
            value = value_node.value.strip()
            return value if SLUG_PATTERN.fullmatch(value) else None
    return None


def _declared(source: str, key: str) -> str | None:
    """A text field of the front matter, read leniently (the source may be broken); None if absent or not text."""
    node, _body, _line, _problems = split_front_matter(normalise_source(source), "entwurf.md")
    for key_node, value_node in node.value if node is not None else []:
        if getattr(key_node, "value", None) == key and isinstance(getattr(value_node, "value", None), str):
            return str(value_node.value).strip() or None
    return None


def declared_title(source: str) -> str | None:
    """The ``title:`` of a module source, read leniently, for lists of drafts."""
    title = _declared(source, "title")
    return title[:300] if title else None


def declared_language(source: str) -> str | None:
    """The ``language:`` of a module source if it is one the platform knows, read leniently (for the editor's
    ``lang``, which should not fall back to German while the author fixes a typo elsewhere)."""
    language = _declared(source, "language")
    return language if language in LANGUAGES else None
