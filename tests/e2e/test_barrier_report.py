"""„Barriere melden“ in a real browser: a visitor without an account sends a report with the keyboard alone, and
the programme office finds it on its list and marks it as in progress."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

ADMIN = "programmbuero@eccar.example"


def _tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus (as a keyboard user would), never passing the honeypot."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.id")
        assert focused != "website", "the robot trap must not take the keyboard focus"
        if focused == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_a_visitor_sends_a_barrier_report_without_an_account(page: Any, log_in: Any) -> None:
    page.goto("/anmelden")
    # From the footer of the login page, by keyboard.
    link = page.get_by_role("navigation", name="Rechtliches und Barrierefreiheit").get_by_role(
        "link", name="Barriere melden"
    )
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Barriere melden")).to_be_visible()

    # Sending an empty form names the missing description at the field.
    _tab_to(page, "description")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back past the page field, then forward through the whole form
    _tab_to(page, "page_url")
    page.keyboard.type("Meine Module")
    _tab_to(page, "description")
    _tab_to(page, "contact_email")
    page.keyboard.type("melder@example.org")
    page.keyboard.press("Enter")
    description = page.get_by_label("Beschreibung der Barriere")
    expect(description).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#description-error")).to_have_text("Bitte beschreiben Sie die Barriere.")
    expect(page.get_by_label("Auf welcher Seite? (freiwillig)")).to_have_value("Meine Module")

    _tab_to(page, "description")
    page.keyboard.type("Die Tabelle der Module hat keine Spaltenüberschriften für den Screenreader.")
    _tab_to(page, "contact_email")
    submit = page.get_by_role("button", name="Meldung senden")
    for _ in range(5):
        page.keyboard.press("Tab")
        if submit.evaluate("b => b === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Vielen Dank")).to_be_visible()

    # The programme office finds the report and takes it on.
    log_in(page, ADMIN)
    page.goto("/programmbuero/barrieren")
    report = page.locator("section.barrier-report").filter(has_text="keine Spaltenüberschriften").first
    expect(report).to_contain_text("melder@example.org")
    expect(report.get_by_role("heading")).to_contain_text("neu")
    report.get_by_label("Stand").select_option(label="in Bearbeitung")
    report.get_by_role("button", name=re.compile("Stand speichern")).click()
    expect(page.get_by_role("status").filter(has_text="in Bearbeitung")).to_be_visible()
