"""Text pasted with an unseen control character (a form feed from a PDF) is not lost: the 422 page sends the same
form again without it, in a real browser with the app's Content-Security-Policy in force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]


def test_a_token_name_with_a_form_feed_is_created_once_sent_again(page: Any, log_in: Any) -> None:
    log_in(page, "lernende@hofheim.example")
    page.goto("/profil")
    page.get_by_label("Bezeichnung").fill("Fachverfahren\fStandesamt")
    page.get_by_role("button", name="Token erstellen").click()
    expect(page.get_by_role("alert")).to_contain_text("unzulässige Steuerzeichen")
    expect(page.get_by_label("Ihre Eingabe ohne die unzulässigen Zeichen")).to_have_value(
        "FachverfahrenStandesamt"
    )
    page.get_by_role("button", name="Ohne diese Zeichen senden").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Neues Token erstellt")).to_be_visible()
    expect(page.get_by_role("cell", name="FachverfahrenStandesamt", exact=True)).to_be_visible()
