"""Every table in the shipped modules has a caption (a check of our content, not a rule for trainers' tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.markdown.render import render_markdown

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted((REPO / "modules").glob("*.md"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_table_of_a_shipped_module_is_named(path: Path) -> None:
    html = render_markdown(path.read_text(encoding="utf-8"))
    assert html.count("<table>") == html.count("<caption>"), path.name


def test_the_levels_of_racism_read_with_their_row_headers() -> None:
    html = render_markdown((REPO / "modules" / "grundbegriffe.md").read_text(encoding="utf-8"))
    for level in ("Individuell", "Institutionell", "Strukturell"):
        assert f'<th scope="row">{level}</th>' in html


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_no_header_cell_of_a_shipped_table_is_empty(path: Path) -> None:
    html = render_markdown(path.read_text(encoding="utf-8"))
    assert "></th>" not in html, path.name  # a screen reader would announce a column without a name
