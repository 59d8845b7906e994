"""Background jobs without a broker (the demo's way): the staff import's invitations, a failing mail server with
retries and backoff, the programme office's list with „Erneut versuchen“, and a certificate archive behind a link
that expires. Jobs run in the web process right after the request's commit; `lms worker` takes the retries."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import Invitation, Role, User
from lms.jobs.models import Job
from lms.jobs.worker import maintain, poll_database
from tests import factories as f
from tests.web.test_staff_import import apply, upload

LIST = (
    "E-Mail;Vorname;Nachname;Organisationseinheit\r\n"
    "a.yilmaz@kreis.example;Ayşe;Yılmaz;Amt für Soziales\r\n"
    "j.schmidt@kreis.example;Jürgen;Schmidt;Bürgerservice\r\n"
    "m.nguyen@kreis.example;Minh;Nguyễn;Ausländerbehörde\r\n"
).encode()


def _import(client: Any, db: Session) -> tuple[Any, str]:
    town = f.municipality(db, "Landkreis Musterstadt")
    me = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    f.login(client, me.email)
    preview_url = upload(client, town, LIST, send_invitations="y").headers["Location"]
    assert apply(client, preview_url).status_code == 303
    return town, preview_url


def _job(db: Session) -> Job:
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None
    db.refresh(job)
    return job


def test_the_import_sends_its_invitations_as_a_job_and_shows_the_progress(  # type: ignore[no-untyped-def]
    client, db: Session, outbox: Path
) -> None:
    _town, preview_url = _import(client, db)
    page = client.get(preview_url).text
    assert "Einladungen versendet" in page and "3 von 3 Einladungen bearbeitet." in page
    job = _job(db)
    assert (job.kind, job.state, job.attempts, job.outcome) == (
        "invitations",
        "done",
        1,
        {"sent": 3, "refused": 0, "skipped": 0},
    )
    assert f"/aufgaben/{job.id}" in page
    status = client.get(f"/aufgaben/{job.id}").text
    assert "Einladungen versenden" in status and "erledigt" in status and "3 von 3" in status
    assert len(list(outbox.glob("*.eml"))) == 3
    assert client.get(f"/aufgaben/{job.id}/stand").json == {
        "state": "done",
        "state_text": "erledigt",
        "done": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
    }


def test_a_busy_mail_server_is_retried_with_backoff_then_shown_to_the_office_who_retries(  # type: ignore[no-untyped-def]
    make_app, db: Session, inbox, time_machine
) -> None:
    box, port = inbox
    box.busy = 100
    app = make_app(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        job_max_attempts=2,
        job_backoff_seconds=60,
    )
    client = app.test_client()
    _import(client, db)
    job = _job(db)
    # The first attempt ran right after the commit and met the busy server: no link without its mail.
    assert (job.state, job.attempts, job.progress_done) == ("queued", 1, 0)
    assert job.last_error is not None and "451" in job.last_error and "@" not in job.last_error
    assert job.next_attempt_at is not None
    wait = job.next_attempt_at - job.started_at  # type: ignore[operator]
    assert timedelta(seconds=59) < wait < timedelta(seconds=61)
    assert db.scalar(select(Invitation.id)) is None and box.received == []
    status = client.get(f"/aufgaben/{job.id}").text
    assert "wartet auf einen neuen Versuch" in status and "Der letzte Versuch ist fehlgeschlagen" in status

    environment = app.extensions["lms.jobs.queue"].environment
    assert poll_database(environment, burst=True) == 0  # `lms worker` without Redis: not due yet
    time_machine.move_to(f.utc_now() + timedelta(seconds=61))
    assert poll_database(environment, burst=True) == 1  # the second and last attempt fails too
    job = _job(db)
    assert (job.state, job.attempts) == ("failed", 2)
    assert "fehlgeschlagen" in client.get(f"/aufgaben/{job.id}").text

    office = f.user(db, Role.ADMIN, name="Programmbüro")
    admin = app.test_client()
    f.login(admin, office.email)
    listing = admin.get("/programmbuero/hintergrundaufgaben").text
    assert f'href="/aufgaben/{job.id}"' in listing and "fehlgeschlagen" in listing and "2 von 2" in listing
    assert "Mail server busy" in listing and "kreis.example" not in listing
    assert "Erneut versuchen" in listing

    box.busy, box.unknown = 0, {"j.schmidt@kreis.example"}  # the server is back; one address it does not know
    token = f.csrf_token(admin, "/programmbuero/hintergrundaufgaben")
    response = admin.post(f"/programmbuero/hintergrundaufgaben/{job.id}/erneut", data={"csrf_token": token})
    assert response.status_code == 303
    job = _job(db)
    assert (job.state, job.attempts, job.max_attempts) == ("done", 3, 4)
    assert job.outcome == {"sent": 2, "refused": 1, "skipped": 0}
    assert sorted(box.received) == ["a.yilmaz@kreis.example", "m.nguyen@kreis.example"]
    invited = set(db.scalars(select(User.email).join(Invitation, Invitation.user_id == User.id)))
    assert invited == {"a.yilmaz@kreis.example", "m.nguyen@kreis.example"}
    assert "Keine Aufgabe ist fehlgeschlagen" in admin.get("/programmbuero/hintergrundaufgaben").text
    status = client.get(f"/aufgaben/{job.id}").text
    assert "Adresse vom Mailserver abgelehnt" in status and "Abgelehnte Adressen prüfen Sie" in status
    # Starting a finished job again is refused with a message.
    again = admin.post(
        f"/programmbuero/hintergrundaufgaben/{job.id}/erneut",
        data={"csrf_token": f.csrf_token(admin, "/programmbuero/hintergrundaufgaben")},
        follow_redirects=True,
    )
    assert "wird nicht neu gestartet" in again.text


def test_retry_needs_a_csrf_token(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    office = f.user(db, Role.ADMIN, name="Programmbüro")
    f.login(client, office.email)
    job = Job(kind="invitations", state="failed", params={}, attempts=5, max_attempts=5, outcome={})
    db.add(job)
    db.flush()
    assert client.post(f"/programmbuero/hintergrundaufgaben/{job.id}/erneut").status_code == 400
    db.refresh(job)
    assert job.state == "failed"


def test_a_certificate_archive_is_made_in_the_background_behind_a_link_that_expires(  # type: ignore[no-untyped-def]
    app, client, db: Session, time_machine
) -> None:
    town = f.municipality(db, "Stadt Archivhausen")
    other = f.municipality(db, "Stadt Anderswo")
    me = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id, name="Jonas Weber")
    version = f.published_module(db)
    for name in ("Ayşe Yılmaz", "Jürgen Schmidt"):
        f.completion(db, f.staff_member(db, town.id, name=name), version)
    f.login(client, me.email)
    page = f"/kommunen/{town.slug}/zertifikate/archiv"
    assert "Archiv erstellen" in client.get(page).text
    today = f.utc_now().date()
    response = client.post(
        page,
        data={
            "csrf_token": f.csrf_token(client, page),
            "starts_on": (today - timedelta(days=30)).isoformat(),
            "ends_on": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 303
    status_url = response.headers["Location"]
    status = client.get(status_url).text
    assert "Zertifikate als ZIP-Archiv" in status
    assert "erledigt" in status and "2 von 2" in status
    link = re.search(r'href="(/aufgaben/\d+/datei/[^"]+)"', status)
    assert link is not None
    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith(
        f"attachment; filename=Zertifikate_{town.slug}_"
    )
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    download.close()
    assert names[0] == "manifest.csv" and len(names) == 3 and all(n.endswith(".pdf") for n in names[1:])

    # Someone else's coordination neither follows the job nor downloads its file, link or not.
    stranger = app.test_client()
    f.login(stranger, f.user(db, Role.COORDINATOR, municipality_id=other.id, name="Fremd").email)
    assert stranger.get(status_url).status_code == 404
    assert stranger.get(link.group(1)).status_code == 404
    assert client.get(link.group(1).rsplit("/", 1)[0] + "/gefaelscht").status_code == 404

    time_machine.move_to(f.utc_now() + timedelta(hours=24, minutes=1))
    f.login(client, me.email)  # the session ended meanwhile
    expired = client.get(link.group(1))
    assert expired.status_code == 404 and "ungültig oder abgelaufen" in expired.text
    assert "Herunterladen" not in client.get(status_url).text
    job = _job(db)
    stored = Path(app.extensions["lms.settings"].job_files_dir) / str(job.result_path)
    assert stored.is_file()
    maintain(app.extensions["lms.jobs.queue"].environment)  # the worker's maintenance deletes it
    assert not stored.exists()
    db.refresh(job)
    assert job.result_path is None
    assert "Die Datei ist nicht mehr vorhanden" in client.get(status_url).text


def test_a_job_that_cannot_succeed_fails_at_once(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms.jobs import runner

    job = Job(kind="gibt-es-nicht", state="queued", params={}, max_attempts=5, outcome={})
    db.add(job)
    db.flush()
    environment = app.extensions["lms.jobs.queue"].environment
    assert runner.run(job.id, environment) == "failed"
    assert runner.run(job.id, environment) is None  # not queued any more: nothing happens
    db.refresh(job)
    assert (job.state, job.attempts) == ("failed", 1)
    assert job.last_error == "PermanentFailure: unbekannte Art von Aufgabe: gibt-es-nicht"
