"""Sources too large to parse quickly are refused before any parser runs, with the line of the block at fault.

Only outcomes are asserted here; bench/markdown_patterns.py prints how long the patterns take.
"""

from __future__ import annotations

import glob

import pytest

from lms.authoring.preview import preview_source
from lms.content.modules import parse_module
from lms.markdown.bounds import (
    MAX_DOCUMENT_BYTES,
    MAX_OPENERS_PER_BLOCK,
    MAX_OPENERS_PER_DOCUMENT,
    TOO_LARGE,
    TOO_MANY_IN_DOCUMENT,
    TOO_MANY_OPENERS,
    bound_problems,
)
from lms.markdown.problems import ContentInvalid, Problem
from lms.quizzes.parse import parse_question, parse_quiz
from tests.unit.content.test_modules import FRONT_MATTER as MODULE_FRONT_MATTER
from tests.unit.quizzes.test_parse import FRONT_MATTER as QUIZ_FRONT_MATTER

MODULE = "modules/grundbegriffe.md"
QUIZ = "quizzes/grundbegriffe.md"
# The reported patterns of issue 10: long runs of inline openers inside one paragraph.
PATTERNS = ["[", "![", "<", "*a", "_a", "&", "[^", "`a", "<a", "]", "\\"]
BODY_LINE = MODULE_FRONT_MATTER.count("\n") + 3  # after the front matter, "Einleitung." and a blank line


def _module(run: str) -> str:
    return MODULE_FRONT_MATTER + "Einleitung.\n\n" + run + "\n"


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_200_kb_run_of_openers_is_refused_at_its_block(pattern: str) -> None:
    run = pattern * (200_000 // len(pattern))
    with pytest.raises(ContentInvalid) as refused:
        parse_module(_module(run), MODULE)
    assert Problem(MODULE, BODY_LINE, TOO_MANY_OPENERS) in refused.value.problems


@pytest.mark.parametrize("pattern", ["[", "*a"])
def test_quizzes_and_single_questions_are_bounded_too(pattern: str) -> None:
    run = pattern * (200_000 // len(pattern))
    with pytest.raises(ContentInvalid) as quiz:
        parse_quiz(QUIZ_FRONT_MATTER + "\n" + run + "\n", QUIZ)
    assert Problem(QUIZ, QUIZ_FRONT_MATTER.count("\n") + 2, TOO_MANY_OPENERS) in quiz.value.problems
    with pytest.raises(ContentInvalid) as question:
        parse_question("## Frage\n\n" + run + "\n", "beispiel.md")
    assert Problem("beispiel.md", 3, TOO_MANY_OPENERS) in question.value.problems


def test_many_small_blocks_are_refused_where_the_document_budget_runs_out() -> None:
    block = "[" * MAX_OPENERS_PER_BLOCK  # each block alone is allowed
    before = _module("").count("_")  # duration_minutes
    blocks = [block] * ((MAX_OPENERS_PER_DOCUMENT - before) // MAX_OPENERS_PER_BLOCK + 1)
    with pytest.raises(ContentInvalid) as refused:
        parse_module(_module("\n\n".join(blocks)), MODULE)
    last = BODY_LINE + 2 * (len(blocks) - 1)  # the last block crosses the budget; blocks are two lines apart
    assert refused.value.problems == [Problem(MODULE, last, TOO_MANY_IN_DOCUMENT)]


def test_a_document_larger_than_the_limit_is_refused_at_line_1() -> None:
    source = _module("Ein ganz gewöhnlicher Satz.\n" * (MAX_DOCUMENT_BYTES // 20))
    with pytest.raises(ContentInvalid) as refused:
        parse_module(source, MODULE)
    assert refused.value.problems == [Problem(MODULE, 1, TOO_LARGE)]


def test_the_preview_of_a_refused_draft_lists_the_problem_and_renders_nothing() -> None:
    preview = preview_source("module", _module("![" * 100_000), MODULE)
    assert Problem(MODULE, BODY_LINE, TOO_MANY_OPENERS) in preview.problems
    assert preview.rough_html == ""


def test_the_messages_name_the_limits() -> None:
    assert f"{MAX_DOCUMENT_BYTES // 1024} KB" in TOO_LARGE
    assert f"mehr als {MAX_OPENERS_PER_BLOCK:,}".replace(",", ".") in TOO_MANY_OPENERS
    assert f"mehr als {MAX_OPENERS_PER_DOCUMENT:,}".replace(",", ".") in TOO_MANY_IN_DOCUMENT


@pytest.mark.parametrize("path", sorted(glob.glob("modules/*.md") + glob.glob("quizzes/*.md")))
def test_the_shipped_curriculum_is_well_within_the_bounds(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        assert bound_problems(f.read(), path) == []
