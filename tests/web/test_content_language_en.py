"""WCAG 3.1.2 (language of parts), the staff's side: a coordinator, trainer or the programme office whose profile
language is English reads module and document titles, the „Als Nächstes“ list, previews, evaluation free texts and
consultation comments inside an element marked `lang="de"` (the German content amid the English interface)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.authoring.publishing import publish_module
from lms.content.modules import parse_module
from lms.documents.services import add_comment
from lms.evaluation.models import Phase
from lms.evaluation.parse import parse_survey
from lms.evaluation.services import publish_survey, submit_answers
from lms.orgs.periods import current_period
from lms.progress.models import Completion
from tests import factories as f
from tests import factories_documents as fd
from tests.integration.evaluation.conftest import SURVEY
from tests.web.test_compliance_pages import programme
from tests.web.test_content_language import _lang_of

#: A day inside the programme year 2026 that `programme` fills (as in test_compliance_pages).
TODAY = date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _during_the_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


def _speaks_english(db: Session, person: User) -> User:
    """The person's profile language is English: the interface follows it without any Accept-Language."""
    person.locale = "en"
    db.flush()
    return person


def _switch(client, person: User) -> None:  # type: ignore[no-untyped-def]
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, person.email)


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert '<html lang="en"' in response.text, url
    return response.text


def _post(client, url: str, **fields: object):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": f.csrf_token(client, url), **fields})


def test_coordinator_pages_mark_module_titles_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = programme(db)  # modules „Grundbegriffe“ and „Rassismus erkennen“, staff who completed them
    coordinator = _speaks_english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    f.login(client, coordinator.email)
    base = f"/kommunen/{town.slug}"

    plan_url = f"{base}/schulungsplan"
    plan_form = _page(client, plan_url)
    assert _lang_of(plan_form, "Rassismus erkennen") == {"de"}  # the <option> of the module select
    first = db.query(Completion).filter(Completion.mode == "online").first()
    assert first is not None
    planned = _post(
        client, plan_url, module_id=first.module_id, due_on=current_period(db).ends_on.isoformat()
    )
    assert planned.status_code == 303, planned.text
    plan = _page(client, plan_url)
    assert _lang_of(plan, "Grundbegriffe") == {"de"}  # table header and option

    dashboard = _page(client, base)
    assert _lang_of(dashboard, "Grundbegriffe") == {"de"}  # „Als Nächstes“ and the modules table
    assert _lang_of(dashboard, "Rassismus erkennen") == {"de"}
    assert _lang_of(dashboard, "Empowerment im Test") == {"de"}  # the workshop's script
    assert _lang_of(dashboard, "Next") == {"en"}  # the list's heading stays English

    units = _page(client, f"{base}/einheiten")
    assert _lang_of(units, "Grundbegriffe") == {"de"} and _lang_of(units, "Rassismus erkennen") == {"de"}

    person = _page(client, f"{base}/beschaeftigte/{first.user_id}")
    assert _lang_of(person, "Grundbegriffe") == {"de"}  # planned and finished modules

    open_items = _page(client, f"{base}/offen")
    assert _lang_of(open_items, "Grundbegriffe") == {"de"}  # the filter's <option> and the table

    certificates = _page(client, f"{base}/zertifikate")
    assert _lang_of(certificates, "Grundbegriffe") == {"de"}  # the module select


def test_planned_session_heading_marks_only_the_module_title(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    module = f.training_module(db, "planung-en", "Kommunikation im Bürgerkontakt")
    coordinator = _speaks_english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    f.login(client, coordinator.email)
    form = _page(client, "/termine/neu/schulung")
    assert _lang_of(form, "Kommunikation im Bürgerkontakt") == {"de"}  # the <option>
    saved = _post(
        client,
        "/termine/neu/schulung",
        module_version_id=module.id,
        held_on=(clock.today() + timedelta(days=2)).isoformat(),
        starts_at="09:00",
        ends_at="12:00",
        place="Kreishaus, Saal 1",
        capacity="10",
        facilitator_ids=coordinator.id,
    )
    assert saved.status_code == 303, saved.text
    page = _page(client, saved.headers["Location"])
    assert _lang_of(page, "Kommunikation im Bürgerkontakt") == {"de"}
    assert _lang_of(page, "Training:") == {"en"}  # the heading's own word stays English


def test_previews_mark_heading_contents_audience_and_materials(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    script = f.workshop_source().replace(
        "language: de\n", 'materials:\n  - "Moderationskarten"\nlanguage: de\n'
    )
    f.training_module(db, "platzhalter")  # another module, so the preview's lists are not the only ones
    version, problem = publish_module(
        db,
        parse_module(script, "modules/empowerment-test.md"),
        path="modules/empowerment-test.md",
        actor_id=None,
    )
    assert problem is None and version is not None
    trainer = _speaks_english(db, f.user(db, Role.TRAINER))
    f.login(client, trainer.email)
    preview = _page(client, "/inhalte/testmodul/vorschau")
    assert _lang_of(preview, "Testmodul") == {"de"}  # heading
    assert _lang_of(preview, "Alle Beschäftigten") == {"de"}  # audience
    assert _lang_of(preview, "Zweiter Abschnitt") == {"de"}  # contents
    assert _lang_of(preview, "Learning objectives") == {"en"}

    _switch(client, _speaks_english(db, f.user(db, Role.ADMIN)))
    workshop = _page(client, "/inhalte/empowerment-test/vorschau")
    assert _lang_of(workshop, "Moderationskarten") == {"de"}  # materials
    assert _lang_of(workshop, "Netzwerk der Beschäftigten mit Migrationsgeschichte") == {"de"}
    assert _lang_of(workshop, "Ankommen") == {"de"}


def test_quiz_statistics_heading_is_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    f.login(client, _speaks_english(db, f.user(db, Role.TRAINER)).email)
    statistics = _page(client, "/inhalte/testmodul/quiz/statistik")
    assert _lang_of(statistics, "Testmodul") == {"de"}


def test_evaluation_marks_free_texts_and_the_caption(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    town = f.municipality(db, "Kommune A")
    for n, person in enumerate(f.staff_member(db, town.id) for _ in range(5)):
        submit_answers(
            db, b"s" * 32, person, version, Phase.PRE, {"i1": "3", "i3": f"Freitext {n}"}, clock.today()
        )
    coordinator = _speaks_english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    f.login(client, coordinator.email)
    page = _page(client, f"/kommunen/{town.slug}/evaluation")
    assert _lang_of(page, "Freitext 0") == {"de"}
    assert _lang_of(page, "Testmodul") == {"de"}  # the group's heading and the caption
    assert _lang_of(page, "Means per statement:") == {"en"}


def test_documents_list_and_consultation_comments_are_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db, "Stadt Nord")
    version = fd.published_document(db)
    consultation = fd.open_window(db, version)
    coordinator = _speaks_english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    add_comment(db, coordinator, consultation, version.sections[1].id, "Genauer, bitte.", show_name=False)
    f.login(client, coordinator.email)
    listing = _page(client, "/dokumente")
    assert _lang_of(listing, "Arbeitsdefinition (Test)") == {"de"}
    assert _lang_of(listing, "Ein Dokument für Tests.") == {"de"}
    own = _page(client, f"/dokumente/{fd.SLUG}/versionen/1")
    assert _lang_of(own, "Genauer, bitte.") == {"de"}

    _switch(client, _speaks_english(db, f.user(db, Role.ADMIN)))
    listing = _page(client, "/dokumente")
    assert _lang_of(listing, "Arbeitsdefinition (Test)") == {"de"}
    office = _page(client, f"/dokumente/{fd.SLUG}/konsultation")
    assert _lang_of(office, "Genauer, bitte.") == {"de"}
    assert _lang_of(office, "Arbeitsdefinition (Test)") == {"de"}  # breadcrumb and preline
    assert _lang_of(office, "Bezug zu ICERD Art. 1") == {"de"}  # the section a comment is about


def test_the_self_assessment_marks_its_questions_german_for_an_english_reader(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    learner = _speaks_english(db, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id))
    f.login(client, learner.email)
    page = _page(client, f"/module/testmodul/selbsteinschaetzung/{version.id}/vorher")
    assert _lang_of(page, "Kurze Selbsteinschätzung.") == {"de"}  # the introduction
    assert _lang_of(page, "Wie sicher fühlen Sie sich?") == {"de"}  # the question
    assert _lang_of(page, "Ich kenne den Beschwerdeweg nach § 13 AGG.") == {"de"}  # a statement
    assert _lang_of(page, "Testmodul") == {"de"}  # the module's title
    assert _lang_of(page, "Skip") == {"en"}  # the interface
