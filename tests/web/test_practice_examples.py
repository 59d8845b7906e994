"""Praxisbeispiele: shared by the people who run the programme, visible to every model municipality."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms.auth.models import Role
from lms.practice.attachments import safe_file_name
from lms.practice.models import PracticeExample
from tests import factories as f


def _share(client, attachment: tuple[io.BytesIO, str] | None = None, **fields: str):  # type: ignore[no-untyped-def]
    """Post the form as a browser would; the body is built in memory (werkzeug would spool a big one to disk)."""
    url = "/praxisbeispiele/neu"
    data: dict[str, object] = {"csrf_token": f.csrf_token(client, url), "module_id": "0", **fields}
    if attachment is not None:
        data["attachment"] = FileStorage(attachment[0], filename=attachment[1])
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


DOCX = _docx()


def test_coordinator_shares_and_another_municipality_reads(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    north, south = f.municipality(db, "Stadt Nord"), f.municipality(db, "Stadt Süd")
    module = f.published_module(db)
    author = f.user(db, Role.COORDINATOR, municipality_id=north.id, name="Dana Koordinatorin")
    reader = f.user(db, Role.COORDINATOR, municipality_id=south.id)
    learner = f.user(db, Role.LEARNER, municipality_id=north.id)
    f.login(client, author.email)
    done = _share(
        client,
        title="Hospitation zwischen Bürgerbüro und Ausländerbehörde",
        module_id=str(module.module_id),
        body="**Zwei Teams** besuchen sich gegenseitig.\n\n<script>alert(1)</script>\n\n- Vorbereitung\n- Auswertung",
        attachment=(io.BytesIO(DOCX), "Ablaufplan Hospitation.docx"),
    )
    assert done.status_code == 303
    example = db.scalar(select(PracticeExample))
    assert example is not None and example.municipality_id == north.id
    assert "<strong>Zwei Teams</strong>" in example.body_html and "<script" not in example.body_html
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    f.login(client, reader.email)
    listing = client.get("/praxisbeispiele").text
    assert "Hospitation zwischen Bürgerbüro" in listing and "Stadt Nord" in listing
    page = client.get(f"/praxisbeispiele/{example.id}").text
    assert "<strong>Zwei Teams</strong>" in page and "Dana Koordinatorin" in page and "Bearbeiten" not in page
    file = client.get(f"/praxisbeispiele/{example.id}/datei")
    assert file.status_code == 200 and file.data == DOCX
    assert file.headers["Content-Disposition"] == 'attachment; filename="Ablaufplan_Hospitation.docx"'
    assert "sandbox" in file.headers["Content-Security-Policy"]
    assert client.get(f"/praxisbeispiele/{example.id}/bearbeiten").status_code == 403
    delete = client.post(f"/praxisbeispiele/{example.id}/loeschen", data={"csrf_token": f.csrf_token(client)})
    assert delete.status_code == 403
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    f.login(client, learner.email)
    assert client.get("/praxisbeispiele").status_code == 403


def test_files_are_checked_by_content_and_nothing_is_saved_on_refusal(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    cases = {
        ("rechnung.pdf.exe", b"MZ\x90\x00"): "Dateityp wird nicht angenommen",
        ("bericht.pdf", b"<html><script>alert(1)</script>"): "passt nicht zu ihrer Endung",
        ("tabelle.xlsx", DOCX): "passt nicht zu ihrer Endung",  # a Word file named .xlsx
        ("gross.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)): "größer als 5 MB",
    }
    for (name, data), message in cases.items():
        answer = _share(client, title="Test", body="Text", attachment=(io.BytesIO(data), name))
        assert answer.status_code == 422 and message in answer.text, name
    assert _share(client, title="", body="Text").status_code == 422
    # Lists nested ten deep: the renderer would drop the rest of the text without a word.
    deep = "Vorher\n\n" + "".join(f"{'  ' * level}- Ebene {level}\n" for level in range(10)) + "\nNACHHER\n"
    refused = _share(client, title="Tief", body=deep)
    assert refused.status_code == 422 and "Ab Zeile 12 ist der Text zu tief verschachtelt" in refused.text
    assert db.scalar(select(func.count()).select_from(PracticeExample)) == 0
    nine = "".join(f"{'  ' * level}- Ebene {level}\n" for level in range(9)) + "\nNACHHER\n"
    assert _share(client, title="Neun Ebenen", body=nine).status_code == 303
    assert "NACHHER" in db.scalar(
        select(PracticeExample.body_html).where(PracticeExample.title == "Neun Ebenen")
    )
    assert _share(client, title="Ohne Datei", body="Nur Text").status_code == 303
    assert db.scalar(select(func.count()).select_from(PracticeExample)) == 2


def test_author_changes_and_removes_the_file_programme_office_moderates(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    trainer = f.user(db, Role.TRAINER)
    admin = f.user(db, Role.ADMIN)
    f.login(client, trainer.email)
    _share(client, title="Alt", body="Text", attachment=(io.BytesIO(b"%PDF-1.7 x"), "a.pdf"))
    example = db.scalar(select(PracticeExample))
    assert example is not None
    url = f"/praxisbeispiele/{example.id}/bearbeiten"
    changed = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, url),
            "title": "Neu",
            "body": "Text",
            "module_id": "0",
            "remove_file": "y",
        },
        content_type="multipart/form-data",
    )
    assert changed.status_code == 303
    db.refresh(example)
    assert example.title == "Neu" and example.file_name is None and example.updated_at is not None
    assert client.get(f"/praxisbeispiele/{example.id}/datei").status_code == 404
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, admin.email)
    removed = client.post(
        f"/praxisbeispiele/{example.id}/loeschen", data={"csrf_token": f.csrf_token(client)}
    )
    assert removed.status_code == 303
    assert db.scalar(select(func.count()).select_from(PracticeExample)) == 0


def test_file_names_cannot_carry_paths_or_header_tricks() -> None:
    assert safe_file_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_file_name('Ablauf"; x=.pdf') == "Ablauf_x_.pdf"
    assert safe_file_name("C:\\Users\\Übersicht.pdf") == "Ubersicht.pdf"
    assert safe_file_name("\x00\r\n.pdf") == "pdf"
