"""Hostile and broken input gets a clear 4xx in the reader's language, never a 500 (the edge validation layer)."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import ApiToken, Role
from lms.auth.services import create_api_token
from lms.orgs.models import OrgUnit
from tests import factories as f

HOSTILE_NAME = '<meta http-equiv="refresh" content="0;url=https://evil.example">'


def _coordinator(client: FlaskClient, db: Session):  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    person = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, person.email)
    return town, person


@pytest.mark.parametrize("value", ["²", "-1", "1e25", "9" * 30, "0x10", "２"])
def test_period_parameter_that_is_no_number_is_a_400_with_a_german_message(
    client: FlaskClient, db: Session, value: str
) -> None:
    town, _person = _coordinator(client, db)
    page = client.get(f"/kommunen/{town.slug}", query_string={"zeitraum": value})
    assert page.status_code == 400
    assert "Der Parameter „zeitraum“ muss eine ganze Zahl sein." in page.text


def test_an_unknown_period_is_a_404_and_a_known_one_is_shown(client: FlaskClient, db: Session) -> None:
    town, _person = _coordinator(client, db)
    assert client.get(f"/kommunen/{town.slug}", query_string={"zeitraum": "2147483647"}).status_code == 404
    assert client.get(f"/kommunen/{town.slug}", query_string={"zeitraum": f.period(db).id}).status_code == 200


@pytest.mark.parametrize(("name", "value"), [("seite", "²"), ("einheit", "²"), ("seite", "1" * 40)])
def test_staff_list_filters_refuse_what_is_no_number(
    client: FlaskClient, db: Session, name: str, value: str
) -> None:
    town, _person = _coordinator(client, db)
    page = client.get(f"/kommunen/{town.slug}/beschaeftigte", query_string={name: value})
    assert page.status_code == 400 and f"„{name}“" in page.text
    assert client.get(f"/kommunen/{town.slug}/beschaeftigte", query_string={name: "1"}).status_code == 200


def test_the_message_is_english_for_english_users(client: FlaskClient, db: Session) -> None:
    town, _person = _coordinator(client, db)
    client.post("/profil/sprache", data={"csrf_token": f.csrf_token(client), "locale": "en"})
    page = client.get(f"/kommunen/{town.slug}", query_string={"zeitraum": "²"})
    assert page.status_code == 400
    assert "The parameter “zeitraum” must be a whole number." in page.text


def test_audit_log_page_number_too_big_for_the_database(client: FlaskClient, db: Session) -> None:
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    assert client.get("/inhalte/protokoll", query_string={"seite": "1e25"}).status_code == 400
    assert client.get("/inhalte/protokoll", query_string={"seite": "9" * 25}).status_code == 400
    assert client.get("/inhalte/protokoll", query_string={"seite": "2"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/attempts/2147483648", "/api/v1/attempts/99999999999999999999"])
def test_ids_beyond_the_database_integer_are_404_in_json(client: FlaskClient, db: Session, path: str) -> None:
    person = f.user(db, Role.LEARNER)
    _row, secret = create_api_token(db, person, "Test")
    answer = client.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 404 and answer.json["error"]["status"] == 404


def test_ids_beyond_the_database_integer_on_pages_are_404(client: FlaskClient, db: Session) -> None:
    _town, _person = _coordinator(client, db)
    assert client.get("/veranstaltungen/2147483648").status_code == 404
    assert client.get("/versuche/2147483648").status_code == 404


def test_nul_byte_in_a_form_field_is_refused_and_nothing_is_saved(client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    answer = client.post("/profil", data={"csrf_token": f.csrf_token(client), "name": "Personal\x00system"})
    assert answer.status_code == 422
    assert "Die Eingabe enthält unzulässige Steuerzeichen." in answer.text
    assert db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == person.id)) == 0


def _hidden_fields(page: str) -> dict[str, str]:
    form = next(part for part in page.split("<form ") if "Ohne diese Zeichen senden" in part)
    return dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form))


def test_text_with_a_control_character_can_be_sent_again_without_it(client: FlaskClient, db: Session) -> None:
    """Text copied from a PDF brings a form feed along: the 422 keeps what was typed and offers the same form
    without it (before, the input was lost: going back shows an empty form, the pages are no-store)."""
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    answer = client.post(
        "/profil",
        data={"csrf_token": f.csrf_token(client), "name": "Personal\x0csystem"},
        headers={"Referer": "http://localhost/profil"},
    )
    assert answer.status_code == 422 and "Die Eingabe enthält unzulässige Steuerzeichen." in answer.text
    assert db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == person.id)) == 0
    assert 'action="/profil"' in answer.text and "Ohne diese Zeichen senden" in answer.text
    assert ">Personalsystem</textarea>" in answer.text and 'href="/profil">Zurück zum Formular' in answer.text
    fields = _hidden_fields(answer.text)
    assert fields["name"] == "Personalsystem" and fields["csrf_token"]
    again = client.post("/profil", data=fields)
    assert again.status_code in (200, 302)
    assert db.scalar(select(ApiToken.name).where(ApiToken.user_id == person.id)) == "Personalsystem"


def test_a_form_with_a_password_is_not_offered_again(client: FlaskClient) -> None:
    page = client.get("/anmelden")
    token = page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/anmelden",
        data={"csrf_token": token, "email": "a\x0b@b.example", "password": "geheim-geheim-1"},
        headers={"Referer": "https://evil.example/anmelden"},
    )
    assert answer.status_code == 422 and "unzulässige Steuerzeichen" in answer.text
    assert "geheim-geheim-1" not in answer.text and "Ohne diese Zeichen senden" not in answer.text
    assert "evil.example" not in answer.text  # the link back leads only to this site


def test_nul_byte_in_the_login_email_is_a_422_not_a_500(client: FlaskClient) -> None:
    page = client.get("/anmelden")
    token = page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/anmelden", data={"csrf_token": token, "email": "a\x00@b.example", "password": "x" * 12}
    )
    assert answer.status_code == 422


def test_nul_byte_in_the_path_or_query_is_refused(client: FlaskClient, db: Session) -> None:
    town, _person = _coordinator(client, db)
    assert client.get(f"/kommunen/{town.slug}%00").status_code == 400
    assert client.get(f"/kommunen/{town.slug}/beschaeftigte?suche=a%00b").status_code == 400


def test_an_overlong_login_email_is_refused_with_a_message(client: FlaskClient) -> None:
    page = client.get("/anmelden")
    token = page.text.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/anmelden", data={"csrf_token": token, "email": "a" * 300 + "@kommune.example", "password": "x" * 12}
    )
    assert answer.status_code == 400
    assert "Eine E-Mail-Adresse hat höchstens 254 Zeichen." in answer.text


def test_deeply_nested_json_is_a_400_in_json(client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    _row, secret = create_api_token(db, person, "Test")
    body = "[" * 5000 + "]" * 5000
    answer = client.post(
        "/api/v1/modules/testmodul/attempts",
        data=body,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json["error"]["message"] == "Die JSON-Daten sind zu tief verschachtelt."


def test_nul_in_a_json_string_is_refused(client: FlaskClient, db: Session) -> None:
    person = f.user(db, Role.LEARNER)
    _row, secret = create_api_token(db, person, "Test")
    answer = client.post(
        "/api/v1/attempts/1/submit",
        data=json.dumps({"responses": {"q1": "a\u0000"}}),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and "Steuerzeichen" in answer.json["error"]["message"]


def test_a_405_names_the_allowed_methods(client: FlaskClient) -> None:
    answer = client.delete("/anmelden")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize(
    "back", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_back_after_a_staff_action_never_leaves_the_site(client: FlaskClient, db: Session, back: str) -> None:
    town, _person = _coordinator(client, db)
    person = f.staff_member(db, town.id)
    token = f.csrf_token(client, f"/kommunen/{town.slug}/beschaeftigte")
    answer = client.post(
        f"/kommunen/{town.slug}/beschaeftigte/{person.id}/deaktivieren",
        data={"csrf_token": token, "back": back},
    )
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/kommunen/{town.slug}/beschaeftigte"


def test_back_to_a_page_of_the_site_is_kept(client: FlaskClient, db: Session) -> None:
    town, _person = _coordinator(client, db)
    person = f.staff_member(db, town.id)
    token = f.csrf_token(client, f"/kommunen/{town.slug}/beschaeftigte")
    back = f"/kommunen/{town.slug}/beschaeftigte?seite=2"
    answer = client.post(
        f"/kommunen/{town.slug}/beschaeftigte/{person.id}/deaktivieren",
        data={"csrf_token": token, "back": back},
    )
    assert answer.headers["Location"] == back


def test_an_org_unit_name_with_markup_is_shown_as_text_on_the_dashboard(
    client: FlaskClient, db: Session
) -> None:
    town, _person = _coordinator(client, db)
    unit = OrgUnit(municipality_id=town.id, name=HOSTILE_NAME)
    db.add(unit)
    db.flush()
    for _n in range(6):
        f.staff_member(db, town.id).org_unit_id = unit.id
    db.flush()
    page = client.get(f"/kommunen/{town.slug}").text
    assert "<meta http-equiv" not in page
    assert (
        "&lt;meta http-equiv=&#34;refresh&#34;" in page or "&lt;meta http-equiv=&quot;refresh&quot;" in page
    )


def test_certificate_export_to_the_last_representable_day_is_no_500(client: FlaskClient, db: Session) -> None:
    town, _person = _coordinator(client, db)
    path = f"/kommunen/{town.slug}/zertifikate"
    page = client.get(path)
    assert page.status_code == 200
    answer = client.post(
        path,
        data={
            "csrf_token": f.csrf_token(client, path),
            "starts_on": "2026-01-01",
            "ends_on": "9999-12-31",
            "format": "zip",
        },
    )
    assert answer.status_code < 500


def test_the_label_filter_translates_but_never_marks_safe(app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        template = app.jinja_env.from_string("{{ text | label }}")
        assert template.render(text="Lernende") == "Learner"
        assert template.render(text=HOSTILE_NAME).startswith("&lt;meta")


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "abc"])
def test_a_planned_session_that_cannot_exist_is_a_404_not_a_500(
    client: FlaskClient, db: Session, value: str
) -> None:
    """The attendance form of a planned workshop: ?termin= (the link) and the hidden field (a forged form)."""
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id)
    f.login(client, facilitator.email)
    url = "/veranstaltungen/neu/workshop"
    assert client.get(url, query_string={"termin": value}).status_code == 404
    forged = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, url),
            "planned_id": value,
            "municipality_id": town.id,
            "module_version_id": script.id,
            "held_on": "2026-03-02",
            "place": "Stadthaus",
            "facilitator_ids": facilitator.id,
            "participant_count": "7",
        },
    )
    assert forged.status_code == 404
    assert client.get(url).status_code == 200  # without a planned session, the form is there


def test_bulk_action_skips_person_ids_that_are_no_database_number(client: FlaskClient, db: Session) -> None:
    town = f.municipality(db)
    me = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, me.email)
    colleague = f.staff_member(db, town.id, name="Mira Colleague")
    page = f"/kommunen/{town.slug}/beschaeftigte"
    done = client.post(
        page + "/sammelaktion",
        data={
            "csrf_token": f.csrf_token(client, page),
            "aktion": "deaktivieren",
            "person": ["²", "9" * 30, str(colleague.id)],
        },
    )
    # The one real id counts (one person is deactivated without asking); the others are no id, not a 500.
    assert done.status_code == 303
    db.refresh(colleague)
    assert not colleague.is_active


def test_a_forged_municipality_in_the_hidden_field_is_named_and_the_form_kept(
    client: FlaskClient, db: Session
) -> None:
    """The workshop form of someone in one municipality carries it in a hidden field; a forged one was refused
    with a 400 and no visible message (found by a QA sweep)."""
    town, elsewhere = f.municipality(db), f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, Role.LEARNER, municipality_id=town.id)
    f.login(client, facilitator.email)
    url = "/veranstaltungen/neu/workshop"
    refused = client.post(
        url,
        data={
            "csrf_token": f.csrf_token(client, url),
            "municipality_id": elsewhere.id,
            "module_version_id": script.id,
            "held_on": "2026-03-02",
            "place": "Stadthaus, Raum 7",
            "facilitator_ids": facilitator.id,
            "participant_count": "7",
        },
    )
    assert refused.status_code == 400
    assert "Die Kommune, die das Formular sandte, ist hier nicht möglich" in refused.text
    assert 'value="Stadthaus, Raum 7"' in refused.text  # what was typed stays
    assert f'name="municipality_id" value="{town.id}"' in refused.text


def test_a_form_with_a_one_time_code_is_not_offered_again(client: FlaskClient, db: Session) -> None:
    """A QA check: the second login step offered its code again in the page, and sending it on signed in."""
    person = f.user(db, Role.LEARNER)
    f.login(client, person.email)
    answer = client.post(
        "/verify", data={"csrf_token": f.csrf_token(client, "/verify"), "code": "KFA-\x0bABCD"}
    )
    assert answer.status_code == 422 and "Ohne diese Zeichen senden" not in answer.text


def test_a_lone_surrogate_in_json_is_refused_and_the_attempt_stays_readable(
    client: FlaskClient, db: Session
) -> None:
    """JSON may escape half a surrogate pair alone („\\ud800“). PostgreSQL refused the saved draft with a 500;
    SQLite stored it, and from then on the learner's attempt page and „Meine Daten“ failed to encode (a 500 each)."""
    f.published_module(db)
    # Question 2 takes a typed text, which a saved draft keeps (an option the question lacks is refused, 422).
    f.published_quiz(
        db,
        f.quiz_source().replace("[( )] falsch 2\n[(X)] richtig 2\n[( )] auch falsch 2\n", "[[richtig 2]]\n"),
    )
    person = f.user(db, Role.LEARNER)
    _row, secret = create_api_token(db, person, "Test")
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    started = client.post("/api/v1/modules/testmodul/attempts", data="{}", headers=headers)
    assert started.status_code in (200, 201), started.text
    attempt = started.json["id"]
    for responses in ('{"q1": "\\ud800Proxy"}', '{"q1": ["\\udc00"]}', '{"\\ud83d": ["b"]}'):
        answer = client.put(
            f"/api/v1/attempts/{attempt}/responses", data='{"responses": ' + responses + "}", headers=headers
        )
        assert answer.status_code == 400, responses
        assert "kein gültiger Text" in answer.json["error"]["message"]
    whole = client.put(  # a complete pair is one character (😀) and fine
        f"/api/v1/attempts/{attempt}/responses",
        data='{"responses": {"q1": ["b"], "q2": ["\\ud83d\\ude00"]}}',
        headers=headers,
    )
    assert whole.status_code in (200, 204), whole.text
    f.login(client, person.email)
    page = client.get(f"/versuche/{attempt}")
    assert page.status_code == 200 and 'value="😀"' in page.text
    assert client.get("/profil/meine-daten.json").status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_at_the_end_of_the_calendar_is_refused_in_forms_and_ignored_in_filters(
    client: FlaskClient, db: Session, day: str
) -> None:
    """0001-01-01 in Berlin has no first moment in UTC that Python can hold, 9999-12-31 no next day: the certificate
    export, the archive job, the periods and the programme office's role filter answered with a 500."""
    town, _person = _coordinator(client, db)
    path = f"/kommunen/{town.slug}/zertifikate"
    token = f.csrf_token(client, path)
    answer = client.post(
        path, data={"csrf_token": token, "starts_on": day, "ends_on": "2026-12-31", "format": "zip"}
    )
    assert answer.status_code in (400, 422)
    assert "Bitte geben Sie ein Datum zwischen dem 01.01.2000 und dem 31.12.2099 an." in answer.text
    office = f.user(db, Role.ADMIN)
    client.get("/abmelden")
    f.login(client, office.email)
    for name in ("von", "bis"):
        assert client.get("/programmbuero/rollen", query_string={name: day}).status_code == 200
        assert client.get("/inhalte/protokoll", query_string={name: day}).status_code == 200
