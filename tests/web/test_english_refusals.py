"""Refusals from the services reach an English-speaking person in English, a German-speaking one in German.

The services raise a code with parameters (lms/errors.py); the views translate it for the request's language.
German texts are asserted unchanged in the feature tests (test_auth, test_compliance_pages, …).
"""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from lms.auth.models import Role, User
from tests import factories as f

EN = {"Accept-Language": "en"}


def _english(db: Session, person: User) -> User:
    person.locale = "en"
    db.flush()
    return person


def test_wrong_password_is_refused_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = f.login(client, person.email, "falsch-falsch-falsch")
    assert response.status_code == 401
    assert "Email address or password is incorrect." in response.text
    assert "Passwort ist falsch" not in response.text


def test_throttled_login_says_the_minutes_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person = f.user(db)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(5):
        f.login(client, person.email, "falsch-falsch-falsch")
    response = f.login(client, person.email)
    assert response.status_code == 401
    assert (
        "Too many failed login attempts. Please wait 15 minutes or contact your coordinator." in response.text
    )


def test_quiz_already_completed_is_refused_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    person = _english(db, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id))
    f.login(client, person.email)
    url = "/module/testmodul/quiz"
    attempt_url = client.post(url, data={"csrf_token": f.csrf_token(client, url)}).headers["Location"]
    form = client.get(attempt_url)
    client.post(attempt_url, data={"csrf_token": f._csrf_from(form.text), **f.CORRECT_ANSWERS})
    again = client.post(url, data={"csrf_token": f.csrf_token(client, url)}, follow_redirects=True)
    assert "You have already completed this version of the module." in again.text
    assert "bereits abgeschlossen" not in again.text


def test_no_attempts_left_in_english_and_german(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db, f.quiz_source(max_attempts=1))
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    url = "/module/testmodul/quiz"
    attempt_url = client.post(url, data={"csrf_token": f.csrf_token(client, url)}).headers["Location"]
    form = client.get(attempt_url)
    wrong = {key: ["a"] for key in f.CORRECT_ANSWERS}
    client.post(attempt_url, data={"csrf_token": f._csrf_from(form.text), **wrong})
    german = client.post(url, data={"csrf_token": f.csrf_token(client, url)}, follow_redirects=True)
    assert "Für dieses Quiz ist 1 Versuch möglich, und Sie haben ihn genutzt." in german.text
    assert "alle 1 Versuche" not in german.text
    _english(db, person)
    english = client.post(url, data={"csrf_token": f.csrf_token(client, url)}, follow_redirects=True)
    assert "This quiz allows 1 attempt, and you have used it." in english.text


def test_staff_action_is_refused_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = _english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    f.login(client, coordinator.email)
    staff = f"/kommunen/{town.slug}/beschaeftigte"
    refused = client.post(
        f"{staff}/{coordinator.id}/deaktivieren",
        data={"csrf_token": f.csrf_token(client, staff)},
        follow_redirects=True,
    )
    assert "You cannot deactivate your own account." in refused.text
    assert "eigenes Konto" not in refused.text


def test_period_validation_error_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    admin = _english(db, f.user(db, Role.ADMIN))
    f.login(client, admin.email)
    year = f.period(db, "Programmjahr 2027")
    f.period(db)  # Programmjahr 2026
    url = f"/programmbuero/zeitraeume/{year.id}"
    data = {
        "csrf_token": f.csrf_token(client, url),
        "label": "Programmjahr 2027",
        "starts_on": "2026-12-01",
        "ends_on": "2027-12-31",
        "min_training_modules": "2",
        "min_staff_per_module": "5",
        "min_workshops": "2",
    }
    clash = client.post(url, data=data)
    assert clash.status_code == 400
    assert "The period overlaps with “Programmjahr 2026”" in clash.text
    reversed_dates = client.post(url, data={**data, "starts_on": "2028-02-01", "ends_on": "2028-01-01"})
    assert (
        reversed_dates.status_code == 400 and "The end must not be before the start." in reversed_dates.text
    )


def test_staff_count_is_singular_or_plural(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    staff = f"/kommunen/{town.slug}/beschaeftigte"
    assert "1 Person gefunden." in client.get(staff).text
    f.user(db, Role.LEARNER, municipality_id=town.id)
    assert "2 Personen gefunden." in client.get(staff).text
    _english(db, coordinator)
    assert "2 people found." in client.get(staff).text
    assert "1 person found." in client.get(f"{staff}?suche={coordinator.email}").text


def test_roles_are_named_in_the_interface_language(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    town = f.municipality(db)
    person = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    f.login(client, person.email)
    assert "Koordination, Lernende" in client.get("/profil").text
    _english(db, person)
    assert "Coordination, Learner" in client.get("/profil").text


def test_staff_list_problems_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    town = f.municipality(db)
    coordinator = _english(db, f.user(db, Role.COORDINATOR, municipality_id=town.id))
    f.login(client, coordinator.email)
    url = f"/kommunen/{town.slug}/beschaeftigte/import"
    raw = b"E-Mail;Name;Organisationseinheit\r\nkaputt;Paul Becker;Bauamt\r\n;Lena Wolf;\r\n"
    fields = {
        "csrf_token": f.csrf_token(client, url),
        "file": FileStorage(io.BytesIO(raw), filename="personal.csv", content_type="text/csv"),
    }
    boundary, body = encode_multipart(MultiDict(fields))
    response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    preview = client.get(response.headers["Location"]).text
    assert "“kaputt” is not a valid email address." in preview
    assert "Missing: Email address and Organisational unit." in preview
    assert "2 rows cannot be applied." in preview


def test_forged_answer_is_refused_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    person = _english(db, f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id))
    f.login(client, person.email)
    url = "/module/testmodul/quiz"
    attempt_url = client.post(url, data={"csrf_token": f.csrf_token(client, url)}).headers["Location"]
    token = f._csrf_from(client.get(attempt_url).text)
    response = client.post(attempt_url, data={**f.CORRECT_ANSWERS, "csrf_token": token, "q1": "zzz"})
    assert response.status_code == 422
    assert "Question 1: Unknown answer “zzz”." in response.text


def _upload_in_english(client, db: Session, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    """An English-speaking trainer uploads one file under „Inhalte“; the page that answers."""
    trainer = _english(db, f.user(db, Role.TRAINER))
    f.login(client, trainer.email)
    return client.post(
        "/inhalte/hochladen",
        data={"csrf_token": f.csrf_token(client, "/inhalte/hochladen"), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_fixed_content_problems_are_shown_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    answer = _upload_in_english(client, db, b"PK\x03\x04 kaputt", "inhalte.zip")
    assert answer.status_code == 422 and "The file is not a readable zip archive." in answer.text


def test_the_api_answers_an_english_user_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms.auth.services import create_api_token

    person = _english(db, f.user(db))
    _row, secret = create_api_token(db, person, "Test")
    headers = {"Authorization": f"Bearer {secret}"}
    missing = client.get("/api/v1/attempts/999999", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["message"] == "This attempt does not exist."
    module = client.get("/api/v1/modules/gibt-es-nicht", headers=headers)
    assert (
        module.json["error"]["message"] == "Module “gibt-es-nicht” does not exist or is not visible to you."
    )
    german = client.get("/api/v1/attempts/999999", headers={"Authorization": "Bearer lms_falsch"})
    assert (
        german.status_code == 401
        and german.json["error"]["message"] == "Das API-Token ist ungültig oder widerrufen."
    )


def test_a_module_files_problems_are_shown_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The check's field problems stayed German in the English interface (a QA sweep): only YAML syntax and a few
    fixed texts were catalogue entries."""
    source = (
        '---\nslug: english-check\ntitel: Test\nversion: "1.0"\nlanguage: fr\nkind: training\n'
        "duration_minutes: 0\nsummary: Test.\naudience: Alle\nobjectives:\n  - Eins\n---\n\n"
        "# Titel\n\n## Nur ein Abschnitt\n\n[Link](javascript:alert(1))\n"
    )
    page = _upload_in_english(client, db, source.encode(), "english-check.md").text
    for english in (
        "Required field “title” is missing.",
        "Unknown field “titel” (did you mean “title”?).",
        "“language” must be “de” or “en”, not “fr”.",
        "“duration_minutes” must be a whole number from 1 to",
        "Level 1 headings (“# …”) do not belong in the text",
        "Link target “javascript:alert(1)” is not allowed",
    ):
        assert english in page, english
    assert "Pflichtfeld" not in page and "Unbekanntes Feld" not in page
