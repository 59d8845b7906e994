"""Legal pages and „Barriere melden“ (issue 14): defaults, a deployment's own texts, the footer, the public form,
its rate limit, and the programme office's list with status changes."""

from __future__ import annotations

import os
import re
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.legal import documents
from lms.legal.models import BarrierReport
from tests import factories as f

PAGES = {
    "/impressum": "Impressum",
    "/datenschutz": "Datenschutzerklärung",
    "/barrierefreiheit": "Erklärung zur Barrierefreiheit",
    "/leichte-sprache": "Informationen in Leichter Sprache",
    "/gebaerdensprache": "Informationen in Deutscher Gebärdensprache",
    "/barrierefreiheit/melden": "Barriere melden",
}
FOOTER = [
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/barrierefreiheit/melden",
    "/leichte-sprache",
    "/gebaerdensprache",
]


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no h1"
    return match.group(1).strip()


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_opens_without_an_account(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200
    assert _h1(response.get_data(as_text=True)) == PAGES[path]


def test_defaults_say_what_to_fill_in_and_describe_the_real_processing(client) -> None:  # type: ignore[no-untyped-def]
    impressum = client.get("/impressum").get_data(as_text=True)
    assert "Mustertext" in impressum and "[Name der verantwortlichen Stelle" in impressum
    privacy = client.get("/datenschutz").get_data(as_text=True)
    for fact in (
        "Art. 9",
        "90 Tage nach dem Workshop",
        "Teilnahmecode",
        "10 Stunden",
        "Art. 77",
        "Pseudonym",
        "keine Analyse- oder Tracking-Werkzeuge",
        # Network membership (Art. 9): names for the municipality's facilitators only, counts otherwise; removal.
        "Mitgliedschaft im Netzwerk",
        "Namen sieht nur die Moderation Ihrer\nKommune",
        "auf ein Vielfaches von fünf gerundet",
        # Registrations and waiting lists; workshop registrations go with the names' retention period.
        "Geplante Präsenzschulungen",
        "Warteliste",
        "mit derselben Frist wie die Namen gelöscht",
        "LMS_WORKSHOP_NAMES_RETENTION_DAYS",
        # Reminder mails and the profile switch.
        "in 14 Tagen oder früher fällig",
        "Gültigkeit in 30 Tagen oder früher endet",
        "wesentliche inhaltliche Änderung",
        "einmal pro Woche",
        "am Tag vor einer Präsenzschulung oder einem Workshop",
        "Erinnerungen per E-Mail“ abschalten",
        # Validity and renewal, heads of org units, certificate search.
        "„gültig bis“",
        "Leitung Organisationseinheit",
        "nichts über das Empowerment-Netzwerk",
        "Zertifikatssuche",
    ):
        assert fact in privacy, fact
    statement = client.get("/barrierefreiheit").get_data(as_text=True)
    assert "teilweise vereinbar" in statement and "PDF/UA" in statement and "§ 16" in statement
    assert 'href="/barrierefreiheit/melden"' in statement
    assert "<h2>" in statement  # sections follow the page's h1 without a gap


def test_a_deployment_replaces_a_text_and_a_change_shows_without_restart(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "instance" / "legal"
    folder.mkdir(parents=True)
    own = folder / "impressum.md"
    own.write_text("## Stadt Beispielhausen\n\nRathausplatz 1 <script>alert(1)</script>\n", encoding="utf-8")
    app = make_app(instance_path=str(tmp_path / "instance"))
    client = app.test_client()
    html = client.get("/impressum").get_data(as_text=True)
    assert "<h2>Stadt Beispielhausen</h2>" in html
    assert "Mustertext" not in html
    assert "<script>alert(1)" not in html  # raw HTML stays text
    cached = documents.render_count()
    client.get("/impressum")
    assert documents.render_count() == cached  # rendered once per file version
    own.write_text("## Stadt Neuhausen\n", encoding="utf-8")
    stat = own.stat()
    os.utime(own, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert "Stadt Neuhausen" in client.get("/impressum").get_data(as_text=True)
    # The other pages keep their defaults.
    assert "Mustertext" in client.get("/datenschutz").get_data(as_text=True)


def test_footer_links_on_the_login_page_and_a_404_page(client) -> None:  # type: ignore[no-untyped-def]
    for path, status in (("/anmelden", 200), ("/gibt-es-nicht", 404)):
        response = client.get(path)
        assert response.status_code == status
        html = response.get_data(as_text=True)
        footer = html.split("<footer", 1)[1]
        for link in FOOTER:
            assert f'href="{link}"' in footer, (path, link)


def test_sign_language_page_without_and_with_a_video(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = tmp_path / "instance"
    app = make_app(instance_path=str(instance))
    client = app.test_client()
    html = client.get("/gebaerdensprache").get_data(as_text=True)
    assert "wird vorbereitet" in html and "<video" not in html
    assert client.get("/gebaerdensprache/video.mp4").status_code == 404
    (instance / "legal").mkdir(parents=True)
    (instance / "legal" / "dgs.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    (instance / "legal" / "dgs.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n", encoding="utf-8"
    )
    html = client.get("/gebaerdensprache").get_data(as_text=True)
    assert '<source src="/gebaerdensprache/video.mp4" type="video/mp4">' in html
    assert 'kind="captions" src="/gebaerdensprache/untertitel.vtt"' in html
    video = client.get("/gebaerdensprache/video.mp4", headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and video.mimetype == "video/mp4" and len(video.data) == 100
    assert video.headers["Content-Range"] == "bytes 0-99/1012"
    video.close()
    captions = client.get("/gebaerdensprache/untertitel.vtt")
    assert captions.mimetype == "text/vtt"
    captions.close()


def _form(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"csrf_token": f.csrf_token(client, "/barrierefreiheit/melden")}


def test_a_visitor_reports_a_barrier_and_the_office_gets_a_mail(
    make_app, db: Session, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(barrier_report_recipient="programmbuero@eccar.example")
    client = app.test_client()
    data = _form(client) | {
        "page_url": "/module/testmodul",
        "description": "Der Weiter-Knopf ist mit der Tastatur nicht erreichbar.",
        "contact_email": "melderin@example.org",
        "website": "",
    }
    response = client.post("/barrierefreiheit/melden", data=data)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vielen Dank" in page
    report = db.scalars(select(BarrierReport)).one()
    assert report.status == "neu" and report.contact_email == "melderin@example.org"
    [mail_file] = list((tmp_path / "outbox").glob("*.eml"))
    mail = message_from_bytes(mail_file.read_bytes())
    assert mail["To"] == "programmbuero@eccar.example" and mail["Reply-To"] == "melderin@example.org"
    assert "Weiter-Knopf" in mail.get_payload(decode=True).decode()


def test_invalid_reports_get_422_with_errors_bound_to_their_fields(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    data = _form(client) | {"description": "", "contact_email": "keine-adresse"}
    response = client.post("/barrierefreiheit/melden", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Bitte beschreiben Sie die Barriere." in html
    assert re.search(
        r'id="description"[^>]*aria-describedby="description-hint description-error"', html, re.S
    )
    assert re.search(r'id="contact_email"[^>]*aria-invalid="true"', html, re.S)
    too_long = _form(client) | {"description": "x" * 5001}
    assert client.post("/barrierefreiheit/melden", data=too_long).status_code == 422
    assert client.post("/barrierefreiheit/melden", data={"description": "ohne Token"}).status_code == 400
    assert db.scalars(select(BarrierReport)).all() == []


def test_the_honeypot_thanks_robots_without_storing(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    data = _form(client) | {"description": "Kaufen Sie jetzt!", "website": "http://spam.example"}
    assert client.post("/barrierefreiheit/melden", data=data).status_code == 303
    assert db.scalars(select(BarrierReport)).all() == []


def test_reports_are_rate_limited_per_client_with_retry_after(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        data = _form(client) | {"description": f"Meldung {n}"}
        assert client.post("/barrierefreiheit/melden", data=data).status_code == 303
    data = _form(client) | {"description": "Meldung 6"}
    response = client.post("/barrierefreiheit/melden", data=data)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert "viele Meldungen" in response.get_data(as_text=True)
    assert len(db.scalars(select(BarrierReport)).all()) == 5


def test_the_daily_cap_holds_for_everyone(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(barrier_reports_per_day=2)
    first = app.test_client()
    first.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    for n in range(2):
        assert (
            first.post("/barrierefreiheit/melden", data=_form(first) | {"description": f"M{n}"}).status_code
            == 303
        )
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    response = other.post("/barrierefreiheit/melden", data=_form(other) | {"description": "M3"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0


def test_only_the_programme_office_lists_reports_and_changes_their_status(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    client.post("/barrierefreiheit/melden", data=_form(client) | {"description": "Kontrast zu schwach"})
    report = db.scalars(select(BarrierReport)).one()
    town = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    admin = f.user(db, Role.ADMIN)

    f.login(client, coordinator.email)
    assert client.get("/programmbuero/barrieren").status_code == 403
    client.post("/abmelden", data={"csrf_token": f.csrf_token(client)})

    f.login(client, admin.email)
    html = client.get("/programmbuero/barrieren").get_data(as_text=True)
    assert "Kontrast zu schwach" in html and f"Meldung Nr. {report.id}" in html
    token = f.csrf_token(client, "/programmbuero/barrieren")
    response = client.post(
        f"/programmbuero/barrieren/{report.id}/status",
        data={"csrf_token": token, f"r{report.id}-status": "in_bearbeitung"},
    )
    assert response.status_code == 303
    db.refresh(report)
    assert report.status == "in_bearbeitung" and report.status_changed_by_id == admin.id
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "barrier_report.status")).one()
    assert event.actor_id == admin.id and event.detail == {"before": "neu", "after": "in_bearbeitung"}
    bad = client.post(
        f"/programmbuero/barrieren/{report.id}/status",
        data={"csrf_token": token, f"r{report.id}-status": "geloescht"},
    )
    assert bad.status_code == 400
    assert "in Bearbeitung" in client.get("/programmbuero/barrieren?stand=in_bearbeitung").get_data(
        as_text=True
    )


def test_english_readers_get_english_chrome_around_the_german_documents(client) -> None:  # type: ignore[no-untyped-def]
    headers = {"Accept-Language": "en"}
    html = client.get("/datenschutz", headers=headers).get_data(as_text=True)
    assert _h1(html) == "Privacy notice"
    assert '<div class="legal-text content" lang="de">' in html  # the legal text itself is a German document
    assert ">Report a barrier</a>" in html.split("<footer", 1)[1]
    form = client.get("/barrierefreiheit/melden", headers=headers).get_data(as_text=True)
    assert "Description of the barrier" in form


def test_done_reports_are_deleted_after_the_retention_period(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from lms import time as clock
    from lms.legal.models import ReportStatus
    from lms.legal.services import ReportInput, set_status, submit_report

    admin = f.user(db, Role.ADMIN)
    old, recent, open_one = (
        submit_report(db, ReportInput(text)) for text in ("alt", "neu erledigt", "offen")
    )
    for report in (old, recent):
        set_status(db, admin.id, report, ReportStatus.DONE)
    old.status_changed_at = clock.now() - timedelta(days=366)
    db.flush()
    old_id, recent_id, open_id = old.id, recent.id, open_one.id
    f.login(client, admin.email)
    html = client.get("/programmbuero/barrieren").get_data(as_text=True)
    assert f"Meldung Nr. {old_id} " not in html
    assert f"Meldung Nr. {recent_id} " in html and f"Meldung Nr. {open_id} " in html
    db.expunge_all()
    assert db.get(BarrierReport, old_id) is None
