#!/usr/bin/env python3
"""Benchmark: how long the hostile Markdown patterns of issue 10 keep the server busy, before and after the bounds.

For each pattern (long runs of inline openers in one paragraph) it prints the time of the bare renderer on a 20 KB
run (one of the four parses of a module autosave before the bounds; 200 KB costs ten times as much or more), the
time ``parse_module`` takes to refuse a 200 KB run, and the worst the bounds still allow: as many openers as the
document may hold, in blocks just under the per-block limit, through ``parse_module`` in full.

    .venv/bin/python bench/markdown_patterns.py
    .venv/bin/python bench/markdown_patterns.py --size 50000   # the bare renderer on larger runs (slow)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

from lms.content.modules import parse_module
from lms.markdown.bounds import MAX_OPENERS_PER_BLOCK, MAX_OPENERS_PER_DOCUMENT, OPENERS
from lms.markdown.problems import ContentInvalid
from lms.markdown.render import render_markdown

PATTERNS = ["[", "![", "<", "*a", "_a", "&", "[^", "`a", "<a"]

FRONT = """---
slug: bench
title: "Bench"
kind: training
version: "1"
summary: "Bench."
duration_minutes: 5
audience: "Alle"
objectives:
  - "Messen"
language: de
---
Einleitung.

## Eins (1 Min.)

Text.

## Zwei (1 Min.)

Text.

## Drei (3 Min.)

"""


def timed(action: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """The best of ``repeat`` runs (the machine is shared; the minimum is the code's own cost) and the result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000, help="bytes of the bare-renderer run")
    parser.add_argument("--refused", type=int, default=200_000, help="bytes of the run parse_module refuses")
    args = parser.parse_args()
    print(
        f"{'pattern':8} {'render ' + str(args.size // 1000) + ' KB':>14} {'refuse 200 KB':>14} {'worst allowed':>14}"
    )
    for pattern in PATTERNS:
        run = pattern * (args.size // len(pattern))
        before, _ = timed(partial(render_markdown, run))

        big = pattern * (args.refused // len(pattern))
        refused_time, outcome = timed(partial(_parse, FRONT + big))
        assert outcome == "refused", (pattern, outcome)

        # The bound's worst case: as many openers per block as allowed, blocks separated by blank lines.
        per_pattern = sum(1 for c in pattern if c in OPENERS)
        block = pattern * (MAX_OPENERS_PER_BLOCK // per_pattern)
        # A few openers stay for the front matter (``duration_minutes``).
        blocks = "\n\n".join(
            [block] * ((MAX_OPENERS_PER_DOCUMENT - 100) // (len(block) // len(pattern) * per_pattern))
        )
        split_time, outcome = timed(partial(_parse, FRONT + blocks))
        print(
            f"{pattern!r:8} {before:13.2f}s {refused_time:13.3f}s {split_time:13.2f}s ({outcome}, {len(blocks) // 1000} KB)"
        )


def _parse(source: str) -> str:
    try:
        parse_module(source, "modules/bench.md")
    except ContentInvalid as invalid:
        return (
            "refused" if "Absatz" in str(invalid) or "zu groß" in str(invalid) else f"invalid: {invalid}"[:80]
        )
    return "parsed"


if __name__ == "__main__":
    main()
