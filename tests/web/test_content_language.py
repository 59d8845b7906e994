"""WCAG 3.1.2 (language of parts): in the English interface, the German content people read — module text, quiz
questions, change notes, documents, practice examples — sits inside an element marked `lang="de"`, so a screen reader
switches to a German voice for it and back to English for the interface around it."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.content.models import ModuleVersion
from lms.content.services.lifecycle import retire_module
from tests import factories as f
from tests import factories_documents as fd
from tests.web.test_quiz_liascript_types import QUIZ

EN = {"Accept-Language": "en"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Languages(HTMLParser):
    """Collects every text node with the language in effect where it stands (the nearest `lang` attribute)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        lang = dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")
        self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        # The document <title> has no parts of its own; it takes the page's language.
        if data.strip() and not (self.stack and self.stack[-1][0] == "title"):
            self.texts.append((" ".join(data.split()), self.stack[-1][1] if self.stack else ""))


def _lang_of(page: str, text: str) -> set[str]:
    """The languages in effect for every text node that contains `text` (it must occur)."""
    parser = _Languages()
    parser.feed(page)
    found = {lang for data, lang in parser.texts if text in data}
    assert found, f"{text!r} not on the page"
    return found


def _english(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, headers=EN)
    assert response.status_code == 200, (url, response.status_code)
    assert '<html lang="en"' in response.text
    return response.text


def test_learner_pages_mark_module_and_quiz_text_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, QUIZ)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)

    my_modules = _english(client, "/module")
    assert _lang_of(my_modules, "Testmodul") == {"de"} and _lang_of(my_modules, "Ein Modul für Tests.") == {
        "de"
    }

    overview = _english(client, "/module/testmodul")
    assert _lang_of(overview, "Ein Modul für Tests.") == {"de"}  # summary
    assert _lang_of(overview, "Art. 3 Abs. 3 GG kennen") == {"de"}  # objectives
    assert _lang_of(overview, "Einleitung.") == {"de"}  # text before the first section
    assert _lang_of(overview, "Learning objectives") == {"en"}  # the interface stays English

    section = _english(client, "/module/testmodul/abschnitt/2")
    assert _lang_of(section, "Das AGG schützt Beschäftigte.") == {"de"}
    assert _lang_of(section, "Zweiter Abschnitt") == {"de"}  # heading and table of contents
    assert _lang_of(section, "Dritter Abschnitt") == {"de"}  # "Next: …" and the table of contents

    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    attempt_url = start.headers["Location"]
    attempt = _english(client, attempt_url)
    assert _lang_of(attempt, "Welche Rechtsquelle regelt was?") == {"de"}  # question title
    assert _lang_of(attempt, "Gleichheit vor dem Gesetz") == {"de"}  # matrix row
    assert _lang_of(attempt, "Landesrecht") == {"de"}  # matrix column
    assert _lang_of(attempt, "nach §") == {"de"}  # the sentence around the gaps
    assert _lang_of(attempt, "zwei Monaten") == {"de"}  # an option of the gap's select
    assert _lang_of(attempt, "Gap 1: please choose") == {
        "en"
    }  # the interface's own words inside the sentence
    assert _lang_of(attempt, "Die Widerspruchsbehörde") == {"de"}  # a choice
    assert _lang_of(attempt, "Vier-Augen-Prinzip") == {"de"}  # a hint
    assert _lang_of(attempt, "Submit answers") == {"en"}

    answers = {"q1~a": "b", "q1~b": "a", "q1~c": ["a", "b"], "q2~g1": "b", "q2~g2": "15", "q3": "b"}
    done = client.post(attempt_url, data={"csrf_token": f._csrf_from(attempt), **answers})
    result = _english(client, done.headers["Location"])
    assert _lang_of(result, "Welche Rechtsquelle regelt was?") == {"de"}
    assert _lang_of(result, "Entschädigung im Arbeitsleben") == {"de"}  # matrix row in the result
    assert _lang_of(result, "Die Widerspruchsbehörde") == {"de"}  # choice in the result
    assert _lang_of(result, "§ 15 Abs. 4 AGG.") == {"de"}  # explanation

    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, f.user(db, Role.TRAINER).email)
    statistics = _english(client, "/inhalte/testmodul/quiz/statistik")
    assert _lang_of(statistics, "Testmodul") == {"de"}
    assert _lang_of(statistics, "Welche Rechtsquelle regelt was?") == {
        "de"
    }  # table and the question's heading


def test_retired_module_read_only_pages_mark_german_text(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    token = f._csrf_from(client.get(start.headers["Location"]).text)
    client.post(start.headers["Location"], data={"csrf_token": token, **f.CORRECT_ANSWERS})
    retire_module(db, f.user(db, Role.TRAINER, email="t@example.org"), version.module, "veraltet")
    db.flush()
    section = _english(client, "/module/testmodul/abschnitt/1")
    assert _lang_of(section, "Art. 3 Abs. 3 GG verbietet Benachteiligungen.") == {"de"}
    assert _lang_of(section, "Retired") == {"en"}


def test_history_and_comparison_mark_german_text_and_notes(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_module(db, f.module_source(version="1.1").replace("Einleitung.", "Einführung."))
    db.execute(
        ModuleVersion.__table__.update()
        .where(ModuleVersion.version_label == "1.1")
        .values(change_note="Wort geändert")
    )
    f.login(client, f.user(db, Role.TRAINER).email)
    manage = _english(client, "/inhalte")  # the list's links and their screen-reader names (a QA sweep)
    assert _lang_of(manage, "Testmodul") == {"de"}
    history = _english(client, "/inhalte/testmodul/versionen")
    assert _lang_of(history, "Testmodul") == {"de"}
    assert _lang_of(history, "Wort geändert") == {"de"}
    old, new = db.scalars(select(ModuleVersion.id).order_by(ModuleVersion.id)).all()
    compare = _english(client, f"/inhalte/testmodul/vergleich?von={old}&zu={new}")
    assert _lang_of(compare, "Wort geändert") == {"de"}
    assert _lang_of(compare, "Einführung") == {"de"} and _lang_of(compare, "Einleitung") == {"de"}
    assert _lang_of(compare, "Compare") == {"en"}


def test_documents_and_practice_examples_mark_german_text(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Nord")
    fd.open_window(db, fd.published_document(db))
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    document = _english(client, f"/dokumente/{fd.SLUG}")
    assert _lang_of(document, "Arbeitsdefinition (Test)") == {"de"}
    assert _lang_of(document, "Ein Dokument für Tests.") == {"de"}
    assert _lang_of(document, "Wozu die Definition dient.") == {"de"}
    # Section heading, table of contents, and the comment field's label „Your comment on “…”“ (a QA sweep).
    assert "Your comment on" in document and _lang_of(document, "Bezug zum AGG") == {"de"}

    url = "/praxisbeispiele/neu"
    shared = client.post(
        url,
        data={"csrf_token": f.csrf_token(client, url), "module_id": "0", "title": "Hospitation im Bürgerbüro",
              "body": "Zwei Teams besuchen sich."},
    )  # fmt: skip
    assert shared.status_code == 303, shared.text
    client.get(
        "/profil"
    )  # takes the confirmation („… ist gespeichert.“), which quotes the title in a sentence
    listing = _english(client, "/praxisbeispiele")
    assert _lang_of(listing, "Hospitation im Bürgerbüro") == {"de"}
    example = _english(client, shared.headers["Location"])
    assert _lang_of(example, "Hospitation im Bürgerbüro") == {"de"}
    assert _lang_of(example, "Zwei Teams besuchen sich.") == {"de"}


def test_an_english_modules_quiz_is_marked_english_in_the_german_interface(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The quiz's texts were marked „de“ whatever the module's language: an English quiz read with a German voice."""
    f.published_module(db, f.module_source().replace("language: de", "language: en"))
    f.published_quiz(db, QUIZ)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    start_page = client.get("/module/testmodul/quiz").text
    start = client.post("/module/testmodul/quiz", data={"csrf_token": f._csrf_from(start_page)})
    attempt = client.get(start.headers["Location"]).text
    assert '<html lang="de"' in attempt
    assert _lang_of(attempt, "Welche Rechtsquelle regelt was?") == {"en"}  # the quiz's own text
    assert _lang_of(attempt, "Die Widerspruchsbehörde") == {"en"}
    assert _lang_of(attempt, "Antworten abgeben") == {"de"}  # the interface around it


def test_certificates_and_a_date_being_changed_mark_the_module_title_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """„Meine Nachweise“ (its table and the links' names for screen readers) and the heading of a planned date being
    changed read a German module title with an English voice (a QA sweep)."""
    version = f.published_module(db)
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    f.completion(db, coordinator, version)
    f.login(client, coordinator.email)
    completions = _english(client, "/nachweise")
    assert _lang_of(completions, "Testmodul") == {"de"}
    url = "/termine/neu/schulung"
    planned = client.post(
        url,
        data={"csrf_token": f.csrf_token(client, url), "module_version_id": version.id, "held_on": "2030-05-06",
              "starts_at": "09:00", "ends_at": "12:00", "place": "Rathaus", "capacity": "10",
              "facilitator_ids": coordinator.id},
    )  # fmt: skip
    assert planned.status_code == 303, planned.text
    editing = _english(client, planned.headers["Location"] + "/bearbeiten")
    assert _lang_of(editing, "Testmodul") == {"de"} and "Change the date" in editing


def test_period_names_are_marked_german_in_the_english_interface(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """„Programmjahr 2026“ in headings, captions, sublines and the period pickers' options read with an English
    voice (a QA sweep); the German interface keeps its markup."""
    town = f.municipality(db)
    chosen = f"?zeitraum={f.period(db).id}"  # whatever day the clock says
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    for path in (
        f"/kommunen/{town.slug}",
        f"/kommunen/{town.slug}/zertifikate",
        f"/kommunen/{town.slug}/offen",
    ):
        assert _lang_of(_english(client, path + chosen), "Programmjahr 2026") == {"de"}, path
    german = client.get(f"/kommunen/{town.slug}{chosen}", headers={"Accept-Language": "de"}).text
    assert "Nachweis Programmjahr 2026</h1>" in german
    office = f.user(db, Role.ADMIN)
    f.login(client, office.email)
    assert _lang_of(_english(client, "/programmbuero" + chosen), "Programmjahr 2026") == {"de"}
