"""A readable line diff of two Markdown sources, grouped into hunks with a little context (pure code)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

#: Unchanged lines shown around each change, as in ``git diff``.
CONTEXT_LINES = 3

RowKind = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class DiffRow:
    """One line of the diff; ``old``/``new`` are 1-based line numbers (None where the line does not exist)."""

    kind: RowKind
    old: int | None
    new: int | None
    text: str
    #: For a changed line that replaces another: (changed?, piece) runs, so changed words can be marked.
    parts: tuple[tuple[bool, str], ...] = ()


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_parts(old: str, new: str) -> tuple[tuple[tuple[bool, str], ...], tuple[tuple[bool, str], ...]]:
    """Which words of ``old`` were removed and which of ``new`` were added: (changed, text) runs for each line."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    old_parts: list[tuple[bool, str]] = []
    new_parts: list[tuple[bool, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        same = tag == "equal"
        if i2 > i1:
            old_parts.append((not same, "".join(a[i1:i2])))
        if j2 > j1:
            new_parts.append((not same, "".join(b[j1:j2])))
    return _merge(old_parts), _merge(new_parts)


def _merge(parts: list[tuple[bool, str]]) -> tuple[tuple[bool, str], ...]:
    """Join neighbouring runs of the same kind (fewer marks for a screen reader to announce)."""
    merged: list[tuple[bool, str]] = []
    for changed, text in parts:
        if merged and merged[-1][0] == changed:
            merged[-1] = (changed, merged[-1][1] + text)
        else:
            merged.append((changed, text))
    return tuple(merged)


@dataclass
class Hunk:
    """A run of changed lines with their context."""

    rows: list[DiffRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """Where the hunk is, like ``@@ -12,7 +12,9 @@`` but in words for people."""
        old = [r.old for r in self.rows if r.old is not None]
        new = [r.new for r in self.rows if r.new is not None]
        old_part = f"{old[0]}–{old[-1]}" if old else "–"
        new_part = f"{new[0]}–{new[-1]}" if new else "–"
        return f"{old_part} → {new_part}"


@dataclass(frozen=True)
class LineDiff:
    """The whole comparison."""

    hunks: list[Hunk]
    added: int
    removed: int

    @property
    def is_identical(self) -> bool:
        return not self.hunks


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> LineDiff:
    """Compare two texts line by line; changed lines come with ``context`` unchanged lines around them."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    matcher = SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    hunks, added, removed = [], 0, 0
    for group in matcher.get_grouped_opcodes(context):
        hunk = Hunk()
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.rows += [DiffRow("same", i + 1, j1 + (i - i1) + 1, old_lines[i]) for i in range(i1, i2)]
                continue
            # A replaced block pairs its lines in order, so the words changed within each line can be marked.
            pairs = {
                k: word_parts(old_lines[i1 + k], new_lines[j1 + k]) for k in range(min(i2 - i1, j2 - j1))
            }
            if tag in ("replace", "delete"):
                hunk.rows += [
                    DiffRow("removed", i + 1, None, old_lines[i], pairs[i - i1][0] if i - i1 in pairs else ())
                    for i in range(i1, i2)
                ]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                hunk.rows += [
                    DiffRow("added", None, j + 1, new_lines[j], pairs[j - j1][1] if j - j1 in pairs else ())
                    for j in range(j1, j2)
                ]
                added += j2 - j1
        hunks.append(hunk)
    return LineDiff(hunks=hunks, added=added, removed=removed)
