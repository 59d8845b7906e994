"""A participation code in Chromium: the facilitator prints the slips, a participant redeems one, nobody else learns who.

The codes are stored as digests only, so the test takes them where a person would: from the printed sheet (the
page as Chromium prints it to PDF) and from a slip's QR code.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from axe_playwright_python.base import AXE_FILE_PATH
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import keep_screenshot

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

FACILITATOR = "moderation@darmstadt-dieburg.example"
COORDINATOR = "koordination@darmstadt-dieburg.example"
# The demo's empowerment workshop in Darmstadt-Dieburg, run by the demo facilitator (11 participants).
PLACE = "Kreishaus Dieburg, Raum 1.12"
SCRIPT_TITLE = "Ankommen, vernetzen, stärken"
# Accounts of their own, so that other tests' „Meine Nachweise“ stay as they expect them.
LEARNER, LEARNER_NAME = "rana.einloesen@e2e.example", "Rana Einlöser"
AXE_LEARNER = "axel.pruefer@e2e.example"
PASSWORD = "Teilnahme bestätigt 2026"
REFUSED = "Dieser Code ist ungültig, abgelaufen oder bereits eingelöst."


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def open_workshop(page: Any) -> None:
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Veranstaltungen").click()
    page.get_by_role("row").filter(has_text=PLACE).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SCRIPT_TITLE)


def print_code_sheet(page: Any, log_in: Any) -> list[str]:
    """The facilitator prints the sheet of slips; returns its codes (each also on the printed PDF)."""
    log_in(page, FACILITATOR)
    open_workshop(page)
    page.get_by_role("button", name="Bogen mit Teilnahmecodes drucken").click()
    expect(page.get_by_role("heading", level=1, name="Teilnahmecodes")).to_be_visible()
    shown = page.locator(".code-slip strong").all_inner_texts()
    assert len(shown) == 11 and len(set(shown)) == 11
    assert all(re.fullmatch(r"KFA(-[0-9A-Z]{4}){3}-[0-9A-Z]", code) for code in shown), shown
    # Printed, every slip is whole on its page, inside dashed lines to cut along: a page never starts with the code
    # of a slip whose QR code stayed on the page before.
    # Print once the page's fonts are in: a CI run under load printed before, and the PDF then held no code text
    # that could be read back (every code missing), though the sheet on screen was whole.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    printed = page.pdf(format="A4")
    pages = _codes_per_page(printed)
    assert sorted(_codes_in(printed)) == sorted(shown)
    page.emulate_media(media="print")
    qr_height_pt = page.locator(".code-slip svg").first.bounding_box()["height"] * 0.75
    assert page.locator(".code-slip").first.evaluate("(e) => getComputedStyle(e).borderTopStyle") == "dashed"
    page.emulate_media(media="screen")
    for codes in pages[1:]:
        # A page whose codes all came in split text runs has no positions (its codes were counted above).
        if codes:
            assert min(top for top, _ in codes) > qr_height_pt, pages
    return shown


def _codes_in(pdf: bytes) -> list[str]:
    """Every code printed, from each page's whole text: a code the PDF splits into several text runs still counts
    (the positions below come from the runs, so they may miss such a code)."""
    text = "".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.findall(r"KFA(?:-[0-9A-Z]{4}){3}-[0-9A-Z]", text)


def _codes_per_page(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Per printed page: (distance from the page's top in pt, code) of every code on it."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        top, found = float(page.mediabox.top), []

        def visit(
            text: str, cm: list[float], tm: list[float], *_: Any, top: float = top, found: list = found
        ) -> None:
            for code in re.findall(r"KFA(?:-[0-9A-Z]{4}){3}-[0-9A-Z]", text):
                found.append((top - (tm[5] * cm[3] + cm[5]), code))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def scan_slip(page: Any, index: int) -> str:
    """What a phone's camera reads from the QR code of one slip on the screen."""
    picture = page.locator(".code-slip svg").nth(index).screenshot()
    [text] = [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(picture)))]
    return text


def test_a_participant_redeems_a_code_and_only_they_see_the_certificate(  # type: ignore[no-untyped-def]
    page, log_in, live_cli, tmp_path: Path
) -> None:
    codes = print_code_sheet(page, log_in)
    qr_link = scan_slip(page, 0)
    assert urlsplit(qr_link).path == "/nachweise/einloesen"
    assert urlsplit(qr_link).query == f"code={codes[0]}"
    page.get_by_role("button", name="Abmelden").click()

    # The participant types the code from the slip as it comes: small letters, spaces instead of hyphens.
    live_cli(
        "users", "create", LEARNER, "--name", LEARNER_NAME, "--municipality", "darmstadt-dieburg",
        "--password", PASSWORD,
    )  # fmt: skip
    log_in(page, LEARNER, PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Nachweise").click()
    page.get_by_role("link", name="Teilnahmecode einlösen").click()
    expect(page.get_by_role("heading", level=1, name="Teilnahmecode einlösen")).to_be_visible()
    field = page.get_by_label("Teilnahmecode")
    field.fill(codes[0].lower().replace("-", " "))
    field.press("Enter")
    page.wait_for_url(re.compile(r"/nachweise$"))
    expect(
        page.get_by_text("Ihre Teilnahmebescheinigung steht unter „Meine Nachweise“. Nur Sie sehen sie.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Teilnahmebescheinigungen")).to_be_visible()
    link = page.get_by_role("link", name=re.compile(r"^Teilnahmebescheinigung KFA-[0-9A-Z-]+ \(PDF\)$"))
    expect(link).to_have_count(1)
    certificate_code = re.search(r"KFA-[0-9A-Z-]+", link.inner_text()).group(0)  # type: ignore[union-attr]

    # The certificate is neutral: the person and the programme, not the workshop, its script or its place.
    with page.expect_download() as download_info:
        link.click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    text = _pdf_text(target.read_bytes())
    assert LEARNER_NAME in text and certificate_code in text
    assert "Teilnahme an einer Fortbildung des Modellprogramms" in text
    for telling in ("Empowerment", SCRIPT_TITLE, PLACE, codes[0]):
        assert telling not in text, telling

    # The same code a second time (now as the QR code on the slip opens the page): refused, clearly.
    page.goto(urlsplit(qr_link).path + "?" + urlsplit(qr_link).query)
    expect(page.get_by_label("Teilnahmecode")).to_have_value(codes[0])
    page.get_by_label("Teilnahmecode").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(REFUSED)  # the error summary: „Teilnahmecode: …“
    expect(page.get_by_label("Teilnahmecode")).to_have_attribute("aria-invalid", "true")
    page.goto("/nachweise")
    expect(page.get_by_role("link", name=re.compile(r"^Teilnahmebescheinigung KFA-"))).to_have_count(1)
    page.get_by_role("button", name="Abmelden").click()

    # The coordinator of the municipality learns nothing about who redeemed.
    log_in(page, COORDINATOR)
    open_workshop(page)
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(LEARNER_NAME)
    expect(main).not_to_contain_text("Eingelöst")
    expect(main.get_by_role("button", name="Bogen mit Teilnahmecodes drucken")).to_have_count(0)
    assert page.request.get(f"/zertifikate/{certificate_code}.pdf").status == 404
    page.goto("/kommunen/darmstadt-dieburg/beschaeftigte?status=all")
    page.get_by_label("Suche (Name, E-Mail, Personalnummer)").fill("Einlöser")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("main")).not_to_contain_text("Teilnahme")
    expect(page.get_by_role("main")).not_to_contain_text(certificate_code)
    page.goto("/kommunen/darmstadt-dieburg/zertifikate")
    with page.expect_download() as export_info:
        page.get_by_role("button", name=re.compile("herunterladen", re.IGNORECASE)).click()
    export = tmp_path / "export.zip"
    export_info.value.save_as(export)
    with zipfile.ZipFile(export) as archive:
        names = archive.namelist()
        assert names, "the export has at least its manifest"
        everything = " ".join(names) + " ".join(
            archive.read(n).decode("utf-8", "replace") for n in names if not n.endswith(".pdf")
        )
    assert certificate_code not in everything and LEARNER_NAME not in everything
    page.get_by_role("button", name="Abmelden").click()

    # The facilitator sees that codes were redeemed, as a protected count, and still no name.
    log_in(page, FACILITATOR)
    open_workshop(page)
    expect(page.get_by_text("Eingelöst: < 5")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(LEARNER_NAME)


# --- accessibility of the pages on the way -----------------------------------------------------------------------


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return result["violations"]


def _check(page: Any, name: str, artifacts_dir: Path) -> list[str]:
    """axe-core's WCAG 2.1 A/AA rules, and reflow (1.4.10): at 320 CSS pixels nothing needs sideways scrolling."""
    keep_screenshot(page, artifacts_dir / f"a11y-{name}.png")
    violations = run_axe(page)
    (artifacts_dir / f"a11y-{name}.axe.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    found = [
        f"{name} ({page.url}): {v['id']} [{v['impact']}]: {v['help']} – {v['nodes'][0]['html'][:200]}"
        for v in violations
    ]
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        found.append(f"{name} ({page.url}): {overflow} px wider than a 320 px screen")
    page.set_viewport_size(size)
    return found


def test_code_pages_have_no_wcag_violations(  # type: ignore[no-untyped-def]
    axe_page, log_in, live_cli, artifacts_dir: Path
) -> None:
    """The slip sheet, the redeem form (empty, refused) and „Meine Nachweise“ with a participation certificate."""
    page = axe_page
    found: list[str] = []
    log_in(page, FACILITATOR)
    open_workshop(page)
    page.get_by_role("button", name="Bogen mit Teilnahmecodes drucken").click()
    expect(page.get_by_role("heading", level=1, name="Teilnahmecodes")).to_be_visible()
    found += _check(page, "code-slips", artifacts_dir)
    code = page.locator(".code-slip strong").first.inner_text()
    page.get_by_role("button", name="Abmelden").click()

    live_cli(
        "users", "create", AXE_LEARNER, "--name", "Axel Prüfer", "--municipality", "offenbach",
        "--password", PASSWORD,
    )  # fmt: skip
    log_in(page, AXE_LEARNER, PASSWORD)
    page.goto("/nachweise/einloesen")
    found += _check(page, "redeem", artifacts_dir)
    page.get_by_label("Teilnahmecode").fill("KFA-0000-0000-0000-1")
    page.get_by_role("button", name="Einlösen").click()
    expect(page.get_by_role("alert")).to_contain_text(REFUSED)  # the error summary: „Teilnahmecode: …“
    found += _check(page, "redeem-refused", artifacts_dir)
    page.get_by_label("Teilnahmecode").fill(code)
    page.get_by_role("button", name="Einlösen").click()
    expect(page.get_by_role("heading", level=2, name="Teilnahmebescheinigungen")).to_be_visible()
    found += _check(page, "my-completions-participation", artifacts_dir)
    assert not found, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(found)
