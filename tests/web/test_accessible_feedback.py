"""What a screen reader says about an outcome (issues 13 and 14): errors tied to their fields, one title per outcome,
unanswered questions marked where they are, messages that say what happened, and the start pages' links to the
information in Leichte Sprache and in DGS.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms.auth.models import Role
from lms.certificates import services as certificates
from lms.certificates.codes import generate_code
from tests import factories as f


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def element(html: str, tag: str, **wanted: str) -> dict[str, str]:
    """The attributes of the one element with these attribute values."""
    found = [
        attrs
        for name, attrs in parse(html).tags
        if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
    ]
    assert len(found) == 1, f"{len(found)} <{tag} {wanted}>"
    return found[0]


def text_of(html: str, element_id: str) -> str:
    match = re.search(rf'<p [^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no element #{element_id}"
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def title(html: str) -> str:
    return re.sub(r"\s+", " ", parse(html).title).strip()


# --- errors tied to their fields ---------------------------------------------------------------------------------


def test_a_wrong_password_marks_the_password_field(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    page = f.login(client, person.email, "ganz-falsches-Passwort")
    assert page.status_code == 401
    html = page.get_data(as_text=True)
    field = element(html, "input", id="password")
    assert field.get("aria-invalid") == "true"
    assert "password-error" in field["aria-describedby"].split()
    assert "falsch" in text_of(html, "password-error").lower()
    assert 'role="alert"' in html, "the summary still announces it"
    assert title(html).startswith("Fehler: Anmelden")


def test_a_refused_staff_list_marks_the_file_field(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Landkreis Musterstadt")
    person = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    f.login(client, person.email)
    url = f"/kommunen/{town.slug}/beschaeftigte/import"
    # No column with e-mail addresses: the file is refused before any preview.
    upload = FileStorage(
        io.BytesIO(b"Name;Amt\r\nPaul;Bauamt\r\n"), filename="liste.csv", content_type="text/csv"
    )
    boundary, body = encode_multipart(MultiDict({"csrf_token": f.csrf_token(client, url), "file": upload}))
    page = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    field = element(html, "input", id="file")
    assert field.get("aria-invalid") == "true"
    assert "file-error" in field["aria-describedby"].split()
    assert "E-Mail" in text_of(html, "file-error")
    assert title(html).startswith("Fehler: ")


def test_a_too_large_funding_file_marks_the_file_field(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    url = "/programmbuero/foerderung/import"
    big = b"Kommune;Art;Betrag;Datum;Beschreibung\r\n" + b"x" * (2 * 1024 * 1024)
    upload = FileStorage(io.BytesIO(big), filename="foerderung.csv", content_type="text/csv")
    boundary, body = encode_multipart(MultiDict({"csrf_token": f.csrf_token(client, url), "file": upload}))
    page = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    field = element(html, "input", id="file")
    assert field.get("aria-invalid") == "true"
    assert "file-error" in field["aria-describedby"].split()
    assert "2 MB" in text_of(html, "file-error")


# --- one title per outcome ---------------------------------------------------------------------------------------


def test_verify_has_a_title_for_each_outcome(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    module = f.published_module(db)
    valid = certificates.issue_for_completion(
        db, f.completion(db, person, module), actor_id=None, base_url="http://lms.example"
    )
    other = f.user(db, Role.LEARNER, municipality_id=f.municipality(db, "Kommune B").id)
    revoked = certificates.issue_for_completion(
        db, f.completion(db, other, module), actor_id=None, base_url="http://lms.example"
    )
    certificates.revoke_certificate(db, revoked, actor=None, reason="Irrtum")
    db.commit()
    unknown = generate_code()
    typo = unknown[:-2] + ("A" if unknown[-2] != "A" else "B") + unknown[-1]
    titles = {
        "form": title(client.get("/verify").text),
        "valid": title(client.get(f"/verify/{valid.code}").text),
        "revoked": title(client.get(f"/verify/{revoked.code}").text),
        "unknown": title(client.get(f"/verify/{unknown}").text),
        "typo": title(client.get(f"/verify/{typo}").text),
    }
    assert titles["valid"].startswith("Zertifikat gültig")
    assert titles["unknown"].startswith("Zertifikat unbekannt")
    assert titles["typo"].startswith("Fehler: Tippfehler")
    assert titles["revoked"].startswith("Zertifikat widerrufen")
    assert len(set(titles.values())) == 5, titles


def _start_attempt(client) -> str:  # type: ignore[no-untyped-def]
    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    assert start.status_code in (302, 303)
    return str(start.headers["Location"])


def test_quiz_pages_have_titles_of_their_own_and_unanswered_questions_are_marked(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    quiz = f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_title = title(client.get("/module/testmodul/quiz").text)
    url = _start_attempt(client)
    attempt_page = client.get(url).text
    assert "aria-invalid" not in attempt_page, "nothing is marked before the learner submits"

    empty = client.post(url, data={"csrf_token": f._csrf_from(attempt_page)})
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    keys = [q["key"] for q in quiz.questions]
    tags = parse(html).tags
    # Screen readers ignore aria-invalid on a fieldset: the controls carry it, the group keeps the message.
    marked = [attrs for _tag, attrs in tags if attrs.get("aria-invalid") == "true"]
    assert marked and all(tag in ("input", "select", "textarea") for tag, attrs in tags if attrs in marked)
    for key in keys:
        assert [m for m in marked if m["name"] == key], key
        described = [
            attrs for _tag, attrs in tags if f"{key}-error" in attrs.get("aria-describedby", "").split()
        ]
        assert described, key
        assert text_of(html, f"{key}-error") == "Diese Frage ist noch nicht beantwortet."
        # The error summary links to the question's first control.
        [link] = [a["href"] for tag, a in tags if tag == "a" and a.get("href", "").startswith(f"#{key}-")]
        assert [tag for tag, a in tags if a.get("id") == link[1:]] in (["input"], ["select"]), link
    error_title = title(html)

    # One question answered: only the others stay marked.
    first = quiz.questions[0]
    option = first["definition"]["options"][0]["id"] if "options" in first["definition"] else "x"
    partly = client.post(url, data={"csrf_token": f._csrf_from(html), first["key"]: option}).text
    assert f"{first['key']}-error" not in partly and f"{keys[1]}-error" in partly

    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    preview = client.get("/inhalte/testmodul/vorschau/quiz").text
    preview_result = client.post(
        "/inhalte/testmodul/vorschau/quiz", data={"csrf_token": f._csrf_from(preview)}
    ).text
    titles = [start_title, title(attempt_page), error_title, title(preview), title(preview_result)]
    assert titles[0].startswith("Quiz starten") and titles[1].startswith("Quiz beantworten")
    assert titles[2].startswith("Fehler: Quiz beantworten")
    assert len(set(titles)) == len(titles), titles


# --- forms of the authors ----------------------------------------------------------------------------------------


def test_version_comparison_has_a_labelled_kern_select_each(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    html = client.get(f"/inhalte/testmodul/vergleich?von={version.id}&zu={version.id}").text
    form = html.split('class="compare-form"', 1)[1].split("</form>", 1)[0]
    for name, label in (("von", "Von"), ("zu", "Zu")):
        assert f'<label class="kern-label" for="{name}">{label}</label>' in form
        # KERN styles a select only inside its wrapper (WCAG 1.4.11: without it the field has no visible border).
        assert re.search(
            rf'<div class="kern-form-input__select-wrapper"><select class="kern-form-input__select" id="{name}"',
            form,
        )
    # KERN's fieldset body puts the fields under the legend instead of beside it.
    assert 'class="kern-fieldset__body' in form


def test_quiz_publish_form_marks_the_required_note_with_a_quiz_hint(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    opened = client.post(
        "/inhalte/testmodul/quiz/bearbeiten", data={"csrf_token": f.csrf_token(client, "/inhalte")}
    )
    assert opened.status_code == 302
    html = client.get(opened.headers["Location"]).text
    assert "Änderungsnotiz (Pflichtfeld)" in html
    note = element(html, "textarea", id="change_note")
    assert note.get("aria-required") == "true" and "required" in note
    hint = text_of(html, "change_note-hint")
    assert "Quiz" in hint and "Teilnehmenden" not in hint, hint


def test_retiring_and_restoring_a_version_say_what_happened(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    token = f.csrf_token(client, "/inhalte/testmodul/versionen")
    base = f"/inhalte/testmodul/versionen/{version.id}"
    retired = client.post(
        f"{base}/zurueckziehen", data={"csrf_token": token, "reason": "ersetzt"}, follow_redirects=True
    ).text
    assert "Version 1.0 ist zurückgezogen" in retired and "Gespeichert." not in retired
    restored = client.post(f"{base}/wiederherstellen", data={"csrf_token": token}, follow_redirects=True).text
    assert "Version 1.0 ist wiederhergestellt." in restored


# --- Leichte Sprache and DGS on the start pages ------------------------------------------------------------------


def test_both_start_pages_link_leichte_sprache_and_dgs_in_the_main_content(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    login_page = client.get("/anmelden").text
    f.login(client, person.email)
    start = client.get("/", follow_redirects=True).text
    for html in (login_page, start):
        main = html.split("<main", 1)[1].split("</main>", 1)[0]  # not only the footer
        assert 'href="/leichte-sprache"' in main and "Informationen in Leichter Sprache" in main
        assert 'href="/gebaerdensprache"' in main and "Deutscher Gebärdensprache (DGS)" in main
