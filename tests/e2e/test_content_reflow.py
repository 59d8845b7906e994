"""Every section of every shipped module and workshop script fits a 320 px screen (WCAG 1.4.10 Reflow): a wide
table scrolls in its own box, which keyboard users can focus, instead of making the whole page scroll sideways.

A QA sweep found four sections of the curriculum 455–719 px wide at 320 px: their tables sat in the page's text
with nothing to hold them. The axe crawl (test_axe_crawl.py) opens the test world's content, which has no table.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lms.content.modules import parse_module

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The trainer opens scripts and modules alike (learners never see a workshop script).
TRAINER = "trainerin@eccar.example"

_WIDTHS = """() => ({
  page: document.documentElement.scrollWidth,
  screen: document.documentElement.clientWidth,
  tables: [...document.querySelectorAll('.section-text table')].length,
  boxed: [...document.querySelectorAll('.section-text table')]
    .filter((t) => t.parentElement.matches('.table-scroll[role=region][tabindex="0"][aria-label]')).length,
  // A caption wider than its box would be cut off until the table is scrolled.
  cutCaptions: [...document.querySelectorAll('.section-text .table-scroll caption')]
    .filter((c) => c.getBoundingClientRect().width > c.closest('.table-scroll').clientWidth + 1).length,
})"""


def _shipped() -> list[tuple[str, int]]:
    """(slug, number of sections) of every file in modules/."""
    found = []
    for path in sorted((REPO_ROOT / "modules").glob("*.md")):
        module = parse_module(path.read_text(encoding="utf-8"), f"modules/{path.name}")
        found.append((module.slug, len(module.sections)))
    return found


def test_every_shipped_section_fits_320_px_and_its_tables_scroll_in_a_box(page: Any, log_in: Any) -> None:
    log_in(page, TRAINER)
    page.set_viewport_size({"width": 320, "height": 640})
    too_wide, unboxed, cut, tables = [], [], [], 0
    for slug, count in _shipped():
        for position in range(1, count + 1):
            path = f"/module/{slug}/abschnitt/{position}"
            page.goto(path)
            assert re.search(rf"{re.escape(path)}$", page.url), f"{path} redirected to {page.url}"
            seen = page.evaluate(_WIDTHS)
            tables += seen["tables"]
            if seen["page"] > seen["screen"] + 1:
                too_wide.append(f"{path}: {seen['page']} px")
            if seen["boxed"] != seen["tables"]:
                unboxed.append(f"{path}: {seen['tables'] - seen['boxed']} of {seen['tables']}")
            if seen["cutCaptions"]:
                cut.append(f"{path}: {seen['cutCaptions']}")
    assert tables > 0, "the curriculum has tables: the check would not see the problem it is for"
    assert not too_wide, "scrolls sideways at 320 px: " + ", ".join(too_wide)
    assert not unboxed, "tables outside a focusable scroll box: " + ", ".join(unboxed)
    assert not cut, "captions wider than their box at 320 px: " + ", ".join(cut)


def test_a_wide_table_in_a_section_is_scrolled_by_keyboard(page: Any, log_in: Any) -> None:
    log_in(page, TRAINER)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/module/strukturen-pruefen/abschnitt/3")
    box = page.locator(".section-text .table-scroll").first
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth"), "this table should be wider than 320 px"
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.section-text .table-scroll').scrollLeft > 0")
