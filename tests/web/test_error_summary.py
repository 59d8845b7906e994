"""After a failed submission every form page says so (WCAG 3.3.1, 3.3.3, 4.1.3): „Fehler: “ starts the <title>, and
an error summary at the top of <main> (role="alert", focusable, static/js/error-summary.js focuses it) lists each
problem, the problems at fields as links to them (lms/web/problems.py, base.html). Also: the trainer preview's
„Weiter“ says where it goes (2.4.4), the edit pages name what they edit (2.4.2).
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.practice.services import ExampleInput, save_example
from lms.programme.models import ParticipationFormat
from lms.programme.services import OrganisationInput, save_organisation
from lms.workshops.models import SessionKind
from lms.workshops.planning import PlanInput, schedule_session
from lms.workshops.services import SessionInput, record_workshop
from tests import factories as f
from tests.web.test_access_matrix import EXPECTED, ROUTES, build_world, log_in_directly, url_for_rule

EN = {"Accept-Language": "en"}


class _Page(HTMLParser):
    """The title, the ids, the controls marked invalid, and the error summary's links and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids: set[str] = set()
        self.invalid: list[dict[str, str]] = []
        self.summary: dict[str, str] | None = None
        self.links: list[str] = []
        self.summary_text = ""
        self._in_title = False
        self._summary_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if values.get("id"):
            self.ids.add(values["id"])
        if values.get("aria-invalid") == "true":
            self.invalid.append({"tag": tag, **values})
        self._in_title = tag == "title"
        if self._summary_depth and tag not in ("input", "br", "img"):
            self._summary_depth += 1
            if tag == "a":
                self.links.append(values.get("href", ""))
        elif "data-error-summary" in values:
            assert self.summary is None, "one error summary per page"
            self.summary = {"tag": tag, **values}
            self._summary_depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._summary_depth:
            self._summary_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._summary_depth:
            self.summary_text += data


def page(html: str) -> _Page:
    parsed = _Page()
    parsed.feed(html)
    parsed.close()
    parsed.title = re.sub(r"\s+", " ", parsed.title).strip()
    parsed.summary_text = re.sub(r"\s+", " ", parsed.summary_text).strip()
    return parsed


def assert_reports_errors(html: str, *field_ids: str, error: str = "Fehler: ") -> _Page:
    """The page says the submission failed: title, a focusable alert at the top of <main>, links to the fields."""
    shown = page(html)
    assert shown.title.startswith(error), shown.title
    assert shown.summary is not None, "no error summary"
    assert shown.summary["role"] == "alert" and shown.summary["tabindex"] == "-1"
    assert "js/error-summary.js" in html
    main = html.split('<main id="main"', 1)[1]
    assert main.index("data-error-summary") < main.index("<h1"), "the summary comes before the page's heading"
    for link in shown.links:
        assert link.startswith("#") and link[1:] in shown.ids, f"{link} names no element of the page"
    for field_id in field_ids:
        assert f"#{field_id}" in shown.links, (field_id, shown.links)
    return shown


def assert_reports_no_errors(html: str) -> None:
    shown = page(html)
    assert not shown.title.startswith(("Fehler:", "Error:")) and shown.summary is None
    assert "js/error-summary.js" not in html


def post_empty(client, path: str, headers: dict[str, str] | None = None, **data: str):  # type: ignore[no-untyped-def]
    token = f._csrf_from(client.get(path, headers=headers).text)
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


# --- the generic walk ------------------------------------------------------------------------------------------


def test_every_form_page_that_shows_an_error_reports_it(app, db: Session, connection) -> None:  # type: ignore[no-untyped-def]
    """Every POST route of the URL map, sent empty by a person it admits: wherever the answer shows an error at a
    field (aria-invalid), the title starts with „Fehler:“ and the summary links to every marked field; an answer
    without one has neither. The programme office's pages are sent a second time in English."""
    world = build_world(db)
    token_page = "/anmelden"
    reported, checked = [], 0
    for endpoint, rule, method in ROUTES:
        if method != "POST" or rule.startswith("/api/") or endpoint in ("auth.logout",):
            continue
        admitted = sorted(EXPECTED[endpoint])
        if not admitted:
            continue
        actors = ["admin"] if "admin" in admitted else admitted[:1]
        for actor in actors:
            for headers in ({}, EN) if actor == "admin" else ({},):
                attempt = connection.begin_nested()
                client = app.test_client()
                if actor != "anonymous":
                    log_in_directly(app, client, world.people[actor])
                token = f.csrf_token(client, token_page)
                response = client.post(
                    url_for_rule(endpoint, rule, world.args),
                    data={"csrf_token": token},
                    headers={"X-CSRFToken": token, **headers},
                )
                html = response.get_data(as_text=True)
                is_page = response.mimetype == "text/html" and response.status_code < 500
                response.close()
                attempt.rollback()
                if not is_page or response.status_code in (301, 302, 303):
                    continue
                checked += 1
                shown = page(html)
                error = "Error: " if headers else "Fehler: "
                if shown.invalid or shown.summary is not None:
                    assert_reports_errors(html, error=error)
                    linked = {link[1:] for link in shown.links}
                    for control in shown.invalid:
                        # A group's controls share a name; the summary links to its first.
                        group = {c["id"] for c in shown.invalid if c.get("name") == control.get("name")}
                        assert control["id"] in linked or group & linked, (rule, control, shown.links)
                    reported.append(f"{rule} {error}")
                elif not shown.title.startswith(("Fehler ", "Error ")):  # the error page's „Fehler 400“
                    assert_reports_no_errors(html)
    assert checked > 60, checked
    # The walk meets the failed forms of every family (auth, orgs, workshops, content, programme, …).
    assert len(reported) >= 30, reported


# --- one page per family, German and English -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "error", "heading"),
    [({}, "Fehler: ", "Bitte prüfen Sie Ihre Angaben"), (EN, "Error: ", "Please check what you entered")],
)
def test_forgotten_password_reports_the_empty_address(client, headers, error, heading) -> None:  # type: ignore[no-untyped-def]
    response = post_empty(client, "/passwort-vergessen", headers=headers)
    assert response.status_code in (400, 422)
    shown = assert_reports_errors(response.text, "email", error=error)
    assert shown.summary_text.startswith(heading)
    assert_reports_no_errors(client.get("/passwort-vergessen", headers=headers).text)


def test_changing_the_password_links_each_refused_field(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    response = post_empty(client, "/profil/passwort")
    shown = assert_reports_errors(response.text)
    assert shown.links and all(link[1:] in {c["id"] for c in shown.invalid} for link in shown.links)
    # A wrong current password is the view's own message: said once, at its field and in the summary.
    wrong = post_empty(
        client,
        "/profil/passwort",
        current="falsch-falsch-falsch",
        password="ganz-neues-Passwort-1",
        confirmation="ganz-neues-Passwort-1",
    )
    assert_reports_errors(wrong.text)


def test_a_refused_participation_code_is_reported_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    response = post_empty(client, "/nachweise/einloesen", code="ABCD-EFGH-JKLM")
    shown = assert_reports_errors(response.text, "code")
    assert shown.links == ["#code"], "the view's message and the field's are one problem"
    english = post_empty(client, "/nachweise/einloesen", headers=EN, code="")
    assert_reports_errors(english.text, "code", error="Error: ")


def test_staff_and_organisation_forms_of_a_municipality(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    staff = post_empty(client, f"/kommunen/{town.slug}/beschaeftigte/neu")
    assert_reports_errors(staff.text, "email")
    organisation = post_empty(client, f"/kommunen/{town.slug}/organisationen/neu")
    assert_reports_errors(organisation.text, "name")
    assert_reports_errors(
        post_empty(client, f"/kommunen/{town.slug}/organisationen/neu", headers=EN).text,
        "name",
        error="Error: ",
    )


def test_planning_and_recording_sessions_list_the_fields_and_the_services_refusals(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    f.period(db)
    f.workshop_script(db)
    # The coordination plans trainings and records both kinds for its municipality.
    planner = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    f.login(client, planner.email)
    for path in ("/termine/neu/schulung", "/veranstaltungen/neu/workshop", "/veranstaltungen/neu/schulung"):
        response = post_empty(client, path)
        assert response.status_code == 400, path
        assert_reports_errors(response.text, "held_on")
    # A date the service refuses (far in the past) is no field's error: it is listed in words.
    long_ago = (clock.today() - timedelta(days=3650)).isoformat()
    refused = post_empty(
        client,
        "/termine/neu/schulung",
        held_on=long_ago,
        starts_at="10:00",
        ends_at="12:00",
        place="Rathaus",
        capacity="10",
    )
    if refused.status_code == 400:
        assert_reports_errors(refused.text)


def test_practice_examples_and_the_barrier_report(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, coordinator.email)
    assert_reports_errors(post_empty(client, "/praxisbeispiele/neu").text, "title")
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    report = post_empty(client, "/barrierefreiheit/melden")
    shown = assert_reports_errors(report.text, "description")
    assert shown.summary_text.count("Bitte prüfen Sie") == 1, "one summary, not the page's own as well"


def test_the_login_page_keeps_its_error_title_and_uses_the_shared_summary(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    wrong = f.login(client, person.email, "ganz-falsches-Passwort")
    shown = assert_reports_errors(wrong.get_data(as_text=True), "password")
    assert shown.title.startswith("Fehler: Anmelden") and "Fehler: Fehler" not in shown.title


def test_an_error_page_is_no_failed_form(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    refused = client.post("/profil/passwort", data={})  # no CSRF token: the 400 page
    assert refused.status_code == 400
    shown = page(refused.text)
    assert shown.summary is None and shown.title.startswith("Fehler 400")


# --- B: the preview's „Weiter“, C: edit pages name what they edit ------------------------------------------------


def test_the_trainer_preview_says_where_weiter_goes(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    start = client.get(f"/inhalte/{version.module.slug}/vorschau").text
    first = version.sections[0].title if hasattr(version, "sections") else None
    match = re.search(
        r'rel="next"><span class="kern-label">Weiter<span class="kern-sr-only">: <span lang="de">([^<]+)</span>',
        start,
    )
    assert match, "the start page's „Weiter“ names the first section"
    if first:
        assert match.group(1) == first
    second = client.get(f"/inhalte/{version.module.slug}/vorschau?abschnitt=1").text
    assert re.search(r'rel="prev"><span class="kern-label">Zurück<span class="kern-sr-only">: ', second)


def test_edit_pages_name_what_they_edit(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    period = f.period(db)
    script = f.workshop_script(db)
    admin = f.user(db, Role.ADMIN)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    organisation = save_organisation(
        db,
        admin,
        town,
        OrganisationInput("Verein Brücke", "Stadt", ParticipationFormat.SURVEY, period.id, may_be_named=True),
    )
    example = save_example(
        db, coordinator, ExampleInput("Tandem-Hospitation", "Zwei Ämter besuchen sich.", None, None, None)
    )
    planned = schedule_session(
        db,
        facilitator,
        PlanInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=clock.today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(12),
            place="Stadthaus",
            capacity=10,
            facilitator_ids=frozenset({facilitator.id}),
        ),
    )
    held = record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=min(clock.today(), period.ends_on) - timedelta(days=1),
            place="Rathaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=8,
        ),
    ).session
    f.login(client, admin.email)
    shown = page(client.get(f"/kommunen/{town.slug}/organisationen/{organisation.id}").text)
    assert shown.title.startswith("Organisation „Verein Brücke“ bearbeiten")
    f.login(client, coordinator.email)
    assert page(client.get(f"/praxisbeispiele/{example.id}/bearbeiten").text).title.startswith(
        "Praxisbeispiel „Tandem-Hospitation“ bearbeiten"
    )
    f.login(client, facilitator.email)
    change = page(client.get(f"/termine/{planned.id}/bearbeiten").text).title
    assert change.startswith(f"Termin ändern: {script.title}, "), change
    correct = page(client.get(f"/veranstaltungen/{held.id}/korrigieren").text).title
    assert correct.startswith(f"Veranstaltung korrigieren: {script.title}, "), correct
