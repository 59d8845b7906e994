"""Matrix, selection in a sentence, hints and LiaScript settings, taken through the real form and counted in the
statistics. Every figure below is computed by hand in the comments."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.quizzes.models import QuizAttempt
from lms.quizzes.queries import version_statistics
from tests import factories as f

QUIZ = """---
module: testmodul
pass_mark: 50
scoring: partial
---

## Welche Rechtsquelle regelt was?

[[Grundgesetz] [AGG] [Landesrecht]]
[    ( )         (X)      ( )      ]  Entschädigung im Arbeitsleben
[    (X)         ( )      ( )      ]  Gleichheit vor dem Gesetz
[    [X]         [X]      [ ]      ]  Schutz wegen der ethnischen Herkunft

## Ergänzen Sie den Satz.

Ansprüche müssen innerhalb von [[ zwei Wochen | (zwei Monaten) ]] nach § [[ 15 ]] AGG geltend gemacht werden.
***
§ 15 Abs. 4 AGG.
***

## Wer entscheidet über den Widerspruch?

<!--
  data-randomize
  data-solution-button="off"
-->
- [( )] Die Person, die den Bescheid erlassen hat, allein
- [(X)] Die Widerspruchsbehörde
- [[?]] Denken Sie an das Vier-Augen-Prinzip.
"""

# Learner A: everything right                                   → 1 + 1 + 1         = 3 of 3 = 100.0 %
A = {"q1~a": "b", "q1~b": "a", "q1~c": ["a", "b"], "q2~g1": "b", "q2~g2": "15", "q3": "b"}
# Learner B: matrix row a right, b and c wrong → 1/3; gap 1 wrong, gap 2 right (" 15." lenient) → 1/2; q3 wrong → 0
#            5/6 of 3 points = 27.777… → 27.8 %, failed
B = {"q1~a": "b", "q1~b": "c", "q1~c": "a", "q2~g1": "a", "q2~g2": " 15.", "q3": "a"}
# Learner C: matrix rows b and c right → 2/3; gap 1 right, gap 2 empty → 1/2; q3 right → 1
#            13/6 of 3 points = 72.222… → 72.2 %, passed
C = {"q1~a": "a", "q1~b": "a", "q1~c": ["a", "b"], "q2~g1": "b", "q2~g2": "", "q3": "b"}


def _take(client, db: Session, answers: dict[str, object]) -> QuizAttempt:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    url = start.headers["Location"]
    form = client.get(url).text
    done = client.post(url, data={"csrf_token": f._csrf_from(form), **answers})
    assert done.status_code == 303, done.text
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    return db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == person.id)).one()


def test_form_shows_matrix_rows_gaps_and_hints_without_answers(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, QUIZ)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    page = client.get(start.headers["Location"]).text
    # A matrix row is its own radio group (single choice) or a set of checkboxes (multiple choice).
    assert 'type="radio" id="q1-a-a" name="q1~a" value="a"' in page
    assert 'type="checkbox" id="q1-c-a" name="q1~c" value="a"' in page
    # The selection sits inside the sentence, labelled for screen readers; the text gap is a field.
    assert 'name="q2~g1"' in page and 'name="q2~g2"' in page
    assert "Lücke 1" in page and "innerhalb von" in page
    # The hint is there on request, the settings comment is not shown.
    assert "<details" in page and "Vier-Augen-Prinzip" in page
    assert "data-randomize" not in page and "data-solution-button" not in page


def test_partial_scores_results_and_statistics_per_row_and_gap(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    version = f.published_quiz(db, QUIZ)
    first = _take(client, db, A)
    second = _take(client, db, B)
    third = _take(client, db, C)
    assert (first.score_percent, first.is_passed) == (Decimal("100.0"), True)
    assert (second.score_percent, second.is_passed) == (Decimal("27.8"), False)
    assert (third.score_percent, third.is_passed) == (Decimal("72.2"), True)
    assert [round(r["score"], 4) for r in second.results] == [0.3333, 0.5, 0.0]
    assert second.responses["q1"] == ["a:b", "b:c", "c:a"]
    assert second.responses["q2"] == ["g1:a", "g2:15."]

    stats = version_statistics(db, version, first_only=False)
    assert stats.attempts == 3
    # Facility = mean score: matrix (1 + 1/3 + 2/3)/3, gaps (1 + 1/2 + 1/2)/3, choice (1 + 0 + 1)/3: all 66.7 %.
    assert [round(q.facility, 1) for q in stats.questions] == [66.7, 66.7, 66.7]
    matrix = {o.key: (o.count, o.is_correct) for o in stats.questions[0].options}
    # Every cell is listed; row a: "AGG" by A and B, "Grundgesetz" by C; row b: "Grundgesetz" A, C, "Landesrecht" B;
    # row c: "Grundgesetz" all three, "AGG" A and C.
    assert matrix == {
        "a:a": (1, False),
        "a:b": (2, True),
        "a:c": (0, False),
        "b:a": (2, True),
        "b:b": (0, False),
        "b:c": (1, False),
        "c:a": (3, True),
        "c:b": (2, True),
        "c:c": (0, False),
    }
    gaps = {o.key: (o.count, o.is_correct) for o in stats.questions[1].options}
    # Gap 1: „zwei Monaten“ (right) by A and C, „zwei Wochen“ by B; gap 2: „15“ by A and B (B typed " 15.").
    assert gaps == {"g1:a": (1, False), "g1:b": (2, True), "g2=15": (2, True)}
    labels = [o.label for o in stats.questions[0].options]
    assert labels[1] == "Entschädigung im Arbeitsleben → AGG"


def test_solution_button_off_hides_that_questions_right_answer(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(
        db,
        QUIZ.replace("pass_mark: 50", "pass_mark: 50\nreview: {correctness: always, right_answer: always}"),
    )
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    url = start.headers["Location"]
    done = client.post(url, data={"csrf_token": f._csrf_from(client.get(url).text), **B})
    result = client.get(done.headers["Location"]).text
    q3 = result[result.index('id="q3-title"') :]
    assert "Widerspruchsbehörde" in q3  # the options are listed …
    assert (
        "<strong>richtig</strong>" not in q3
    )  # … but which is right is never shown (data-solution-button="off")
    q1 = result[result.index('id="q1-title"') : result.index('id="q2-title"')]
    assert "richtig:" in q1  # the matrix shows each row's right columns


def test_trainers_preview_grades_matrix_rows_and_gaps_posted_per_row(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, QUIZ)
    f.login(client, f.user(db, Role.TRAINER).email)
    url = "/inhalte/testmodul/vorschau/quiz"
    form = client.get(url)
    assert "Vier-Augen-Prinzip" in form.text  # hints in the preview too
    seed = form.text.split('name="seed" value="', 1)[1].split('"', 1)[0]
    result = client.post(url, data={"csrf_token": f._csrf_from(form.text), "seed": seed, **A})
    assert result.status_code == 200, result.text
    assert "100" in result.text and result.text.count("Richtig beantwortet") == 3


def test_content_problems_with_values_are_shown_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A problem built from a catalogue entry with values (here: an unsupported LiaScript setting) is translated."""
    from lms.markdown.problems import ContentInvalid
    from lms.quizzes.parse import parse_question
    from lms.web.i18n import problem_text

    try:
        parse_question('## Frage\n\n<!-- data-hint-button="2" -->\n[[2]]\n', "x.md")
    except ContentInvalid as invalid:
        (problem,) = invalid.problems
    with client.application.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import refresh

        refresh()
        english = problem_text(problem)
    assert english.startswith(
        "The setting “data-hint-button” is not supported here; possible settings: data-random"
    )
    assert problem.message.startswith("Die Einstellung „data-hint-button“ wird hier nicht unterstützt")


def test_the_api_serves_matrix_and_gaps_by_its_schema_and_grades_them(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    import jsonschema

    from lms.auth.services import create_api_token

    f.published_module(db)
    f.published_quiz(db, QUIZ)
    _row, secret = create_api_token(db, f.user(db, Role.LEARNER), "Fachverfahren")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Question"]
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers)
    assert started.status_code == 201
    questions = {q["key"]: q for q in started.json["questions"]}
    for question in questions.values():
        jsonschema.validate(question, schema)
    assert [row["multiple"] for row in questions["q1"]["rows"]] == [False, False, True]
    assert [part.get("kind") for part in questions["q2"]["parts"] if "gap" in part] == ["select", "text"]
    assert questions["q3"]["hints"] == ["Denken Sie an das Vier-Augen-Prinzip."]
    assert (
        '"correct"' not in started.text and "accepted" not in started.text and "settings" not in started.text
    )
    # Learner B's answers through the API: 5/6 of 3 points = 27.8 % (see the form test above).
    responses = {"q1": ["a:b", "b:c", "c:a"], "q2": ["g1:a", "g2: 15."], "q3": ["a"]}
    submitted = client.post(
        f"/api/v1/attempts/{started.json['id']}/submit", headers=headers, json={"responses": responses}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json["score_percent"] == 27.8 and submitted.json["passed"] is False


def test_the_largest_matrix_with_every_cell_ticked_is_saved_and_graded(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """20 rows × 8 columns of multiple choices, all ticked: 160 values in one answer. Saving refused more than 50
    („Die Antwort hat eine unerwartete Form“), so such a question could be neither saved nor submitted."""
    from lms.auth.services import create_api_token

    header = "[" + " ".join(f"[{label}]" for label in "ABCDEFGH") + "]"
    rows = "\n".join(f"[ {' '.join(['[X]'] * 8)} ] Aussage {n}" for n in range(1, 21))
    quiz = f"---\nmodule: testmodul\npass_mark: 50\n---\n\n## Was trifft zu?\n\n{header}\n{rows}\n"
    f.published_module(db)
    f.published_quiz(db, quiz)
    _row, secret = create_api_token(db, f.user(db, Role.LEARNER), "Fachverfahren")
    headers = {"Authorization": f"Bearer {secret}"}
    started = client.post("/api/v1/modules/testmodul/attempts", headers=headers)
    assert started.status_code == 201, started.text
    question = started.json["questions"][0]
    cells = [f"{row['id']}:{column['id']}" for row in question["rows"] for column in question["columns"]]
    assert len(cells) == 160
    url = f"/api/v1/attempts/{started.json['id']}"
    saved = client.put(f"{url}/responses", headers=headers, json={"responses": {"q1": cells}})
    assert saved.status_code == 200, saved.text
    submitted = client.post(f"{url}/submit", headers=headers, json={"responses": {"q1": cells}})
    assert submitted.status_code == 200 and submitted.json["score_percent"] == 100.0


def test_max_trials_shows_that_questions_right_answer_from_the_nth_attempt_on(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """data-max-trials="2": LiaScript solves the question after two wrong trials; here after two submitted attempts
    its right answer shows, although review: right_answer never holds back every other question's."""
    source = QUIZ.replace(
        "pass_mark: 50", "pass_mark: 100\nmax_attempts: 3\nreview: {right_answer: never}"
    ).replace('  data-randomize\n  data-solution-button="off"\n', '  data-max-trials="2"\n')
    f.published_module(db)
    f.published_quiz(db, source)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)

    def attempt() -> str:
        start_page = client.get("/module/testmodul/quiz").text
        start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
        url = start.headers["Location"]
        done = client.post(url, data={"csrf_token": f._csrf_from(client.get(url).text), **B})
        assert done.status_code == 303
        return str(done.headers["Location"])

    def q3_and_q1(result_url: str) -> tuple[str, str]:
        page = client.get(result_url).text
        return page[page.index('id="q3-title"') :], page[
            page.index('id="q1-title"') : page.index('id="q2-title"')
        ]

    first = attempt()
    q3, q1 = q3_and_q1(first)
    assert "<strong>richtig</strong>" not in q3 and "richtig:" not in q1  # one trial: nothing shown
    attempt()
    q3, q1 = q3_and_q1(first)  # the first attempt's result, looked at again after the second trial
    assert re.search(
        r"Widerspruchsbehörde</span> –\s*<strong>richtig</strong>", q3
    )  # this question is solved now …
    assert "richtig:" not in q1  # … the others keep review: right_answer: never
