"""Certificates in a real browser: a learner downloads one, a stranger verifies it by typing the code, the
coordinator downloads the municipality's archive; every page passes axe-core with no violation at all."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# A module no other browser test completes, and accounts whose other tests do not count completions.
LEARNER = "lernende@hofheim.example"
LEARNER_NAME = "Anna Nowak"
COORDINATOR = "koordination@darmstadt-dieburg.example"  # also a learner in Darmstadt-Dieburg
COORDINATOR_NAME = "Jonas Weber"
MODULE = "strukturen-pruefen"
MODULE_TITLE = "Strukturen und Routinen prüfen"


def assert_no_axe_violations(page: Any, artifacts_dir: Path, name: str) -> None:
    keep_screenshot(page, artifacts_dir / f"certificates-{name}.png")
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    found = [
        f"{v['id']} [{v['impact']}]: {v['help']} at {v['nodes'][0]['target']}" for v in result["violations"]
    ]
    assert found == [], f"{name}: " + "; ".join(found)


def _complete_module(
    page: Any, account: str, log_in: Any, quiz_key: Any, start_quiz: Any, answer_quiz: Any
) -> None:
    log_in(page, account)
    page.goto(f"/module/{MODULE}/quiz")
    if page.get_by_role("button", name=re.compile("Quiz starten|Begonnenen Versuch fortsetzen")).count():
        start_quiz(page, MODULE)
        answer_quiz(page, quiz_key(MODULE), correctly=True)
        page.get_by_role("button", name="Antworten abgeben").click()
        page.wait_for_url(re.compile(r"/versuche/\d+/ergebnis$"))


def test_learner_downloads_and_a_stranger_verifies(
    axe_page: Any,
    browser: Any,
    live_server: str,
    artifacts_dir: Path,
    log_in,
    quiz_key,
    start_quiz,
    answer_quiz,
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    _complete_module(page, LEARNER, log_in, quiz_key, start_quiz, answer_quiz)
    page.goto("/nachweise")
    row = page.locator("main table tbody tr").filter(has_text=MODULE_TITLE)
    link = row.get_by_role("link", name=re.compile(r"^PDF herunterladen"))
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    data = Path(info.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert LEARNER_NAME in text and "Stadt Hofheim am Taunus" in text
    code = re.search(r"KFA-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", text).group(0)
    assert_no_axe_violations(page, artifacts_dir, "my-completions")

    # Someone without an account types the code as read out on the phone: lower case, spaces.
    stranger = browser.new_context(base_url=live_server, locale="de-DE", bypass_csp=True)
    try:
        public = stranger.new_page()
        public.goto("/verify")
        expect(public.get_by_role("heading", level=1, name="Zertifikat prüfen")).to_be_visible()
        assert_no_axe_violations(public, artifacts_dir, "verify-form")
        public.get_by_label("Prüfcode").fill(code.lower().replace("-", " "))
        public.get_by_role("button", name="Prüfen").click()
        expect(public).to_have_url(re.compile(rf"/verify/{code}$"))
        expect(public.get_by_role("status")).to_contain_text("Gültig")
        expect(public.locator("main dl")).to_contain_text(LEARNER_NAME)
        assert_no_axe_violations(public, artifacts_dir, "verify-valid")

        typo = code[:-1] + ("A" if code[-1] != "A" else "B")
        public.get_by_label("Prüfcode").fill(typo)
        public.get_by_role("button", name="Prüfen").click()
        expect(public.locator("#code-error")).to_contain_text("Der Code enthält einen Tippfehler.")
        expect(public.get_by_label("Prüfcode")).to_have_attribute("aria-invalid", "true")
        assert_no_axe_violations(public, artifacts_dir, "verify-typo")
    finally:
        stranger.close()


def test_coordinator_downloads_the_municipalitys_archive(
    axe_page: Any, artifacts_dir: Path, log_in, quiz_key, start_quiz, answer_quiz
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    # The coordinator is also a learner of the municipality: one completion of their own to export.
    _complete_module(page, COORDINATOR, log_in, quiz_key, start_quiz, answer_quiz)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Zertifikate").click()
    expect(page.get_by_role("heading", level=1, name="Zertifikate herunterladen")).to_be_visible()
    assert_no_axe_violations(page, artifacts_dir, "export")
    with page.expect_download() as info:
        page.get_by_role("button", name="Herunterladen").click()
    archive = zipfile.ZipFile(info.value.path())
    manifest = archive.read("manifest.csv").decode("utf-8-sig")
    assert COORDINATOR_NAME in manifest and LEARNER_NAME not in manifest  # Hofheim is not their municipality
    assert any(name.endswith(".pdf") and "Jonas-Weber" in name for name in archive.namelist())
