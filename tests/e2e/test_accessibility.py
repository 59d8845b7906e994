"""WCAG 2.1 A/AA checks with axe-core on every main page, plus a full-page screenshot of each.

The browser context bypasses the app's CSP only here, so that the axe script can be injected. A page fails on any
violation with impact „serious“ or „critical“; every violation found (all impacts) is also written next to the
screenshot in test-artifacts/ as JSON, for review.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
# An account and a module that no other e2e test touches, so the order of the tests does not matter.
LEARNER = "koordination@darmstadt-dieburg.example"
TRAINER = "trainerin@eccar.example"
MODULE = "kommunikation-buergerkontakt"
WORKSHOP = "empowerment-ankommen-vernetzen"


def run_axe(page: Any) -> dict[str, Any]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    return page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    """One block per rule: what to fix and where."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        lines.append(f"    targets: {', '.join(targets)}{more}")
        first = v["nodes"][0]
        lines.append(f"    html: {first['html'][:300]}")
        summary = (first.get("failureSummary") or "").replace("\n", " / ")
        if summary:
            lines.append(f"    why: {summary[:400]}")
    return "\n".join(lines)


# --- how to reach each page ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Helpers:
    """The helper fixtures from conftest.py, handed to the page openers."""

    log_in: Callable[..., None]
    quiz_key: Any
    start_quiz: Any
    answer_quiz: Any


def _login_page(page: Any, h: Helpers) -> None:
    page.goto("/anmelden")
    expect(page.get_by_role("heading", level=1, name="Anmelden")).to_be_visible()


def _login_error(page: Any, h: Helpers) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill("niemand@example.invalid")
    page.get_by_label("Passwort", exact=True).fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_be_visible()


def _my_modules(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()


def _module_overview(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    page.goto(f"/module/{MODULE}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _section(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    page.goto(f"/module/{MODULE}/abschnitt/2")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _quiz_attempt(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    h.start_quiz(page, MODULE)
    expect(page.locator("main form fieldset").first).to_be_visible()


def _quiz_attempt_unanswered(page: Any, h: Helpers) -> None:
    """The attempt form after submitting it empty: error summary and „Trotzdem abgeben“."""
    h.log_in(page, LEARNER)
    h.start_quiz(page, MODULE)
    page.get_by_role("button", name="Antworten abgeben").click()
    expect(page.get_by_role("button", name="Trotzdem abgeben")).to_be_visible()


def _quiz_result(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    h.start_quiz(page, MODULE)
    h.answer_quiz(page, h.quiz_key(MODULE), correctly=True)
    page.get_by_role("button", name="Antworten abgeben").click()
    page.wait_for_url(re.compile(r"/versuche/\d+/ergebnis$"))
    expect(page.get_by_text("Erklärung", exact=True).first).to_be_visible()


def _my_completions(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    page.goto(f"/module/{MODULE}/quiz")
    if page.get_by_role("button", name=re.compile("Quiz starten|Begonnenen Versuch fortsetzen")).count():
        _quiz_result(page, h)  # run on its own: complete the module first, so that the table is there
    page.goto("/nachweise")
    expect(page.locator("main table")).to_be_visible()


def _profile(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    page.goto("/profil")
    expect(page.get_by_role("heading", level=1, name="Profil")).to_be_visible()


def _profile_with_token(page: Any, h: Helpers) -> None:
    """The profile after creating an API token: the token table with its „Widerrufen“ button."""
    _profile(page, h)
    page.get_by_label("Bezeichnung").fill("Fachverfahren Bürgeramt")
    page.get_by_role("button", name="Token erstellen").click()
    expect(page.get_by_role("button", name=re.compile(r"^Widerrufen")).first).to_be_visible()


def _trainer_content(page: Any, h: Helpers) -> None:
    h.log_in(page, TRAINER)
    page.goto("/inhalte")
    expect(page.get_by_role("heading", level=1, name="Inhalte verwalten")).to_be_visible()


def _trainer_workshop(page: Any, h: Helpers) -> None:
    h.log_in(page, TRAINER)
    page.goto(f"/module/{WORKSHOP}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _trainer_editor(page: Any, h: Helpers) -> None:
    """The editor with a problem in the text, so the problem list and the live preview are both on the page."""
    h.log_in(page, TRAINER)
    page.goto("/inhalte")
    page.locator('form[action="/inhalte/grundbegriffe/bearbeiten"] button').click()
    source = page.get_by_label("Markdown-Text", exact=True)
    source.fill(source.input_value().replace("language: de", "language: deutsch"))
    expect(page.locator("#problems-body")).to_contain_text("Zeile")


def _trainer_image_picker(page: Any, h: Helpers) -> None:
    """The editor's toolbar and its image picker dialog, open."""
    h.log_in(page, TRAINER)
    page.goto("/inhalte")
    page.locator('form[action="/inhalte/grundbegriffe/bearbeiten"] button').click()
    page.get_by_role("toolbar", name="Formatieren").get_by_role("button", name="Bild …").click()
    expect(page.get_by_role("dialog", name="Bild einfügen")).to_be_visible()


def _trainer_page(path: str, heading: str) -> Callable[[Any, Helpers], None]:
    def open_page(page: Any, h: Helpers) -> None:
        h.log_in(page, TRAINER)
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()

    return open_page


def _trainer_compare(page: Any, h: Helpers) -> None:
    h.log_in(page, TRAINER)
    page.goto(f"/inhalte/{MODULE}/versionen")
    page.get_by_role("link", name="Datei").first.wait_for()
    first = page.locator('a[href*="/versionen/"][href$="/datei"]').first.get_attribute("href")
    version_id = first.split("/")[-2]
    page.goto(f"/inhalte/{MODULE}/vergleich?von={version_id}&zu={version_id}")
    expect(page.get_by_text("Die beiden Texte sind identisch.")).to_be_visible()


def _trainer_quiz_preview_result(page: Any, h: Helpers) -> None:
    h.log_in(page, TRAINER)
    page.goto(f"/inhalte/{MODULE}/vorschau/quiz")
    page.get_by_role("button", name="Antworten prüfen").click()
    expect(page.get_by_text("Vorschau, nicht gespeichert")).to_be_visible()


def _forgot_password(page: Any, h: Helpers) -> None:
    page.goto("/passwort-vergessen")
    expect(page.get_by_role("heading", level=1, name="Passwort vergessen")).to_be_visible()


def _forgot_password_error(page: Any, h: Helpers) -> None:
    page.goto("/passwort-vergessen")
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.locator("#email-error")).to_be_visible()


def _change_password_error(page: Any, h: Helpers) -> None:
    h.log_in(page, LEARNER)
    page.goto("/profil/passwort")
    page.get_by_label("Aktuelles Passwort").fill("falsch-und-lang-genug")
    page.get_by_label("Neues Passwort").fill("aaaaaaaaaaaa")
    page.get_by_label("Passwort wiederholen").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Passwort ändern").click()
    expect(page.locator("#current-error")).to_be_visible()


def _reset_links(page: Any, h: Helpers) -> None:
    h.log_in(page, "programmbuero@eccar.example")
    page.goto("/programmbuero/passwort-links?email=trainerin%40eccar.example")
    expect(page.get_by_role("button", name="Link zum Festlegen eines neuen Passworts senden")).to_be_visible()


def _public_page(path: str, heading: str) -> Callable[[Any, Helpers], None]:
    def open_page(page: Any, h: Helpers) -> None:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()

    return open_page


def _barrier_report_error(page: Any, h: Helpers) -> None:
    page.goto("/barrierefreiheit/melden")
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.locator("#description-error")).to_be_visible()


def _barrier_reports(page: Any, h: Helpers) -> None:
    page.goto("/barrierefreiheit/melden")
    page.get_by_label("Beschreibung der Barriere").fill("Der Fokus ist auf der Startseite kaum zu sehen.")
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_text("Vielen Dank")).to_be_visible()
    h.log_in(page, "programmbuero@eccar.example")
    page.goto("/programmbuero/barrieren")
    expect(page.get_by_role("heading", level=1, name="Gemeldete Barrieren")).to_be_visible()


def _account_roles(page: Any, h: Helpers) -> None:
    """The roles of an existing account, with its log (read only: nothing is changed)."""
    h.log_in(page, "programmbuero@eccar.example")
    page.goto("/programmbuero/rollen?konto=leitung%40darmstadt-dieburg.example")
    expect(page.get_by_role("heading", level=1, name="Rollen von Petra Albers")).to_be_visible()


def _unit_progress(page: Any, h: Helpers) -> None:
    """The head of an org unit's page (the demo's Fachbereich Soziales)."""
    h.log_in(page, "leitung@darmstadt-dieburg.example")
    page.goto("/einheiten")
    expect(page.get_by_role("heading", level=1, name="Fortschritt nach Organisationseinheit")).to_be_visible()


# In this order the quiz pages build on each other (attempt → result → completions); each also works alone.
PAGES: dict[str, Callable[[Any, Helpers], None]] = {
    "login": _login_page,
    "login-error": _login_error,
    "my-modules": _my_modules,
    "module-overview": _module_overview,
    "section": _section,
    "quiz-attempt": _quiz_attempt,
    "quiz-attempt-unanswered": _quiz_attempt_unanswered,
    "quiz-result": _quiz_result,
    "my-completions": _my_completions,
    "profile": _profile,
    "profile-with-token": _profile_with_token,
    "forgot-password": _forgot_password,
    "forgot-password-error": _forgot_password_error,
    "change-password-error": _change_password_error,
    "reset-links": _reset_links,
    "mfa-setup": _trainer_page("/profil/zwei-faktor", "Zwei-Faktor-Anmeldung"),
    "trainer-content": _trainer_content,
    "trainer-workshop-overview": _trainer_workshop,
    "trainer-editor": _trainer_editor,
    "trainer-editor-image-picker": _trainer_image_picker,
    "trainer-history": _trainer_page(f"/inhalte/{MODULE}/versionen", "Kommunikation im Bürgerkontakt"),
    "trainer-compare": _trainer_compare,
    "trainer-help": _trainer_page("/inhalte/hilfe", "Hilfe: Dateiformat und Fragetypen"),
    "trainer-upload": _trainer_page("/inhalte/hochladen", "Dateien hochladen"),
    "trainer-images": _trainer_page("/inhalte/bilder", "Bilder"),
    "trainer-audit-log": _trainer_page("/inhalte/protokoll", "Protokoll"),
    "trainer-audit-log-filtered": _trainer_page("/inhalte/protokoll?was=publish&von=2020-01-01", "Protokoll"),
    "trainer-learner-preview": _trainer_page(f"/inhalte/{MODULE}/vorschau?abschnitt=1", re.compile(".")),
    "trainer-quiz-preview-result": _trainer_quiz_preview_result,
    "impressum": _public_page("/impressum", "Impressum"),
    "privacy": _public_page("/datenschutz", "Datenschutzerklärung"),
    "accessibility-statement": _public_page("/barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    "easy-language": _public_page("/leichte-sprache", "Informationen in Leichter Sprache"),
    "sign-language": _public_page("/gebaerdensprache", "Informationen in Deutscher Gebärdensprache"),
    "barrier-report": _public_page("/barrierefreiheit/melden", "Barriere melden"),
    "barrier-report-error": _barrier_report_error,
    "barrier-reports": _barrier_reports,
    "account-roles": _account_roles,
    "unit-progress": _unit_progress,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_wcag_violations(
    name: str,
    axe_page: Any,
    artifacts_dir: Path,
    log_in: Any,
    quiz_key: Any,
    start_quiz: Any,
    answer_quiz: Any,
) -> None:
    page = axe_page
    PAGES[name](page, Helpers(log_in, quiz_key, start_quiz, answer_quiz))

    page.screenshot(path=str(artifacts_dir / f"a11y-{name}.png"), full_page=True)
    result = run_axe(page)
    violations = result["violations"]
    (artifacts_dir / f"a11y-{name}.axe.json").write_text(
        json.dumps(
            {"url": page.url, "violations": violations, "passes": len(result.get("passes", []))},
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe found serious/critical WCAG 2.1 A/AA violations on {page.url}:\n{describe(blocking)}"
    )


# Not covered by axe: a visible button label must fit inside its button. KERN styles every `.kern-btn` that contains a
# `.kern-sr-only` element as an icon-only button of fixed width (48 px, or 32 px for x-small), so a text button with
# extra screen-reader text is squeezed and its visible label spills out of it (or is cut off).
_CLIPPED_BUTTONS = """() => [...document.querySelectorAll('.kern-btn')]
  .filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
  .map((b) => ({
    text: b.innerText.replace(/\\s+/g, ' ').trim(),
    html: b.outerHTML.slice(0, 200),
    width: getComputedStyle(b).width,
    needed: b.scrollWidth + 'px',
  }))"""


@pytest.mark.parametrize("name", ["my-modules", "section", "profile-with-token"])
def test_visible_button_labels_fit_their_buttons(
    name: str, axe_page: Any, log_in: Any, quiz_key: Any, start_quiz: Any, answer_quiz: Any
) -> None:
    page = axe_page
    PAGES[name](page, Helpers(log_in, quiz_key, start_quiz, answer_quiz))
    clipped = page.evaluate(_CLIPPED_BUTTONS)
    assert not clipped, f"button labels overflow their buttons on {page.url}:\n" + "\n".join(
        f"- „{c['text']}“: width {c['width']}, content needs {c['needed']}: {c['html']}" for c in clipped
    )
