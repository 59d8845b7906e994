"""True/false, text input and ordering as a learner meets them: the quiz form, the result, the JSON API."""

from __future__ import annotations

import re

from flask import render_template
from openapi_spec_validator import validate
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.auth.services import create_api_token
from lms.quizzes.models import QuizAttempt
from lms.quizzes.question_types import REGISTRY
from lms.quizzes.review import EVERYTHING
from lms.quizzes.services import attempt_reveal, result_details
from tests import factories as f

FILLER = """## Frage {n}?

[( )] falsch {n}
[(X)] richtig {n}
[( )] auch falsch {n}
***
Erklärung {n}.
***
"""

QUESTIONS = """## Auch Bewerberinnen und Bewerber sind im Auswahlverfahren vor Benachteiligung geschützt.

[(X)] Wahr
[( )] Falsch
***
Nach § 6 Abs. 1 Satz 2 AGG gelten Bewerbende als Beschäftigte.
***

## Welches Gesetz setzt die Antirassismusrichtlinie in deutsches Recht um?

[[{accepted}]]
***
Das Allgemeine Gleichbehandlungsgesetz von 2006.
***

## In welcher Reihenfolge prüfen Sie eine Regel auf mittelbare Benachteiligung?

[[2]] Prüfen, ob sie bestimmte Gruppen härter trifft
[[3]] Prüfen, ob sie ein rechtmäßiges Ziel verfolgt
[[1]] Feststellen, dass sie dem Anschein nach neutral ist
***
Erst die Regel, dann ihre Wirkung, dann die Rechtfertigung.
***
"""

#: Step ids follow the file order: a = position 2, b = position 3, c = position 1.
CORRECT_ORDER = ["c", "a", "b"]
FILLERS_RIGHT = {"q4": "b", "q5": "b", "q6": "b"}
CORRECT_FORM = {"q1": "a", "q2": "agg.", "q3": ["a:2", "b:3", "c:1"], **FILLERS_RIGHT}


def quiz_source(accepted: str = "AGG | Allgemeines Gleichbehandlungsgesetz") -> str:
    fillers = "\n".join(FILLER.format(n=n) for n in (4, 5, 6))
    return (
        "---\nmodule: testmodul\npass_mark: 80\nshuffle: false\nmax_attempts: 0\n---\n\n"
        + QUESTIONS.format(accepted=accepted)
        + "\n"
        + fillers
    )


def _learner_with_attempt(client, db: Session) -> str:  # type: ignore[no-untyped-def]
    """A learner who pressed „Quiz starten“; returns the attempt's URL."""
    f.published_module(db)
    f.published_quiz(db, quiz_source())
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    return start.headers["Location"]


def _shown_steps(html: str) -> list[str]:
    return re.findall(r'<select class="kern-form-input__select" id="q3-(\w+)" name="q3">', html)


def _attempt(db: Session, url: str) -> QuizAttempt:
    attempt = db.get(QuizAttempt, int(url.rstrip("/").split("/")[-1]))
    assert attempt is not None
    db.refresh(attempt)
    return attempt


# --- the quiz form -----------------------------------------------------------------------------------------------


def test_the_form_offers_each_new_type_without_revealing_answers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    form = client.get(url).text
    # True/false: two radio buttons, „Wahr“ before „Falsch“ as written.
    assert form.index('id="q1-a" name="q1" value="a"') < form.index('id="q1-b" name="q1" value="b"')
    assert '<label class="kern-label" for="q1-a" lang="de">Wahr</label>' in form
    # Text input: a labelled text field with a length limit; no accepted answer anywhere.
    assert '<label class="kern-label" for="q2-text">' in form
    assert re.search(
        r'<input class="kern-form-input__input" type="text" id="q2-text" name="q2" value=""\s+maxlength="200"',
        form,
    )
    assert "AGG" not in form and "Gleichbehandlungsgesetz" not in form
    # Ordering: one select per step with positions 1–3, never shown in the correct order, no position leaked.
    shown = _shown_steps(form)
    assert sorted(shown) == ["a", "b", "c"] and shown != CORRECT_ORDER
    assert form.count('<option value="">Position wählen</option>') == 3
    assert all(f'<option value="{step}:{n}">{n}</option>' in form for step in "abc" for n in (1, 2, 3))
    assert "position" not in form
    # The order is fixed for the attempt: reloading shows the same order.
    assert _shown_steps(client.get(url).text) == shown


def test_a_learner_answers_every_new_type_and_passes(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    submitted = client.post(url, data={"csrf_token": token, **CORRECT_FORM})
    assert submitted.status_code == 303
    result = client.get(submitted.headers["Location"]).text
    assert "Bestanden mit 100 %" in result
    assert result.count("Richtig beantwortet") == 6
    attempt = _attempt(db, url)
    assert attempt.responses is not None
    assert attempt.responses["q2"] == "agg." and attempt.responses["q3"] == CORRECT_ORDER


def test_wrong_answers_to_the_new_types_score_nothing(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    wrong = {"q1": "b", "q2": "Bürgerliches Gesetzbuch", "q3": ["a:1", "b:2", "c:3"], **FILLERS_RIGHT}
    submitted = client.post(url, data={"csrf_token": token, **wrong})
    assert submitted.status_code == 303
    assert "Nicht bestanden: 50 %" in client.get(submitted.headers["Location"]).text
    results = {r["key"]: r["is_correct"] for r in _attempt(db, url).results or []}
    assert results == {"q1": False, "q2": False, "q3": False, "q4": True, "q5": True, "q6": True}


def test_a_position_given_twice_is_sent_back_with_the_answers_kept(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    twice = {**CORRECT_FORM, "q2": "AGG", "q3": ["a:1", "b:1", "c:2"]}
    response = client.post(url, data={"csrf_token": token, **twice})
    assert response.status_code == 422
    assert (
        "Position 1 haben Sie mehreren Schritten gegeben; jede Position darf nur einmal vorkommen."
        in response.text
    )
    assert '<option value="a:1" selected>1</option>' in response.text
    assert '<option value="c:2" selected>2</option>' in response.text
    assert 'name="q2" value="AGG"' in response.text and 'value="a" checked' in response.text
    assert not _attempt(db, url).is_submitted


def test_partly_placed_steps_are_sent_back(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    partly = {**CORRECT_FORM, "q3": ["a:2", "", ""]}
    response = client.post(url, data={"csrf_token": token, **partly})
    assert response.status_code == 422
    assert "Bitte wählen Sie für jeden Schritt eine Position (1 bis 3)." in response.text


def test_forged_text_answers_get_a_clear_message(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    for forged, message in (("AG\x00G", "Steuerzeichen"), ("x" * 201, "höchstens 200 Zeichen")):
        response = client.post(url, data={"csrf_token": token, **CORRECT_FORM, "q2": forged})
        assert response.status_code == 422 and message in response.text and "Traceback" not in response.text
    forged_step = client.post(url, data={"csrf_token": token, **CORRECT_FORM, "q3": ["a:2", "b:3", "z:1"]})
    assert forged_step.status_code == 422 and "Unbekannter Schritt „z“" in forged_step.text
    assert not _attempt(db, url).is_submitted


def test_result_partials_show_each_types_answer(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    answers = {**CORRECT_FORM, "q2": "<b>BGB</b>", "q3": ["a:1", "b:3", "c:2"]}
    assert client.post(url, data={"csrf_token": token, **answers}).status_code == 303
    # The partials as they show a solved review (the trainer's preview, or once the module is passed).
    details = {d["key"]: d for d in result_details(_attempt(db, url), EVERYTHING)}
    with app.test_request_context("/"):
        text = render_template("quizzes/types/text_input_result.html", d=details["q2"])
        order = render_template("quizzes/types/ordering_result.html", d=details["q3"])
        choice = render_template(
            ["quizzes/types/true_false_result.html", "quizzes/types/_result_options.html"], d=details["q1"]
        )
    assert "&lt;b&gt;BGB&lt;/b&gt;" in text and "<b>BGB</b>" not in text  # what was typed stays text
    assert re.search(r"Richtige Antwort</dt>\s*<dd[^>]*>AGG</dd>", text)
    assert re.search(r"Auch richtig</dt>\s*<dd[^>]*>Allgemeines Gleichbehandlungsgesetz</dd>", text)
    given, expected = order.split("Richtige Reihenfolge")
    assert re.findall(r'<li><span lang="de">(.*?)</span> – ', given) == [
        "Prüfen, ob sie bestimmte Gruppen härter trifft",
        "Feststellen, dass sie dem Anschein nach neutral ist",
        "Prüfen, ob sie ein rechtmäßiges Ziel verfolgt",
    ]
    assert given.count("<strong>richtig</strong>") == 1  # only the last step stands at its place
    assert re.findall(r"<li>(.*?)</li>", expected) == [
        "Feststellen, dass sie dem Anschein nach neutral ist",
        "Prüfen, ob sie bestimmte Gruppen härter trifft",
        "Prüfen, ob sie ein rechtmäßiges Ziel verfolgt",
    ]
    assert (
        '<li><span lang="de">Wahr</span> –' in choice
        and "<strong>Ihre Wahl</strong>, <strong>richtig</strong>" in choice
    )


def test_result_partials_withhold_each_types_answer(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The same failed attempt by the default review options: the learner's answers, no solution of any type."""
    url = _learner_with_attempt(client, db)
    token = f._csrf_from(client.get(url).text)
    answers = {**CORRECT_FORM, "q2": "<b>BGB</b>", "q3": ["a:1", "b:3", "c:2"]}
    assert client.post(url, data={"csrf_token": token, **answers}).status_code == 303
    attempt = _attempt(db, url)
    reveal = attempt_reveal(db, attempt)
    assert not attempt.is_passed and reveal.correctness and not reveal.right_answer and reveal.explanation
    details = {d["key"]: d for d in result_details(attempt, reveal)}
    with app.test_request_context("/"):
        text = render_template("quizzes/types/text_input_result.html", d=details["q2"])
        order = render_template("quizzes/types/ordering_result.html", d=details["q3"])
        choice = render_template("quizzes/types/_result_options.html", d=details["q1"])
    assert "&lt;b&gt;BGB&lt;/b&gt;" in text and "Richtige Antwort" not in text and "AGG" not in text
    assert "Auch richtig" not in text and "Gleichbehandlungsgesetz" not in text
    assert "Richtige Reihenfolge" not in order and "richtig" not in order and "falsch" not in order
    assert re.findall(r"<li>(.*?)</li>", order) == [  # the learner's own order, unmarked
        "Prüfen, ob sie bestimmte Gruppen härter trifft",
        "Feststellen, dass sie dem Anschein nach neutral ist",
        "Prüfen, ob sie ein rechtmäßiges Ziel verfolgt",
    ]
    assert "<strong>Ihre Wahl</strong>" in choice and "richtig" not in choice and "falsch" not in choice


# --- the JSON API --------------------------------------------------------------------------------------------------


def _api(client, db: Session, source: str | None = None):  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, source or quiz_source())
    _row, secret = create_api_token(db, f.user(db, Role.LEARNER), "Fachverfahren")
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_serves_and_grades_the_new_types(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers = _api(client, db)
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers)
    assert started.status_code == 201
    questions = {q["key"]: q for q in started.json["questions"]}
    assert questions["q1"]["type"] == "true_false" and [o["html"] for o in questions["q1"]["options"]] == [
        "Wahr",
        "Falsch",
    ]
    assert questions["q2"]["type"] == "text_input" and questions["q2"]["max_length"] == 200
    assert questions["q3"]["type"] == "ordering"
    assert [set(step) for step in questions["q3"]["steps"]] == [{"id", "html"}] * 3
    assert [step["id"] for step in questions["q3"]["steps"]] != CORRECT_ORDER
    assert "AGG" not in started.text and "Gleichbehandlungsgesetz" not in started.text
    assert "correct" not in started.text and "position" not in started.text
    responses = {
        "q1": ["a"],
        "q2": "Allgemeines Gleichbehandlungsgesetz",
        "q3": CORRECT_ORDER,
        **FILLERS_RIGHT,
    }
    submitted = client.post(
        f"/api/v1/attempts/{started.json['id']}/submit", headers=headers, json={"responses": responses}
    )
    assert submitted.status_code == 200
    assert submitted.json["passed"] is True and submitted.json["score_percent"] == 100.0
    results = {q["key"]: q for q in submitted.json["questions"]}
    assert results["q2"]["type"] == "text_input" and results["q2"]["correct_response"] == "AGG"
    assert results["q2"]["review"] == {"accepted": ["AGG", "Allgemeines Gleichbehandlungsgesetz"]}
    assert results["q3"]["response"] == CORRECT_ORDER and results["q3"]["correct_response"] == CORRECT_ORDER
    assert results["q1"]["response"] == ["a"] and results["q1"]["review"] == {}


def test_the_api_refuses_forged_orders_and_texts_with_json(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers = _api(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json
    submit = f"/api/v1/attempts/{attempt['id']}/submit"
    twice = client.post(submit, headers=headers, json={"responses": {"q3": ["c", "c", "a"]}})
    # Well-formed JSON that does not fit the question: 422 (a malformed body is 400, see tests/web/test_api.py).
    assert twice.status_code == 422 and twice.json["error"]["message"] == (
        "Frage q3: Die Reihenfolge muss jeden der 3 Schritte genau einmal enthalten."
    )
    two_texts = client.post(submit, headers=headers, json={"responses": {"q2": ["AGG", "BGB"]}})
    assert two_texts.status_code == 422 and "einzelner Text" in two_texts.json["error"]["message"]
    nul = client.post(submit, headers=headers, json={"responses": {"q2": "AG\u0000G"}})
    assert nul.status_code == 400 and "Steuerzeichen" in nul.json["error"]["message"]
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["submitted_at"] is None


def test_saving_keeps_an_unfinished_order_and_refuses_a_step_the_question_lacks(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers = _api(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json["id"]
    save = f"/api/v1/attempts/{attempt}/responses"
    for unfinished in (
        ["a:2", "", ""],
        ["a:1", "b:1"],
        ["c"],
        ["c", "c"],
    ):  # the learner is still moving steps
        assert client.put(save, headers=headers, json={"responses": {"q3": unfinished}}).status_code == 200
    for forged, message in (
        (["a:1", "z:2"], "Frage q3: Unbekannter Schritt „z“."),
        (["a:9"], "Frage q3: Unbekannte Position „9“."),
        (["c", "zz"], "Frage q3: Unbekannter Schritt „zz“."),
    ):
        refused = client.put(save, headers=headers, json={"responses": {"q3": forged}})
        assert refused.status_code == 422 and refused.json["error"]["message"] == message, forged
    saved = client.get(f"/api/v1/attempts/{attempt}", headers=headers).json["responses"]
    assert saved == {"q3": ["c", "c"]}  # the last unfinished order, none of the refused


def test_an_attempt_keeps_the_rules_it_started_with(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    headers = _api(client, db)
    attempt = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json
    # The trainer publishes a new version that no longer accepts the abbreviation.
    f.published_quiz(db, quiz_source(accepted="Allgemeines Gleichbehandlungsgesetz"))
    still = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json
    assert still["quiz_version"] == 1 and still["questions"] == attempt["questions"]
    responses = {"q1": ["a"], "q2": "AGG", "q3": CORRECT_ORDER, **FILLERS_RIGHT}
    submitted = client.post(
        f"/api/v1/attempts/{attempt['id']}/submit", headers=headers, json={"responses": responses}
    )
    assert submitted.json["score_percent"] == 100.0


def test_the_openapi_document_describes_every_question_type(client) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    schemas = document["components"]["schemas"]
    assert schemas["Question"]["properties"]["type"]["enum"] == list(REGISTRY)
    assert {"options", "max_length", "steps"} <= set(schemas["Question"]["properties"])
    for name in REGISTRY:
        assert name in schemas["Response"]["description"]
    assert schemas["Submission"]["properties"]["responses"]["additionalProperties"] == {
        "$ref": "#/components/schemas/Response"
    }
