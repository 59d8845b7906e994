"""Passkeys end to end in Chromium, with its virtual authenticator (Chrome DevTools Protocol, domain „WebAuthn“).

Browsers accept no IP address as relying party ID, so these pages are opened as http://localhost:<port> (a secure
context like 127.0.0.1). Every test uses accounts of its own: a passkey on a demo account would put a second step
into the other tests' logins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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

PASSWORD = "Passkeys statt Zettel am Monitor"
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


@dataclass
class Tab:
    """A page in a browser context of its own, with its DevTools session and virtual authenticator (if any)."""

    page: Any
    cdp: Any
    authenticator: str | None

    def credentials(self) -> list[dict[str, Any]]:
        found = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})
        return list(found["credentials"])


@pytest.fixture
def open_tab(browser: Any) -> Iterator[Callable[..., Tab]]:
    """Open a page on a server's localhost address, by default with a virtual platform authenticator."""
    contexts: list[Any] = []

    def open_(server: str, *, authenticator: bool = True, init_script: str = "", **options: Any) -> Tab:
        context = browser.new_context(
            base_url=server.replace("://127.0.0.1:", "://localhost:"), locale="de-DE", **options
        )
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        authenticator_id = None
        if authenticator:
            cdp.send("WebAuthn.enable", {"enableUI": False})
            added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
            authenticator_id = added["authenticatorId"]
        return Tab(page, cdp, authenticator_id)

    yield open_
    for context in contexts:
        context.close()


def _password_step(page: Any, email: str) -> None:
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def _add_passkey(page: Any, name: str) -> list[str]:
    """On „Zwei-Faktor-Anmeldung“: name a passkey and create it (Enter in the field, like a keyboard user)."""
    field = page.get_by_label("Name des Passkeys")
    field.fill(name)
    field.press("Enter")
    expect(page.get_by_text(f"Der Passkey „{name}“ ist hinzugefügt.")).to_be_visible()
    return [code.strip() for code in page.locator("#wiederherstellungscodes code").all_inner_texts()]


def test_register_a_passkey_in_the_profile_and_log_in_with_it(
    live_server: str, live_cli: Any, open_tab: Callable[..., Tab]
) -> None:
    email = "petra.passkey@e2e.example"
    live_cli("users", "create", email, "--name", "Petra Passkey", "--role", "trainer", "--password", PASSWORD)
    tab = open_tab(live_server)
    page = tab.page
    _password_step(page, email)
    page.wait_for_url(re.compile(r"/module$"))  # this server does not force the second factor

    page.goto("/profil")
    page.get_by_role("link", name="Zwei-Faktor-Anmeldung einrichten").click()
    expect(page.get_by_role("heading", level=1, name="Zwei-Faktor-Anmeldung")).to_be_visible()
    expect(page.locator("#passkey-unsupported")).to_be_hidden()  # the script found WebAuthn
    codes = _add_passkey(page, "Laptop Büro")
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", c) for c in codes)
    expect(page.get_by_role("table", name="Ihre Passkeys")).to_contain_text("Laptop Büro")
    [credential] = tab.credentials()
    assert credential["rpId"] == "localhost" and credential["isResidentCredential"]

    # The same authenticator a second time: the browser refuses (excludeCredentials), the page says why.
    page.get_by_label("Name des Passkeys").fill("Noch einmal")
    page.get_by_role("button", name="Passkey hinzufügen").click()
    expect(page.get_by_role("alert")).to_contain_text("bereits für Ihr Konto registriert")
    assert len(tab.credentials()) == 1

    page.get_by_role("button", name="Abmelden").click()
    _password_step(page, email)
    page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))
    expect(page.get_by_role("heading", level=2, name="Oder mit einem Wiederherstellungscode")).to_be_visible()
    page.get_by_role("button", name="Mit Passkey bestätigen").click()
    page.wait_for_url(re.compile(r"/module$"))
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()
    assert tab.credentials()[0]["signCount"] >= 2  # created, then used

    page.goto("/profil/zwei-faktor")
    row = page.get_by_role("row", name=re.compile("Laptop Büro"))
    expect(row).not_to_contain_text("noch nie")


def test_a_passkey_removed_meanwhile_is_refused(
    live_server: str, live_cli: Any, open_tab: Callable[..., Tab]
) -> None:
    email = "ralf.entfernt@e2e.example"
    live_cli("users", "create", email, "--name", "Ralf Entfernt", "--password", PASSWORD)
    office = open_tab(live_server)
    _password_step(office.page, email)
    office.page.wait_for_url(re.compile(r"/module$"))
    office.page.goto("/profil/zwei-faktor")
    _add_passkey(office.page, "Handy")

    # The same passkey on a second computer (as a synced passkey would be), half logged in there.
    [credential] = office.credentials()
    laptop = open_tab(live_server)
    laptop.cdp.send(
        "WebAuthn.addCredential", {"authenticatorId": laptop.authenticator, "credential": credential}
    )
    _password_step(laptop.page, email)
    laptop.page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))

    # The browser's answer is held back until the passkey is removed in the office.
    held: list[Any] = []
    laptop.page.route("**/anmelden/zweiter-faktor/passkey", lambda route: held.append(route))
    laptop.page.get_by_role("button", name="Mit Passkey bestätigen").click()
    while not held:
        laptop.page.wait_for_timeout(50)
    office.page.get_by_role("button", name="Entfernen: Handy").click()
    expect(office.page.get_by_text("Der Passkey „Handy“ ist entfernt.")).to_be_visible()
    held[0].continue_()

    expect(laptop.page.get_by_role("alert")).to_contain_text("gehört nicht (mehr) zu Ihrem Konto")
    expect(laptop.page.get_by_role("button", name="Mit Passkey bestätigen")).to_be_enabled()
    assert laptop.page.url.endswith("/anmelden/zweiter-faktor")
    assert laptop.page.goto("/profil").url.endswith("/anmelden?next=%2Fprofil")


def test_a_privileged_person_is_guided_to_set_up_a_passkey(
    live_server_mfa_required: str, live_cli: Any, open_tab: Callable[..., Tab]
) -> None:
    email = "tom.pflicht@e2e.example"
    live_cli("users", "create", email, "--name", "Tom Pflicht", "--role", "trainer", "--password", PASSWORD)
    tab = open_tab(live_server_mfa_required)
    page = tab.page
    _password_step(page, email)
    page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))
    expect(page.get_by_text("Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben.")).to_be_visible()
    page.goto("/module")
    page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))

    # The JSON requests need the CSRF token like every form.
    status = page.evaluate(
        """async () => (await fetch('/profil/zwei-faktor/passkeys/optionen', {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'ohne Token'})})).status"""
    )
    assert status == 400

    codes = _add_passkey(page, "Sicherheitsschlüssel")
    assert len(codes) == 10
    page.get_by_role("link", name="Weiter zur Lernplattform").click()
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()

    # Next time: password, then the passkey; a recovery code would do as well.
    page.get_by_role("button", name="Abmelden").click()
    _password_step(page, email)
    page.get_by_role("button", name="Mit Passkey bestätigen").click()
    page.wait_for_url(re.compile(r"/module$"))


def test_without_webauthn_or_javascript_the_page_names_the_alternatives(
    live_server: str, live_cli: Any, open_tab: Callable[..., Tab]
) -> None:
    email = "olga.ohne@e2e.example"
    live_cli("users", "create", email, "--name", "Olga Ohne", "--password", PASSWORD)
    old = open_tab(live_server, authenticator=False, init_script="delete window.PublicKeyCredential;")
    _password_step(old.page, email)
    old.page.wait_for_url(re.compile(r"/module$"))
    old.page.goto("/profil/zwei-faktor")
    expect(old.page.get_by_text("Ihr Browser unterstützt keine Passkeys (WebAuthn).")).to_be_visible()
    expect(old.page.get_by_role("button", name="Passkey hinzufügen")).to_be_hidden()
    expect(old.page.get_by_role("button", name="Bestätigen")).to_be_visible()  # the app is the alternative

    plain = open_tab(live_server, authenticator=False, java_script_enabled=False)
    _password_step(plain.page, email)
    plain.page.wait_for_url(re.compile(r"/module$"))
    plain.page.goto("/profil/zwei-faktor")
    expect(plain.page.get_by_text("braucht Ihr Browser JavaScript")).to_be_visible()
    expect(plain.page.get_by_role("button", name="Passkey hinzufügen")).to_be_hidden()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_the_passkey_pages_pass_axe(
    live_server: str, live_cli: Any, open_tab: Callable[..., Tab], artifacts_dir: Path
) -> None:
    email = "anna.axe@e2e.example"
    live_cli("users", "create", email, "--name", "Anna Axe", "--password", PASSWORD)
    tab = open_tab(live_server, bypass_csp=True)  # only so that axe can be injected
    page = tab.page
    _password_step(page, email)
    page.wait_for_url(re.compile(r"/module$"))
    page.goto("/profil/zwei-faktor")
    _add_passkey(page, "Laptop Büro")
    page.get_by_label("Name des Passkeys").fill("Noch einmal")
    page.get_by_role("button", name="Passkey hinzufügen").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error state too
    keep_screenshot(page, artifacts_dir / "passkeys-setup.png")
    pages = {"passkeys-setup": _axe(page)}
    page.get_by_role("link", name="Umbenennen: Laptop Büro").click()
    pages["passkey-rename"] = _axe(page)
    page.get_by_role("button", name="Abmelden").click()
    _password_step(page, email)
    expect(page.get_by_role("button", name="Mit Passkey bestätigen")).to_be_visible()
    pages["passkey-login"] = _axe(page)
    keep_screenshot(page, artifacts_dir / "passkey-login.png")
    assert not any(pages.values()), json.dumps(pages, ensure_ascii=False, indent=1)[:4000]
