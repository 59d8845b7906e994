"""The learner's path in the web UI: modules, sections, resume, quiz, result, completions."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.authoring.publishing import publish_module
from lms.content.modules import parse_module
from tests import factories as f


def _learner(client, db: Session):  # type: ignore[no-untyped-def]
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    return person


def _start_quiz(client):  # type: ignore[no-untyped-def]
    """Press „Quiz starten“ on the test module; the response redirects to the attempt."""
    return client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )


def _progress_value(html: str) -> int:
    match = re.search(r'<progress id="progress-testmodul" value="(\d+)"', html)
    assert match, "no progress bar for the module"
    return int(match.group(1))


def test_reading_sections_moves_the_progress_bar_and_resume_point(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    page = client.get("/module")
    assert "Testmodul" in page.text and _progress_value(page.text) == 0 and "Beginnen" in page.text
    section = client.get("/module/testmodul/abschnitt/2")
    assert (
        section.status_code == 200
        and "Zweiter Abschnitt" in section.text
        and "Abschnitt 2 von 3" in section.text
    )
    page = client.get("/module")
    assert _progress_value(page.text) == 30  # 1 of 3 sections read, reading counts up to 90 %
    assert (
        "/module/testmodul/abschnitt/2" in page.text and "Weiterlesen" in page.text
    )  # resumes where they stopped
    assert "1 von 3 Abschnitten gelesen" in page.text
    # A screen reader announces the bar in the label's words, not as the 30 % it draws (a QA sweep heard „90 %“
    # for „7 von 7 Abschnitten gelesen“).
    assert 'max="100" aria-valuetext="1 von 3 Abschnitten gelesen"' in page.text


def test_last_section_leads_to_the_quiz(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    last = client.get("/module/testmodul/abschnitt/3")
    assert "Weiter zum Quiz" in last.text
    assert client.get("/module/testmodul/abschnitt/4").status_code == 404


def test_quiz_through_the_web_completes_the_module(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    start = _start_quiz(client)
    attempt_url = start.headers["Location"]
    form = client.get(attempt_url)
    assert "correct" not in form.text and "Erklärung 1" not in form.text  # answers stay on the server
    data = {"csrf_token": f._csrf_from(form.text)}
    result = client.post(attempt_url, data={**data, **f.CORRECT_ANSWERS})
    assert result.status_code == 303
    page = client.get(result.headers["Location"])
    assert "Bestanden mit 100 %" in page.text and "Erklärung 1." in page.text
    # Submitting the same attempt again changes nothing and shows the result.
    again = client.post(attempt_url, data={**data, "q1": "a"})
    assert again.status_code == 303 and again.headers["Location"].endswith("/ergebnis")
    evidence = client.get("/nachweise")
    assert evidence.text.count('<td class="kern-table__cell" lang="de">Testmodul</td>') == 1
    assert "100 %" in evidence.text and "Online" in evidence.text
    assert "Abgeschlossen" in client.get("/module").text


def test_unanswered_questions_are_pointed_out_before_submitting(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    start = _start_quiz(client)
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    response = client.post(url, data={"csrf_token": token, "q1": "b"})
    assert response.status_code == 422
    assert "noch nicht beantwortet" in response.text and "Trotzdem abgeben" in response.text
    assert 'value="b" checked' in response.text  # the given answer is kept
    forced = client.post(url, data={"csrf_token": token, "q1": "b", "confirm_incomplete": "1"})
    assert forced.status_code == 303
    assert "Nicht bestanden" in client.get(forced.headers["Location"]).text


def test_forged_option_gets_a_clear_400ish_message(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    start = _start_quiz(client)
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    response = client.post(url, data={**f.CORRECT_ANSWERS, "csrf_token": token, "q1": "zzz"})
    assert response.status_code == 422 and "Traceback" not in response.text
    assert "alert" in response.text


def test_someone_elses_attempt_is_not_found(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    start = _start_quiz(client)
    url = start.headers["Location"]
    other = f.user(db)
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    f.login(client, other.email)
    assert client.get(url).status_code == 404
    assert client.get(url + "/ergebnis").status_code == 404


def _workshop(db: Session) -> None:
    text = f.module_source(slug="werkstatt").replace("kind: training", "kind: workshop")
    text = text.replace("## Erster Abschnitt", "## Erster Abschnitt (10 Min.)")
    text = text.replace("## Zweiter Abschnitt", "## Zweiter Abschnitt (10 Min.)")
    text = text.replace("## Dritter Abschnitt", "## Dritter Abschnitt (10 Min.)")
    doc = parse_module(text, "modules/werkstatt.md")
    version, problem = publish_module(db, doc, path="modules/werkstatt.md", actor_id=None)
    assert problem is None and version is not None


def test_workshop_scripts_are_for_trainers_only(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _workshop(db)
    _learner(client, db)
    assert client.get("/module/werkstatt").status_code == 404
    assert client.get("/inhalte").status_code == 403
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})
    trainer = f.user(db, Role.TRAINER)
    f.login(client, trainer.email)
    overview = client.get("/module/werkstatt")
    assert (
        overview.status_code == 200 and "Empowerment-Drehbuch" in overview.text and "10 Min." in overview.text
    )
    manage = client.get("/inhalte")
    assert manage.status_code == 200 and "Empowerment-Drehbuch" in manage.text


def test_pages_need_login(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/module", "/nachweise", "/profil", "/inhalte", "/versuche/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/anmelden" in response.headers["Location"], path


def test_weiterlesen_on_the_card_and_on_the_overview_lead_to_the_same_section(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    f.published_module(db)
    f.published_quiz(db)
    _learner(client, db)
    for position in (1, 3, 2):  # the person reads 1 and 3, then goes back to 2
        client.get(f"/module/testmodul/abschnitt/{position}")
    card = re.search(
        r'href="(/module/testmodul/abschnitt/\d)"[^>]*>\s*<span class="kern-label">Weiterlesen',
        client.get("/module").text,
    )
    overview = re.search(
        r'href="(/module/testmodul/abschnitt/\d)"[^>]*>\s*<span class="kern-label">Weiterlesen',
        client.get("/module/testmodul").text,
    )
    assert card and overview
    assert card.group(1) == overview.group(1) == "/module/testmodul/abschnitt/2"


def test_a_sections_subheadings_follow_its_title_without_skipping_a_level(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The section's title is the page's h1; its „###“ headings were h3, skipping h2 (found by an accessibility
    sweep in two shipped modules). Pages that show several sections keep them one level lower."""
    f.published_module(
        db, f.module_source(extra="\n\n### Unmittelbare Benachteiligung\n\n#### Beispiel\n\nText.")
    )
    f.published_quiz(db)
    _learner(client, db)
    page = client.get("/module/testmodul/abschnitt/1").text
    body = page.split('id="section-title"', 1)[1]
    assert re.findall(r"<(h\d)\b", body)[:2] == ["h2", "h3"]
    assert "<h2>Unmittelbare Benachteiligung</h2>" in body and "<h3>Beispiel</h3>" in body
