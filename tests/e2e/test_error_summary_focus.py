"""After a failed submission the error summary has the focus (WCAG 3.3.1, 4.1.3): in Chromium, with the real CSP,
static/js/error-summary.js moves it there, and a link of the summary moves it on to its field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Vielfalt-im-Rathaus-2026"


def test_focus_lands_on_the_error_summary_and_its_link_on_the_field(page: Any) -> None:
    page.goto("/passwort-vergessen")
    page.get_by_role("button", name="Link anfordern").click()
    expect(page).to_have_title(re.compile(r"^Fehler: Passwort vergessen"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#email")).to_be_focused()


def test_the_skip_links_fragment_neither_steals_the_focus_nor_outlives_the_login(page: Any) -> None:
    """The skip link puts #main into the address; the form posted back to it with the fragment, the browser's jump to
    <main> after the failed login won over the summary, and the fragment followed the login to „/module#main“."""
    page.goto("/anmelden")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/anmelden#main$"))
    page.get_by_label("E-Mail-Adresse").fill("niemand.sprung@e2e.example")
    page.get_by_label("Passwort", exact=True).fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_title(re.compile(r"^Fehler: Anmelden"))
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # the browser's own jump to a fragment comes late
    expect(page.locator("#fehleruebersicht")).to_be_focused()
    expect(page).not_to_have_url(re.compile(r"#"))


def test_a_login_after_the_skip_link_lands_without_the_fragment(page: Any) -> None:
    page.goto("/anmelden")
    page.get_by_role("link", name="Zum Inhalt springen").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/anmelden#main$"))
    page.get_by_label("E-Mail-Adresse").fill("lernende@hofheim.example")
    page.get_by_label("Passwort", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(re.compile(r"/module$"))
