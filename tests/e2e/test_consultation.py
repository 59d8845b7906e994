"""A consultation on the working definition in a real browser: a coordinator comments by keyboard, the comment
stays private until the window closes, then everyone taking part reads it attributed to the municipality; the
programme office answers every comment and publishes the next version with its table of answers.

Runs on an app instance of its own (``start_app``): closing the window and publishing a version would change the
shared demo for other tests. axe-core checks every page of the consultation on the way, with the app's
Content-Security-Policy in force (the script is served from the app's own origin by the browser context).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import expect

from tests.e2e.conftest import PAGE_TIMEOUT_MS, keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

COORDINATOR = "koordination@darmstadt-dieburg.example"  # Jonas Weber, Landkreis Darmstadt-Dieburg
FACILITATOR = "moderation@darmstadt-dieburg.example"  # Aylin Kaya, same municipality
OFFICE = "programmbuero@eccar.example"
DOCUMENT = "/dokumente/arbeitsdefinition-rassismus"
SECTION = "Bezug zu ICERD Art. 1"
COMMENT = "Bitte erläutern Sie den Begriff „Volkstum“ aus der amtlichen Übersetzung in einem Satz."
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_PATH = "/__axe-core.js"


@pytest.fixture(scope="module")
def app_url(start_app: Any) -> str:
    """A demo instance of its own: the demo opened a window on the working definition, with three comments."""
    return str(start_app(LMS_MFA_REQUIRED_ROLES=""))


@pytest.fixture
def open_as(browser: Any, app_url: str, log_in: Any) -> Iterator[Any]:
    """Log a person in, in a browser context of their own (the app's CSP in force); returns the page."""
    contexts = []

    def open_page(email: str) -> Any:
        context = browser.new_context(base_url=app_url, locale="de-DE")
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        # axe-core from the app's own origin, so that script-src 'self' admits it.
        context.route(
            f"{app_url}{AXE_PATH}",
            lambda route: route.fulfill(path=str(AXE_FILE_PATH), content_type="text/javascript"),
        )
        contexts.append(context)
        page = context.new_page()
        log_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def check_axe(page: Any, name: str, artifacts_dir: Path) -> None:
    """No serious or critical WCAG 2.1 A/AA violation; the findings and a screenshot go to test-artifacts/."""
    page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    keep_screenshot(page, artifacts_dir / f"a11y-documents-{name}.png")
    violations = result["violations"]
    (artifacts_dir / f"a11y-documents-{name}.axe.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    blocking = [
        f"{v['id']} [{v['impact']}]: {v['help']} – {v['nodes'][0]['html'][:200]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not blocking, f"axe on {page.url}:\n" + "\n".join(blocking)


def test_a_coordinator_comments_by_keyboard_and_the_office_answers(open_as: Any, artifacts_dir: Path) -> None:
    coordinator = open_as(COORDINATOR)
    coordinator.get_by_role("link", name="Dokumente", exact=True).focus()
    coordinator.keyboard.press("Enter")
    expect(coordinator.get_by_role("heading", level=1, name="Dokumente")).to_be_visible()
    expect(coordinator.get_by_text("Konsultation läuft").first).to_be_visible()
    check_axe(coordinator, "index", artifacts_dir)

    coordinator.get_by_role("link", name="Arbeitsdefinition Rassismus für die kommunale Verwaltung").focus()
    coordinator.keyboard.press("Enter")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text(
        "Arbeitsdefinition Rassismus für die kommunale Verwaltung"
    )
    expect(coordinator.get_by_text("Entwurf zur Konsultation").first).to_be_visible()
    check_axe(coordinator, "version-open", artifacts_dir)

    # By keyboard: into the section's comment field, type, Tab past „show my name“ (left unticked), Enter to send.
    field = coordinator.get_by_label(f"Ihr Kommentar zu „{SECTION}“")
    field.focus()
    coordinator.keyboard.type(COMMENT)
    coordinator.keyboard.press("Tab")
    name_box = coordinator.locator("#show-name-3")
    expect(name_box).to_be_focused()
    expect(name_box).not_to_be_checked()
    coordinator.keyboard.press("Tab")
    send = coordinator.get_by_role("button", name=re.compile(rf"^Kommentar senden\s*: {re.escape(SECTION)}$"))
    expect(send).to_be_focused()
    coordinator.keyboard.press("Enter")
    coordinator.wait_for_url(re.compile(r"/versionen/1#kommentare-3$"))
    expect(coordinator.get_by_role("status")).to_contain_text(
        f"Ihr Kommentar zu „{SECTION}“ ist gespeichert."
    )
    mine = coordinator.locator("#kommentare-3 .comment").filter(has_text=COMMENT)
    expect(mine).to_contain_text("Landkreis Darmstadt-Dieburg")
    expect(mine).to_contain_text("Ihr Kommentar")
    expect(mine).not_to_contain_text("Jonas Weber")

    # A colleague of the same municipality does not see it while the window is open.
    facilitator = open_as(FACILITATOR)
    facilitator.goto(DOCUMENT)
    expect(
        facilitator.get_by_text("Aylin Kaya, Landkreis Darmstadt-Dieburg")
    ).to_be_visible()  # her own, named
    expect(facilitator.get_by_text(COMMENT)).to_have_count(0)

    office = open_as(OFFICE)
    office.goto(f"{DOCUMENT}/konsultation")
    expect(
        office.get_by_text(COMMENT)
    ).to_be_visible()  # the office sees every comment, to prepare its answers
    check_axe(office, "consultation-open", artifacts_dir)
    office.get_by_role("button", name="Konsultation jetzt beenden").click()
    expect(office.get_by_role("status")).to_contain_text("Die Konsultation ist beendet.")

    facilitator.reload()
    theirs = facilitator.locator("#kommentare-3 .comment").filter(has_text=COMMENT)
    expect(theirs).to_contain_text("Landkreis Darmstadt-Dieburg")
    expect(theirs).not_to_contain_text("Jonas Weber")  # attributed to the municipality, not the person

    # The office answers every comment (adopted, partly, not) with a reason, by keyboard too.
    check_axe(office, "consultation-closed", artifacts_dir)
    verdicts = ["übernommen", "teilweise übernommen", "nicht übernommen"]
    count = office.locator(".comment-list--office > li").count()
    assert count == 4  # three from the demo, one from this test
    for index in range(count):
        item = office.locator(".comment-list--office > li").nth(index)
        item.get_by_label(verdicts[index % 3], exact=True).check()
        item.get_by_label("Begründung").fill(f"Begründung {index + 1}: geprüft und entschieden.")
        item.get_by_role("button", name=re.compile("^Antwort speichern")).click()
        expect(office.get_by_role("status")).to_contain_text("Die Antwort ist gespeichert.")
    expect(office.get_by_text("4 Kommentare, davon 4 beantwortet.")).to_be_visible()

    office.get_by_role("link", name="Nächste Version veröffentlichen").click()
    expect(
        office.get_by_role("heading", name="Antworten, die mit dieser Version veröffentlicht werden")
    ).to_be_visible()
    check_axe(office, "publish", artifacts_dir)
    source = office.get_by_label("Markdown-Text der neuen Version")
    text = source.input_value()
    source.fill(
        text.replace('version: "0.1"', 'version: "0.2"').replace(
            "## Bezug zu ICERD Art. 1\n",
            "## Bezug zu ICERD Art. 1\n\n„Volkstum“ steht in der amtlichen Übersetzung für ethnische Herkunft.\n",
        )
    )
    office.get_by_label("Was hat sich geändert?").fill("Überarbeitet nach der Konsultation")
    office.get_by_role("button", name="Version veröffentlichen").click()
    expect(office.get_by_role("heading", level=1, name="Was sich geändert hat und warum")).to_be_visible()
    table = office.locator("table.response-table")
    expect(table).to_contain_text(COMMENT)
    expect(table).to_contain_text("teilweise übernommen")
    expect(office.locator("table.diff ins").filter(has_text="amtlichen Übersetzung")).to_be_visible()
    check_axe(office, "changes", artifacts_dir)

    # Everyone with access sees what changed and why: the coordinator too, with the answer to their comment.
    coordinator.goto(f"{DOCUMENT}/versionen/2/aenderungen")
    expect(coordinator.locator("table.response-table").get_by_text(COMMENT)).to_be_visible()
    expect(coordinator.locator("table.response-table")).not_to_contain_text("Jonas Weber")
