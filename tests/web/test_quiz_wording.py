"""What quiz pages say about questions: the skeleton's preview numbers each question once, and the start page
promises explanations only where the quiz shows them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f

EVERY = "Nach dem Abgeben sehen Sie Ihr Ergebnis und zu jeder Frage eine Erklärung."
SOME = "Nach dem Abgeben sehen Sie Ihr Ergebnis und zu einigen Fragen eine Erklärung."
NONE = "Nach dem Abgeben sehen Sie Ihr Ergebnis."


def test_the_quiz_skeleton_preview_names_its_question_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The skeleton's heading „## Frage 1: Text der Frage?“ was shown as „Frage 1: Frage 1: Text der Frage?“."""
    f.published_module(db)
    f.login(client, f.user(db, Role.TRAINER).email)
    opened = client.post(
        "/inhalte/testmodul/quiz/bearbeiten", data={"csrf_token": f.csrf_token(client, "/inhalte")}
    )
    page = client.get(opened.headers["Location"]).text
    assert "Frage 1: Text der Frage?" in page
    assert not re.search(r"Frage 1:\s*Frage 1", page)


def _without_explanations(source: str, keep: int = 0) -> str:
    """The test quiz with the explanations of all but the first ``keep`` questions removed."""
    parts = re.split(r"(?m)^\*\*\*\n[^\n]*\n\*\*\*\n", source)
    explanations = re.findall(r"(?m)^\*\*\*\n[^\n]*\n\*\*\*\n", source)
    return "".join(p + (explanations[i] if i < keep else "") for i, p in enumerate(parts[:-1])) + parts[-1]


@pytest.mark.parametrize(
    ("source", "promise"),
    [
        (f.quiz_source(), EVERY),
        (_without_explanations(f.quiz_source(), keep=2), SOME),
        (_without_explanations(f.quiz_source()), NONE),
        (
            f.quiz_source().replace("max_attempts: 3\n", "max_attempts: 3\nreview:\n  explanation: never\n"),
            NONE,
        ),
    ],
)
def test_the_start_page_promises_explanations_only_where_they_are_shown(
    client, db: Session, source: str, promise: str
) -> None:  # type: ignore[no-untyped-def]
    """„… zu jeder Frage eine Erklärung“ was promised even for a quiz without any explanation."""
    f.published_module(db)
    f.published_quiz(db, source)
    f.login(client, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id).email)
    page = client.get("/module/testmodul/quiz").text
    said = {text for text in (EVERY, SOME, NONE) if f"<li>{text}</li>" in page}
    assert said == {promise}
