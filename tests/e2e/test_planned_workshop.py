"""A coordinator schedules an empowerment workshop; a facilitator asks a colleague to join the network; the colleague
registers with the keyboard alone. Then axe-core checks the new pages (no serious or critical violations)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import expect

from lms import time as clock
from tests.e2e.conftest import keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

COORDINATOR = "koordination@darmstadt-dieburg.example"
FACILITATOR = "moderation@darmstadt-dieburg.example"
MEMBER = "lernende@darmstadt-dieburg.example"
PLACE = "Landratsamt Dieburg, Raum 1.12"


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return result["violations"]


def _log_out(page: Any) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("button", name="Abmelden").click()


def test_a_coordinator_schedules_a_workshop_that_a_network_member_registers_for(  # type: ignore[no-untyped-def]
    page, axe_page, log_in, artifacts_dir: Path
) -> None:
    # 1. The coordinator schedules the workshop (the date field takes the ISO form in Chromium's fill()).
    log_in(page, COORDINATOR)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Termine").click()
    page.get_by_role("link", name="Empowerment-Workshop planen").click()
    page.get_by_label("Drehbuch und Version").select_option(
        label="Eigene Ressourcen und Handlungsstrategien – Version 1.1"
    )
    day = clock.today() + timedelta(days=10)
    page.get_by_label("Datum", exact=True).fill(day.isoformat())
    page.get_by_label("Beginn", exact=True).fill("16:00")
    page.get_by_label("Ende", exact=True).fill("18:30")
    page.get_by_label("Ort", exact=True).fill(PLACE)
    page.get_by_label("Plätze", exact=True).fill("12")
    page.get_by_label("Weitere Moderierende ohne Konto").fill("Selin Aksoy (Netzwerk-Tandem)")
    page.get_by_role("button", name="Termin planen").click()
    expect(page.get_by_text("Der Termin ist geplant.")).to_be_visible()
    detail = page.url
    _log_out(page)

    # 2. Before joining the network the colleague does not see it; the facilitator adds her.
    log_in(page, MEMBER)
    page.goto("/termine")
    expect(page.get_by_text(PLACE)).to_have_count(0)
    _log_out(page)
    log_in(page, FACILITATOR)
    page.goto("/netzwerk")
    page.get_by_label("E-Mail-Adresse").fill(MEMBER)
    page.get_by_role("button", name="Zum Netzwerk hinzufügen").click()
    expect(page.get_by_text("Lea Schneider ist angefragt und wird Mitglied")).to_be_visible()
    _log_out(page)

    # 3. She agrees under „Termine“ (keyboard alone), then finds the workshop and registers.
    log_in(page, MEMBER)
    page.goto("/termine")
    expect(page.get_by_text(PLACE)).to_have_count(0)  # asked, not yet a member
    agree = page.get_by_role("button", name="Ich willige ein und trete bei")
    agree.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Sie gehören jetzt zum Empowerment-Netzwerk Ihrer Kommune.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=PLACE)
    expect(row).to_be_visible()
    row.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/termine/\d+$"))
    register = page.get_by_role("button", name="Anmelden", exact=True)
    register.focus()
    expect(register).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#own-status")).to_have_text("Sie sind angemeldet.")
    _log_out(page)

    # 4. The facilitator sees her name; the coordinator does not.
    log_in(page, FACILITATOR)
    page.goto(detail)
    expect(page.get_by_role("listitem").filter(has_text="Lea Schneider")).to_be_visible()
    # (and a workshop the demo recorded can be corrected: its page is checked below)
    page.goto("/veranstaltungen")
    page.locator("main table tbody a").first.click()
    correct_path = page.get_by_role("link", name="Veranstaltung korrigieren").get_attribute("href")
    assert correct_path
    _log_out(page)
    log_in(page, COORDINATOR)
    page.goto(detail)
    expect(page.get_by_text("Lea Schneider")).to_have_count(0)

    # 5. axe-core on the new pages, each as the person who uses it.
    pages = {
        "planned-list": (MEMBER, "/termine"),
        "planned-detail": (MEMBER, detail),
        "plan-workshop": (COORDINATOR, "/termine/neu/workshop"),
        "network": (FACILITATOR, "/netzwerk"),
        "planned-detail-facilitator": (FACILITATOR, detail),
        "correct-session": (FACILITATOR, correct_path),
    }
    found = {}
    for name, (email, path) in pages.items():
        log_in(axe_page, email)
        axe_page.goto(path)
        expect(axe_page.get_by_role("heading", level=1)).to_be_visible()
        keep_screenshot(axe_page, artifacts_dir / f"a11y-{name}.png")
        violations = run_axe(axe_page)
        (artifacts_dir / f"a11y-{name}.axe.json").write_text(
            json.dumps({"url": axe_page.url, "violations": violations}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        found[name] = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        _log_out(axe_page)
    assert found == {name: [] for name in pages}
