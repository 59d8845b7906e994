"""Evaluation in the browser's terms: the self-assessment before and after a module, the board's page and form,
the programme office's overview, evaluators' file and board members; pseudonyms never meet people on a page."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Invitation, Role, User
from lms.evaluation.models import BoardAssessment, SurveyResponse
from lms.evaluation.parse import parse_survey
from lms.evaluation.services import publish_survey
from tests import factories as f
from tests.integration.evaluation.conftest import SURVEY


def _setup(db: Session):  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    publish_survey(db, parse_survey(SURVEY, "surveys/testmodul.md"), actor_id=None)
    town = f.municipality(db, "Kommune A")
    return version, town


def _logout(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})


def test_before_the_first_section_and_after_the_quiz(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version, town = _setup(db)
    person = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Lernend")
    f.login(client, person.email)
    overview = client.get("/module/testmodul")
    pre_url = f"/module/testmodul/selbsteinschaetzung/{version.id}/vorher"
    # The start leads to the survey, and says so (not „Mit dem ersten Abschnitt beginnen“).
    assert f'href="{pre_url}"' in overview.text
    assert "Beginnen – zuerst eine freiwillige Selbsteinschätzung" in overview.text
    page = client.get(pre_url)
    assert page.status_code == 200 and "Ich kann mittelbare Diskriminierung erklären." in page.text
    assert "Überspringen" in page.text
    token = f._csrf_from(page.text)
    wrong = client.post(pre_url, data={"csrf_token": token, "i1": "9"})
    assert wrong.status_code == 400 and "einen Wert der Skala" in wrong.text
    # A digit that is no ASCII digit ("²".isdigit() is true, int() refuses it) is as wrong, not a 500.
    superscript = client.post(pre_url, data={"csrf_token": token, "i1": "²"})
    assert superscript.status_code == 400 and "einen Wert der Skala" in superscript.text
    saved = client.post(pre_url, data={"csrf_token": token, "i1": "2", "i2": "3"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/module/testmodul/abschnitt/1")
    assert f'href="{pre_url}"' not in client.get("/module/testmodul").text  # once
    assert client.get(pre_url).status_code == 302  # answered: on to the module
    # The quiz does not depend on it; after passing, the result page offers the survey „nachher“.
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    form = client.get(start.headers["Location"])
    result = client.post(
        start.headers["Location"], data={"csrf_token": f._csrf_from(form.text), **f.CORRECT_ANSWERS}
    )
    page = client.get(result.headers["Location"])
    post_url = f"/module/testmodul/selbsteinschaetzung/{version.id}/nachher"
    assert f'href="{post_url}"' in page.text
    after = client.post(
        post_url, data={"csrf_token": f.csrf_token(client, post_url), "i1": "4", "i3": "Hilfreich"}
    )
    assert after.status_code == 303
    responses = list(db.scalars(select(SurveyResponse)))
    assert len(responses) == 2 and responses[0].pseudonym == responses[1].pseudonym
    assert f'href="{post_url}"' not in client.get(result.headers["Location"]).text


def test_skipping_goes_straight_to_the_module(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version, town = _setup(db)
    person = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, person.email)
    pre_url = f"/module/testmodul/selbsteinschaetzung/{version.id}/vorher"
    skipped = client.post(pre_url + "/ueberspringen", data={"csrf_token": f.csrf_token(client, pre_url)})
    assert skipped.status_code == 303 and skipped.headers["Location"].endswith("/abschnitt/1")
    assert f'href="{pre_url}"' not in client.get("/module/testmodul").text
    assert db.scalar(select(SurveyResponse)) is None


def _board_member(db: Session, town_id: int, email: str = "beirat@kommune-a.example") -> User:
    member = f.user(db, Role.ADVISORY_BOARD, email=email, name="Ayşe Beirat")
    member.board_municipality_id = town_id
    db.flush()
    return member


def test_the_board_reads_aggregates_and_records_its_assessment(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _version, town = _setup(db)
    other = f.municipality(db, "Kommune B")
    f.staff_member(db, town.id, name="Bernd Beschäftigt")
    member = _board_member(db, town.id)
    f.login(client, member.email)
    assert client.get("/beirat").headers["Location"].endswith(f"/kommunen/{town.slug}/evaluation")
    page = client.get(f"/kommunen/{town.slug}/evaluation")
    assert page.status_code == 200
    assert "Stand der Ziele" in page.text and "Teilnahmequote" in page.text
    assert "Bernd Beschäftigt" not in page.text  # aggregates only
    assert "abschluesse.csv" not in page.text and "Beschäftigte verwalten" not in page.text
    assert client.get(f"/kommunen/{other.slug}/evaluation").status_code == 404
    assert (
        client.get(f"/kommunen/{town.slug}").status_code == 403
    )  # the coordinator's dashboard with its lists
    assert client.get(f"/kommunen/{town.slug}/abschluesse.csv").status_code == 403
    token = f._csrf_from(page.text)
    period_id = re.search(r'<option value="(\d+)" selected', page.text)
    assert period_id
    empty = client.post(
        f"/kommunen/{town.slug}/evaluation/einschaetzung",
        data={
            "csrf_token": token,
            "period_id": period_id.group(1),
            "assessed_on": "2026-03-12",
            "authors": "",
            "text": "",
        },
    )
    assert empty.status_code == 400 and "wer die Einschätzung verfasst hat" in empty.text
    # A value the list cannot hold: a sentence for people, not WTForms' „Konnte nicht umwandeln“ (a QA sweep).
    for language, expected in (
        ("de", "Bitte wählen Sie einen Eintrag aus der Liste."),
        ("en", "Please choose"),
    ):
        forged = client.post(
            f"/kommunen/{town.slug}/evaluation/einschaetzung",
            data={
                "csrf_token": token,
                "period_id": "abc",
                "assessed_on": "2026-03-12",
                "authors": "A",
                "text": "B",
            },
            headers={"Accept-Language": language},
        )
        assert forged.status_code == 400 and expected in forged.text and "coerce" not in forged.text
        assert "umwandeln" not in forged.text
    saved = client.post(
        f"/kommunen/{town.slug}/evaluation/einschaetzung",
        data={
            "csrf_token": token,
            "period_id": period_id.group(1),
            "assessed_on": "2026-03-12",
            "authors": "A. Yilmaz und B. Schulz für den Beirat",
            "text": "Gute Beteiligung im Bürgeramt.\nEs fehlt ein Workshop.",
        },
    )
    assert saved.status_code == 303
    assert client.get(f"/kommunen/{other.slug}/evaluation/einschaetzung").status_code in (404, 405)
    _logout(client)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    f.login(client, coordinator.email)
    seen = client.get(saved.headers["Location"])
    assert (
        "Gute Beteiligung im Bürgeramt." in seen.text
        and "A. Yilmaz und B. Schulz für den Beirat" in seen.text
    )
    assert "Einschätzung erfassen" not in seen.text  # the coordinator reads it; the board writes it
    assert db.scalar(select(BoardAssessment)).recorded_by_id == member.id  # type: ignore[union-attr]


def test_the_programme_office_appoints_a_new_board_member_with_an_invitation(
    client, db: Session, outbox
) -> None:  # type: ignore[no-untyped-def]
    _version, town = _setup(db)
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    page = client.get("/programmbuero/beirat")
    data = {
        "csrf_token": f._csrf_from(page.text),
        "change": "grant",
        "email": "Neu.Beirat@Verein.example",
        "name": "Neue Beirätin",
        "municipality_id": str(town.id),
        "reason": "Berufung durch den Beirat vom 12. 3. 2026",
    }
    assert client.post("/programmbuero/beirat", data={**data, "reason": ""}).status_code == 400
    done = client.post("/programmbuero/beirat", data=data)
    assert done.status_code == 303
    person = db.scalar(select(User).where(User.email == "neu.beirat@verein.example"))
    assert person is not None and person.roles == {Role.ADVISORY_BOARD}
    assert (
        person.board_municipality_id == town.id and person.municipality_id is None
    )  # never counted as staff
    assert db.scalar(select(Invitation).where(Invitation.user_id == person.id)) is not None
    assert "Neue Beirätin" in client.get("/programmbuero/beirat").text
    again = client.post("/programmbuero/beirat", data=data)
    assert again.status_code == 400 and "bereits dem Beirat" in again.text
    removed = client.post("/programmbuero/beirat", data={**data, "change": "revoke"})
    assert removed.status_code == 303
    db.refresh(person)
    assert Role.ADVISORY_BOARD not in person.roles and person.board_municipality_id is None


def test_evaluators_file_pools_small_groups_and_names_nobody(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms import time as clock
    from lms.evaluation.models import Phase
    from lms.evaluation.services import submit_answers

    version, town = _setup(db)
    small = f.municipality(db, "Kleinstadt")
    tiny = f.municipality(db, "Dorf")
    secret = b"s" * 32
    people = [f.staff_member(db, town.id, name=f"Person {n}") for n in range(5)]
    people += [f.staff_member(db, small.id, name="Klein 1"), f.staff_member(db, small.id, name="Klein 2")]
    people += [f.staff_member(db, tiny.id, name=f"Dorf {n}") for n in range(2)]
    for person in people:
        submit_answers(db, secret, person, version, Phase.PRE, {"i1": "3", "i3": "Text"}, clock.today())
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    response = client.get("/programmbuero/evaluation/antworten.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    towns = {row["Kommune"] for row in rows}
    # Kleinstadt (2) and Dorf (2) pool to 4 respondents: still too few, so they are left out entirely.
    assert towns == {"Kommune A"}
    assert len({row["Pseudonym"] for row in rows}) == 5
    text = response.data.decode("utf-8-sig")
    for person in people:
        assert person.email not in text and person.display_name not in text
    # A fifth small respondent brings the pool to five: now pooled under one name, never the town's.
    extra = f.staff_member(db, tiny.id)
    submit_answers(db, secret, extra, version, Phase.PRE, {"i1": "4"}, clock.today())
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/programmbuero/evaluation/antworten.csv").data.decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert {row["Kommune"] for row in rows} == {"Kommune A", "mehrere Kommunen (zusammengefasst)"}


def test_no_page_shows_a_pseudonym(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms import time as clock
    from lms.evaluation.models import Phase
    from lms.evaluation.services import submit_answers

    version, town = _setup(db)
    people = [f.staff_member(db, town.id) for _ in range(5)]
    responses = [
        submit_answers(db, b"s" * 32, p, version, Phase.PRE, {"i1": "3", "i3": f"Text {n}"}, clock.today())
        for n, p in enumerate(people)
    ]
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    pages = [
        client.get(f"/kommunen/{town.slug}/evaluation").text,
        client.get("/programmbuero/evaluation").text,
    ]
    assert "Text 0" in pages[0]  # five texts: shown
    for response in responses:
        assert all(response.pseudonym not in page and response.id not in page for page in pages)
