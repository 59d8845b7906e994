"""lms.printable_characters is what the certificate font set 2 can print; the name checks rely on it."""

from __future__ import annotations

import itertools

from fontTools.ttLib import TTFont

from lms.certificates.typefaces import FONT_SETS
from lms.printable_characters import RANGES
from lms.text import character_names, unprintable_characters


def test_the_printable_ranges_are_the_character_map_of_both_styles() -> None:
    maps = [set(TTFont(path).getBestCmap()) for path in FONT_SETS[2].values()]
    listed = {point for first, last in RANGES for point in range(first, last + 1)}
    assert listed == maps[0] & maps[1]
    assert all(first <= last for first, last in RANGES)
    assert all(a[1] + 1 < b[0] for a, b in itertools.pairwise(RANGES))  # sorted, apart


def test_names_of_staff_in_german_municipalities_are_printable() -> None:
    for name in (
        "Jürgen Weiß-Öztürk",
        "Đorđe Łukasiewicz-Şahin",
        "Nguyễn Thị Hương",
        "Ștefan Țurcanu",
        "Γιώργος Παπαδόπουλος",
        "Ольга Коваленко",
        "Oʻzbekova Dilnoza",
        "Siân O’Neill",
    ):
        assert unprintable_characters(name) == [], name


def test_other_scripts_and_symbols_are_named_once_each_in_order() -> None:
    found = unprintable_characters("王芳 王 😀 a\u200bb")
    assert found == ["王", "芳", "😀", "\u200b"]
    assert character_names(found) == "„王“ (U+738B), „芳“ (U+82B3), „😀“ (U+1F600) …"
    assert character_names(["\u202e", "\u200b"]) == "U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE"
