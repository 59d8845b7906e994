"""Attempt history on the quiz page, and an old failed attempt's page once the module is passed."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f

WRONG = {**{f"q{n}": ["a"] for n in range(1, 7)}, "q7": ["b"]}


def _take(client, answers: dict[str, list[str]]) -> str:  # type: ignore[no-untyped-def]
    """Start an attempt and submit these answers; returns the result page's URL."""
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    done = client.post(url, data={"csrf_token": token, **answers})
    assert done.status_code == 303
    return str(done.headers["Location"])


def _rows(html: str) -> list[str]:
    """The history table's body rows as text."""
    table = html.split('id="attempt-history"', 1)[1].split("</table>", 1)[0]
    body = table.split("</thead>", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def test_the_quiz_page_lists_ones_attempts_with_score_date_and_link(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    assert 'id="attempt-history"' not in client.get("/module/testmodul/quiz").text
    failed = _take(client, WRONG)
    passed = _take(client, f.CORRECT_ANSWERS)
    page = client.get("/module/testmodul/quiz").text
    rows = _rows(page)
    assert len(rows) == 2
    assert rows[0].startswith("2 ") and "100 %" in rows[0] and " ja " in rows[0]
    assert rows[1].startswith("1 ") and " 0 %" in rows[1] and " nein " in rows[1]
    assert f'href="{passed}"' in page and f'href="{failed}"' in page
    assert "Versuch 1 ansehen" in page

    # The failed attempt's page now says the module is passed, and invites no retake.
    old = client.get(failed).text
    assert "inzwischen mit einem anderen Versuch bestanden" in old
    assert "Neuer Versuch" not in old


def test_someone_elses_attempts_are_not_listed(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    town = f.municipality(db)
    first = f.user(db, Role.LEARNER, municipality_id=town.id)
    second = f.user(db, Role.LEARNER, municipality_id=town.id, email="zweite@example.org")
    f.login(client, first.email)
    _take(client, WRONG)
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, second.email)
    assert 'id="attempt-history"' not in client.get("/module/testmodul/quiz").text
