"""Authoring in the browser over HTTP: editor, autosave, publish, history, diff, retire, uploads, images, preview."""

from __future__ import annotations

import io
import re
import zipfile

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.content.models import Draft, MediaFile, Module, ModuleVersion
from lms.progress.models import SectionRead
from lms.quizzes.models import QuizAttempt
from tests import factories as f


def _token(client, path: str = "/inhalte") -> str:  # type: ignore[no-untyped-def]
    return f.csrf_token(client, path)


def _open_editor(client) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = client.post("/inhalte/testmodul/bearbeiten", data={"csrf_token": _token(client)})
    assert response.status_code == 302
    draft_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    return draft_id, client.get(f"/inhalte/entwuerfe/{draft_id}").text


def _textarea(page: str) -> str:
    import html

    match = re.search(r'<textarea[^>]*id="source"[^>]*>(.*?)</textarea>', page, re.S)
    assert match
    return html.unescape(match.group(1))


def test_authoring_pages_are_for_trainers_and_admins_only(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    for path in (
        "/inhalte",
        "/inhalte/testmodul/versionen",
        "/inhalte/hilfe",
        "/inhalte/bilder",
        "/inhalte/protokoll",
    ):
        assert client.get(path).status_code in (302, 401), path
    learner = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, learner.email)
    for path in ("/inhalte", "/inhalte/testmodul/versionen", "/inhalte/hochladen", "/inhalte/export.zip"):
        assert client.get(path).status_code == 403, path
    token = f.csrf_token(client)
    assert client.post("/inhalte/testmodul/bearbeiten", data={"csrf_token": token}).status_code == 403
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_editor_autosaves_previews_and_publishes_a_material_change(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    draft_id, page = _open_editor(client)
    source = _textarea(page)
    assert "Art. 3 Abs. 3 GG verbietet Benachteiligungen." in page, "the preview shows the learner's text"
    token = _token(client, f"/inhalte/entwuerfe/{draft_id}")
    broken = source.replace('version: "1.0"', "version: eins")
    answer = client.post(
        f"/inhalte/entwuerfe/{draft_id}/automatisch",
        json={"source": broken, "revision": 1},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200 and answer.json["revision"] == 2 and answer.json["problems"] == 1
    assert 'data-line="5"' in answer.json["problems_html"]
    # A second tab still at revision 1 must not overwrite that.
    stale = client.post(
        f"/inhalte/entwuerfe/{draft_id}/automatisch",
        json={"source": "x", "revision": 1},
        headers={"X-CSRFToken": token},
    )
    assert stale.status_code == 409 and "Tina Trainerin" in stale.json["error"]
    # The draft survives a closed tab: opening the editor again shows the saved text.
    assert "version: eins" in _textarea(client.get(f"/inhalte/entwuerfe/{draft_id}").text)

    fixed = source.replace('version: "1.0"', 'version: "2.0"').replace("Einleitung.", "Einleitung mit Neuem.")
    published = client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={
            "csrf_token": token,
            "source": fixed,
            "revision": 2,
            "action": "publish",
            "change_kind": "material",
            "change_note": "Einleitung ergänzt",
        },
    )
    assert published.status_code == 302 and published.headers["Location"].endswith(
        "/inhalte/testmodul/versionen"
    )
    history = client.get("/inhalte/testmodul/versionen").text
    assert (
        "2.0" in history
        and "inhaltlich" in history
        and "Einleitung ergänzt" in history
        and "Tina Trainerin" in history
    )
    assert db.get(Draft, draft_id) is None
    assert db.scalar(select(ModuleVersion.version_label).order_by(ModuleVersion.id.desc()).limit(1)) == "2.0"


def test_publish_without_a_note_keeps_the_saved_text_and_explains(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    draft_id, page = _open_editor(client)
    source = _textarea(page).replace('version: "1.0"', 'version: "1.1"')
    answer = client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={
            "csrf_token": _token(client),
            "source": source,
            "revision": 1,
            "action": "publish",
            "change_kind": "editorial",
        },
    )
    assert answer.status_code == 422 and "Bitte beschreiben Sie, was sich geändert hat." in answer.text
    assert db.get(Draft, draft_id).source == source.replace("\r\n", "\n")


def test_compare_shows_changed_lines_and_notes(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    draft_id, page = _open_editor(client)
    source = _textarea(page).replace('version: "1.0"', 'version: "1.1"').replace("Einleitung.", "Einführung.")
    client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={"csrf_token": _token(client), "source": source, "revision": 1, "action": "publish",
              "change_kind": "editorial", "change_note": "Wort geändert"},
    )  # fmt: skip
    old, new = db.scalars(select(ModuleVersion.id).order_by(ModuleVersion.id)).all()
    diff = client.get(f"/inhalte/testmodul/vergleich?von={old}&zu={new}").text
    # Changed words within the changed line are marked, not only the whole line.
    assert '<del class="diff__word">Einleitung</del>.' in diff
    assert '<ins class="diff__word">Einführung</ins>.' in diff
    assert "Wort geändert" in diff and "2 Zeilen hinzugefügt, 2 Zeilen entfernt" in diff
    assert client.get("/inhalte/testmodul/vergleich?von=999&zu=1").status_code == 404
    # One line: singular in both languages (it read „1 lines removed“), and the title names the module, not its slug.
    draft_id, page = _open_editor(client)
    client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={"csrf_token": _token(client), "source": _textarea(page).replace('version: "1.1"', 'version: "1.2"'),
              "revision": 1, "action": "publish", "change_kind": "editorial", "change_note": "Nur die Nummer"},
    )  # fmt: skip
    newest = db.scalars(select(ModuleVersion.id).order_by(ModuleVersion.id.desc())).first()
    url = f"/inhalte/testmodul/vergleich?von={new}&zu={newest}"
    one = client.get(url).text
    assert "1 Zeile hinzugefügt, 1 Zeile entfernt." in one
    assert re.search(r"<title>Unterschiede – Testmodul", one) is not None
    assert "1 line added, 1 line removed." in client.get(url, headers={"Accept-Language": "en"}).text


def test_download_gives_the_published_file_byte_for_byte(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    version = db.scalars(select(ModuleVersion)).one()
    answer = client.get(f"/inhalte/testmodul/versionen/{version.id}/datei")
    assert answer.status_code == 200 and answer.mimetype == "text/markdown"
    assert 'filename="testmodul.md"' in answer.headers["Content-Disposition"]
    assert answer.data.decode() == version.source
    archive = client.get("/inhalte/export.zip")
    assert archive.mimetype == "application/zip"
    result = client.post(
        "/inhalte/hochladen",
        data={"csrf_token": _token(client), "file": (io.BytesIO(archive.data), "export.zip")},
        content_type="multipart/form-data",
    )
    assert result.status_code == 200
    assert (
        "identisch mit der veröffentlichten 1.0" in result.text
        and "identisch mit der veröffentlichten Fassung 1" in result.text
    )


def test_a_broken_upload_saves_nothing(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/inhalte/hochladen",
        data={"csrf_token": _token(client), "file": (io.BytesIO(b"PK\x03\x04 kaputt"), "inhalte.zip")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "kein lesbares Zip-Archiv" in answer.text
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_an_archive_with_two_files_for_one_module_saves_nothing(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    """Both became drafts, „ohne Probleme“; publishing one refused the other later (a QA sweep). The check of the
    files (lms content check) refuses the same archive."""
    source = f.module_source().replace("slug: testmodul", "slug: zweimal")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("modules/zweimal.md", source)
        archive.writestr("andere/modules/zweimal.md", source.replace("Einleitung.", "Einführung."))
    answer = client.post(
        "/inhalte/hochladen",
        data={"csrf_token": _token(client), "file": (io.BytesIO(buffer.getvalue()), "inhalte.zip")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert "Der slug „zweimal“ wird schon in „modules/zweimal.md“ verwendet." in answer.text
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_images_upload_serve_and_must_exist_before_publishing(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    bad = client.post(
        "/inhalte/bilder",
        data={"csrf_token": _token(client), "file": (io.BytesIO(b"<svg/>"), "bild.svg")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and "kein Bild" in bad.text
    good = client.post(
        "/inhalte/bilder",
        data={"csrf_token": _token(client), "file": (io.BytesIO(_png()), "ablauf.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    media = db.scalars(select(MediaFile)).one()
    served = client.get(media.path)
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == media.data
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/media/{'0' * 64}.png").status_code == 404

    draft_id, page = _open_editor(client)
    missing = "b" * 64
    source = (
        _textarea(page)
        .replace('version: "1.0"', 'version: "1.1"')
        .replace(
            "Einleitung.", f"Einleitung.\n\n![Ablaufdiagramm]({media.path})\n\n![Fehlt](/media/{missing}.png)"
        )
    )
    answer = client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={"csrf_token": _token(client), "source": source, "revision": 1, "action": "publish",
              "change_kind": "editorial", "change_note": "Bild"},
    )  # fmt: skip
    assert answer.status_code == 422 and f"Das Bild „/media/{missing}.png“ gibt es nicht" in answer.text
    assert f'<img src="{media.path}" alt="Ablaufdiagramm">' in answer.text, (
        "the preview shows the uploaded image"
    )


def test_learner_preview_records_nothing(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/inhalte/testmodul/vorschau?abschnitt=2")
    assert (
        page.status_code == 200
        and "Zweiter Abschnitt" in page.text
        and "Nichts wird gespeichert" in page.text
    )
    quiz = client.get("/inhalte/testmodul/vorschau/quiz")
    seed = re.search(r'name="seed" value="(\d+)"', quiz.text).group(1)
    result = client.post(
        "/inhalte/testmodul/vorschau/quiz",
        data={"csrf_token": _token(client), "seed": seed, **f.CORRECT_ANSWERS},
    )
    assert (
        result.status_code == 200
        and "Bestanden mit 100" in result.text
        and "nicht gespeichert" in result.text
    )
    assert db.scalar(select(func.count()).select_from(QuizAttempt)) == 0
    assert db.scalar(select(func.count()).select_from(SectionRead)) == 0


def test_retire_and_restore_a_module_from_the_history_page(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    token = _token(client, "/inhalte/testmodul/versionen")
    assert client.post("/inhalte/testmodul/zurueckziehen", data={"csrf_token": token}).status_code == 302
    assert db.scalars(select(Module)).one().retired_at is None, "no reason, no retirement"
    client.post("/inhalte/testmodul/zurueckziehen", data={"csrf_token": token, "reason": "veraltet"})
    db.expire_all()
    assert db.scalars(select(Module)).one().retired_at is not None
    assert "zurückgezogen" in client.get("/inhalte").text
    log = client.get("/inhalte/protokoll").text
    assert "Modul „testmodul“ aus dem Katalog zurückgezogen." in log
    assert "veraltet" in log and "Tina Trainerin" in log and "content.retire_module" not in log
    client.post("/inhalte/testmodul/wiederherstellen", data={"csrf_token": token})
    db.expire_all()
    assert db.scalars(select(Module)).one().retired_at is None


def test_forged_requests_are_refused_cleanly(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    draft_id, _page = _open_editor(client)
    assert (
        client.post(f"/inhalte/entwuerfe/{draft_id}", data={"source": "x", "revision": 1}).status_code == 400
    )
    token = _token(client)
    assert (
        client.post(
            f"/inhalte/entwuerfe/{draft_id}/automatisch", json={"source": 5}, headers={"X-CSRFToken": token}
        ).status_code
        == 400
    )
    for revision in (True, 10**20, -1):  # true was revision 1; 10**20 a conflict naming the author themself
        forged = client.post(
            f"/inhalte/entwuerfe/{draft_id}/automatisch",
            json={"source": "x", "revision": revision},
            headers={"X-CSRFToken": token},
        )
        assert forged.status_code == 400 and forged.json["error"] == "Die Anfrage ist ungültig.", revision
    assert (
        client.post("/inhalte/entwuerfe/neu", data={"csrf_token": token, "kind": "quiz"}).status_code == 400
    )
    assert client.get("/inhalte/entwuerfe/9999").status_code == 404


def test_autosave_of_pasted_control_characters_names_them(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    """Text pasted from Word can carry U+000B (a manual line break there). The autosave is refused, and the editor's
    status line shows why, with the character's code point, instead of only „Speichern fehlgeschlagen“ (the refusal
    was an HTML page the script could not read); the saved text stays as it was."""
    draft_id, page = _open_editor(client)
    source = _textarea(page)
    token = _token(client)
    pasted = source.replace("Einleitung.", "Einleitung\x0baus Word.")
    assert pasted != source
    refused = client.post(
        f"/inhalte/entwuerfe/{draft_id}/automatisch",
        json={"source": pasted, "revision": 1},
        headers={"X-CSRFToken": token, "Accept": "application/json"},  # as static/js/editor.js sends it
    )
    assert refused.status_code == 400 and refused.is_json
    assert "unzulässige Steuerzeichen (U+000B)" in refused.json["error"]["message"]
    assert _textarea(client.get(f"/inhalte/entwuerfe/{draft_id}").text) == source


def test_help_page_documents_every_question_type(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    from lms.quizzes.question_types import REGISTRY

    page = client.get("/inhalte/hilfe").text
    for question_type in REGISTRY.values():
        assert f'id="typ-{question_type.name}"' in page
    assert page.count("So sehen es die Teilnehmenden:") == len(REGISTRY)
    # In English the explanations are English too, the file's keys and markers stay (a QA sweep found the
    # example's comments and the answer lines' descriptions in German on the English page).
    english = client.get("/inhalte/hilfe", headers={"Accept-Language": "en"}).text
    assert "# percent needed to pass" in english and "Prozent zum Bestehen" not in english
    assert "“[( )] answer” / “[(X)] correct answer”" in english and "richtige Antwort" not in english


def test_compare_quiz_versions_defaults_to_the_newest_change(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    f.published_quiz(db, f.quiz_source().replace("Erklärung 1.", "Erklärung 1, genauer."))
    page = client.get("/inhalte/testmodul/vergleich?art=quiz")
    assert page.status_code == 200
    assert "Unterschiede zwischen Fassung 1 und Fassung 2" in page.text
    assert 'Erklärung 1<ins class="diff__word">, genauer</ins>.' in page.text
    assert client.get("/inhalte/testmodul/vergleich?art=quiz&von=1&zu=7").status_code == 404


def test_audit_log_speaks_german_and_filters_by_who_what_and_when(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    from lms.audit.services import record_event

    other = f.user(db, Role.ADMIN, name="Petra Programmbüro")
    record_event(
        db, actor_id=other.id, action="certificate.issue", object_type="certificate", object_id="ABC"
    )
    record_event(db, actor_id=other.id, action="role.facilitator_grant", object_type="user", object_id=1)
    db.commit()
    token = _token(client, "/inhalte/testmodul/versionen")
    client.post("/inhalte/testmodul/zurueckziehen", data={"csrf_token": token, "reason": "veraltet"})
    log = client.get("/inhalte/protokoll").text
    assert "Modul „testmodul“ aus dem Katalog zurückgezogen." in log
    assert "Begründung: veraltet" in log
    assert "Zertifikat ABC" not in log, "trainers see what happens to content only"
    assert '<select class="kern-form-input__select" id="wer" name="wer">' in log

    only_publishing = client.get("/inhalte/protokoll", query_string={"was": "publish"}).text
    assert "zurückgezogen." not in only_publishing
    later = client.get("/inhalte/protokoll", query_string={"von": "2099-01-01"}).text
    assert "Keine passenden Einträge." in later
    assert client.get("/inhalte/protokoll", query_string={"von": "kaputt", "wer": "abc"}).status_code == 400

    client.post("/abmelden", data={"csrf_token": token})
    f.login(client, other.email)
    everything = client.get("/inhalte/protokoll").text
    assert "Zertifikat ABC ausgestellt." in everything
    assert "Rolle Empowerment-Begleitung vergeben." in everything
    by_petra = client.get("/inhalte/protokoll", query_string={"wer": other.id, "was": "certificates"}).text
    assert "Zertifikat ABC ausgestellt." in by_petra and "Empowerment" not in by_petra.split("<table")[1]
    english = client.get("/inhalte/protokoll", headers={"Accept-Language": "en"}).text
    assert "withdrawn" in english.lower() or "retired" in english.lower()


def test_retiring_says_what_happened_and_downloads_have_distinct_names(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    token = _token(client, "/inhalte/testmodul/versionen")
    page = client.post(
        "/inhalte/testmodul/zurueckziehen",
        data={"csrf_token": token, "reason": "veraltet"},
        follow_redirects=True,
    ).text
    assert "Das Modul ist zurückgezogen" in page and "Gespeichert." not in page
    page = client.post(
        "/inhalte/testmodul/wiederherstellen", data={"csrf_token": token}, follow_redirects=True
    ).text
    assert "Das Modul steht wieder im Katalog." in page
    quiz = client.get("/inhalte/testmodul/quiz/1/datei")
    assert quiz.status_code == 200
    assert 'filename="quiz-testmodul.md"' in quiz.headers["Content-Disposition"]


def test_images_no_version_uses_can_be_deleted_and_used_ones_cannot(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    from lms.audit.models import AuditEvent

    for name, colour in (("bleibt.png", (1, 2, 3)), ("weg.png", (200, 2, 3))):
        buffer = io.BytesIO()
        Image.new("RGB", (20, 10), colour).save(buffer, format="PNG")
        client.post(
            "/inhalte/bilder",
            data={"csrf_token": _token(client), "file": (io.BytesIO(buffer.getvalue()), name)},
            content_type="multipart/form-data",
        )
    used, unused = sorted(db.scalars(select(MediaFile)).all(), key=lambda m: m.original_name)
    unused_path = unused.path
    draft_id, page = _open_editor(client)
    source = _textarea(page).replace("Einleitung.", f"Einleitung.\n\n![Ablauf]({used.path})")
    client.post(
        f"/inhalte/entwuerfe/{draft_id}",
        data={"csrf_token": _token(client), "source": source, "revision": 1, "action": "save"},
    )
    listing = client.get("/inhalte/bilder").text
    assert f"/inhalte/bilder/{unused.sha256}.png/loeschen" in listing
    assert f"/inhalte/bilder/{used.sha256}.png/loeschen" not in listing

    refused = client.post(
        f"/inhalte/bilder/{used.sha256}.png/loeschen",
        data={"csrf_token": _token(client)},
        follow_redirects=True,
    )
    assert "wird noch verwendet" in refused.text and "(Entwurf)" in refused.text
    done = client.post(
        f"/inhalte/bilder/{unused.sha256}.png/loeschen",
        data={"csrf_token": _token(client)},
        follow_redirects=True,
    )
    assert "Das Bild „weg.png“ ist gelöscht." in done.text
    db.expire_all()
    assert [m.original_name for m in db.scalars(select(MediaFile))] == ["bleibt.png"]
    assert client.get(unused_path).status_code == 404
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "media.delete")) is not None
    assert "Bild „weg.png“ gelöscht." in client.get("/inhalte/protokoll").text
    assert (
        client.post(
            f"/inhalte/bilder/{'0' * 64}.png/loeschen", data={"csrf_token": _token(client)}
        ).status_code
        == 404
    )


def test_german_module_text_is_marked_lang_de_in_the_english_interface(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/inhalte/testmodul/vorschau?abschnitt=1", headers={"Accept-Language": "en"}).text
    assert '<html lang="en"' in page
    assert 'id="preview-title" lang="de"' in page and '<div lang="de">' in page
    draft_id, _page = _open_editor(client)
    editor = client.get(f"/inhalte/entwuerfe/{draft_id}", headers={"Accept-Language": "en"}).text
    assert 'id="preview" class="editor__preview reading"' in editor and 'lang="de">' in editor


def test_an_upload_with_control_characters_is_refused_with_the_line(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    """A NUL in an uploaded module was a 500 on PostgreSQL (the draft could not be stored); ESC went through."""
    lines = f.module_source().replace("slug: testmodul", "slug: neues-modul").split("\n")
    lines[-2] += " Text\x00 mit\x1b Steuerzeichen"
    answer = client.post(
        "/inhalte/hochladen",
        data={"csrf_token": _token(client), "file": (io.BytesIO("\n".join(lines).encode()), "neu.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert (
        f"neu.md:{len(lines) - 1}: Diese Zeile enthält unzulässige Steuerzeichen (U+0000, U+001B)"
        in answer.text
    )
    assert db.scalar(select(func.count()).select_from(Draft)) == 0


def test_an_upload_whose_file_name_holds_a_nul_is_refused(client, db: Session, trainer) -> None:  # type: ignore[no-untyped-def]
    source = f.module_source().replace("slug: testmodul", "slug: neues-modul").encode()
    answer = client.post(
        "/inhalte/hochladen",
        data={"csrf_token": _token(client), "file": (io.BytesIO(source), "neu\x00.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "Der Dateiname enthält unzulässige Steuerzeichen." in answer.text
    assert db.scalar(select(func.count()).select_from(Draft)) == 0
