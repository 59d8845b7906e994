"""The state report quotes the working definition's ICERD section as text in one cell (CSV, XLSX, PDF)."""

from __future__ import annotations

from lms.markdown.render import render_markdown
from lms.reports.state import plain_text


def test_a_table_keeps_a_line_per_row_and_cells_apart() -> None:
    """It ran into one line („Element ICERD Art. 1 Arbeitsdefinition Handlungsformen …“; found by a QA sweep)."""
    html = render_markdown(
        "So greift die Arbeitsdefinition das auf:\n\n"
        "| Element | ICERD Art. 1 | Arbeitsdefinition |\n|---|---|---|\n"
        "| Handlungsformen | Unterscheidung, Ausschließung | Benachteiligung &amp; Ausgrenzung |\n\n"
        "- erstens\n- zweitens\n"
    )
    assert plain_text(html).splitlines() == [
        "So greift die Arbeitsdefinition das auf:",
        "Element | ICERD Art. 1 | Arbeitsdefinition",
        "Handlungsformen | Unterscheidung, Ausschließung | Benachteiligung & Ausgrenzung",
        "erstens",
        "zweitens",
    ]


def test_running_text_stays_one_line_with_its_spaces_collapsed() -> None:
    assert plain_text("<p>Unterscheidung,\n  Ausschließung &amp; <em>Beschränkung</em></p>") == (
        "Unterscheidung, Ausschließung & Beschränkung"
    )
