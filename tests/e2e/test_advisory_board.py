"""The local advisory board (Beirat) in a real browser: a member reads the evaluation of their municipality and
records the board's assessment; the coordinator reads it; nothing of another municipality, no list of people.

A new learner answers the self-assessment before a module. Then the new pages are checked with axe-core (WCAG 2.1
A/AA) with a screenshot each in test-artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import keep_screenshot
from tests.e2e.test_coordination import run_axe

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is missing"),
]

BOARD = "beirat@offenbach.example"
COORDINATOR = "koordination@darmstadt-dieburg.example"
ADMIN = "programmbuero@eccar.example"
PASSWORD = "Lange-Passphrase-fuer-Tests-2026"


def test_board_member_reads_the_evaluation_and_records_an_assessment(page, log_in) -> None:  # type: ignore[no-untyped-def]
    log_in(page, BOARD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Beirat").click()
    expect(page).to_have_url(re.compile(r"/kommunen/offenbach/evaluation$"))
    expect(page.get_by_role("heading", level=1, name="Evaluation und Beirat")).to_be_visible()
    expect(page.get_by_text("Stadt Offenbach am Main", exact=False).first).to_be_visible()
    # The aggregates: status, indicators, the self-assessments with means before and after, free texts from five on.
    expect(page.get_by_role("heading", name=re.compile("^Stand der Ziele"))).to_be_visible()
    indicators = page.locator("#indicators")
    expect(indicators.get_by_role("rowheader", name="Teilnahmequote")).to_be_visible()
    expect(
        page.get_by_role("heading", level=3, name=re.compile("^Grundbegriffe und Arbeitsdefinitionen"))
    ).to_be_visible()
    expect(page.get_by_text("Antworten vorher: 12 · nachher: 10").first).to_be_visible()
    expect(page.locator("ul.free-texts").first).to_be_visible()
    expect(page.get_by_text("Verfasst von Ayşe Demir und Jan Krüger für den Beirat")).to_be_visible()
    main = page.locator("main").inner_text()
    assert "@" not in main, "an e-mail address on the board's page"
    assert "abschluesse" not in page.content(), "a link to the completion list (names) on the board's page"

    # The board records its assessment of the period.
    page.get_by_label("Datum der Einschätzung").fill("2026-03-12")
    page.get_by_label("Verfasst von").fill("A. Yilmaz und B. Schulz für den Beirat")
    page.get_by_label("Einschätzung des Beirats").fill(
        "Die Beteiligung ist hoch.\nDer Beirat empfiehlt, die Beschwerdewege nach § 13 AGG bekannter zu machen."
    )
    page.get_by_role("button", name="Einschätzung speichern").click()
    expect(page.get_by_text("Die Einschätzung des Beirats ist gespeichert.")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Einschätzung vom 12.03.2026")).to_be_visible()
    expect(page.get_by_text("Verfasst von A. Yilmaz und B. Schulz für den Beirat")).to_be_visible()

    # Nothing of another municipality, and not the coordinator's pages with their lists of people.
    for path in (
        "/kommunen/hofheim/evaluation",
        "/kommunen/offenbach",
        "/kommunen/offenbach/abschluesse.csv",
    ):
        response = page.request.get(path)
        assert response.status in (403, 404), (path, response.status)


def test_the_coordinator_reads_the_boards_assessment(page, log_in) -> None:  # type: ignore[no-untyped-def]
    log_in(page, COORDINATOR)
    page.goto("/kommunen/darmstadt-dieburg")
    page.get_by_role("link", name="Evaluation und Beirat").click()
    expect(page.get_by_role("heading", level=1, name="Evaluation und Beirat")).to_be_visible()
    expect(page.get_by_text("Verfasst von Thomas Becker für den Beirat")).to_be_visible()
    expect(page.get_by_role("button", name="Einschätzung speichern")).to_have_count(0)


def test_a_learner_answers_the_self_assessment_before_the_module(page, log_in, live_cli) -> None:  # type: ignore[no-untyped-def]
    email = "neu.lernend@hofheim.example"
    live_cli(
        "users", "create", email, "--name", "Nele Neu", "--municipality", "hofheim", "--password", PASSWORD
    )
    log_in(page, email, PASSWORD)
    page.goto("/module/rassismus-erkennen")
    page.get_by_role("link", name="Beginnen – zuerst eine freiwillige Selbsteinschätzung").click()
    expect(page).to_have_url(re.compile(r"/selbsteinschaetzung/\d+/vorher$"))
    expect(page.get_by_text("Selbsteinschätzung vor dem Modul · freiwillig")).to_be_visible()
    page.get_by_role("group", name=re.compile("mittelbare Diskriminierung nach § 3 Abs. 2 AGG")).get_by_label(
        "2 – trifft eher nicht zu"
    ).check()
    page.get_by_label(re.compile("^Was möchten Sie")).fill("Mehr zu Racial Profiling, bitte.")
    page.get_by_role("button", name="Antworten speichern").click()
    expect(page).to_have_url(re.compile(r"/module/rassismus-erkennen/abschnitt/1$"))
    expect(page.get_by_text("Ihre Selbsteinschätzung ist gespeichert")).to_be_visible()
    page.goto("/module/rassismus-erkennen")
    expect(page.get_by_role("link", name="Weiterlesen")).to_have_attribute(
        "href", re.compile(r"/abschnitt/\d+$")
    )


def _board_page(page: Any, log_in: Any, live_cli: Any) -> None:
    log_in(page, BOARD)
    page.goto("/kommunen/offenbach/evaluation")


def _survey_page(page: Any, log_in: Any, live_cli: Any) -> None:
    email = "axe.lernend@hofheim.example"
    live_cli(
        "users", "create", email, "--name", "Axel Axe", "--municipality", "hofheim", "--password", PASSWORD
    )
    log_in(page, email, PASSWORD)
    page.goto("/module/grundbegriffe")
    page.get_by_role("link", name="Beginnen – zuerst eine freiwillige Selbsteinschätzung").click()
    expect(page).to_have_url(re.compile(r"/vorher$"))


def _survey_error(page: Any, log_in: Any, live_cli: Any) -> None:
    email = "axe.fehler@hofheim.example"
    live_cli(
        "users", "create", email, "--name", "Axel Fehler", "--municipality", "hofheim", "--password", PASSWORD
    )
    log_in(page, email, PASSWORD)
    page.goto("/module/strukturen-pruefen")
    page.get_by_role("link", name="Beginnen – zuerst eine freiwillige Selbsteinschätzung").click()
    page.get_by_role("button", name="Antworten speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("keine Frage beantwortet")


def _as(email: str, path: str) -> Any:
    def open_page(page: Any, log_in: Any, live_cli: Any) -> None:
        log_in(page, email)
        page.goto(path)

    return open_page


PAGES = {
    "board-evaluation": _board_page,
    "self-assessment": _survey_page,
    "self-assessment-error": _survey_error,
    "programme-evaluation": _as(ADMIN, "/programmbuero/evaluation"),
    "board-members": _as(ADMIN, "/programmbuero/beirat"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_evaluation_pages_have_no_wcag_violations(  # type: ignore[no-untyped-def]
    name: str, axe_page, log_in, live_cli, artifacts_dir: Path
) -> None:
    page = axe_page
    PAGES[name](page, log_in, live_cli)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    keep_screenshot(page, artifacts_dir / f"a11y-{name}.png")
    violations = run_axe(page)
    (artifacts_dir / f"a11y-{name}.axe.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} [{v['impact']}]: {v['help']} – {v['nodes'][0]['html'][:200]}" for v in violations
    )
