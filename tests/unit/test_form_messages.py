"""WTForms' messages have a German text for every message its German catalogue leaves unusable (lms.web.forms)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from wtforms.i18n import messages_path

from lms.web import forms

#: Raised only for a programming mistake (a field built without choices), never shown to a person.
_NOT_FOR_PEOPLE = {"Choices cannot be None."}


def test_every_german_gap_of_wtforms_is_filled() -> None:
    with (Path(messages_path()) / "de" / "LC_MESSAGES" / "wtforms.po").open("rb") as po:
        catalogue = read_po(po)
    gaps = set()
    for message in catalogue:
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and (message.fuzzy or not all(texts)):
            gaps.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    assert gaps, "WTForms' German catalogue is complete now: lms.web.forms can give up its own texts"
    assert gaps - _NOT_FOR_PEOPLE == set(forms._GERMAN) | set(forms._GERMAN_PLURAL)
