"""Side effects wait for the whole unit of work: a SAVEPOINT released inside it (``begin_nested``) is not its commit.

SQLAlchemy sends ``after_commit`` for a savepoint's release too. Recording a training releases one per attendee
(lms.workshops.services.attend); jobs queued before it were handed over right then, in the middle of the unit of
work: with the in-process queue on SQLite the job waited for the unit's own write lock (15 s, twice in ``lms demo``)
and stayed unsent.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import migrate
from lms.cli import main
from lms.db import make_engine, run_after_commit
from lms.jobs.models import Job, JobState
from tests import factories as f


def test_a_released_savepoint_does_not_run_the_callbacks_the_commit_does(db: Session) -> None:
    ran: list[str] = []
    run_after_commit(db, lambda: ran.append("mail"))
    with db.begin_nested():
        f.municipality(db)
    assert ran == []
    db.commit()
    assert ran == ["mail"]
    db.commit()
    assert ran == ["mail"]  # once


def test_a_unit_of_work_rolled_back_after_a_savepoint_runs_nothing(db: Session) -> None:
    ran: list[str] = []
    run_after_commit(db, lambda: ran.append("mail"))
    with db.begin_nested():
        f.municipality(db)
    db.rollback()
    db.commit()
    assert ran == []


def test_the_demo_command_sends_its_invitations_at_once(tmp_path: Path) -> None:
    """`lms demo` imports staff (invitations queued) and then records trainings (savepoints): every invitation
    job is done when the command ends, and the outbox holds one mail per invited person."""
    url = "sqlite:///" + str(tmp_path / "demo.sqlite3")
    outbox = tmp_path / "outbox"
    migrate.upgrade(url)
    env = {"LMS_DATABASE_URL": url, "LMS_OUTBOX_DIR": str(outbox), "LMS_TEST_DATABASE_URL": ""}
    done = CliRunner().invoke(main, ["demo"], env=env)
    assert done.exit_code == 0, done.output
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            jobs = session.scalars(select(Job)).all()
            assert jobs and {job.state for job in jobs} == {JobState.DONE.value}
            invited = sum(job.progress_total or 0 for job in jobs if job.kind == "invitations")
    finally:
        engine.dispose()
    assert invited > 0 and len(list(outbox.glob("*.eml"))) == invited
