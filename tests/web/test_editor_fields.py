"""The editor's fields: the change note as the browser counts it, and errors bound to the field they are about."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.content.models import Draft, ModuleVersion
from tests import factories as f
from tests.web.test_authoring import _textarea


def _editor(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    opened = client.post(
        "/inhalte/testmodul/bearbeiten", data={"csrf_token": f.csrf_token(client, "/inhalte")}
    )
    assert opened.status_code == 302
    editor = opened.headers["Location"]
    return editor, _textarea(client.get(editor).text)


def _publish(client, editor: str, source: str, note: str):  # type: ignore[no-untyped-def]
    return client.post(
        editor,
        data={
            "csrf_token": f.csrf_token(client, editor),
            "source": source.replace('version: "1.0"', 'version: "1.1"'),
            "revision": 1,
            "action": "publish",
            "change_kind": "editorial",
            "change_note": note,
        },
    )


def _tag(page: str, element: str, id_: str) -> str:
    match = re.search(rf'<{element}[^>]*\bid="{id_}"[^>]*>', page)
    assert match, id_
    return match.group(0)


def test_a_change_note_of_2000_characters_with_line_breaks_is_published_with_lf(
    client, db: Session, trainer
) -> None:  # type: ignore[no-untyped-def]
    """The browser's maxlength counts a line break once, but sends CRLF: the server counted 2001 and refused."""
    editor, source = _editor(client)
    note = "a" * 999 + "\r\n" + "b" * 1000  # 2000 characters as the textarea counts them
    answer = _publish(client, editor, source, note)
    assert answer.status_code == 302, answer.text
    stored = db.scalar(select(ModuleVersion.change_note).where(ModuleVersion.version_label == "1.1"))
    assert stored == "a" * 999 + "\n" + "b" * 1000


def test_a_change_note_too_long_is_shown_at_its_field_and_the_text_kept(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    editor, source = _editor(client)
    answer = _publish(client, editor, source, "a" * 1000 + "\r\n" + "b" * 1000)  # 2001 as the browser counts
    assert answer.status_code == 422
    page = answer.text
    assert '<p class="kern-error" id="change_note-error">' in page
    assert (
        "Die Änderungsnotiz ist länger als 2000 Zeichen." in page.split('id="change_note-error"', 1)[1][:300]
    )
    note = _tag(page, "textarea", "change_note")
    assert 'aria-invalid="true"' in note and "change_note-error" in note
    assert "Nicht veröffentlicht" not in page  # not a refusal of the text: the note is the form's to fix
    assert 'href="#change_note"' in page  # the error summary links to the field
    draft = db.get(Draft, int(editor.rstrip("/").split("/")[-1]))
    assert draft is not None and 'version: "1.1"' in draft.source
    assert db.scalar(select(ModuleVersion).where(ModuleVersion.version_label == "1.1")) is None


@pytest.mark.parametrize("source", ["", "x" * (1024 * 1024 + 1)])
def test_an_empty_or_too_long_text_is_marked_at_the_textarea(
    client, db: Session, trainer, source: str
) -> None:  # type: ignore[no-untyped-def]
    """„Markdown-Text: Dieses Feld wird benötigt.“ stood in the error box only; the textarea was not marked."""
    editor, _source = _editor(client)
    answer = client.post(
        editor,
        data={"csrf_token": f.csrf_token(client, editor), "source": source, "revision": 1, "action": "save"},
    )
    assert answer.status_code == 422
    textarea = _tag(answer.text, "textarea", "source")
    assert 'aria-invalid="true"' in textarea
    assert re.search(r'aria-describedby="[^"]*\bsource-error\b', textarea)
    assert '<p class="kern-error" id="source-error">' in answer.text
    assert 'href="#source"' in answer.text  # the error summary links to the field


def test_a_damaged_revision_has_its_own_message_and_keeps_the_text(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    """A hidden revision „abc“ gave „Der Text ist leer oder zu lang.“, which was not true."""
    editor, source = _editor(client)
    mine = source.replace("Einleitung.", "Meine Einleitung.")
    answer = client.post(
        editor,
        data={
            "csrf_token": f.csrf_token(client, editor),
            "source": mine,
            "revision": "abc",
            "action": "save",
        },
    )
    assert answer.status_code == 422
    assert "Der Text ist leer oder zu lang." not in answer.text
    assert "Der Bearbeitungsstand dieser Seite war ungültig, Ihr Text wurde nicht gespeichert." in answer.text
    assert "Meine Einleitung." in _textarea(answer.text)
    assert 'aria-invalid="true"' not in _tag(answer.text, "textarea", "source")
    assert 'name="revision" id="revision" value="1"' in answer.text  # saving again works, knowingly
    again = client.post(
        editor,
        data={"csrf_token": f.csrf_token(client, editor), "source": mine, "revision": 1, "action": "save"},
    )
    assert again.status_code == 302


def test_the_editor_history_and_comparison_speak_the_modules_language(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """An English module was spell-checked and read aloud as German: the textarea, the history's h1 and the diff."""
    from tests.web.test_content_language import _lang_of

    f.published_module(db, f.module_source(title="Test module").replace("language: de", "language: en"))
    f.published_module(
        db,
        f.module_source(version="1.1", title="Test module")
        .replace("language: de", "language: en")
        .replace("Einleitung.", "Introduction."),
    )
    f.published_quiz(db)
    f.login(client, f.user(db, Role.TRAINER).email)
    editor, _source = _editor(client)
    page = client.get(editor).text
    assert 'lang="en"' in _tag(page, "textarea", "source") and 'lang="en"' in _tag(page, "div", "preview")
    quiz = client.post(
        "/inhalte/testmodul/quiz/bearbeiten", data={"csrf_token": f.csrf_token(client, "/inhalte")}
    )
    quiz_page = client.get(quiz.headers["Location"]).text
    assert 'lang="en"' in _tag(quiz_page, "textarea", "source") and 'lang="en"' in _tag(
        quiz_page, "div", "preview"
    )
    history = client.get("/inhalte/testmodul/versionen").text
    assert 'lang="en">Test module</h1>' in history
    old, new = db.scalars(select(ModuleVersion.id).order_by(ModuleVersion.id)).all()
    compare = client.get(f"/inhalte/testmodul/vergleich?von={old}&zu={new}").text
    assert _lang_of(compare, "Introduction") == {"en"} and _lang_of(compare, "Einleitung") == {"en"}
    assert _lang_of(compare, "Unterschiede zwischen") == {"de"}
