"""After a failed submission the error summary has the focus (WCAG 3.3.1, 4.1.3): in Chromium, with the real CSP,
static/js/error-summary.js moves it there, and a link of the summary moves it on to its field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_focus_lands_on_the_error_summary_and_its_link_on_the_field(page: Any) -> None:
    page.goto("/passwort-vergessen")
    page.get_by_role("button", name="Link anfordern").click()
    expect(page).to_have_title(re.compile(r"^Fehler: Passwort vergessen"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#email")).to_be_focused()
