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

from tests.e2e.conftest import keep_screenshot

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


def _control_characters(page: Any, h: Helpers) -> None:
    """The 422 after text with a form feed (copied from a PDF): what was typed, and the form to send it again."""
    _profile(page, h)
    page.get_by_label("Bezeichnung").fill("Fachverfahren\fBürgeramt")
    page.get_by_role("button", name="Token erstellen").click()
    expect(page.get_by_role("button", name="Ohne diese Zeichen senden")).to_be_visible()


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
    "control-characters": _control_characters,
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

    keep_screenshot(page, artifacts_dir / f"a11y-{name}.png")
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


# --- the LiaScript question types (matrix, selection in a sentence, hints) and retired content ------------------
# The demo's quizzes have none of them, so these tests serve a database of their own: a module whose quiz has a
# matrix, a sentence with gaps and a question with a hint (tests/web/test_quiz_liascript_types.py), a few submitted
# attempts for the statistics, and a retired module that one person completed.

TYPES_PASSWORD = "Matrix-und-Luecken-2026"
TYPES_LEARNER = "lernend@typen.example"
TYPES_COMPLETED = "abgeschlossen@typen.example"
TYPES_TRAINER = "trainerin@typen.example"
#: The whole document scrolls sideways (WCAG 1.4.10) when it is wider than the window.
_SCROLL_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


@pytest.fixture(scope="module")
def types_server(tmp_path_factory: pytest.TempPathFactory, serve_database: Callable[..., str]) -> str:
    from sqlalchemy.orm import Session

    from lms import migrate
    from lms.auth.models import Role
    from lms.auth.passwords import hash_password
    from lms.authoring.publishing import publish_module, publish_quiz
    from lms.content.modules import parse_module
    from lms.content.services.lifecycle import retire_module
    from lms.db import make_engine
    from lms.quizzes.parse import parse_quiz
    from lms.quizzes.services import start_attempt, submit_attempt
    from tests import factories as f
    from tests.web.test_quiz_liascript_types import QUIZ

    url = "sqlite:///" + str(tmp_path_factory.mktemp("axe-types") / "types.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        town = f.municipality(db, "Stadt Typen")
        version = f.published_module(db)
        f.published_quiz(db, QUIZ)
        old_doc = parse_module(f.module_source(slug="altmodul", title="Altes Modul"), "modules/altmodul.md")
        old, _problem = publish_module(db, old_doc, path="modules/altmodul.md", actor_id=None)
        quiz_doc = parse_quiz(f.quiz_source(module="altmodul"), "quizzes/altmodul.md")
        publish_quiz(db, quiz_doc, path="quizzes/altmodul.md", actor_id=None)
        assert old is not None
        learner = f.user(db, Role.LEARNER, municipality_id=town.id, email=TYPES_LEARNER, name="Lea Lernend")
        completed = f.user(
            db, Role.LEARNER, municipality_id=town.id, email=TYPES_COMPLETED, name="Bea Fertig"
        )
        trainer = f.user(db, Role.TRAINER, email=TYPES_TRAINER, name="Tina Trainerin")
        # Three attempts for the statistics: all right, partly right, mostly wrong.
        for n, answers in enumerate(
            (
                {"q1": ["a:b", "b:a", "c:a", "c:b"], "q2": ["g1:b", "g2:15"], "q3": ["b"]},
                {"q1": ["a:b", "b:c", "c:a"], "q2": ["g1:a", "g2:15"], "q3": ["a"]},
                {"q1": ["a:a", "b:a", "c:a", "c:b"], "q2": ["g1:b"], "q3": ["b"]},
            )
        ):
            person = f.user(db, Role.LEARNER, municipality_id=town.id, email=f"statistik{n}@typen.example")
            submit_attempt(db, person, start_attempt(db, person, version.module, version), answers)
        submit_attempt(db, completed, start_attempt(db, completed, old.module, old), f.CORRECT_ANSWERS)
        retire_module(db, trainer, old.module, "veraltet")
        password_hash = hash_password(TYPES_PASSWORD)
        for person in (learner, completed, trainer):
            person.password_hash = password_hash
        db.commit()
    engine.dispose()
    return serve_database(url)


def _types_log_in(page: Any, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(TYPES_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/(module|inhalte)$"))


def _check_both_widths(page: Any, artifacts_dir: Path, name: str) -> list[str]:
    """axe at 1280 and 320 px and the page's width at 320 px; returns what is wrong (empty: nothing)."""
    problems = []
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        keep_screenshot(page, artifacts_dir / f"a11y-{name}-{width}.png")
        violations = run_axe(page)["violations"]
        (artifacts_dir / f"a11y-{name}-{width}.axe.json").write_text(
            json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            problems.append(f"{name} at {width} px ({page.url}):\n{describe(blocking)}")
        if width == 320:
            scroll_width, client_width = page.evaluate(_SCROLL_WIDTH)
            if scroll_width > client_width + 1:
                problems.append(
                    f"{name} scrolls sideways at 320 px: {scroll_width} px wide in {client_width} px"
                )
    return problems


def test_new_question_types_attempt_and_result_pass_axe_and_work_by_keyboard(
    browser: Any, types_server: str, artifacts_dir: Path
) -> None:
    context = browser.new_context(base_url=types_server, locale="de-DE", bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        _types_log_in(page, TYPES_LEARNER)
        page.goto("/module/testmodul/quiz")
        page.get_by_role("button", name=re.compile(r"^(Quiz starten|Begonnenen Versuch fortsetzen)$")).click()
        page.wait_for_url(re.compile(r"/versuche/\d+$"))
        expect(page.get_by_role("group", name="Gleichheit vor dem Gesetz")).to_be_visible()
        problems = _check_both_widths(page, artifacts_dir, "types-attempt")
        page.set_viewport_size({"width": 1280, "height": 900})

        # A matrix row is a radio group of its own: Tab reaches its first column, the arrow keys move within the
        # row (choosing as they go), and the other rows stay untouched.
        row = page.get_by_role("group", name="Entschädigung im Arbeitsleben")
        row.get_by_role("radio", name="Grundgesetz").focus()
        page.keyboard.press("Space")
        page.keyboard.press("ArrowRight")
        expect(row.get_by_role("radio", name="AGG")).to_be_checked()
        expect(row.get_by_role("radio", name="AGG")).to_be_focused()
        expect(row.get_by_role("radio", name="Grundgesetz")).not_to_be_checked()
        other = page.get_by_role("group", name="Gleichheit vor dem Gesetz")
        expect(other.get_by_role("radio", name="Grundgesetz")).not_to_be_checked()
        page.keyboard.press("Tab")  # leaves the row's group: to the next row's first column
        expect(other.get_by_role("radio", name="Grundgesetz")).to_be_focused()
        page.keyboard.press("Space")
        expect(other.get_by_role("radio", name="Grundgesetz")).to_be_checked()
        # The checkbox row: Space ticks each column reached with Tab.
        third = page.get_by_role("group", name="Schutz wegen der ethnischen Herkunft")
        third.get_by_role("checkbox", name="Grundgesetz").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        expect(third.get_by_role("checkbox", name="Grundgesetz")).to_be_checked()
        expect(third.get_by_role("checkbox", name="AGG")).to_be_checked()

        # The gap's select is reached with Tab and changed with the arrow keys; its label names the gap.
        gap = page.get_by_role("combobox", name="Lücke 1")
        # WCAG 1.4.11: the select shows where it is (KERN draws the line under it on its wrapper) and is wide
        # enough to read its placeholder, not collapsed to its arrow.
        line, width = gap.evaluate(
            "(el) => { const s = getComputedStyle(el.parentElement);"
            " return [s.borderBottomStyle + ' ' + s.borderBottomWidth, el.getBoundingClientRect().width]; }"
        )
        assert line == "solid 2px" and width > 120, (line, width)
        gap.focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(gap).to_have_value("b")
        page.keyboard.press("Tab")
        expect(page.get_by_role("textbox", name="Lücke 2")).to_be_focused()
        page.keyboard.type("15")
        page.get_by_role("radio", name="Die Widerspruchsbehörde").check()
        # The hint opens from the keyboard.
        page.get_by_text("1 Hinweis anzeigen").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Denken Sie an das Vier-Augen-Prinzip.")).to_be_visible()

        page.get_by_role("button", name="Antworten abgeben").click()
        page.wait_for_url(re.compile(r"/versuche/\d+/ergebnis$"))
        expect(page.get_by_text(re.compile(r"Bestanden mit 100"))).to_be_visible()
        problems += _check_both_widths(page, artifacts_dir, "types-result")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_statistics_of_new_question_types_and_a_retired_module_pass_axe(
    browser: Any, types_server: str, artifacts_dir: Path
) -> None:
    problems = []
    context = browser.new_context(base_url=types_server, locale="de-DE", bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        _types_log_in(page, TYPES_TRAINER)
        page.goto("/inhalte/testmodul/quiz/statistik")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_text("Gleichheit vor dem Gesetz").first).to_be_visible()
        problems += _check_both_widths(page, artifacts_dir, "types-statistics")
    finally:
        context.close()
    context = browser.new_context(base_url=types_server, locale="de-DE", bypass_csp=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        _types_log_in(page, TYPES_COMPLETED)
        page.goto("/module/altmodul")
        expect(page.locator("#retired-notice")).to_be_visible()
        problems += _check_both_widths(page, artifacts_dir, "retired-overview")
        page.goto("/module/altmodul/abschnitt/1")
        expect(page.locator("#retired-notice")).to_be_visible()
        problems += _check_both_widths(page, artifacts_dir, "retired-section")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
