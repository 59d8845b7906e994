"""Quiz statistics in the browser: trainers and the programme office only, anonymous, per version, as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.quizzes.services import start_attempt, submit_attempt
from tests import factories as f

PAGE = "/inhalte/testmodul/quiz/statistik"
CSV = "/inhalte/testmodul/quiz/statistik.csv"
#: Question 1 is solved only by the person who gets everything else wrong: a misleading question.
ONLY_Q1 = {"q1": ["b"]}
ALL_BUT_Q1 = {**f.CORRECT_ANSWERS, "q1": ["a"]}


def _take(db: Session, learner, version, answers) -> None:  # type: ignore[no-untyped-def]
    submit_attempt(db, learner, start_attempt(db, learner, version.module, version), answers)


def _as(client, db: Session, *roles: Role) -> None:  # type: ignore[no-untyped-def]
    f.login(client, f.user(db, *roles).email)


@pytest.fixture
def attempts(db: Session):  # type: ignore[no-untyped-def]
    """Version 1 with two learners' attempts (one of them has a second go); names that must never show."""
    module_version = f.published_module(db)
    f.published_quiz(
        db, f.quiz_source().replace("## Frage 1?", '## =HYPERLINK("https://example.org";"Frage 1")')
    )
    ayse = f.user(db, name="Ayşe Namensprobe", email="ayse.namensprobe@kommune.example")
    jonas = f.user(db, name="Jonas Namensprobe")
    _take(db, ayse, module_version, ONLY_Q1)
    _take(db, jonas, module_version, ALL_BUT_Q1)
    _take(db, ayse, module_version, f.CORRECT_ANSWERS)
    return module_version


@pytest.mark.parametrize("path", [PAGE, CSV])
def test_only_trainers_and_the_programme_office_see_statistics(
    client, db: Session, attempts, path: str
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 302 and "/anmelden" in response.headers["Location"]
    for roles, status in (
        ((Role.LEARNER,), 403),
        ((Role.COORDINATOR, Role.LEARNER), 403),
        ((Role.TRAINER,), 200),
        ((Role.ADMIN,), 200),
    ):
        _as(client, db, *roles)
        assert client.get(path).status_code == status, roles
        client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def test_page_shows_summary_questions_and_answers_without_names(client, db: Session, attempts) -> None:  # type: ignore[no-untyped-def]
    _as(client, db, Role.TRAINER)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert "Quiz-Statistik" in text and "Testmodul" in text
    assert "Fassung 1 (aktuell)" in text and "Versuche: 3, Personen: 2" in text
    # First attempts by default: Ayşe's 1 of 7 and Jonas's 6 of 7, so one of two passed.
    assert 'value="erste" checked' in text
    assert "1 von 2 (50,0 %)" in text and "Bestehensgrenze" in text and "80 %" in text
    assert "Mittelwert" in text and "50,0 %" in text
    # Question 1 discriminates negatively (-100): flagged in words, with the explanation of what it means.
    assert "Negative Trennschärfe: Frage vermutlich fehlerhaft" in text and "-100,0" in text
    assert "So lesen Sie die Kennzahlen" in text
    # Frequency tables: the right option in words, an option nobody chose as 0, a caption, row headers.
    assert "<caption" in text and 'scope="row"' in text and 'scope="col"' in text
    assert "richtig 1" in text and "auch falsch 1" in text and "<strong>richtig</strong>" in text
    assert "Keine Antwort" in text
    # Two attempts: the quiz has spread; the alpha is a number or explained, never NaN.
    assert "nan" not in text.lower().replace("namensprobe", "")
    # Anonymous: no names or e-mail addresses of the people who answered.
    assert "Namensprobe" not in text and "ayse.namensprobe" not in text


def test_all_attempts_and_older_versions_can_be_chosen(client, db: Session, attempts) -> None:  # type: ignore[no-untyped-def]
    f.published_quiz(db, f.quiz_source(pass_mark=50))
    _as(client, db, Role.TRAINER)
    current = client.get(PAGE).text
    assert "Fassung 2 (aktuell)" in current and "Versuche: 0, Personen: 0" in current
    assert "Zu dieser Fassung gibt es noch keine abgegebenen Versuche." in current
    older = client.get(PAGE, query_string={"fassung": "1", "versuche": "alle"}).text
    assert "Überblick über Fassung 1" in older and 'value="alle" checked' in older
    assert "2 von 3 (66,7 %)" in older  # Ayşe's second attempt passed too
    assert "statistik.csv?fassung=1&amp;versuche=alle" in older
    empty = list(csv.reader(io.StringIO(client.get(CSV).data.decode("utf-8-sig")), delimiter=";"))
    assert len(empty) == 8 and empty[1][3:7] == [
        "",
        "",
        "",
        "",
    ]  # no attempts yet: no figures, the note says why
    assert empty[1][7] == "Trennschärfe nicht berechenbar: Es gibt noch keine Versuche."


def test_one_attempt_shows_dashes_with_reasons(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    module_version = f.published_module(db)
    f.published_quiz(db)
    _take(db, f.user(db), module_version, f.CORRECT_ANSWERS)
    _as(client, db, Role.TRAINER)
    text = client.get(PAGE).text
    assert "Dafür braucht es mindestens zwei Versuche." in text and "nicht berechenbar" in text
    assert "Noch wenige Versuche (1)" in text
    assert "Sehr leicht (Lösungsquote mindestens 95 %)" in text


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"fassung": "7"}, 404),
        ({"fassung": "eins"}, 404),
        ({"fassung": "-1"}, 404),
        ({"versuche": "beste"}, 400),
    ],
)
def test_bad_parameters_are_refused_clearly(client, db: Session, attempts, query: dict, status: int) -> None:  # type: ignore[no-untyped-def]
    _as(client, db, Role.ADMIN)
    for path in (PAGE, CSV):
        response = client.get(path, query_string=query)
        assert response.status_code == status and "Traceback" not in response.text


def test_unknown_module_or_module_without_quiz_is_not_found(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)  # no quiz published
    _as(client, db, Role.TRAINER)
    assert client.get(PAGE).status_code == 404
    assert client.get("/inhalte/gibt-es-nicht/quiz/statistik").status_code == 404


def test_csv_of_the_question_table(client, db: Session, attempts) -> None:  # type: ignore[no-untyped-def]
    _as(client, db, Role.TRAINER)
    response = client.get(CSV)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="quiz-statistik-testmodul-fassung-1-erste.csv"' in response.headers["Content-Disposition"]
    )
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 (Ä, ß, „“) correctly
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Nr.",
        "Frage",
        "Fragetyp",
        "Lösungsquote (%)",
        "Standardabweichung (%)",
        "Trennschärfe",
        "Trenneffizienz (%)",
        "Hinweise",
    ]
    assert len(rows) == 1 + 7
    first = rows[1]
    # The title from the quiz file would run as a formula: neutralised. The figure stays a (negative) number.
    assert first[1] == '\'=HYPERLINK("https://example.org";"Frage 1")'
    assert first[2] == "Einfachauswahl" and first[3] == "50,0" and first[5] == "-100,0"
    assert "Negative Trennschärfe" in first[7]
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert b"Namensprobe" not in body
