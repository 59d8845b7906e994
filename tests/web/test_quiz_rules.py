"""Question pools (draw), partial credit (scoring: partial) and the reading rule (require_reading), as learners meet them."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.auth.services import create_api_token
from lms.quizzes.models import QuizAttempt
from lms.quizzes.queries import version_statistics
from tests import factories as f


def _with(*lines: str, source: str | None = None) -> str:
    """The factory quiz with these extra front-matter lines."""
    text = source or f.quiz_source()
    return text.replace("---\n\n", "".join(f"{line}\n" for line in lines) + "---\n\n", 1)


def _learner(client, db: Session, email: str | None = None):  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id, email=email)
    f.login(client, person.email)
    return person


def _start(client) -> str:  # type: ignore[no-untyped-def]
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    assert start.status_code == 302, start.status_code
    return str(start.headers["Location"])


def _submit(client, url: str, answers: dict[str, list[str]]) -> str:  # type: ignore[no-untyped-def]
    token = f._csrf_from(client.get(url).text)
    done = client.post(url, data={"csrf_token": token, "confirm_incomplete": "1", **answers})
    assert done.status_code == 303, done.text
    return client.get(done.headers["Location"]).text


# --- pools ---------------------------------------------------------------------------------------------------


def test_a_pool_draws_the_same_questions_for_the_whole_attempt_and_grades_only_them(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, _with("draw: 3"))
    _learner(client, db)
    assert "3 Fragen, für jeden Versuch zufällig aus 7 gezogen" in client.get("/module/testmodul/quiz").text
    url = _start(client)
    page = client.get(url).text
    shown = sorted(set(re.findall(r'name="(q\d+)"', page)))
    assert len(shown) == 3
    assert sorted(set(re.findall(r'name="(q\d+)"', client.get(url).text))) == shown  # frozen at the start
    result = _submit(client, url, {key: f.CORRECT_ANSWERS[key] for key in shown})
    assert "Bestanden mit 100" in result and "3 von 3 Punkten" in result


def test_the_api_refuses_a_question_the_attempt_did_not_draw(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, _with("draw: 2"))
    person = _learner(client, db)
    _row, secret = create_api_token(db, person, "x")
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.post("/api/v1/modules/testmodul/attempts", headers=headers).json
    drawn = {q["key"] for q in body["questions"]}
    assert len(drawn) == 2
    other = next(k for k in f.CORRECT_ANSWERS if k not in drawn)
    answer = client.post(
        f"/api/v1/attempts/{body['id']}/submit", json={"responses": {other: ["b"]}}, headers=headers
    )
    assert answer.status_code == 422


def test_statistics_count_each_question_only_where_it_was_drawn(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    version = f.published_quiz(db, _with("draw: 2"))
    for n in range(4):
        if n:
            client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
        _learner(client, db, email=f"pool{n}@example.org")
        url = _start(client)
        shown = sorted(set(re.findall(r'name="(q\d+)"', client.get(url).text)))
        _submit(
            client, url, {key: f.CORRECT_ANSWERS[key] for key in shown}
        )  # everything drawn answered right
    stats = version_statistics(db, version, first_only=False)
    assert stats.attempts == 4
    # No question is counted wrong for an attempt that did not draw it: every drawn question was solved.
    assert all(q.facility in (100.0, None) for q in stats.questions)
    assert sum(len(a.results or []) for a in db.query(QuizAttempt).all()) == 8


def test_draw_larger_than_the_quiz_is_a_clear_problem() -> None:
    import pytest

    from lms.markdown.problems import ContentInvalid
    from lms.quizzes.parse import parse_quiz

    with pytest.raises(ContentInvalid) as raised:
        parse_quiz(_with("draw: 9"), "quizzes/testmodul.md")
    assert "„draw“ zieht 9 Fragen, das Quiz hat aber nur 7." in str(raised.value.problems[0])


# --- scoring -------------------------------------------------------------------------------------------------

HALF = {**{f"q{n}": ["b"] for n in range(1, 7)}, "q7": ["a"]}  # q7: one of two right options, nothing wrong


def test_multiple_choice_is_all_or_nothing_by_default(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, f.quiz_source(pass_mark=50))
    _learner(client, db)
    result = _submit(client, _start(client), HALF)
    assert "6 von 7 Punkten" in result and "85,7 %" in result
    assert "Eine Frage zählt nur, wenn die Antwort ganz stimmt" in result


def test_partial_scoring_gives_partial_credit_and_explains_it(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, _with("scoring: partial", source=f.quiz_source(pass_mark=50)))
    _learner(client, db)
    assert "Teilpunkte" in client.get("/module/testmodul/quiz").text
    result = _submit(client, _start(client), HALF)
    assert "6,5 von 7 Punkten" in result and "92,9 %" in result
    assert "Bei Mehrfachauswahl gibt es Teilpunkte" in result


def test_partial_scoring_takes_off_for_wrong_choices_but_never_below_zero(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, _with("scoring: partial", source=f.quiz_source(pass_mark=50)))
    _learner(client, db)
    result = _submit(client, _start(client), {**HALF, "q7": ["a", "b"]})  # ½ right − 1 wrong → 0
    assert "6 von 7 Punkten" in result


# --- reading rule --------------------------------------------------------------------------------------------


def test_require_reading_lets_the_quiz_start_only_after_every_section(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, _with("require_reading: true"))
    _learner(client, db)
    client.get("/module/testmodul/abschnitt/1")
    page = client.get("/module/testmodul/quiz").text
    start_button = '<span class="kern-label">Quiz starten</span>'
    assert "Bitte lesen Sie zuerst alle Abschnitte" in page and start_button not in page
    assert 'href="/module/testmodul/abschnitt/2"' in page and '/abschnitt/1"' not in page
    refused = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(page)})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/module/testmodul/quiz")
    assert "alle Abschnitte des Moduls geöffnet" in client.get("/module/testmodul/quiz").text
    client.get("/module/testmodul/abschnitt/2")
    client.get("/module/testmodul/abschnitt/3")
    assert start_button in client.get("/module/testmodul/quiz").text
    assert "/versuche/" in _start(client)


def test_without_the_rule_the_quiz_starts_at_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    assert "/versuche/" in _start(client)
