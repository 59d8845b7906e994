"""Captions and row headers for authored tables (a markdown-it core rule; pure: tokens in, tokens out).

GFM tables know only a header row. A screen reader reading a table cell by cell announces each cell's column
header; where the first column names what a row is about („Individuell“, „Institutionell“ …), it should announce
that too, and a table should have a name of its own (WCAG 1.3.1, BITV 9.1.3.1). Two conventions give both without
new syntax, so the Markdown stays readable as text:

- A paragraph right before a table that begins with „Tabelle:“ (English modules: „Table:“) becomes the table's
  ``<caption>``, without that word; the scroll box is then named by the caption instead of „Tabelle N“.
- If the first cell of every body row is bold and nothing else (``| **Individuell** | … |``), those cells become row
  headers (``<th scope="row">``, bold by themselves), and the header row's cells ``<th scope="col">``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

#: „Tabelle:“ or „Table:“ at the start of the paragraph before a table, and the spaces after it.
CAPTION_PREFIX = re.compile(r"^(?:Tabelle|Table):[ \t]*")


def structure_tables(state: StateCore) -> None:
    """Give tables their caption and row headers (see the module's docstring)."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if tokens[index].type == "table_open":
            index = _take_caption(tokens, index)
            _mark_row_headers(tokens, index)
        index += 1


def _take_caption(tokens: list[Token], table: int) -> int:
    """Move a „Tabelle: …“ paragraph just before the table into it as its caption; the table's new index."""
    if table < 3:
        return table
    opening, inline, closing = tokens[table - 3 : table]
    if not (
        opening.type == "paragraph_open"
        and closing.type == "paragraph_close"
        and inline.type == "inline"
        and opening.level == tokens[table].level
        and CAPTION_PREFIX.match(inline.content)
        and inline.children
        and inline.children[0].type == "text"
    ):
        return table
    first = inline.children[0]
    rest = CAPTION_PREFIX.sub("", first.content, count=1)
    if not rest.strip() and len(inline.children) == 1:
        return table  # „Tabelle:“ alone names nothing: the paragraph stays as it was written
    first.content = rest
    inline.content = CAPTION_PREFIX.sub("", inline.content, count=1)
    table_open = tokens[table]
    caption_open, caption_close = (
        _token_like(opening, "caption_open", 1),
        _token_like(closing, "caption_close", -1),
    )
    # The scroll box's spoken name: the caption's words without their Markdown.
    table_open.meta["caption"] = " ".join("".join(_spoken(child) for child in inline.children).split())
    del tokens[table - 3 : table]
    table -= 3
    tokens[table + 1 : table + 1] = [caption_open, inline, caption_close]
    return table


def _spoken(child: Token) -> str:
    """What a screen reader says for one piece of a caption: its text, a line break as a space, an image's alt."""
    if child.type in ("softbreak", "hardbreak"):
        return " "
    if child.type == "image":
        return child.content
    return child.content if child.type in ("text", "code_inline") else ""


def _token_like(model: Token, kind: str, nesting: Literal[-1, 1]) -> Token:
    from markdown_it.token import Token

    token = Token(kind, "caption", nesting)
    token.block = True
    token.level = model.level + 1
    token.map = model.map
    return token


def _mark_row_headers(tokens: list[Token], table: int) -> None:
    """Make the first cells of the body row headers where every one of them is bold text only."""
    end = next(i for i in range(table, len(tokens)) if tokens[i].type == "table_close")
    firsts: list[int] = []  # index of each body row's first td_open
    in_body = False
    for i in range(table, end):
        kind = tokens[i].type
        if kind == "tbody_open":
            in_body = True
        elif kind == "tr_open" and in_body:
            firsts.append(i + 1)
    if not firsts or not all(_bold_only(tokens[i + 1]) for i in firsts):
        return
    for i in firsts:
        cell, content, close = tokens[i], tokens[i + 1], tokens[i + 2]
        cell.type, cell.tag, close.type, close.tag = "th_open", "th", "th_close", "th"
        cell.attrSet("scope", "row")
        content.children = _without_blank_ends(content.children or [])[1:-1]  # th is bold on its own
    for i in range(table, end):
        if tokens[i].type == "th_open" and not tokens[i].attrGet("scope"):
            tokens[i].attrSet("scope", "col")


def _without_blank_ends(children: list[Token]) -> list[Token]:
    """The inline children without empty text at either end (markdown-it leaves some around a bold run)."""
    start, end = 0, len(children)
    while start < end and children[start].type == "text" and not children[start].content.strip():
        start += 1
    while end > start and children[end - 1].type == "text" and not children[end - 1].content.strip():
        end -= 1
    return children[start:end]


def _bold_only(inline: Token) -> bool:
    """Is this cell's content one bold run and nothing around it?"""
    children = _without_blank_ends(inline.children or [])
    return (
        len(children) >= 3
        and children[0].type == "strong_open"
        and children[-1].type == "strong_close"
        and not any(child.type in ("strong_open", "strong_close") for child in children[1:-1])
    )
