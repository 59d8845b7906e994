"""The editor's check lists a „Hinweis“ for an ordering written as ``[[1]] Schritt`` (LiaScript shows it as a
survey with its answer); the quiz still publishes, and the LiaScript-safe matrix form gets no hint."""

from __future__ import annotations

import html
import re

from sqlalchemy.orm import Session

from lms.auth.models import Role
from tests import factories as f

NUMBERED = "## Reihenfolge?\n\n[[2]] zweitens\n[[1]] erstens\n[[3]] drittens\n***\nSo.\n***\n"
MATRIX = (
    "## Reihenfolge?\n\n<!-- data-lms-ordering -->\n[(1) (2) (3)]\n[ ( ) (X) ( ) ] zweitens\n"
    "[ (X) ( ) ( ) ] erstens\n[ ( ) ( ) (X) ] drittens\n***\nSo.\n***\n"
)


def test_editor_check_hints_at_the_old_ordering_form_without_blocking(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    f.login(client, f.user(db, Role.TRAINER).email)
    token = f.csrf_token(client, "/inhalte")
    opened = client.post("/inhalte/testmodul/quiz/bearbeiten", data={"csrf_token": token})
    assert opened.status_code == 302
    editor = opened.headers["Location"]
    # The toolbar button „Frage: Reihenfolge“ inserts the LiaScript-safe matrix form.
    page = client.get(editor).text
    snippet = re.search(r'data-snippet="([^"]*)"[^>]*>Frage: Reihenfolge<', page)
    assert snippet is not None
    assert "<!-- data-lms-ordering -->\n[(1) (2) (3)]\n[ ( ) (X) ( ) ]" in html.unescape(snippet.group(1))
    token = f.csrf_token(client, editor)
    source = f.quiz_source() + "\n" + NUMBERED
    answer = client.post(
        f"{editor.rstrip('/')}/automatisch",
        json={"source": source, "revision": 1},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200 and answer.json["problems"] == 0
    check = answer.json["problems_html"]
    line = source.split("\n").index("[[2]] zweitens") + 1
    assert "1 Hinweis (das Veröffentlichen ist trotzdem möglich):" in check
    assert f'data-line="{line}"' in check and "data-lms-ordering" in check
    assert "Keine Probleme: Der Text kann veröffentlicht werden." in check

    safe = client.post(
        f"{editor.rstrip('/')}/automatisch",
        json={"source": f.quiz_source() + "\n" + MATRIX, "revision": 2},
        headers={"X-CSRFToken": token},
    )
    assert safe.status_code == 200 and safe.json["problems"] == 0
    assert "Hinweis" not in safe.json["problems_html"]
