"""The English catalogue: complete, compiled, placeholder-safe, in step with the source, and used by the app.

German is the source language (every msgid is the German text); see lms/translations/README.md.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lms" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"

EXTRACT_ARGS = ["extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "N_", "-k", "Nn_:1,2"]
EXTRACT = ".venv/bin/pybabel " + " ".join(EXTRACT_ARGS) + " -o lms/translations/messages.pot ."
UPDATE = ".venv/bin/pybabel update -i lms/translations/messages.pot -d lms/translations"
COMPILE = ".venv/bin/pybabel compile -d lms/translations"

# %(name)s-style placeholders, or the escaped percent sign %%.
FORMAT_TOKEN = re.compile(r"%(?:\((?P<name>\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%)")


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def _strings(message_string: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_string if isinstance(message_string, tuple) else (message_string,)


def _format_tokens(text: str) -> tuple[list[str], int]:
    """The sorted placeholder names, and how many lone % signs are left (each breaks %-formatting)."""
    names = sorted(m["name"] for m in FORMAT_TOKEN.finditer(text) if m["name"])
    return names, FORMAT_TOKEN.sub("", text).count("%")


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return _read_po(POT)


@pytest.fixture(scope="module")
def po() -> Catalog:
    return _read_po(PO)


def test_every_message_has_an_english_translation(pot: Catalog, po: Catalog) -> None:
    missing = sorted(str(i) for i in _ids(pot) - _ids(po))
    stale = sorted(str(i) for i in _ids(po) - _ids(pot))
    assert not missing and not stale, (
        f"messages.po is out of step with messages.pot (missing: {missing}, no longer used: {stale}); "
        f"run `{UPDATE}`, translate, then `{COMPILE}`"
    )
    untranslated = [str(m.id) for m in po if m.id and not all(s.strip() for s in _strings(m.string))]
    fuzzy = [str(m.id) for m in po if m.id and m.fuzzy]
    assert not untranslated, f"no English text yet for: {untranslated}"
    assert not fuzzy, f"fuzzy (guessed) translations to check and unmark: {fuzzy}"


def _hashable(value: object) -> object:
    """Plural messages come back from .mo files as lists (singular and plural form)."""
    return tuple(value) if isinstance(value, list) else value


def test_compiled_catalogue_matches_the_po_file(po: Catalog) -> None:
    with MO.open("rb") as f:
        mo = read_mo(f)
    compiled = {_hashable(m.id): _hashable(m.string) for m in mo if m.id}
    expected = {_hashable(m.id): _hashable(m.string) for m in po if m.id and not m.fuzzy}
    assert compiled == expected, f"messages.mo is older than messages.po; run `{COMPILE}` and commit the .mo"


def test_translations_keep_the_placeholders(po: Catalog) -> None:
    wrong = []
    for message in po:
        if not message.id:
            continue
        wanted = _format_tokens(_strings(message.id)[0])
        for translation in _strings(message.string):
            if _format_tokens(translation) != wanted:
                wrong.append(f"{message.id!r} -> {translation!r}")
    assert not wrong, (
        "placeholders differ (keep every %(name)s, write a literal percent sign as %%):\n" + "\n".join(wrong)
    )


def test_template_is_up_to_date_with_the_source(pot: Catalog, tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *EXTRACT_ARGS, "-o", str(fresh), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    extracted = _ids(_read_po(fresh))
    new = sorted(str(i) for i in extracted - _ids(pot))
    gone = sorted(str(i) for i in _ids(pot) - extracted)
    assert not new and not gone, (
        f"messages.pot is out of date (new in the source: {new}; no longer in the source: {gone}). "
        f"Run `{EXTRACT}`, then `{UPDATE}`, translate the new messages, and `{COMPILE}`"
    )


@pytest.mark.parametrize(
    ("accept_language", "lang", "expected", "absent"),
    [
        ("en", "en", "Log in", "Anmelden"),
        ("en-GB,en;q=0.9,de;q=0.5", "en", "Log in", "Anmelden"),
        ("de", "de", "Anmelden", "Log in"),
        ("fr", "de", "Anmelden", "Log in"),  # a language we do not offer: German
    ],
)
def test_login_page_speaks_the_browser_language(  # type: ignore[no-untyped-def]
    client, accept_language: str, lang: str, expected: str, absent: str
) -> None:
    page = client.get("/anmelden", headers={"Accept-Language": accept_language})
    assert page.status_code == 200
    assert f'<html lang="{lang}"' in page.text
    assert expected in page.text and absent not in page.text


def test_login_form_labels_are_translated(client) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/anmelden", headers={"Accept-Language": "en"}).text
    assert "Email address" in english and "Password" in english
    assert "Learning platform “Kommunen für alle?”" in english
