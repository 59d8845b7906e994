"""A coordinator's year in a real browser: import the staff list, record a workshop, download the Jahresnachweis.

Then the new pages of the coordination, the sessions and the programme office are checked with axe-core (WCAG 2.1
A/AA, no violations of any impact allowed) with a screenshot of each in test-artifacts/.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from email import message_from_bytes
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

COORDINATOR = "koordination@darmstadt-dieburg.example"
FACILITATOR = "moderation@darmstadt-dieburg.example"
ADMIN = "programmbuero@eccar.example"
DASHBOARD = "/kommunen/darmstadt-dieburg"
STAFF_LIST = (
    "\ufeffE-Mail;Vorname;Nachname;Organisationseinheit;Personalnummer\r\n"
    "r.osei@darmstadt-dieburg.example;Rebecca;Osei;Gesundheitsamt;300101\r\n"
    "t.lange@darmstadt-dieburg.example;Tim;Lange;Gesundheitsamt;300102\r\n"
    "ohne-at-zeichen;Eva;Fehler;Gesundheitsamt;300103\r\n"
)


def test_coordinator_imports_staff_records_a_workshop_and_downloads_the_evidence(  # type: ignore[no-untyped-def]
    page, log_in, tmp_path: Path, live_outbox: Path
) -> None:
    log_in(page, COORDINATOR)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Koordination").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Nachweis Programmjahr"))

    # 1. Import the staff list: preview with the faulty row, then apply the valid rows.
    page.get_by_role("link", name="Beschäftigtenliste importieren").first.click()
    csv_file = tmp_path / "Personalliste Gesundheitsamt.csv"
    csv_file.write_bytes(STAFF_LIST.encode("utf-8"))
    page.get_by_label("Beschäftigtenliste (CSV-Datei)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.get_by_role("heading", level=1, name="Vorschau des Imports")).to_be_visible()
    expect(page.get_by_text("Zeile 4: „ohne-at-zeichen“ ist keine gültige E-Mail-Adresse.")).to_be_visible()
    expect(page.get_by_role("cell", name="Rebecca Osei")).to_be_visible()
    page.get_by_label("Fehlerhafte Zeilen überspringen und die übrigen übernehmen").check()
    page.get_by_role("button", name="Änderungen übernehmen").click()
    expect(page.get_by_role("heading", level=1, name="Import übernommen")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Einladungen versendet")).to_be_visible()
    invited = [message_from_bytes(p.read_bytes()) for p in live_outbox.glob("*.eml")]
    assert "r.osei@darmstadt-dieburg.example" in {m["To"] for m in invited}
    page.get_by_role("link", name="Zur Liste der Beschäftigten").click()
    page.get_by_label("Suche (Name, E-Mail, Personalnummer)").fill("Osei")
    page.get_by_role("button", name="Filtern").click()
    expect(page.get_by_role("rowheader", name=re.compile("Rebecca Osei"))).to_be_visible()

    # 2. Record the second empowerment workshop of the year.
    page.goto("/veranstaltungen")
    page.get_by_role("link", name="Empowerment-Workshop erfassen").click()
    page.get_by_label("Drehbuch und Version").select_option(
        label="Eigene Ressourcen und Handlungsstrategien – Version 1.1"
    )
    page.get_by_label("Ort").fill("Landratsamt Dieburg, Raum 0.07")
    page.get_by_label("Weitere Moderierende ohne Konto").fill("Selin Aksoy (Netzwerk-Tandem)")
    page.get_by_label("Zahl der Teilnehmenden").fill("13")
    page.get_by_role("button", name="Workshop speichern").click()
    expect(page.get_by_text("Der Workshop ist erfasst.")).to_be_visible()

    # 3. The dashboard counts it, and the Jahresnachweis says so.
    page.goto(DASHBOARD)
    expect(page.locator("#status-heading")).to_contain_text("erfüllt")
    expect(page.locator("#status-reason")).to_contain_text("Empowerment-Workshops: 2 von 2")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Jahresnachweis (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("jahresnachweis-darmstadt-dieburg-")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(target).pages))
    assert "Landkreis Darmstadt-Dieburg" in text and "Status: erfüllt" in text
    assert "Landratsamt Dieburg, Raum 0.07" in text and "Gesundheitsamt" in text


# --- accessibility of the new pages ------------------------------------------------------------------------------


def run_axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return result["violations"]


def _as(email: str, path: str) -> Callable[[Any, Any], None]:
    def open_page(page: Any, log_in: Any) -> None:
        log_in(page, email)
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    return open_page


def test_applying_a_list_with_faulty_rows_without_the_tick_is_an_error_of_the_box(page, log_in) -> None:  # type: ignore[no-untyped-def]
    """A QA sweep: the refusal came back as a message only, the focus on <body> and the box unmarked (WCAG 3.3.1)."""
    _import_refused(page, log_in)
    expect(page).to_have_title(re.compile(r"^Fehler: Vorschau des Imports"))
    summary = page.locator("#fehleruebersicht")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("1 fehlerhafte Zeile")
    box = page.get_by_label("Fehlerhafte Zeilen überspringen und die übrigen übernehmen")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_accessible_description(re.compile(r"1 fehlerhafte Zeile"))
    summary.get_by_role("link").first.click()
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Änderungen übernehmen").click()
    expect(page.get_by_role("heading", level=1, name="Import übernommen")).to_be_visible()


def _import_refused(page: Any, log_in: Any) -> None:
    """A list with a faulty row, applied without ticking „Fehlerhafte Zeilen überspringen …“ (new people each time)."""
    log_in(page, COORDINATOR)
    page.goto(DASHBOARD + "/beschaeftigte/import")
    tag = secrets.token_hex(3)
    faulty = (
        "E-Mail;Vorname;Nachname;Organisationseinheit\r\n"
        f"b.adu.{tag}@darmstadt-dieburg.example;Bea;Adu;Bauamt\r\n"
        "ohne-at-zeichen;Eva;Fehler;Bauamt\r\n"
    )
    page.get_by_label("Beschäftigtenliste (CSV-Datei)").set_input_files(
        files=[{"name": "bauamt.csv", "mimeType": "text/csv", "buffer": faulty.encode()}]
    )
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.get_by_role("heading", level=1, name="Vorschau des Imports")).to_be_visible()
    page.get_by_role("button", name="Änderungen übernehmen").click()
    expect(page.locator("#skip_invalid-error")).to_be_visible()


def _import_preview(page: Any, log_in: Any) -> None:
    log_in(page, COORDINATOR)
    page.goto(DASHBOARD + "/beschaeftigte/import")
    page.get_by_label("Beschäftigtenliste (CSV-Datei)").set_input_files(
        files=[
            {
                "name": "liste.csv",
                "mimeType": "text/csv",
                "buffer": STAFF_LIST.replace("Gesundheitsamt", "Kämmerei").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.get_by_role("heading", level=1, name="Vorschau des Imports")).to_be_visible()


def _import_error(page: Any, log_in: Any) -> None:
    log_in(page, COORDINATOR)
    page.goto(DASHBOARD + "/beschaeftigte/import")
    page.get_by_role("button", name="Vorschau anzeigen").click()
    expect(page.locator("#file-error")).to_contain_text("Bitte wählen Sie eine Datei aus.")


def _session_detail(page: Any, log_in: Any) -> None:
    log_in(page, FACILITATOR)
    page.goto("/veranstaltungen")
    page.locator("main table tbody a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def _invitation(page: Any, log_in: Any, outbox: Path) -> None:
    mail = next(message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml")))
    link = re.search(r"(/einladung/\S+)", mail.get_payload(decode=True).decode())
    assert link
    page.goto(link.group(1))
    expect(page.get_by_role("heading", level=1, name="Passwort festlegen")).to_be_visible()


def _person_page(page: Any, log_in: Any) -> None:
    log_in(page, COORDINATOR)
    page.goto(DASHBOARD + "/beschaeftigte")
    page.locator("main table tbody th a").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


PAGES: dict[str, Callable[..., None]] = {
    "coordination-dashboard": _as(COORDINATOR, DASHBOARD),
    "staff-list": _as(COORDINATOR, DASHBOARD + "/beschaeftigte?status=all"),
    "staff-import": _as(COORDINATOR, DASHBOARD + "/beschaeftigte/import"),
    "staff-import-error": _import_error,
    "staff-import-preview": _import_preview,
    "staff-import-refused": _import_refused,
    "training-plan": _as(COORDINATOR, DASHBOARD + "/schulungsplan"),
    "sessions": _as(FACILITATOR, "/veranstaltungen"),
    "record-workshop": _as(FACILITATOR, "/veranstaltungen/neu/workshop"),
    "record-training": _as(COORDINATOR, "/veranstaltungen/neu/schulung"),
    "session-detail": _session_detail,
    "programme-office": _as(ADMIN, "/programmbuero"),
    "periods": _as(ADMIN, "/programmbuero/zeitraeume"),
    "period-form": _as(ADMIN, "/programmbuero/zeitraeume/neu"),
    "invitation": _invitation,
    "background-jobs": _as(ADMIN, "/programmbuero/hintergrundaufgaben?alle=1"),
    "job-status": _as(ADMIN, "/aufgaben/1"),  # the demo's import sent its invitations as job 1
    "certificate-archive": _as(COORDINATOR, DASHBOARD + "/zertifikate/archiv"),
    # Issue 14: municipalities and accounts; people managed one by one and several at once.
    "municipalities": _as(ADMIN, "/programmbuero/kommunen"),
    "municipality-form": _as(ADMIN, "/programmbuero/kommunen/neu"),
    "account-form": _as(ADMIN, "/programmbuero/konten/neu"),
    "person-form": _as(COORDINATOR, DASHBOARD + "/beschaeftigte/neu"),
    "not-completed": _as(COORDINATOR, DASHBOARD + "/offen"),
    "person-page": _person_page,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_new_pages_have_no_wcag_violations(  # type: ignore[no-untyped-def]
    name: str, axe_page, log_in, artifacts_dir: Path, live_outbox: Path
) -> None:
    page = axe_page
    opener = PAGES[name]
    if name == "invitation":
        opener(page, log_in, live_outbox)
    else:
        opener(page, log_in)
    keep_screenshot(page, artifacts_dir / f"a11y-{name}.png")
    violations = run_axe(page)
    (artifacts_dir / f"a11y-{name}.axe.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} [{v['impact']}]: {v['help']} – {v['nodes'][0]['html'][:200]}" for v in violations
    )
