"""Numbers a trainer writes in the editor: past any plausible value they are problems with their line, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.content.models import Draft, ModuleVersion
from lms.quizzes.models import QuizVersion
from tests import factories as f
from tests.web.test_authoring import _textarea


def _publish(client, path: str, replace: str, by: str):  # type: ignore[no-untyped-def]
    """Open the draft at ``path``, replace a line of its text and press „Veröffentlichen“."""
    opened = client.post(path, data={"csrf_token": f.csrf_token(client, "/inhalte")})
    assert opened.status_code == 302
    editor = opened.headers["Location"]
    source = _textarea(client.get(editor).text)
    assert replace in source
    return editor, client.post(
        editor,
        data={
            "csrf_token": f.csrf_token(client, editor),
            "source": source.replace(replace, by),
            "revision": 1,
            "action": "publish",
            "change_kind": "material",
            "change_note": "Dauer angepasst",
        },
    )


@pytest.mark.parametrize("minutes", ["99999999999999999999999", "3000000000"])
def test_a_module_duration_beyond_a_week_is_shown_as_a_problem_and_the_draft_kept(
    client, db: Session, trainer, minutes: str
) -> None:  # type: ignore[no-untyped-def]
    """Before, the database refused the number (OverflowError on SQLite, out of range on PostgreSQL): HTTP 500."""
    versions = db.scalar(select(func.count()).select_from(ModuleVersion))
    editor, answer = _publish(
        client, "/inhalte/testmodul/bearbeiten", "duration_minutes: 30", f"duration_minutes: {minutes}"
    )
    assert answer.status_code == 422
    assert "„duration_minutes“ muss eine ganze Zahl von 1 bis 10080 sein" in answer.text
    assert db.scalar(select(func.count()).select_from(ModuleVersion)) == versions
    draft = db.get(Draft, int(editor.rstrip("/").split("/")[-1]))
    assert draft is not None and f"duration_minutes: {minutes}" in draft.source


def test_a_quiz_allowing_more_than_a_hundred_attempts_is_shown_as_a_problem(
    client, db: Session, trainer
) -> None:  # type: ignore[no-untyped-def]
    versions = db.scalar(select(func.count()).select_from(QuizVersion))
    _editor, answer = _publish(
        client, "/inhalte/testmodul/quiz/bearbeiten", "max_attempts: 3", "max_attempts: 99999999999999999999"
    )
    assert answer.status_code == 422
    assert "„max_attempts“ muss eine ganze Zahl von 0 bis 100 sein (0 = unbegrenzt)." in answer.text
    assert db.scalar(select(func.count()).select_from(QuizVersion)) == versions
