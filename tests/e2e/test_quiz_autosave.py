"""Answers survive in a real browser: a learner ticks answers, leaves for „Meine Module“ and finds them again."""

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

SLUG = "grundbegriffe"
PASSWORD = "Antworten bleiben im Rathaus stehen"


def _start(page: Any, log_in: Any, live_cli: Any, email: str) -> str:
    """An account of its own (the demo accounts' attempts stay untouched); opens a new attempt, returns its URL."""
    live_cli(
        "users",
        "create",
        email,
        "--name",
        "Karla Klick",
        "--municipality",
        "offenbach",
        "--password",
        PASSWORD,
    )
    log_in(page, email, PASSWORD)
    page.goto(f"/module/{SLUG}/quiz")
    page.get_by_role("button", name="Quiz starten").click()
    expect(page).to_have_url(re.compile(r"/versuche/\d+$"))
    return str(page.url)


def _choice_questions(key: Any) -> list[Any]:
    return [q for q in key.questions if q.type in ("single_choice", "multiple_choice")][:2]


def test_answers_are_saved_while_ticking_and_come_back(page, log_in, live_cli, quiz_key) -> None:  # type: ignore[no-untyped-def]
    key = quiz_key(SLUG)
    url = _start(page, log_in, live_cli, "karla.klick@e2e.example")
    chosen = []
    for question in _choice_questions(key):
        option = key.correct(question.key)[0]
        page.locator(f'input[name="{question.key}"][value="{option}"]').check()
        chosen.append((question.key, option))
    status = page.locator("#attempt-save-status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("Gespeichert")

    # Leave through the main navigation, as a person would, and come back.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Module").click()
    expect(page.get_by_role("heading", level=1, name="Meine Module")).to_be_visible()
    page.goto(url)
    for question_key, option in chosen:
        expect(page.locator(f'input[name="{question_key}"][value="{option}"]')).to_be_checked()


def test_leaving_with_unsaved_changes_warns(page, log_in, live_cli, quiz_key) -> None:  # type: ignore[no-untyped-def]
    key = quiz_key(SLUG)
    _start(page, log_in, live_cli, "kurt.klick@e2e.example")
    # Stop the autosave from reaching the server, so the change stays unsaved.
    page.route("**/api/v1/attempts/*/responses", lambda route: route.abort())
    question = _choice_questions(key)[0]
    page.locator(f'input[name="{question.key}"][value="{key.correct(question.key)[0]}"]').check()
    expect(page.locator("#attempt-save-status")).to_contain_text("fehlgeschlagen")
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_no_save_follows_the_submission(page, log_in, live_cli, quiz_key, answer_quiz) -> None:  # type: ignore[no-untyped-def]
    """The last answer's save would leave 600 ms after the tick; submitting at once ends the attempt first. That save
    arrived afterwards and was refused (409, „already submitted“) when the answer page took longer than the timer to
    come back, as on a busy CI run. The submission now calls any save off."""
    key = quiz_key(SLUG)
    _start(page, log_in, live_cli, "kira.klick@e2e.example")
    answer_quiz(page, key)
    saves: list[int] = []
    page.on(
        "response",
        lambda response: saves.append(response.status) if response.url.endswith("/responses") else None,
    )

    def slow_answer(route: Any) -> None:
        # The server has taken the submission; its answer reaches the browser a second later (a busy server).
        response = route.fetch(max_redirects=0)
        page.wait_for_timeout(1_000)
        route.fulfill(response=response)

    page.route(
        re.compile(r"/versuche/\d+$"),
        lambda route: slow_answer(route) if route.request.method == "POST" else route.continue_(),
    )
    question = _choice_questions(key)[0]
    page.locator(f'input[name="{question.key}"]:not(:checked)').first.check()  # a change: its save is due
    page.get_by_role("button", name="Antworten abgeben").click()
    page.wait_for_url(re.compile(r"/ergebnis$|/versuche/\d+$"))
    page.wait_for_timeout(1_000)
    assert 409 not in saves, saves
