"""„Passwort vergessen“ end to end in Chromium: the link on the login page, the mail, the policy, the new password."""

from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

EMAIL = "vera.vergessen@e2e.example"
FIRST = "Erstes Passwort am Mainufer"
NEW = "Tulpen blühen im Mai am Rathaus"


def test_forgot_password_from_the_login_page_to_the_new_password(  # type: ignore[no-untyped-def]
    page: Any, log_in, live_cli, live_outbox: Path
) -> None:
    # An account of its own, so the demo accounts other tests log in with keep their password.
    live_cli("users", "create", EMAIL, "--name", "Vera Vergessen", "--password", FIRST)
    page.goto("/anmelden")
    page.get_by_role("link", name="Passwort vergessen?").click()
    expect(page.get_by_role("heading", level=1, name="Passwort vergessen")).to_be_visible()
    page.get_by_label("E-Mail-Adresse").fill(EMAIL)
    page.get_by_role("button", name="Link anfordern").click()
    expect(page.get_by_text(f"Wenn es ein Konto mit der Adresse {EMAIL} gibt")).to_be_visible()

    [mail_path] = [p for p in live_outbox.glob("*.eml") if EMAIL.encode() in p.read_bytes()]
    mail = message_from_bytes(mail_path.read_bytes())
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes) and "eine Stunde" in payload.decode()
    link = re.search(r"(/einladung/\S+)", payload.decode())
    assert link
    # Other tests open the first invitation in the outbox; this link is used up below.
    mail_path.unlink()

    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1, name="Passwort festlegen")).to_be_visible()
    page.get_by_label("Neues Passwort").fill("aaaaaaaaaaaa")
    page.get_by_label("Passwort wiederholen").fill("aaaaaaaaaaaa")
    page.get_by_role("button", name="Passwort speichern").click()
    field = page.get_by_label("Neues Passwort")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_contain_text("wiederholten oder aufeinanderfolgenden")

    page.get_by_label("Neues Passwort").fill(NEW)
    page.get_by_label("Passwort wiederholen").fill(NEW)
    page.get_by_role("button", name="Passwort speichern").click()
    page.wait_for_url(re.compile(r"/module$"))

    page.get_by_role("button", name="Abmelden").click()
    page.goto(link.group(1))
    expect(page.get_by_text("nicht mehr gültig")).to_be_visible()
    log_in(page, EMAIL, NEW)
