"""The one Markdown pipeline: every piece of authored text becomes HTML here, and only here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from lms.markdown.problems import Problem
from lms.markdown.sanitize import sanitize_html
from lms.markdown.tables import structure_tables
from lms.text import N_

# markdown-it-py and its plugins are imported when the first text is rendered or checked: that happens when content
# is published or edited, not in the page views, which show stored HTML (bench/README.md, memory).
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

# Stored HTML records the version it was rendered with. Bump when the parser configuration
# or the sanitiser policy changes, so published versions can be re-rendered (`lms content rerender`).
# 2 (2026-11-27): tables in a focusable scroll box (WCAG 1.4.10 at 320 px).
# 3 (2026-11-27): table captions („Tabelle: …“ before a table) and row headers (bold first cells), lms.markdown.tables;
# `lms content rerender` gives stored versions both (a stored „Tabelle: …“ paragraph before a table becomes its caption).
RENDERER_VERSION = "3"

# Callout containers: name -> German label for screen readers.
CALLOUTS: dict[str, str] = {"hinweis": "Hinweis", "beispiel": "Beispiel", "merke": "Merke"}
FACILITATOR_CONTAINER = "moderation"
FACILITATOR_LABEL = "Hinweis für die Moderation"
#: The spoken name of a table's scroll box, numbered within one rendered text („Tabelle 1“, „Tabelle 2“).
TABLE_LABEL = "Tabelle"
CONTAINER_NAMES: tuple[str, ...] = (*CALLOUTS, FACILITATOR_CONTAINER)

#: markdown-it-py (commonmark preset, ``maxNesting`` 20) stops parsing where blocks nest 20 deep and silently drops the
#: rest of the text; every list level counts twice (the list and its item), a quote („>“) or a box („:::“) once. The
#: checking parser notes where that happens (env key below), so the check refuses what the rendering would lose.
TOO_DEEP = N_(
    "Der Text ist hier zu tief verschachtelt: Listen, Zitate („>“) und Kästen („:::“) ineinander ergeben mehr Ebenen, "
    "als die Plattform darstellen kann; der Text ab hier ginge verloren. Bitte verschachteln Sie weniger tief "
    "(Listen höchstens neun Ebenen)."
)
_TOO_DEEP_LINES = "lms.too_deep"

_LINK_PREFIXES = ("https://", "http://", "mailto:")


def _aside_renderer(opening_tag: str) -> Callable[..., str]:
    """Render a container as an <aside> with a fixed class and label (the author cannot change either)."""

    def render(_self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
        return opening_tag if tokens[idx].nesting == 1 else "</aside>\n"

    return render


def _container_validator(name: str) -> Callable[[str, str], bool]:
    """Match ``::: name`` case-insensitively; anything after the name is ignored."""

    def validate(params: str, _markup: str) -> bool:
        words = params.split()
        return bool(words) and words[0].lower() == name

    return validate


def _table_in_scroll_box(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A table in a box that scrolls sideways on its own, so a wide table never widens the page (at 320 px, or
    zoomed to 400 %: WCAG 1.4.10). The box is a labelled region in the tab order, as the platform's own tables
    are (macros/tables.html), so keyboard users can focus and scroll it."""
    if tokens[idx].nesting == 1:
        env["lms.tables"] = number = env.get("lms.tables", 0) + 1
        name = tokens[idx].meta.get("caption") or f"{TABLE_LABEL} {number}"
        box = (
            f'<div class="kern-table-responsive table-scroll" role="region" tabindex="0" '
            f'aria-label="{escape(name)}">\n'
        )
        return box + str(self.renderToken(tokens, idx, options, env))
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


def _demote_headings(state: StateCore) -> None:
    """Turn h1/h2 into h3: the page owns h1 (module title) and h2 (section titles)."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in ("h1", "h2"):
            token.tag = "h3"


_HEADING_TAG = re.compile(r"<(/?)h([3-6])\b")


def headings_under_section_title(html: str) -> str:
    """A section's stored HTML for a page whose h1 is the section's own title: h3 becomes h2, h4 h3, and so on.

    Stored HTML starts its headings at h3, under a module's h1 and a section's h2, as pages that show several
    sections need them. A page of one section has its title as h1, so without this its subheadings skipped a level
    (WCAG 1.3.1). The HTML was sanitised at publish, so a tag can only be a tag here: no attribute holds a raw ``<``.
    """
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{int(m.group(2)) - 1}", html)


@cache
def _parser(*, for_checking: bool) -> MarkdownIt:
    """Build the parser once; the checking variant keeps every link and every footnote definition in place."""
    from markdown_it import MarkdownIt
    from markdown_it.parser_block import ParserBlock
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    class _DepthNotingParserBlock(ParserBlock):
        """The block parser, noting each line where the nesting limit would cut off the rest of the text.

        The condition is the one markdown-it-py's ``tokenize`` drops the text on; every nested block (list item,
        quote, box, footnote) is parsed by a call of this method, so no depth is missed.
        """

        def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
            line = state.skipEmptyLines(startLine)
            if (
                state.level >= state.md.options.maxNesting
                and line < endLine
                and state.sCount[line] >= state.blkIndent
            ):
                state.env.setdefault(_TOO_DEEP_LINES, []).append(line)
            super().tokenize(state, startLine, endLine)

    class _CheckingMarkdownIt(MarkdownIt):
        """Keeps every link, so that the content check reports unsafe ones instead of rendering them as text; notes
        where blocks nest too deep to be rendered."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            noting = _DepthNotingParserBlock()
            noting.ruler = self.block.ruler  # the block rules as the preset configured them
            self.block = noting

        def validateLink(self, url: str) -> bool:  # markdown-it-py's way to change the link rule: subclassing
            return True

    options: dict[str, Any] = {"html": False, "linkify": False, "typographer": False}
    if for_checking:
        options["inline_definitions"] = True  # emit link reference definitions as tokens with lines
    parser = _CheckingMarkdownIt if for_checking else MarkdownIt
    md = parser("commonmark", options).enable(["table", "strikethrough"])
    # Only GFM-style [^label] footnotes; inline ^[…] footnotes have no source lines for checking.
    md.use(footnote_plugin, inline=False)
    for name, label in CALLOUTS.items():
        opening = f'<aside class="callout callout-{name}" aria-label="{escape(label)}">\n'
        md.use(
            container_plugin, name=name, validate=_container_validator(name), render=_aside_renderer(opening)
        )
    opening = f'<aside class="facilitator-note" aria-label="{escape(FACILITATOR_LABEL)}">\n'
    md.use(
        container_plugin,
        name=FACILITATOR_CONTAINER,
        validate=_container_validator(FACILITATOR_CONTAINER),
        render=_aside_renderer(opening),
    )
    if for_checking:
        # Keep footnote definitions where they were written (the tail rule moves them away from their lines).
        md.disable("footnote_tail")
    else:
        md.core.ruler.push("demote_headings", _demote_headings)
        md.core.ruler.push("structure_tables", structure_tables)
        md.add_render_rule("table_open", _table_in_scroll_box)
        md.add_render_rule("table_close", _table_in_scroll_box)
    return md


def render_markdown(text: str, *, doc_id: str | None = None) -> str:
    """Render Markdown to sanitised HTML; ``doc_id`` keeps footnote ids unique when fragments share a page."""
    env: dict[str, Any] = {"docId": doc_id} if doc_id else {}
    return sanitize_html(_parser(for_checking=False).render(text, env))


def render_inline(text: str) -> str:
    """Render one line of Markdown without a wrapping paragraph (quiz answers), sanitised."""
    return sanitize_html(_parser(for_checking=False).renderInline(text)).strip()


def parse_for_checking(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    """Tokens of the checking parser: every link kept, footnote definitions in place, all with lines."""
    return _parser(for_checking=True).parse(text, {} if env is None else env)


def is_allowed_link(target: str) -> bool:
    """Links may go to https, http, mailto, a platform path ("/…", not "//host") or a "#fragment"."""
    lowered = target.lower()
    if lowered.startswith(_LINK_PREFIXES):
        return True
    if target.startswith("#"):
        return True
    return target.startswith("/") and not target.startswith("//")


def is_allowed_image(source: str) -> bool:
    """Images must be uploads of the platform ("/media/…").

    Images from other sites are refused: the content security policy would block them anyway, and
    loading them would tell a third party which public servant opened which module when.
    """
    return source.startswith("/media/")


def _shorten(target: str, limit: int = 60) -> str:
    """Keep messages readable when someone pastes a very long URL."""
    return target if len(target) <= limit else target[: limit - 1] + "…"


def _inline_with_lines(tokens: list[Token]) -> Iterator[tuple[int, Token]]:
    """Yield (0-based line, child token) for every inline child, counting line breaks inside paragraphs."""
    last_line = 0
    for token in tokens:
        if token.map is not None:
            last_line = token.map[0]
        if token.type == "definition":
            yield last_line, token
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map is not None else last_line
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield line, child


def find_markup_problems(text: str, path: str, line_offset: int) -> list[Problem]:
    """Report links and images with targets that are not allowed, and where blocks nest too deep to be rendered.

    ``line_offset`` is the number of file lines before ``text``, so problems carry file line numbers.
    """
    env: dict[str, Any] = {}
    tokens = parse_for_checking(text, env)
    problems: list[Problem] = []
    if too_deep := env.get(_TOO_DEEP_LINES):
        # Everything after the first such line is lost, so one problem says it all.
        problems.append(Problem(path, line_offset + min(too_deep) + 1, TOO_DEEP))
    problems += _footnote_problems(tokens, env, path, line_offset)
    seen: set[tuple[int, str]] = set()
    for line, token in _inline_with_lines(tokens):
        found = _link_problem(token)
        if found is None:
            continue
        msgid, params = found
        problem = Problem.of(path, line_offset + line + 1, msgid, **params)
        if (line, problem.message) in seen:
            continue
        seen.add((line, problem.message))
        problems.append(problem)
    return problems


#: ``[^label]`` as it stays in the text when no definition of the label exists.
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")


def _footnote_problems(
    tokens: list[Token], env: dict[str, Any], path: str, line_offset: int
) -> list[Problem]:
    """A footnote defined but never referred to is left out of the page without a word, and a reference to a label
    that is defined nowhere stands in the text as „[^label]“: both are the author's slips, found here."""
    refs = env.get("footnotes", {}).get("refs", {})
    problems = [
        Problem.of(
            path,
            line_offset + token.map[0] + 1,
            N_(
                "Die Fußnote „[^%(label)s]“ wird im Text nirgends verwendet und erscheint deshalb nicht. "
                "Verweisen Sie mit „[^%(label)s]“ auf sie oder löschen Sie sie."
            ),
            label=_shorten(str(token.meta.get("label", ""))),
        )
        for token in tokens
        if token.type == "footnote_reference_open"
        and token.map is not None
        and refs.get(":" + str(token.meta.get("label", ""))) == -1
    ]
    reported: set[str] = set()
    for line, token in _inline_with_lines(tokens):
        if token.type != "text":
            continue
        for found in _FOOTNOTE_REFERENCE.finditer(token.content):
            label = found.group(1)
            if ":" + label in refs or label in reported:
                continue
            reported.add(label)
            problems.append(
                Problem.of(
                    path,
                    line_offset + line + 1,
                    N_(
                        "Die Fußnote „[^%(label)s]“ ist nirgends definiert und steht deshalb wörtlich im Text. "
                        "Definieren Sie sie in einer eigenen Zeile: „[^%(label)s]: Text der Fußnote“."
                    ),
                    label=_shorten(label),
                )
            )
    return problems


def _link_problem(token: Token) -> tuple[str, dict[str, str]] | None:
    """The complaint about one link-like token (a catalogue entry and its values), or None if it is fine."""
    if token.type in ("link_open", "definition"):
        target = str(token.attrGet("href") if token.type == "link_open" else token.meta.get("url", ""))
        if not target.strip():
            return N_("Link ohne Ziel (nur https, http, mailto oder Seiten der Plattform)."), {}
        if not is_allowed_link(target):
            return N_(
                "Link-Ziel „%(target)s“ ist nicht erlaubt (nur https, http, mailto oder Seiten der Plattform)."
            ), {"target": _shorten(target)}
    if token.type == "image":
        source = str(token.attrGet("src") or "")
        if not is_allowed_image(source):
            return N_(
                "Bild-Quelle „%(source)s“ ist nicht erlaubt (nur unter „Bilder“ hochgeladene Dateien der Plattform, "
                "„/media/…“)."
            ), {"source": _shorten(source)}
        if not token.content.strip():
            # WCAG 1.1.1: screen reader users need the picture in words.
            return N_(
                "Das Bild braucht einen Alternativtext, der beschreibt, was es zeigt: „![Beschreibung](/media/…)“."
            ), {}
    return None
