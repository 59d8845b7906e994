"""A trainer's two-question quiz with only `module` and `pass_mark` imports and can be taken."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f

MINIMAL = """---
module: testmodul
pass_mark: 50
---

## Erste Frage?

[( )] nein
[(X)] ja
***
Weil ja.
***

## Zweite Frage?

[[X]] eins
[[ ]] zwei
***
Nur eins.
***
"""


def test_a_two_question_quiz_with_defaults_is_published_and_taken(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    version = f.published_quiz(db, MINIMAL)
    assert len(version.questions) == 2
    assert (version.is_shuffled, version.max_attempts) == (False, 0)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_page = client.get("/module/testmodul/quiz").text
    assert "Beliebig viele Versuche" in start_page
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    done = client.post(url, data={"csrf_token": token, "q1": ["b"], "q2": ["a"]})
    assert done.status_code == 303
    assert "Bestanden" in client.get(done.headers["Location"]).text
