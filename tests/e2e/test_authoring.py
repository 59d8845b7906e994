"""A trainer edits a module in the browser, sees the live preview and the problems, publishes; a learner sees it.

Runs with the app's Content-Security-Policy in force, so the editor's script, its autosave requests and the
preview it inserts must all work under the real policy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PAGE_TIMEOUT_MS, keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

# A module and a learner account no other browser test changes.
SLUG = "strukturen-pruefen"
TRAINER = "trainerin@eccar.example"
LEARNER = "lernende@hofheim.example"
NEW_SENTENCE = "Seit 2026 gilt in allen Modellkommunen eine gemeinsame Checkliste für Vorlagen."


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console.{message.type} on {page.url}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    return problems


def test_trainer_edits_previews_and_publishes_and_the_learner_sees_it(
    browser: Any, live_server: str, log_in
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, locale="de-DE")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    problems = _watch(page)
    log_in(page, TRAINER)
    page.goto("/inhalte")
    edit = page.locator(f'form[action="/inhalte/{SLUG}/bearbeiten"]').get_by_role("button")
    expect(edit).to_have_accessible_name(re.compile(r"^Text\s*: Strukturen"))
    edit.click()
    expect(page).to_have_url(re.compile(r"/inhalte/entwuerfe/\d+$"))

    source = page.get_by_label("Markdown-Text", exact=True)
    original = source.input_value()
    label = re.search(r'^version: "([\d.]+)"', original, re.M).group(1)  # type: ignore[union-attr]
    new_label = f"{label}.1" if label.count(".") < 2 else label + "1"

    # A typo in the version number: the problem appears with its line while typing, and jumps there on click.
    source.fill(original.replace(f'version: "{label}"', "version: eins"))
    problem = page.locator("#problems-body").get_by_role("button", name="Zeile 5")
    expect(problem).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("Entwurf gespeichert um")
    problem.click()
    expect(source).to_be_focused()
    cursor_line = page.evaluate(
        "() => { const s = document.getElementById('source'); return s.value.slice(0, s.selectionStart).split('\\n').length; }"
    )
    assert cursor_line == 5
    expect(page.locator("#cursor-position")).to_have_text(re.compile(r"^Zeile 5, Spalte 1$"))

    # The fixed text with a new sentence: the preview shows it as learners will read it.
    first_section = re.search(r"^## .*$", original, re.M).group(0)  # type: ignore[union-attr]
    changed = original.replace(f'version: "{label}"', f'version: "{new_label}"').replace(
        first_section, f"{first_section}\n\n{NEW_SENTENCE}", 1
    )
    source.fill(changed)
    expect(page.locator("#preview")).to_contain_text(NEW_SENTENCE)
    expect(page.locator("#problems-body")).to_contain_text("Keine Probleme")

    # The learner's view of the draft, then back to the editor: the text survived.
    page.get_by_role("link", name="Als Teilnehmende ansehen").click()
    expect(page.get_by_text("Vorschau eines Entwurfs")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Weiter\s*:")).click()  # names the section it leads to
    expect(page.locator("main")).to_contain_text(NEW_SENTENCE)
    page.get_by_role("link", name="Zurück zum Editor").click()
    expect(page.get_by_label("Markdown-Text", exact=True)).to_have_value(changed)

    page.get_by_label(re.compile(r"^Inhaltlich")).check()
    page.get_by_role("textbox", name="Änderungsnotiz").fill("Gemeinsame Checkliste ergänzt")
    page.get_by_role("button", name="Veröffentlichen", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/inhalte/{SLUG}/versionen$"))
    expect(page.get_by_role("status").filter(has_text="Veröffentlicht")).to_be_visible()
    expect(page.locator("main table").first).to_contain_text("Gemeinsame Checkliste ergänzt")
    keep_screenshot(page, "test-artifacts/authoring-history.png")
    context.close()

    learner_context = browser.new_context(base_url=live_server, locale="de-DE")
    learner_context.set_default_timeout(PAGE_TIMEOUT_MS)
    learner = learner_context.new_page()
    problems += _watch(learner)
    log_in(learner, LEARNER)
    learner.goto(f"/module/{SLUG}")
    expect(learner.locator("main")).to_contain_text(f"Version {new_label}")
    learner.goto(f"/module/{SLUG}/abschnitt/1")
    expect(learner.locator("main")).to_contain_text(NEW_SENTENCE)
    learner_context.close()
    assert not problems, "\n".join(problems)
