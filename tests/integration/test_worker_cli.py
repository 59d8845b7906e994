"""`lms worker` without Redis (one machine, the demo's database): it picks up the retries that the command or the
web process left in the jobs table once their time has come."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import migrate
from lms.cli import main
from lms.db import make_engine
from lms.jobs.models import Job
from lms.orgs.models import Municipality
from tests.mailserver import FlakyInbox, free_port, smtp_server

CSV = (
    "E-Mail;Name;Organisationseinheit\r\n"
    "a.yilmaz@kreis.example;Ayşe Yılmaz;Amt für Soziales\r\n"
    "j.schmidt@kreis.example;Jürgen Schmidt;Bürgerservice\r\n"
)


@pytest.mark.skipif(
    bool(os.environ.get("LMS_TEST_NOW")),
    reason="the worker runs as a subprocess on the real clock; the suite's moved clock would date the retry years apart",
)
def test_the_worker_sends_the_invitations_once_the_mail_server_is_back(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.add(Municipality(slug="darmstadt-dieburg", name="Landkreis Darmstadt-Dieburg"))
        session.commit()
    port = free_port()  # nobody listens there yet: the mail server is down
    env = {
        "LMS_DATABASE_URL": url,
        "LMS_OUTBOX_DIR": str(tmp_path / "outbox"),
        "LMS_TEST_DATABASE_URL": "",
        "LMS_SMTP_HOST": "127.0.0.1",
        "LMS_SMTP_PORT": str(port),
        "LMS_SMTP_SECURITY": "none",
        "LMS_JOB_BACKOFF_SECONDS": "1",
    }
    path = tmp_path / "personal.csv"
    path.write_bytes(CSV.encode())
    result = CliRunner().invoke(
        main,
        ["staff", "import", str(path), "--municipality", "darmstadt-dieburg"],
        env=env,
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "Die Einladungen sind noch nicht alle versendet (ConnectionRefusedError" in result.stderr
    assert "Aufgabe Nr. 1 wird erneut versucht, sobald `lms worker` läuft" in result.stderr
    with Session(engine) as session:
        job = session.scalar(select(Job))
        assert job is not None and (job.state, job.attempts) == ("queued", 1)

    time.sleep(1.1)  # the backoff of the first retry
    box = FlakyInbox()
    with smtp_server(box, port):
        worker = subprocess.run(
            [str(Path(sys.executable).parent / "lms"), "worker", "--burst"],
            env={**{k: v for k, v in os.environ.items() if not k.startswith("LMS_")}, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert worker.returncode == 0, worker.stderr
    assert "Worker für Hintergrundaufgaben: Datenbank (ohne Redis)." in worker.stdout
    assert sorted(box.received) == ["a.yilmaz@kreis.example", "j.schmidt@kreis.example"]
    with Session(engine) as session:
        job = session.scalar(select(Job))
        assert job is not None and (job.state, job.attempts, job.outcome["sent"]) == ("done", 2, 2)
    engine.dispose()


def test_a_worker_whose_redis_does_not_answer_says_so_and_exits_non_zero(tmp_path: Path) -> None:
    """An operator's QA check: `lms worker` printed a traceback ending in redis.exceptions.ConnectionError. Now one
    German sentence (the URL without its password) and exit status 1 for the service manager, which restarts it."""
    url = "sqlite:///" + str(tmp_path / "worker.sqlite3")
    migrate.upgrade(url)
    env = {
        "LMS_DATABASE_URL": url,
        "LMS_TEST_DATABASE_URL": "",
        "LMS_REDIS_URL": f"redis://:geheim@127.0.0.1:{free_port()}/7",  # nobody listens there
    }
    result = CliRunner().invoke(main, ["worker", "--burst"], env=env)
    assert result.exit_code == 1
    assert "Redis ist nicht erreichbar (redis://:***@127.0.0.1:" in result.output + result.stderr
    assert "geheim" not in result.output + result.stderr and "Traceback" not in result.output + result.stderr
