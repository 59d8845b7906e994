"""Answers survive: an open attempt keeps the answers given so far (web form and API), until it is submitted."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from lms.api.openapi import openapi_document
from lms.auth.models import Role
from lms.auth.services import create_api_token
from tests import factories as f


def _setup(client, db: Session) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """A module with a quiz, a logged-in learner with an open attempt; returns its URL and API headers."""
    f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    _row, secret = create_api_token(db, person, "Fachverfahren")
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    return start.headers["Location"], {"Authorization": f"Bearer {secret}"}


def _valid(body: dict[str, Any], name: str = "OpenAttempt") -> dict[str, Any]:
    document = openapi_document()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(body)]
    assert not errors, errors
    return body


def _ticked(html: str, key: str, value: str) -> bool:
    """Is the option ``value`` of question ``key`` ticked on the page?"""
    import re

    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{key}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no option {value} of {key} on the page")


def test_saving_for_later_keeps_the_ticks_after_leaving(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, _headers = _setup(client, db)
    token = f._csrf_from(client.get(url).text)
    saved = client.post(url, data={"csrf_token": token, "q1": ["b"], "q7": ["a", "c"], "action": "save"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(url)
    assert "Ihre Antworten wurden gespeichert" in client.get(url).text
    assert client.get("/module").status_code == 200  # leave for „Meine Module“ and come back
    page = client.get(url).text
    assert _ticked(page, "q1", "b") and not _ticked(page, "q1", "a")
    assert _ticked(page, "q7", "a") and _ticked(page, "q7", "c") and not _ticked(page, "q2", "b")
    assert "Gespeichert" in page


def test_a_refused_submit_keeps_the_answers_too(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, _headers = _setup(client, db)
    token = f._csrf_from(client.get(url).text)
    refused = client.post(url, data={"csrf_token": token, "q2": ["b"]})
    assert refused.status_code == 422 and "noch nicht beantwortet" in refused.text
    assert _ticked(client.get(url).text, "q2", "b")


def test_the_api_saves_without_submitting_and_returns_the_answers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, headers = _setup(client, db)
    attempt_id = int(url.rsplit("/", 1)[1])
    api = f"/api/v1/attempts/{attempt_id}"
    assert _valid(client.get(api, headers=headers).json)["responses"] == {}
    put = client.put(
        f"{api}/responses", json={"responses": {"q1": ["b"], "q3": "a", "q4": None}}, headers=headers
    )
    assert put.status_code == 200
    body = _valid(client.get(api, headers=headers).json)
    assert body["responses"] == {"q1": ["b"], "q3": ["a"], "q4": []}
    assert body["submitted_at"] is None and body["responses_saved_at"]
    # The web page shows what the API saved.
    assert _ticked(client.get(url).text, "q3", "a")
    # Submitting grades the submitted answers; afterwards nothing more is saved.
    assert (
        client.post(f"{api}/submit", json={"responses": f.CORRECT_ANSWERS}, headers=headers).status_code
        == 200
    )
    late = client.put(f"{api}/responses", json={"responses": {"q1": ["a"]}}, headers=headers)
    assert late.status_code == 409


def test_the_api_refuses_what_does_not_fit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, headers = _setup(client, db)
    api = f"/api/v1/attempts/{url.rsplit('/', 1)[1]}/responses"
    assert client.put(api, json={"responses": {"q99": ["a"]}}, headers=headers).status_code == 422
    too_long = client.put(api, json={"responses": {"q1": ["x" * 3000]}}, headers=headers)
    assert too_long.status_code == 422
    assert too_long.json["error"]["message"] == "Frage q1: Die Antwort ist zu lang: höchstens 2000 Zeichen."
    # Submitting quotes only the start of a value it does not know.
    submit = api.replace("/responses", "/submit")
    unknown = client.post(submit, json={"responses": {"q1": ["Z" * 1500]}}, headers=headers)
    assert unknown.json["error"]["message"] == f"Frage q1: Unbekannte Antwort „{'Z' * 39}…“."
    assert client.put(api, json={"answers": {}}, headers=headers).status_code == 400
    assert (
        client.put("/api/v1/attempts/999999/responses", json={"responses": {}}, headers=headers).status_code
        == 404
    )


def test_someone_elses_attempt_cannot_be_saved(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, _headers = _setup(client, db)
    other = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id, email="other@example.org")
    _row, secret = create_api_token(db, other, "x")
    api = f"/api/v1/attempts/{url.rsplit('/', 1)[1]}/responses"
    answer = client.put(api, json={"responses": {"q1": ["a"]}}, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 404


def test_the_session_needs_the_csrf_header(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, _headers = _setup(client, db)
    api = f"/api/v1/attempts/{url.rsplit('/', 1)[1]}/responses"
    assert client.put(api, json={"responses": {"q1": ["b"]}}).status_code == 400
    token = f._csrf_from(client.get(url).text)
    assert (
        client.put(api, json={"responses": {"q1": ["b"]}}, headers={"X-CSRFToken": token}).status_code == 200
    )


def test_every_problem_is_reported_at_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url, _headers = _setup(client, db)
    token = f._csrf_from(client.get(url).text)
    # q1 has two answers to a single choice (not gradable), the others are unanswered.
    page = client.post(url, data={"csrf_token": token, "q1": ["a", "b"]})
    assert page.status_code == 422
    assert "Frage 1:" in page.text and "noch nicht beantwortet" in page.text
    assert "Trotzdem abgeben" not in page.text  # it would fail again: the answer must be fixed first


def _number_shown(html: str, key: str) -> str:
    """The number the page gives question ``key`` („Frage 4“): questions are shuffled per attempt."""
    import re

    for fieldset in html.split("<fieldset")[1:]:
        if f'name="{key}"' in fieldset:
            found = re.search(r'<span class="kern-preline">Frage (\d+)</span>', fieldset)
            assert found is not None
            return found[1]
    raise AssertionError(f"no question {key} on the page")


def _shuffled_attempt(client, db: Session) -> str:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, f.quiz_source(shuffle="true"))
    f.login(client, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id).email)
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    return str(start.headers["Location"])


def _summary(html: str) -> str:
    """The text of the error summary at the top of the page."""
    return html.split('id="fehleruebersicht"')[1].split("</ul>")[0]


def test_an_answer_too_long_is_named_by_the_number_shown_and_not_echoed(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # A QA sweep posted 100,000 × "A" for q2: the message said „Frage q2“ (the file's key) while the error
    # summary called it „Frage 4“, and „Unbekannte Antwort „AAAA…““ quoted all of it (a page of 120 KB).
    url = _shuffled_attempt(client, db)
    form = client.get(url).text
    number = _number_shown(form, "q2")
    token = f._csrf_from(form)
    for action in ({"action": "save"}, {}):  # „Zwischenspeichern“ and „Antworten abgeben“
        page = client.post(url, data={"csrf_token": token, "q2": "A" * 100_000, **action})
        assert page.status_code == 422
        summary = _summary(page.text)
        assert "q2" not in summary
        assert summary.count(f"Frage {number}: ") == 1  # one message for the question, not one per check
        assert "A" * 41 not in page.text and len(page.text) < len(form) + 5_000
    saving = client.post(url, data={"csrf_token": token, "q2": "A" * 100_000, "action": "save"}).text
    assert f"Frage {number}: Die Antwort ist zu lang: höchstens 2000 Zeichen." in _summary(saving)
    assert "noch nicht beantwortet" not in saving  # saving for later asks no answer to every question
    submitting = _summary(client.post(url, data={"csrf_token": token, "q2": "A" * 100_000}).text)
    assert f"Frage {number}: Unbekannte Antwort „{'A' * 39}…“." in submitting


def test_an_option_the_question_lacks_is_refused_when_saving_as_on_submit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    # A QA sweep saved {"q3": ["zz"]} with 200 (only the submit said „Unbekannte Antwort“), and the form's
    # „Zwischenspeichern“ with q1=zz said „gespeichert“ while nothing could be ticked.
    url, headers = _setup(client, db)
    api = f"/api/v1/attempts/{url.rsplit('/', 1)[1]}"
    assert (
        client.put(f"{api}/responses", json={"responses": {"q1": ["b"]}}, headers=headers).status_code == 200
    )
    saving = client.put(f"{api}/responses", json={"responses": {"q3": ["zz"]}}, headers=headers)
    submitting = client.post(f"{api}/submit", json={"responses": {"q3": ["zz"]}}, headers=headers)
    assert saving.status_code == submitting.status_code == 422
    assert saving.json["error"]["message"] == submitting.json["error"]["message"]
    assert saving.json["error"]["message"] == "Frage q3: Unbekannte Antwort „zz“."
    assert client.get(api, headers=headers).json["responses"] == {
        "q1": ["b"]
    }  # the refused save kept nothing
    # The form (only a forged one sends „zz“) is refused the same way, naming the question as the page numbers it.
    token = f._csrf_from(client.get(url).text)
    form = client.post(url, data={"csrf_token": token, "q1": "zz", "q2": "b", "action": "save"})
    assert form.status_code == 422
    assert "Frage 1: Unbekannte Antwort „zz“." in _summary(form.text)
    assert "Ihre Antworten wurden gespeichert" not in client.get(url).text
    assert client.get(api, headers=headers).json["responses"] == {"q1": ["b"]}
