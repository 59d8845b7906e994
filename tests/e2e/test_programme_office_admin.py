"""The programme office creates a municipality and its coordinator in the browser; the coordinator gets going."""

from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

ADMIN = "programmbuero@eccar.example"
NEW_COORDINATOR = "l.hoffmann@stadt-marburg.example"
PASSWORD = "Marburg-Lahn-Koordination-2026"


def test_programme_office_creates_a_municipality_and_its_coordinator(  # type: ignore[no-untyped-def]
    page: Any, log_in, live_outbox: Path
) -> None:
    log_in(page, ADMIN)
    page.goto("/programmbuero")
    page.get_by_role("link", name="Kommunen und Konten").click()
    expect(page.get_by_role("heading", level=1, name="Kommunen")).to_be_visible()
    page.get_by_role("link", name="Kommune anlegen").click()
    page.get_by_label("Name").fill("Universitätsstadt Marburg")
    page.get_by_role("button", name="Speichern").click()
    expect(
        page.get_by_text("Bitte wählen Sie ein Bundesland.").first
    ).to_be_visible()  # refused, nothing lost
    expect(page.get_by_label("Name")).to_have_value("Universitätsstadt Marburg")
    page.get_by_label("Kürzel in Adressen").fill("stadt-marburg")
    page.get_by_label("Bundesland").select_option("Hessen")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Die Kommune „Universitätsstadt Marburg“ ist angelegt.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Universitätsstadt Marburg")
    expect(row).to_contain_text("stadt-marburg")
    expect(row).to_contain_text("Hessen")

    row.get_by_role("link", name=re.compile("^Konto anlegen")).click()
    expect(page.get_by_label("Kommune")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label("Kommune").locator("option:checked")).to_have_text("Universitätsstadt Marburg")
    page.get_by_label("Name").fill("Lea Hoffmann")
    page.get_by_label("E-Mail-Adresse").fill(NEW_COORDINATOR)
    page.get_by_label("Rolle").select_option(label="Koordination einer Kommune")
    page.get_by_role("button", name="Konto anlegen und einladen").click()
    expect(
        page.get_by_text(f"Das Konto für Lea Hoffmann ist angelegt; die Einladung geht an {NEW_COORDINATOR}.")
    ).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Universitätsstadt Marburg")).to_contain_text(
        "Lea Hoffmann"
    )
    page.get_by_role("button", name="Abmelden").click()

    # The invitation: the new coordinator sets a password and lands on her municipality's pages.
    mail_path = next(
        p for p in live_outbox.glob("*.eml") if message_from_bytes(p.read_bytes())["To"] == NEW_COORDINATOR
    )
    mail = message_from_bytes(mail_path.read_bytes())
    body = mail.get_payload(decode=True).decode()
    assert "Universitätsstadt Marburg nimmt am Modellprojekt" in body
    link = re.search(r"(/einladung/\S+)", body)
    assert link
    mail_path.unlink()  # other tests open the first invitation in the outbox
    page.goto(link.group(1))
    page.get_by_label("Neues Passwort").fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    page.wait_for_url(re.compile(r"/module$"))
    page.goto("/kommunen/stadt-marburg/beschaeftigte")
    expect(page.get_by_role("heading", level=1, name="Beschäftigte")).to_be_visible()
    expect(page.get_by_text("Universitätsstadt Marburg").first).to_be_visible()
    page.get_by_role("link", name="Person hinzufügen").click()
    page.get_by_label("Name").fill("Jan Becker")
    page.get_by_label("E-Mail-Adresse").fill("j.becker@stadt-marburg.example")
    page.get_by_label("Organisationseinheit").fill("Fachdienst Soziales")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1, name="Jan Becker")).to_be_visible()
    expect(page.get_by_text("Fachdienst Soziales").first).to_be_visible()
    # Another municipality's staff stay out of reach.
    assert page.goto("/kommunen/darmstadt-dieburg/beschaeftigte").status == 404
