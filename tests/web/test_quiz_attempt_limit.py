"""The attempt limit as the learner meets it: the last attempt is announced before it starts, and once every attempt
is used the quiz page and „Meine Module“ say so and what is left to do, instead of offering a start that is refused."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.quizzes.models import QuizAttempt
from tests import factories as f

QUIZ = "/module/testmodul/quiz"
WRONG = {key: ["a"] for key in f.CORRECT_ANSWERS}


def _learner(client, db: Session):  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)  # three attempts
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    return person


def _fail_once(client) -> None:  # type: ignore[no-untyped-def]
    url = client.post(QUIZ, data={"csrf_token": f.csrf_token(client, QUIZ)}).headers["Location"]
    token = f._csrf_from(client.get(url).text)
    assert client.post(url, data={"csrf_token": token, **WRONG}).status_code == 303


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return " ".join(found[1].split())


def _card(html: str, title: str) -> str:
    """The „Meine Module“ card of the module with this title."""
    for card in html.split('<article class="kern-card">')[1:]:
        if title in card:
            return card.split("</article>")[0]
    raise AssertionError(f"no card for {title}")


def test_the_last_attempt_is_announced_before_it_starts(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _learner(client, db)
    _fail_once(client)
    second = client.get(QUIZ).text
    assert "Versuche: 1 von 3 genutzt" in second and "letzter Versuch" not in second
    _fail_once(client)
    last = client.get(QUIZ).text
    assert "Versuche: 2 von 3 genutzt" in last
    assert "Das ist Ihr letzter Versuch." in last
    assert "Wenn Sie ihn nicht bestehen, können Sie das Quiz nicht noch einmal ablegen." in last
    # A screen reader hears it with the button, not only somewhere above it.
    assert re.search(r'<button type="submit"[^>]*aria-describedby="last-attempt"', last)
    # Started and left open, the attempt is still the last one.
    client.post(QUIZ, data={"csrf_token": f.csrf_token(client, QUIZ)})
    resumed = client.get(QUIZ).text
    assert "Begonnenen Versuch fortsetzen" in resumed and "Ihr begonnener Versuch ist Ihr letzter." in resumed


def test_with_no_attempt_left_the_quiz_page_says_so_and_offers_no_start(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _learner(client, db)
    for _ in range(3):
        _fail_once(client)
    page = client.get(QUIZ).text
    assert _title(page).startswith("Quiz: keine Versuche mehr – ")
    assert "Versuche: 3 von 3 genutzt" in page
    assert "Quiz starten" not in page and "<button" not in page.split("<main")[1].split("</main>")[0]
    assert "Nach dem Abgeben sehen Sie" not in page
    status = page.split('id="no-attempts-left"')[1].split("</div>\n</div>")[0]
    assert "Keine Versuche mehr" in status
    assert "Sie haben alle 3 Versuche für dieses Quiz genutzt." in status
    assert "Weitere Versuche sieht die Plattform nicht vor" in status
    assert "Schulung in Präsenz" in status and "an Ihre Koordination" in status
    assert 'href="/termine"' in status
    assert "Trainingsteam" not in page  # no one there can give more attempts
    # The earlier attempts stay listed, and the server still refuses a start (a page left open in another tab).
    assert "Ihre bisherigen Versuche" in page
    refused = client.post(QUIZ, data={"csrf_token": f.csrf_token(client, "/profil")}, follow_redirects=True)
    assert "Sie haben alle 3 Versuche für dieses Quiz genutzt." in refused.text
    assert db.scalar(select(func.count()).select_from(QuizAttempt)) == 3


def test_the_last_result_page_says_what_is_left_to_do(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _learner(client, db)
    for _ in range(3):
        _fail_once(client)
    last = db.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
    assert last is not None
    result = client.get(f"/versuche/{last.id}/ergebnis").text
    assert "Sie haben alle 3 Versuche für dieses Quiz genutzt." in result and "Schulung in Präsenz" in result
    assert "Neuer Versuch" not in result


def test_my_modules_shows_the_status_instead_of_begin(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _learner(client, db)
    f.training_module(db, "zweites-modul", "Zweites Modul")
    for _ in range(2):
        _fail_once(client)
    before = _card(client.get("/module").text, "Testmodul")
    assert "Beginnen" in before and "keine Versuche mehr" not in before
    _fail_once(client)
    page = client.get("/module").text
    card = _card(page, "Testmodul")
    assert "Quiz: keine Versuche mehr" in card  # in words, not a colour only
    assert "Beginnen" not in card and "Weiterlesen" not in card
    assert re.search(r'href="/module/testmodul/quiz">\s*<span class="kern-label">Wie es weitergeht', card)
    assert "Beginnen" in _card(page, "Zweites Modul")  # the other module is untouched


def test_a_quiz_of_one_attempt_says_so_before_it_starts(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, f.quiz_source(max_attempts=1))
    f.login(client, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id).email)
    page = client.get(QUIZ).text
    assert "Für dieses Quiz haben Sie nur einen Versuch." in page and "Versuche: 0 von 1 genutzt" in page
    _fail_once(client)
    after = client.get(QUIZ).text
    assert "Für dieses Quiz ist 1 Versuch möglich, und Sie haben ihn genutzt." in after
    assert "Quiz starten" not in after
