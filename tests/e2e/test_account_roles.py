"""The programme office changes the roles of existing accounts in the browser; the accounts then see what the role
gives them (a head of an org unit: the progress of that unit only), and lose it with the role at once."""

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
HEAD = "u.brandt@darmstadt-dieburg.example"
COORDINATOR = "k.yilmaz@hofheim.example"
PASSWORD = "Leitung-im-Landkreis-2026"


def _open_roles(page: Any, email: str) -> None:
    page.goto("/programmbuero/rollen")
    page.get_by_label("E-Mail-Adresse des Kontos").fill(email)
    page.get_by_role("button", name="Rollen des Kontos öffnen").click()


def test_programme_office_grants_roles_and_the_accounts_see_what_they_give(  # type: ignore[no-untyped-def]
    page: Any, browser: Any, live_server: str, log_in, live_cli
) -> None:
    live_cli(
        "users",
        "create",
        HEAD,
        "--name",
        "Uwe Brandt",
        "--municipality",
        "darmstadt-dieburg",
        "--password",
        PASSWORD,
    )
    live_cli(
        "users",
        "create",
        COORDINATOR,
        "--name",
        "Kübra Yılmaz",
        "--municipality",
        "hofheim",
        "--password",
        PASSWORD,
    )
    log_in(page, ADMIN)

    # Head of an org unit: the role, the unit, a reason.
    _open_roles(page, HEAD)
    expect(page.get_by_role("heading", level=1, name="Rollen von Uwe Brandt")).to_be_visible()
    page.get_by_label("Rolle", exact=True).select_option(label="Leitung Organisationseinheit")
    page.get_by_label("Änderung").select_option("grant")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Bitte geben Sie einen Grund an.").first).to_be_visible()  # refused, nothing lost
    page.get_by_label("Rolle", exact=True).select_option(label="Leitung Organisationseinheit")
    page.get_by_label("Fachbereich Soziales").check()
    page.get_by_label("Grund").fill("Leitung des Fachbereichs laut Schreiben vom 2. März")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Uwe Brandt hat jetzt die Rolle „Leitung Organisationseinheit“.")).to_be_visible()
    expect(page.locator("#current-roles")).to_contain_text(
        "Leitung Organisationseinheit: Fachbereich Soziales"
    )
    log_row = page.get_by_role("row").filter(has_text="Rolle Leitung Organisationseinheit vergeben.")
    expect(log_row).to_contain_text("Leitung des Fachbereichs laut Schreiben vom 2. März")
    expect(log_row).to_contain_text("Programmbüro ECCAR")

    # Coordination of another municipality.
    _open_roles(page, COORDINATOR)
    page.get_by_label("Rolle", exact=True).select_option(label="Koordination")
    page.get_by_label("Grund").fill("Neue Koordinatorin der Stadt Hofheim")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Kübra Yılmaz hat jetzt die Rolle „Koordination“.")).to_be_visible()

    # The head of the unit sees that unit's progress, its open list and its people, and nothing else.
    head_context = browser.new_context(base_url=live_server, locale="de-DE")
    head_page = head_context.new_page()
    try:
        log_in(head_page, HEAD, PASSWORD)
        head_page.get_by_role("link", name="Meine Einheiten").click()
        expect(
            head_page.get_by_role("heading", level=1, name="Fortschritt nach Organisationseinheit")
        ).to_be_visible()
        coverage = head_page.get_by_role("table", name="Abdeckung je Organisationseinheit")
        expect(coverage).to_contain_text("Fachbereich Soziales")
        expect(coverage).not_to_contain_text("Bauen und Umwelt")
        expect(head_page.get_by_role("link", name="Veranstaltungen")).to_have_count(0)
        head_page.get_by_role("link", name="Noch nicht abgeschlossen").click()
        rows = head_page.get_by_role("table", name="Noch nicht abgeschlossen").locator("tbody tr")
        expect(rows.first).to_contain_text("Fachbereich Soziales")
        for row in rows.all():
            expect(row).to_contain_text("Fachbereich Soziales")
        rows.first.get_by_role("link").click()
        expect(head_page.get_by_text("Fachbereich Soziales").first).to_be_visible()
        # Not the municipality's dashboard (with its workshops) nor its staff list: refused.
        assert head_page.goto("/kommunen/darmstadt-dieburg").status in (403, 404)
        assert head_page.goto("/kommunen/darmstadt-dieburg/beschaeftigte").status in (403, 404)

        # The programme office removes the role: the head's next request meets the login page.
        _open_roles(page, HEAD)
        page.get_by_label("Rolle", exact=True).select_option(label="Leitung Organisationseinheit")
        page.get_by_label("Änderung").select_option("revoke")
        page.get_by_label("Grund").fill("Wechsel in ein anderes Amt")
        page.get_by_role("button", name="Speichern").click()
        expect(
            page.get_by_text("Uwe Brandt hat die Rolle „Leitung Organisationseinheit“ nicht mehr.")
        ).to_be_visible()
        head_page.goto("/kommunen/darmstadt-dieburg/einheiten")
        expect(head_page).to_have_url(re.compile(r"/anmelden"))
    finally:
        head_context.close()

    # The new coordinator works on her municipality's dashboard.
    coordinator_context = browser.new_context(base_url=live_server, locale="de-DE")
    coordinator_page = coordinator_context.new_page()
    try:
        log_in(coordinator_page, COORDINATOR, PASSWORD)
        coordinator_page.get_by_role("link", name="Koordination").click()
        expect(coordinator_page.get_by_text("Stadt Hofheim am Taunus").first).to_be_visible()
        assert coordinator_page.goto("/kommunen/hofheim/beschaeftigte").status == 200
        assert coordinator_page.goto("/kommunen/offenbach/beschaeftigte").status == 404
    finally:
        coordinator_context.close()
