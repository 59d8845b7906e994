"""Quiz review options: a failed attempt shows right/wrong and explanations, the right answers only at the end.

Each case is checked on the HTML result page and in the JSON API (attempt GET and submit), the API responses also
against the OpenAPI document's Attempt schema.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from lms.api.openapi import openapi_document
from lms.auth.models import Role
from lms.auth.services import create_api_token
from lms.quizzes.models import QuizAttempt
from tests import factories as f

WRONG = {**{f"q{n}": ["a"] for n in range(1, 7)}, "q7": ["b"]}
SOLVED = "<strong>richtig</strong>"  # an option marked as the right one
LATER = (
    "Die richtigen Antworten sehen Sie hier, sobald Sie das Quiz bestanden oder alle Versuche genutzt haben."
)


def _quiz(db: Session, review: str = "", max_attempts: int = 3) -> None:
    f.published_module(db)
    source = f.quiz_source(max_attempts=max_attempts)
    if review:
        source = source.replace("---\n\n", f"{review}\n---\n\n", 1)
    assert f.published_quiz(db, source).review_correctness


def _learner(client, db: Session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Log a learner in (HTML) and give them an API token; returns the API headers."""
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    _row, secret = create_api_token(db, person, "Fachverfahren")
    return {"Authorization": f"Bearer {secret}"}


def _submit(client, answers: dict[str, list[str]]) -> int:  # type: ignore[no-untyped-def]
    """Start an attempt in the browser and submit these answers; returns the attempt id."""
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    assert client.post(url, data={"csrf_token": token, **answers}).status_code == 303
    return int(url.rsplit("/", 1)[1])


def _valid_attempt(body: dict[str, Any]) -> dict[str, Any]:
    """The body, after checking it against the OpenAPI document's Attempt schema."""
    document = openapi_document()
    schema = {"$ref": "#/components/schemas/Attempt", "components": document["components"]}
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(body)]
    assert not errors, errors
    return body


def _api_attempt(client, headers: dict[str, str], attempt_id: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/attempts/{attempt_id}", headers=headers)
    assert response.status_code == 200
    return _valid_attempt(response.json)


def _result(client, attempt_id: int) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/versuche/{attempt_id}/ergebnis")
    assert page.status_code == 200
    return page.text


def _shows_right_answers(html: str, api: dict[str, Any]) -> bool:
    """Both the page and the API show the solution, or neither does (a half-hidden solution is a bug)."""
    page = SOLVED in html
    questions = api["questions"]
    in_api = all(q["correct_response"] is not None for q in questions)
    assert in_api or all(q["correct_response"] is None and q["review"] == {} for q in questions)
    assert page == in_api == api["revealed"]["right_answer"], (page, in_api, api["revealed"])
    return page


def test_a_failed_attempt_shows_right_wrong_and_explanations_but_not_the_answers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db)
    headers = _learner(client, db)
    attempt_id = _submit(client, WRONG)
    html = _result(client, attempt_id)
    assert "Nicht bestanden" in html
    assert html.count("Nicht richtig beantwortet") == 7 and "result-wrong" in html
    assert "Erklärung 1." in html and "Erklärung Mehrfachauswahl." in html
    assert "<strong>Ihre Wahl</strong> (falsch)" not in html  # not even which choice was the wrong one
    assert LATER in html
    api = _api_attempt(client, headers, attempt_id)
    assert not _shows_right_answers(html, api)
    assert api["review_options"] == {
        "correctness": "always",
        "right_answer": "after_pass_or_last_attempt",
        "explanation": "always",
    }
    assert api["revealed"] == {"correctness": True, "right_answer": False, "explanation": True}
    assert {q["is_correct"] for q in api["questions"]} == {False}
    assert all(q["explanation_html"] for q in api["questions"])
    assert api["questions"][0]["response"] == ["a"]  # one's own answer stays visible
    assert "richtig 1" not in str(api["questions"])  # option texts belong to the attempt, not the result


def test_after_passing_the_earlier_failed_attempt_shows_the_answers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db)
    headers = _learner(client, db)
    failed = _submit(client, WRONG)
    passed = _submit(client, f.CORRECT_ANSWERS)
    for attempt_id in (passed, failed):
        html = _result(client, attempt_id)
        assert _shows_right_answers(html, _api_attempt(client, headers, attempt_id))
        assert LATER not in html
    assert "<strong>Ihre Wahl</strong> (falsch)" in _result(client, failed)


def test_with_the_attempts_used_up_the_answers_are_shown(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, max_attempts=2)
    headers = _learner(client, db)
    first = _submit(client, WRONG)
    assert not _shows_right_answers(_result(client, first), _api_attempt(client, headers, first))
    second = _submit(client, WRONG)
    for attempt_id in (first, second):
        html = _result(client, attempt_id)
        assert "Nicht bestanden" in html and _shows_right_answers(
            html, _api_attempt(client, headers, attempt_id)
        )


def test_the_api_submit_answer_follows_the_options(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, max_attempts=1)
    headers = _learner(client, db)
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers)
    assert started.status_code == 201 and "review_options" not in _valid_attempt(started.json)
    submit = f"/api/v1/attempts/{started.json['id']}/submit"
    submitted = client.post(submit, headers=headers, json={"responses": WRONG})
    assert submitted.status_code == 200
    body = _valid_attempt(submitted.json)
    # The only attempt was used: the answers are shown at once, by the same rule as on the page.
    assert body["passed"] is False and body["revealed"]["right_answer"] is True
    assert body["questions"][0]["correct_response"] == ["b"]


def test_right_answer_always_shows_the_answers_at_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, review="review: {right_answer: always}")
    headers = _learner(client, db)
    attempt_id = _submit(client, WRONG)
    html = _result(client, attempt_id)
    assert "Nicht bestanden" in html and LATER not in html
    api = _api_attempt(client, headers, attempt_id)
    assert _shows_right_answers(html, api)
    assert "<strong>Ihre Wahl</strong> (falsch)" in html and "Erklärung 1." in html
    assert api["questions"][0]["correct_response"] == ["b"] and api["questions"][0]["is_correct"] is False


def test_correctness_never_with_explanation_never_shows_only_the_score(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, review="review:\n  correctness: never\n  explanation: never")
    headers = _learner(client, db)
    for answers in (WRONG, f.CORRECT_ANSWERS):  # even once passed: never is never
        attempt_id = _submit(client, answers)
        html = _result(client, attempt_id)
        assert ("Nicht bestanden: 0 %" in html) or ("Bestanden mit 100 %" in html)
        for hidden in (
            "Ihre Antworten",
            "richtig beantwortet",
            "Erklärung",
            "result-wrong",
            "result-correct",
        ):
            assert hidden not in html, hidden
        assert "Frage 1" not in html and SOLVED not in html and LATER not in html
        api = _api_attempt(client, headers, attempt_id)
        assert api["revealed"] == {"correctness": False, "right_answer": False, "explanation": False}
        assert api["score_percent"] in (0.0, 100.0)
        for question in api["questions"]:
            assert question["is_correct"] is None and question["correct_response"] is None
            assert question["explanation_html"] is None and question["review"] == {}


def test_correctness_never_alone_keeps_the_explanations(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, review="review:\n  correctness: never")
    headers = _learner(client, db)
    attempt_id = _submit(client, f.CORRECT_ANSWERS)
    html = _result(client, attempt_id)
    assert "Bestanden mit 100 %" in html and "Erklärung 1." in html and "Ihre Antworten" in html
    assert "Richtig beantwortet" not in html and "result-correct" not in html and SOLVED not in html
    api = _api_attempt(client, headers, attempt_id)
    # Left out, right_answer follows correctness: the solution would tell what was right.
    assert api["review_options"]["right_answer"] == "never"
    assert api["revealed"] == {"correctness": False, "right_answer": False, "explanation": True}


def test_the_options_are_frozen_with_the_quiz_version_of_the_attempt(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db)
    headers = _learner(client, db)
    attempt_id = _submit(client, WRONG)
    newer = f.published_quiz(
        db, f.quiz_source().replace("---\n\n", "review: {right_answer: always}\n---\n\n", 1)
    )
    attempt = db.get(QuizAttempt, attempt_id)
    assert attempt is not None and newer.number == attempt.quiz_version.number + 1
    assert not _shows_right_answers(_result(client, attempt_id), _api_attempt(client, headers, attempt_id))
    fresh = _submit(client, WRONG)  # on the new version, by its options
    assert _shows_right_answers(_result(client, fresh), _api_attempt(client, headers, fresh))


def test_the_trainers_preview_shows_everything_and_says_what_learners_see(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(
        db,
        review="review: {correctness: always, right_answer: never, explanation: after_pass_or_last_attempt}",
    )
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    url = "/inhalte/testmodul/vorschau/quiz"
    form = client.get(url)
    seed = form.text.split('name="seed" value="', 1)[1].split('"', 1)[0]
    result = client.post(url, data={"csrf_token": f._csrf_from(form.text), "seed": seed, **WRONG})
    assert result.status_code == 200
    assert (
        SOLVED in result.text and "Erklärung 1." in result.text and "Nicht richtig beantwortet" in result.text
    )
    box = result.text.split('id="review-options"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "ob jede Antwort richtig war (correctness): gleich nach jedem Versuch" in box
    assert "die richtigen Antworten (right_answer): nie" in box
    assert "die Erklärungen (explanation): erst, wenn sie bestanden oder alle Versuche genutzt haben" in box


def test_the_help_page_documents_every_option_in_german_and_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms.quizzes.review import REVIEW_KEYS, When

    f.login(client, f.user(db, Role.TRAINER).email)
    german = client.get("/inhalte/hilfe", headers={"Accept-Language": "de"}).text
    english = client.get("/inhalte/hilfe", headers={"Accept-Language": "en"}).text
    for page in (german, english):
        assert 'id="quiz-review"' in page and 'href="#quiz-review"' in page
        for word in (*REVIEW_KEYS, *(when.value for when in When)):
            assert word in page, word
    assert "Was Lernende nach einem Versuch sehen" in german
    assert "What learners see after an attempt" in english and "Was Lernende" not in english


def test_a_failed_attempt_in_english_says_when_the_answers_come(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _quiz(db, max_attempts=0)
    _learner(client, db)
    attempt_id = _submit(client, WRONG)
    page = client.get(f"/versuche/{attempt_id}/ergebnis", headers={"Accept-Language": "en"}).text
    assert "You will see the right answers here once you have passed the quiz." in page  # no attempt limit
    assert "Read the explanations and try again." in page and "Explanation" in page
