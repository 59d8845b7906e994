"""Retired content stays readable, read-only and marked as retired, for those who completed it; 404 for others."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import Role
from lms.content.services.lifecycle import retire_module, retire_version
from lms.progress.models import SectionRead
from tests import factories as f


def _pass_quiz(client) -> None:  # type: ignore[no-untyped-def]
    start = client.post(
        "/module/testmodul/quiz", data={"csrf_token": f.csrf_token(client, "/module/testmodul/quiz")}
    )
    url = start.headers["Location"]
    token = f._csrf_from(client.get(url).text)
    assert client.post(url, data={"csrf_token": token, **f.CORRECT_ANSWERS}).status_code == 303


def _reads(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SectionRead)) or 0


def test_a_retired_module_stays_readable_for_who_completed_it(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    town = f.municipality(db)
    person = f.user(db, Role.LEARNER, municipality_id=town.id)
    f.login(client, person.email)
    _pass_quiz(client)
    trainer = f.user(db, Role.TRAINER, email="trainer@example.org")
    retire_module(db, trainer, version.module, "veraltet")
    db.flush()

    overview = client.get("/module/testmodul")
    assert overview.status_code == 200
    assert "Zurückgezogen" in overview.text and "nicht mehr im Katalog" in overview.text
    assert "/module/testmodul/quiz" not in overview.text
    before = _reads(db)
    section = client.get("/module/testmodul/abschnitt/2")
    assert (
        section.status_code == 200 and "Zweiter Abschnitt" in section.text and "Zurückgezogen" in section.text
    )
    assert _reads(db) == before  # read-only: nothing recorded
    assert client.get("/module/testmodul/quiz").status_code == 404


def test_others_still_get_404_for_retired_content(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    client.get("/module/testmodul/abschnitt/1")  # read, but never completed
    retire_module(db, f.user(db, Role.TRAINER, email="trainer@example.org"), version.module, "veraltet")
    db.flush()
    assert client.get("/module/testmodul").status_code == 404
    assert client.get("/module/testmodul/abschnitt/1").status_code == 404


def test_a_retired_version_one_completed_stays_readable(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    version = f.published_module(db)
    f.published_quiz(db)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, person.email)
    _pass_quiz(client)
    retire_version(db, f.user(db, Role.TRAINER, email="trainer@example.org"), version, "fehlerhaft")
    db.flush()
    page = client.get("/module/testmodul")
    assert page.status_code == 200 and "Zurückgezogen" in page.text and "1.0" in page.text
