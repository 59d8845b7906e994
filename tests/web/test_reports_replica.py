"""LMS_REPORTS_DATABASE_URL: the report queries read from a second database (a read replica), everything else not.

The second database here is a real one with other content than the primary: what a report shows proves where it
read. (A replica's content equals the primary's, a moment late; different content makes the routing visible.)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import migrate
from lms import time as clock
from lms.auth.models import Role
from lms.db import make_engine
from tests import factories as f

TODAY = date(2026, 11, 21)
REPLICA_TOWN = "Kommune nur im Replikat"
PRIMARY_TOWN = "Kommune im Primärsystem"


@pytest.fixture(autouse=True)
def _during_the_year(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)


@pytest.fixture
def replica_url(tmp_path: Path) -> str:
    """A second, migrated SQLite database: one municipality whose 7 staff completed a module in 2026."""
    url = "sqlite:///" + str(tmp_path / "replica.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        town = f.municipality(session, REPLICA_TOWN)
        version = f.training_module(session, "replikat-modul", "Modul im Replikat")
        for n in range(7):
            person = f.staff_member(session, town.id, name=f"Replikat {n}")
            f.completion(session, person, version, datetime(2026, 3, 1, 10, tzinfo=clock.BERLIN))
        session.commit()
    engine.dispose()
    return url


def _programme_office(db: Session) -> str:
    """The primary's content: another municipality (with 3 staff) and the programme office's account."""
    town = f.municipality(db, PRIMARY_TOWN)
    for _ in range(3):
        f.staff_member(db, town.id)
    return f.user(db, Role.ADMIN).email


def test_reports_read_from_the_reports_database_when_it_is_set(
    db: Session, make_app: Callable[..., Flask], replica_url: str
) -> None:
    admin = _programme_office(db)
    app = make_app(reports_database_url=replica_url)
    client = app.test_client()
    assert f.login(client, admin).status_code == 302  # the login (a write) went to the primary

    page = client.get("/programmbuero").get_data(as_text=True)
    assert REPLICA_TOWN in page
    assert PRIMARY_TOWN not in page

    export = client.get("/programmbuero/uebersicht.csv").get_data().decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(export), delimiter=";")}
    assert PRIMARY_TOWN not in rows
    assert rows[REPLICA_TOWN][1:4] == ["7", "1", "7"]  # staff, modules delivered, trained staff


def test_without_the_setting_reports_read_from_the_primary(
    db: Session, make_app: Callable[..., Flask], replica_url: str
) -> None:
    admin = _programme_office(db)
    client = make_app().test_client()
    f.login(client, admin)

    page = client.get("/programmbuero").get_data(as_text=True)
    assert PRIMARY_TOWN in page
    assert REPLICA_TOWN not in page


def test_on_postgresql_the_reports_connection_cannot_write(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    """A write that slipped into a report fails (READ ONLY transactions) instead of landing anywhere."""
    if not database_url.startswith("postgresql"):
        pytest.skip("READ ONLY transactions are set on PostgreSQL only")
    app = make_app(reports_database_url=database_url)
    with (
        app.extensions["lms.reports_session_factory"]() as session,
        pytest.raises(DBAPIError, match="read-only transaction"),
    ):
        session.execute(text("CREATE TEMPORARY TABLE report_scratch (n integer)"))
    app.extensions["lms.reports_engine"].dispose()
