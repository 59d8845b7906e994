"""The comparison marks the words that changed within a changed line, not only the whole line."""

from __future__ import annotations

from lms.content.diff import line_diff, word_parts


def test_changed_words_within_a_changed_line_are_marked() -> None:
    diff = line_diff("a\nDas AGG schützt Beschäftigte.\nc", "a\nDas AGG schützt alle Beschäftigten.\nc")
    rows = {row.kind: row for row in diff.hunks[0].rows if row.kind != "same"}
    assert rows["removed"].parts == ((False, "Das AGG schützt "), (True, "Beschäftigte"), (False, "."))
    assert rows["added"].parts == ((False, "Das AGG schützt "), (True, "alle Beschäftigten"), (False, "."))


def test_lines_only_added_or_removed_have_no_word_marks() -> None:
    diff = line_diff("a\nb", "a\nb\nneu")
    (added,) = [row for row in diff.hunks[0].rows if row.kind == "added"]
    assert added.parts == () and added.text == "neu"


def test_word_parts_rebuild_both_lines() -> None:
    old, new = 'version: "1.0" – alt', 'version: "1.1" – neu und mehr'
    old_parts, new_parts = word_parts(old, new)
    assert "".join(text for _, text in old_parts) == old
    assert "".join(text for _, text in new_parts) == new
