"""A readable line diff of two Markdown sources, grouped into hunks with a little context (pure code)."""

from __future__ import annotations

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
            if tag in ("replace", "delete"):
                hunk.rows += [DiffRow("removed", i + 1, None, old_lines[i]) for i in range(i1, i2)]
                removed += i2 - i1
            if tag in ("replace", "insert"):
                hunk.rows += [DiffRow("added", None, j + 1, new_lines[j]) for j in range(j1, j2)]
                added += j2 - j1
        hunks.append(hunk)
    return LineDiff(hunks=hunks, added=added, removed=removed)
