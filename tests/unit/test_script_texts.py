"""The scripts' own texts (static/js, ``german ? "…" : "…"``): the English one quotes as English does, and a button
it names is named as the English page labels it.

A QA sweep found „Save for later“ in the quiz's English autosave message: German quotation marks in an English
sentence (the editor's „Save draft“ the same).
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
#: One text pair: the German text, then the English one (JavaScript string literals in double quotes).
_PAIR = re.compile(r'german \? "((?:[^"\\]|\\.)*)" : "((?:[^"\\]|\\.)*)"')


def _pairs() -> list[tuple[str, str, str]]:
    return [
        (path.name, german, english)
        for path in sorted((ROOT / "static" / "js").glob("*.js"))
        for german, english in _PAIR.findall(path.read_text(encoding="utf-8"))
    ]


def test_the_english_texts_of_the_scripts_use_english_quotation_marks() -> None:
    pairs = _pairs()
    assert len(pairs) > 10 and {name for name, _de, _en in pairs} >= {"attempt-autosave.js", "editor.js"}
    german_marks = [(name, english) for name, _de, english in pairs if re.search("[„‚]", english)]
    assert german_marks == []


def test_a_button_named_in_a_script_is_named_as_the_english_page_labels_it() -> None:
    with (ROOT / "lms" / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    named = 0
    for name, german, english in _pairs():
        in_german = re.findall(r"„([^“]*)“", german)
        in_english = re.findall(r"“([^”]*)”", english)
        assert len(in_english) == len(in_german), (name, english)
        for label, translated in zip(in_german, in_english, strict=True):
            message = catalogue.get(label)
            assert message is not None and message.string == translated, (name, label, translated)
            named += 1
    assert named >= 2  # „Zwischenspeichern“ and „Entwurf speichern“
