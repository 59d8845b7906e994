"""`lms reminders send` end to end: the job through the real queue (RQ on Redis) to a real SMTP server, and the
command itself on a database file as cron runs it (dry run, then twice for real)."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import migrate
from lms import time as clock
from lms.auth.models import Role
from lms.cli import main
from lms.db import make_engine
from lms.jobs.models import Job
from lms.orgs.models import ProgrammePeriod, TrainingAssignment
from lms.reminders.cli import send_due_reminders
from lms.reminders.models import SentReminder
from tests import factories as f
from tests.integration.test_job_queue import work
from tests.integration.test_reminders import module, plan

TODAY = date(2026, 6, 10)


def parsed(body: bytes) -> EmailMessage:
    message = email.message_from_bytes(body, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_reminders_go_through_redis_to_the_mail_server_once(  # type: ignore[no-untyped-def]
    redis_app: Flask, db: Session, inbox, queue_name: str, redis_url: str, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(TODAY, 7), tick=False)
    box, _port = inbox
    town = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    lea = f.user(db, Role.LEARNER, municipality_id=town.id, name="Lea Schneider", email="lea@kreis.example")
    f.user(db, Role.LEARNER, municipality_id=town.id, email="still@kreis.example").has_reminders = False
    coordinator = f.user(
        db, Role.COORDINATOR, municipality_id=town.id, name="Jonas Weber", email="jw@kreis.example"
    )
    coordinator.has_reminders = False
    version = module(db, "grundlagen-antidiskriminierung")
    plan(db, town, version, TODAY + timedelta(days=14))
    settings = redis_app.extensions["lms.settings"]
    queue = redis_app.extensions["lms.jobs.queue"]

    due = send_due_reminders(db, settings, queue, echo=lambda _line: None)
    assert sorted(d.email for d in due) == ["jw@kreis.example", "lea@kreis.example"]
    assert box.received == []  # nothing before the commit
    db.commit()
    assert Queue(queue_name, connection=Redis.from_url(redis_url)).count == 1
    work(redis_app)

    assert sorted(box.received) == ["jw@kreis.example", "lea@kreis.example"]
    messages = {str(m["To"]): m for m in (parsed(b) for b in box.bodies)}
    to_lea = messages["lea@kreis.example"]
    assert to_lea["Subject"] == "Erinnerung: „Grundlagen Antidiskriminierung“ ist bis zum 24.06.2026 fällig"
    text = to_lea.get_content()
    assert "Guten Tag Lea Schneider," in text and "bis zum 24.06.2026 vorgesehen" in text
    assert f"{settings.base_url.rstrip('/')}/module/grundlagen-antidiskriminierung" in text
    assert f"{settings.base_url.rstrip('/')}/profil#erinnerungen" in text
    digest = messages["jw@kreis.example"].get_content()
    assert (
        messages["jw@kreis.example"]["Subject"]
        == "Wochenübersicht Landkreis Darmstadt-Dieburg: Schulungsplan und Ziele"
    )
    assert "Stand im Programmjahr 2026" in digest
    assert "Abschlüsse, deren Gültigkeit in den nächsten 90 Tagen abläuft: 0" in digest
    assert "„Grundlagen Antidiskriminierung“ für alle Beschäftigten, fällig am 24.06.2026" in digest
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None
    db.refresh(job)
    assert (job.kind, job.state, job.outcome) == (
        "reminders",
        "done",
        {"sent": 2, "refused": 0, "skipped": 0},
    )

    office = redis_app.test_client()
    f.login(office, f.user(db, Role.ADMIN).email)
    status = office.get(f"/aufgaben/{job.id}").text
    assert (
        "Erinnerungen versenden" in status and "übersprungen (Erinnerungen inzwischen abgeschaltet" in status
    )

    # The cron job runs again the next day: nothing new, no job, no mail.
    time_machine.move_to(clock.at_local(TODAY + timedelta(days=1), 7), tick=False)
    assert send_due_reminders(db, settings, queue, echo=lambda _line: None) == []
    db.commit()
    work(redis_app)
    assert len(box.received) == 2 and db.scalar(select(func.count()).select_from(Job)) == 1
    assert lea.id in {r.user_id for r in db.scalars(select(SentReminder))}


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`lms …` on a fresh migrated SQLite file, mails into an outbox folder (no Redis: jobs run in the process)."""
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    outbox = tmp_path / "outbox"
    env = {
        "LMS_DATABASE_URL": url,
        "LMS_OUTBOX_DIR": str(outbox),
        "LMS_TEST_DATABASE_URL": "",
        "LMS_REDIS_URL": "",
    }

    def run(*args: str) -> Any:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    yield run, engine, outbox
    engine.dispose()


def test_the_command_shows_a_dry_run_and_sends_once_however_often_cron_runs_it(  # type: ignore[no-untyped-def]
    cli, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(clock.at_local(TODAY, 7), tick=False)
    run, engine, outbox = cli
    with Session(engine) as session:
        town = f.municipality(session, "Stadt Musterhausen")
        f.user(session, Role.LEARNER, municipality_id=town.id, email="lea@stadt.example")
        version = module(session, "grundlagen")
        period = session.scalar(select(ProgrammePeriod).where(ProgrammePeriod.label == "Programmjahr 2026"))
        assert period is not None
        session.add(
            TrainingAssignment(
                municipality_id=town.id,
                period_id=period.id,
                module_id=version.module_id,
                due_on=TODAY - timedelta(days=3),
            )
        )
        session.commit()

    dry = run("reminders", "send", "--dry-run")
    assert dry.exit_code == 0
    assert "überfällig: lea@stadt.example" in dry.output and "(07.06.2026)" in dry.output
    assert "Würden versendet: Erinnerungen zu Modulen: 1, zu Terminen: 0." in dry.output
    assert not outbox.exists() or list(outbox.iterdir()) == []
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(SentReminder)) == 0

    sent = run("reminders", "send")
    assert (
        sent.exit_code == 0
        and "An die Warteschlange übergeben: Erinnerungen zu Modulen: 1, zu Terminen: 0." in sent.output
    )
    [mail] = list(outbox.iterdir())
    message = parsed(mail.read_bytes())
    assert message["Subject"] == "Überfällig: „Grundlagen“ (fällig am 07.06.2026)"
    assert "Bitte holen Sie es so bald wie möglich nach." in message.get_content()

    again = run("reminders", "send")
    assert again.exit_code == 0 and "Erinnerungen zu Modulen: 0, zu Terminen: 0." in again.output
    assert len(list(outbox.iterdir())) == 1
