"""The second factor in Chromium: a coordinator sets up an authenticator at first login and logs in with its codes.

This runs on an instance of its own with the production default of LMS_MFA_REQUIRED_ROLES (the shared e2e server
lets the demo's privileged accounts in with their password alone). The codes are computed with pyotp from the key
the set-up page shows as text, as an authenticator app would, at the server's time: the live server reads the
machine's wall clock (it never sees the suite's LMS_TEST_NOW travel), so the test reads it through time-machine's
escape hatch and both agree on the 30-second step. Forms are sent with Enter, fields reached
with Tab where a person would.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import time_machine
import zxingcpp
from axe_playwright_python.base import AXE_FILE_PATH
from PIL import Image
from playwright.sync_api import expect

from lms import time as clock
from tests.e2e.conftest import PAGE_TIMEOUT_MS, keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

PASSWORD = "Vielfalt-im-Rathaus-2026"
COORDINATOR = "koordination@darmstadt-dieburg.example"
# For the accessibility checks: accounts the journey below does not use.
TRAINER = "trainerin@eccar.example"
FACILITATOR = "moderation@darmstadt-dieburg.example"
WRONG_CODE_ERROR = "Der Code ist nicht richtig oder wurde schon verwendet."


@pytest.fixture(scope="module")
def mfa_server(start_app: Callable[..., str]) -> str:
    """The app with LMS_MFA_REQUIRED_ROLES unset: admins, trainers, coordinators and facilitators need a 2nd factor."""
    return start_app()


def _context_page(browser: Any, base_url: str, *, bypass_csp: bool = False) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, locale="de-DE", bypass_csp=bypass_csp)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def mfa_page(browser: Any, mfa_server: str) -> Iterator[Any]:
    yield from _context_page(browser, mfa_server)


@pytest.fixture
def mfa_axe_page(browser: Any, mfa_server: str) -> Iterator[Any]:
    """The CSP is bypassed so that axe-core can be injected."""
    yield from _context_page(browser, mfa_server, bypass_csp=True)


def enter_password(page: Any, email: str, password: str = PASSWORD) -> None:
    """The first step of the login, by keyboard: e-mail, Tab, password, Enter."""
    page.goto("/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Passwort", exact=True)).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def enter_code(page: Any, code: str) -> None:
    field = page.get_by_label("Code", exact=True)
    field.fill(code)
    field.press("Enter")


def server_time() -> float:
    """The live server's clock: the real wall clock, even while the suite's clock travels (LMS_TEST_NOW)."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return clock.now().timestamp()  # not travelling: the suite's clock is the wall clock


class Authenticator:
    """What the app on the phone does: the code of the current 30-second step, never one the server has seen."""

    def __init__(self, key: str) -> None:
        self.totp = pyotp.TOTP(key)
        self.last_step = -1

    def current_step(self) -> int:
        return int(server_time() // self.totp.interval)

    def code(self) -> str:
        # The server refuses a step it has accepted before (replay) and accepts the next one (clock drift), so
        # after a code of this step the next step's code is shown, as a phone whose clock runs a little ahead would.
        step = max(self.current_step(), self.last_step + 1)
        self.last_step = step
        return self.totp.generate_otp(step)

    def wrong_code(self) -> str:
        """Six digits that no step the server accepts now (or soon) yields."""
        now = self.current_step()
        valid = {self.totp.generate_otp(step) for step in range(now - 2, now + 4)}
        return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 111111)) if c not in valid)


def set_up_authenticator(page: Any) -> tuple[Authenticator, list[str]]:
    """On the set-up page: read the key shown for manual entry, confirm with a code; return the recovery codes."""
    expect(page.get_by_role("heading", level=1, name="Zwei-Faktor-Anmeldung")).to_be_visible()
    expect(page.get_by_text("Ohne Kamera: Geben Sie diesen Schlüssel in der App ein:")).to_be_visible()
    key = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    # The camera's way carries the same key: the QR code as drawn on the screen decodes to the address shown.
    picture = page.get_by_role("img", name="QR-Code für die Authenticator-App").screenshot()
    [scanned] = [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))]
    assert scanned == page.locator(".otpauth-uri").inner_text()
    assert parse_qs(urlsplit(scanned).query)["secret"] == [key]
    app = Authenticator(key)
    enter_code(page, app.code())
    expect(page.get_by_role("heading", level=2, name="Ihre Wiederherstellungscodes")).to_be_visible()
    codes = [c.strip() for c in page.locator("#wiederherstellungscodes li").all_inner_texts()]
    return app, codes


def test_coordinator_sets_up_the_second_factor_and_logs_in_with_it(mfa_page: Any) -> None:
    page = mfa_page
    enter_password(page, COORDINATOR)
    # Guided to the set-up; the other pages stay closed until it is done.
    page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))
    expect(page.get_by_text("Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben.")).to_be_visible()
    page.goto("/kommunen/darmstadt-dieburg")
    page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))

    app, recovery = set_up_authenticator(page)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", c) for c in recovery), recovery
    expect(page.get_by_text("Die Zwei-Faktor-Anmeldung ist eingerichtet.")).to_be_visible()
    page.get_by_role("link", name="Weiter zur Lernplattform").click()
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()

    # The password alone no longer logs in: the second step asks for a code; a wrong one is refused in German.
    enter_password(page, COORDINATOR)
    page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))
    expect(page.get_by_role("heading", level=1, name="Zwei-Faktor-Anmeldung")).to_be_visible()
    enter_code(page, app.wrong_code())
    expect(page.get_by_role("alert")).to_contain_text(WRONG_CODE_ERROR)  # the error summary: „Code: …“
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("button", name="Abmelden")).to_have_count(0)
    page.goto("/module")
    page.wait_for_url(re.compile(r"/anmelden\?next="))
    expect(page.get_by_role("heading", level=1, name="Anmelden")).to_be_visible()

    # The code from the app logs in (the password was given a moment ago, so the second step is still open).
    page.goto("/anmelden/zweiter-faktor")
    enter_code(page, app.code())
    page.wait_for_url(re.compile(r"/module$"))
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Koordination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Nachweis Programmjahr"))
    page.get_by_role("button", name="Abmelden").click()

    # Without the phone: a recovery code works once, typed as it is read (capitals, no hyphen) …
    enter_password(page, COORDINATOR)
    page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))
    enter_code(page, recovery[3].upper().replace("-", " "))
    page.wait_for_url(re.compile(r"/module$"))
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()
    page.get_by_role("button", name="Abmelden").click()

    # … and is refused the second time; another one of the list still works.
    enter_password(page, COORDINATOR)
    page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))
    enter_code(page, recovery[3])
    expect(page.get_by_role("alert")).to_contain_text(WRONG_CODE_ERROR)  # the error summary: „Code: …“
    expect(page).to_have_url(re.compile(r"/anmelden/zweiter-faktor$"))
    enter_code(page, recovery[7])
    page.wait_for_url(re.compile(r"/module$"))


# --- accessibility of the second-factor pages ---------------------------------------------------------------------


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return result["violations"]


def _check(page: Any, name: str, artifacts_dir: Path) -> list[str]:
    keep_screenshot(page, artifacts_dir / f"a11y-{name}.png")
    violations = run_axe(page)
    (artifacts_dir / f"a11y-{name}.axe.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    return [
        f"{name} ({page.url}): {v['id']} [{v['impact']}]: {v['help']} – {v['nodes'][0]['html'][:200]}"
        for v in violations
    ]


def test_second_factor_pages_have_no_wcag_violations(mfa_axe_page: Any, artifacts_dir: Path) -> None:
    """Set-up (also with an error), recovery codes, second step (also with an error): no violation of any impact."""
    page = mfa_axe_page
    found: list[str] = []
    enter_password(page, TRAINER)
    page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))
    found += _check(page, "mfa-setup", artifacts_dir)
    enter_code(page, "12")
    expect(page.get_by_role("alert")).to_be_visible()
    found += _check(page, "mfa-setup-error", artifacts_dir)
    _app, _codes = set_up_authenticator(page)
    found += _check(page, "mfa-recovery-codes", artifacts_dir)
    page.get_by_role("button", name="Abmelden").click()

    enter_password(page, TRAINER)
    page.wait_for_url(re.compile(r"/anmelden/zweiter-faktor$"))
    found += _check(page, "second-factor", artifacts_dir)
    enter_code(page, "")
    expect(page.get_by_role("alert").or_(page.locator("#code-error")).first).to_be_visible()
    found += _check(page, "second-factor-error", artifacts_dir)
    assert not found, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(found)


def test_setup_page_reflows_on_a_narrow_screen(browser: Any, mfa_server: str) -> None:
    """WCAG 1.4.10: at 320 CSS pixels the set-up page (long key and otpauth address) needs no sideways scrolling."""
    context = browser.new_context(base_url=mfa_server, locale="de-DE", viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        enter_password(page, FACILITATOR)
        page.wait_for_url(re.compile(r"/profil/zwei-faktor$"))
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow} px wider than a 320 px screen"
    finally:
        context.close()
