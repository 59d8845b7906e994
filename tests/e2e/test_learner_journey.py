"""A learner's way through a module in a real browser, with the app's Content-Security-Policy in force.

Each test uses its own demo account (or module), so they do not depend on each other's state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lms.content.modules import parse_module

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
SLUG = "grundbegriffe"


def _module(slug: str) -> Any:
    path = f"modules/{slug}.md"
    return parse_module((REPO_ROOT / path).read_text(encoding="utf-8"), path)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[str]:
    """Sentences long enough that finding one on a page cannot be a coincidence."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s) >= 25]


def _progress(page: Any, slug: str) -> int:
    page.goto("/module")
    value = page.locator(f"progress#progress-{slug}").get_attribute("value")
    assert value is not None, f"no progress bar for {slug} on „Meine Module“"
    return int(value)


def _watch_console(page: Any) -> list[str]:
    """Console errors, uncaught exceptions (a CSP violation shows up here) and failed responses, with their URLs."""
    problems: list[str] = []

    def on_console(message: Any) -> None:
        # A failed load is reported with its URL by on_response; the console line does not name the URL.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console.error on {page.url}: {message.text}")

    def on_response(response: Any) -> None:
        if response.status >= 400:
            problems.append(
                f"HTTP {response.status} for {response.request.method} {response.url} (page {page.url})"
            )

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught error on {page.url}: {error}"))
    page.on("response", on_response)
    return problems


def _main_navigation(page: Any) -> Any:
    return page.get_by_role("navigation", name="Hauptnavigation")


def _completion_rows(page: Any, title: str) -> Any:
    return page.locator("main table tbody tr").filter(has_text=title)


def test_learner_reads_module_passes_quiz_and_gets_completion(page, log_in, quiz_key, answer_quiz) -> None:
    module = _module(SLUG)
    key = quiz_key(SLUG)
    console_problems = _watch_console(page)

    log_in(page, "lernende@offenbach.example")
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()
    card_link = page.get_by_role("link", name=module.title, exact=True)
    expect(card_link).to_be_visible()
    progress_before = int(page.locator(f"progress#progress-{SLUG}").get_attribute("value") or "-1")
    assert progress_before == 0

    # Open the module and read every section, following „Weiter“.
    card_link.click()
    expect(page).to_have_url(re.compile(rf"/module/{SLUG}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    page.get_by_role("link", name="Beginnen – zuerst eine freiwillige Selbsteinschätzung").click()
    # First the voluntary self-assessment (issue 12 §1): one statement answered, then on to the first section.
    expect(page).to_have_url(re.compile(rf"/module/{SLUG}/selbsteinschaetzung/\d+/vorher$"))
    page.get_by_role("group", name=re.compile("Art. 1 Abs. 1 ICERD")).get_by_label(
        "2 – trifft eher nicht zu"
    ).check()
    page.get_by_role("button", name="Antworten speichern").click()

    progress_after_first = None
    for position, section in enumerate(module.sections, start=1):
        expect(page).to_have_url(re.compile(rf"/module/{SLUG}/abschnitt/{position}$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        expect(
            page.get_by_text(f"Abschnitt {position} von {len(module.sections)}", exact=True)
        ).to_be_visible()
        if position == 1:
            progress_after_first = _progress(page, SLUG)
            page.go_back()
            expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        if position < len(module.sections):
            page.get_by_role("link", name=re.compile(r"^Weiter\s*: ")).click()

    last_section_url = page.url
    progress_after_all = _progress(page, SLUG)
    assert progress_before < progress_after_first < progress_after_all, (
        progress_before,
        progress_after_first,
        progress_after_all,
    )
    expect(page.locator(f"label[for=progress-{SLUG}]")).to_contain_text(
        f"{len(module.sections)} von {len(module.sections)} Abschnitten gelesen"
    )

    # From the last section on to the quiz.
    page.goto(last_section_url)
    page.get_by_role("link", name="Weiter zum Quiz").click()
    expect(page).to_have_url(re.compile(rf"/module/{SLUG}/quiz$"))
    page.get_by_role("button", name="Quiz starten").click()
    expect(page).to_have_url(re.compile(r"/versuche/\d+$"))
    expect(page.locator("main form fieldset")).to_have_count(len(key.questions))

    # The answers and explanations never reach the browser before submitting.
    html = page.content()
    assert "correct" not in html.lower(), "the attempt page mentions „correct“"
    page_text = _normalise(page.locator("body").inner_text()) + " " + _normalise(html)
    for question_key, explanation in key.explanations().items():
        leaked = [s for s in _sentences(explanation) if s in page_text]
        assert not leaked, f"explanation of {question_key} is on the attempt page: {leaked[0]!r}"

    answer_quiz(page, key, correctly=True)
    page.get_by_role("button", name="Antworten abgeben").click()
    expect(page).to_have_url(re.compile(r"/versuche/\d+/ergebnis$"))
    expect(page.get_by_role("status").filter(has_text="Bestanden mit")).to_be_visible()
    expect(page.get_by_text("Richtig beantwortet", exact=True)).to_have_count(len(key.questions))
    expect(page.get_by_text("Erklärung", exact=True)).to_have_count(len(key.questions))
    result_text = _normalise(page.locator("main").inner_text())
    for question_key, explanation in key.explanations().items():
        assert explanation in result_text, f"explanation of {question_key} missing on the result page"

    # After passing, the self-assessment „nachher“ is offered (and can be left for later or skipped).
    survey_link = page.get_by_role("link", name="Zur Selbsteinschätzung")
    expect(survey_link).to_be_visible()
    result_url = page.url
    survey_link.click()
    page.get_by_role("group", name=re.compile("Art. 1 Abs. 1 ICERD")).get_by_label(
        "4 – trifft eher zu"
    ).check()
    page.get_by_role("button", name="Antworten speichern").click()
    expect(page).to_have_url(re.compile(rf"/module/{SLUG}$"))
    page.goto(result_url)
    expect(page.get_by_role("link", name="Zur Selbsteinschätzung")).to_have_count(0)

    # „Meine Nachweise“ lists the completion with the module version.
    _main_navigation(page).get_by_role("link", name="Meine Nachweise").click()
    expect(page).to_have_url(re.compile(r"/nachweise$"))
    expect(page.get_by_role("heading", level=1, name="Meine Nachweise")).to_be_visible()
    row = _completion_rows(page, module.title)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text(module.title)
    expect(row.locator("td").nth(1)).to_have_text("1.1")
    assert module.version == "1.1"

    assert _progress(page, SLUG) == 100
    expect(page.locator(f"label[for=progress-{SLUG}]")).to_contain_text("Abgeschlossen")

    # Log out through the header button; personal pages are no longer reachable.
    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(re.compile(r"/anmelden"))
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    page.goto("/nachweise")
    expect(page).to_have_url(re.compile(r"/anmelden"))

    assert not console_problems, "\n".join(console_problems)


def test_learner_with_wrong_answers_fails_and_gets_no_completion(page, log_in, quiz_key, answer_quiz) -> None:
    module = _module(SLUG)
    key = quiz_key(SLUG)
    log_in(page, "lernende@darmstadt-dieburg.example")

    page.goto(f"/module/{SLUG}/quiz")
    page.get_by_role("button", name="Quiz starten").click()
    expect(page).to_have_url(re.compile(r"/versuche/\d+$"))
    answer_quiz(page, key, correctly=False)
    page.get_by_role("button", name="Antworten abgeben").click()

    expect(page).to_have_url(re.compile(r"/versuche/\d+/ergebnis$"))
    expect(page.get_by_role("status").filter(has_text="Nicht bestanden")).to_be_visible()
    expect(page.get_by_text("Bestanden mit")).to_have_count(0)
    expect(page.get_by_text("Nicht richtig beantwortet", exact=True)).to_have_count(len(key.questions))
    expect(page.get_by_role("link", name="Neuer Versuch")).to_be_visible()

    page.goto("/nachweise")
    expect(_completion_rows(page, module.title)).to_have_count(0)
    expect(page.get_by_text("Sie haben noch kein Modul abgeschlossen.", exact=False)).to_be_visible()
    page.goto("/module")
    expect(page.locator(f"label[for=progress-{SLUG}]")).not_to_contain_text("Abgeschlossen")


# --- keyboard only ------------------------------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  return {
    tag: e.tagName.toLowerCase(), id: e.id || "", type: e.type || "", name: e.name || "",
    value: typeof e.value === "string" ? e.value : "", checked: !!e.checked,
    text: (e.innerText || "").replace(/\\s+/g, " ").trim(), href: e.getAttribute("href") || "",
    focusRing: (() => { const s = getComputedStyle(e);
      return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"; })(),
  };
}"""


def _focused(page: Any) -> dict[str, Any]:
    """What has the keyboard focus; fails if it has no visible focus indicator (WCAG 2.4.7)."""
    focused = page.evaluate(_FOCUSED)
    if focused["tag"] not in {"body", "main"}:
        assert focused["focusRing"], f"no visible focus indicator (outline or box-shadow) on {focused}"
    return focused


def _tab_until(page: Any, wanted: Any, what: str, limit: int = 80) -> dict[str, Any]:
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            return focused
        seen.append(focused["text"] or focused["href"] or focused["tag"])
    raise AssertionError(f"Tab never reached {what}; focus went through: {seen}")


def test_keyboard_only_learner_takes_quiz(page, quiz_key) -> None:
    slug = "rassismus-erkennen"
    key = quiz_key(slug)
    keyboard = page.keyboard

    # Skip link first, and it moves the focus to <main>.
    page.goto("/anmelden")
    keyboard.press("Tab")
    first = _focused(page)
    assert first["tag"] == "a" and first["text"] == "Zum Inhalt springen", first
    expect(page.get_by_role("link", name="Zum Inhalt springen")).to_be_in_viewport()
    keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    # Log in with the keyboard.
    keyboard.press("Tab")
    assert _focused(page)["type"] == "email", "after the skip link, Tab should reach the e-mail field"
    keyboard.type("lernende@hofheim.example")
    keyboard.press("Tab")
    assert _focused(page)["type"] == "password"
    keyboard.type("Vielfalt-im-Rathaus-2026")
    keyboard.press("Shift+Tab")
    assert _focused(page)["value"] == "lernende@hofheim.example"
    keyboard.press("Tab")
    keyboard.press("Enter")
    # The form posts to /anmelden#main (the skip link set the fragment); the browser keeps it across the redirect.
    page.wait_for_url(re.compile(r"/module(#main)?$"))

    # „Meine Module“ → module overview → quiz start → attempt.
    _tab_until(page, lambda f: f["href"] == f"/module/{slug}", "the module's title link")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/module/{slug}$"))
    _tab_until(page, lambda f: f["href"] == f"/module/{slug}/quiz", "„Zum Quiz“")
    keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/module/{slug}/quiz$"))
    _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Quiz starten", "„Quiz starten“")
    keyboard.press("Space")
    page.wait_for_url(re.compile(r"/versuche/\d+$"))

    # Answer every question: Space ticks checkboxes; arrow keys choose within a radio group.
    answered: set[str] = set()
    for _ in range(150):
        keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "button" and focused["text"] == "Antworten abgeben":
            break
        if focused["type"] == "checkbox":
            answered.add(focused["name"])
            if (focused["value"] in key.correct(focused["name"])) != focused["checked"]:
                keyboard.press("Space")
        elif focused["type"] == "radio":
            answered.add(focused["name"])
            right = key.correct(focused["name"])[0]
            if not focused["checked"]:
                keyboard.press("Space")
            for _ in range(len(key.wrong(focused["name"])) + 1):
                if _focused(page)["value"] == right:
                    break
                keyboard.press("ArrowDown")
            focused = _focused(page)
            assert focused["value"] == right and focused["checked"], focused
    else:
        raise AssertionError("Tab never reached „Antworten abgeben“")
    assert answered == {q.key for q in key.questions}

    # Shift+Tab goes back into the last question, Tab returns to the submit button.
    keyboard.press("Shift+Tab")
    assert _focused(page)["type"] in {"checkbox", "radio"}
    keyboard.press("Tab")
    assert _focused(page)["text"] == "Antworten abgeben"
    keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/versuche/\d+/ergebnis$"))
    expect(page.get_by_role("status").filter(has_text="Bestanden mit")).to_be_visible()
    expect(page.get_by_text("Richtig beantwortet", exact=True)).to_have_count(len(key.questions))
