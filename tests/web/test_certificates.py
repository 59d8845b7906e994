"""Certificates in the web UI: learners' downloads, the public verification page, revocation, the bulk export."""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.certificates import queries, services
from lms.certificates.codes import generate_code
from lms.certificates.models import Certificate, CertificateDocument, VerificationLookup
from tests import factories as f

BASE = "http://127.0.0.1:5000"


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def setting(app):  # type: ignore[no-untyped-def]
    """Change one setting of the running app."""

    def change(**values):  # type: ignore[no-untyped-def]
        app.extensions["lms.settings"] = dataclasses.replace(app.extensions["lms.settings"], **values)

    return change


def _test_module(db: Session):  # type: ignore[no-untyped-def]
    """The published test module (published on first use)."""
    from lms.content.models import Module

    module = db.scalar(select(Module).where(Module.slug == "testmodul"))
    return module.current_version if module else f.published_module(db)


def _learner_with_completion(db: Session, name: str = "Jürgen Weiß-Öztürk", municipality=None):  # type: ignore[no-untyped-def]
    municipality = municipality or f.municipality(db, "Landkreis Darmstadt-Dieburg")
    person = f.user(db, Role.LEARNER, municipality_id=municipality.id, name=name)
    version = _test_module(db)
    completion = f.completion(db, person, version, completed_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC))
    return person, completion


def test_learner_downloads_a_certificate_issued_once(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, completion = _learner_with_completion(db)
    f.login(client, person.email)
    page = client.get("/nachweise")
    assert f"/nachweise/{completion.id}/zertifikat.pdf" in page.text and "PDF herunterladen" in page.text
    first = client.get(f"/nachweise/{completion.id}/zertifikat.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    text = _pdf_text(first.data)
    certificate = db.scalar(select(Certificate).where(Certificate.completion_id == completion.id))
    assert "Jürgen Weiß-Öztürk" in text and "Landkreis Darmstadt-Dieburg" in text
    assert certificate.code in text and "Version 1.0" in text and "Testmodul" in text
    again = client.get(f"/nachweise/{completion.id}/zertifikat.pdf")
    assert again.data == first.data  # the same certificate, rebuilt bit for bit
    assert db.scalar(select(func.count()).select_from(Certificate)) == 1
    issued = db.scalars(select(AuditEvent).where(AuditEvent.action == "certificate.issue")).all()
    assert [e.object_id for e in issued] == [certificate.code]


def test_nobody_downloads_someone_elses_certificate(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _owner, completion = _learner_with_completion(db)
    other = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    f.login(client, other.email)
    assert client.get(f"/nachweise/{completion.id}/zertifikat.pdf").status_code == 404
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    assert client.get(f"/zertifikate/{certificate.code}.pdf").status_code == 404


def test_transcript_lists_the_years_certificates(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, completion = _learner_with_completion(db)
    f.login(client, person.email)
    assert "/nachweise/uebersicht-2026.pdf" in client.get("/nachweise").text
    response = client.get("/nachweise/uebersicht-2026.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.data)
    code = db.scalar(select(Certificate.code).where(Certificate.completion_id == completion.id))
    assert "Fortbildungsübersicht" in text and "Jürgen Weiß-Öztürk" in text and code in text
    assert "01.03.2026" in text
    empty = _pdf_text(client.get("/nachweise/uebersicht-2025.pdf").data)
    assert "keine abgeschlossenen Module" in empty


# --- verification -------------------------------------------------------------------------------------------


def test_valid_code_shows_only_what_the_certificate_shows(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert "Gültig" in page.text and "Jürgen Weiß-Öztürk" in page.text and "Testmodul" in page.text
    assert "01.03.2026" in page.text and "Landkreis Darmstadt-Dieburg" in page.text
    assert person.email not in page.text  # nothing beyond the certificate
    assert 'name="robots" content="noindex' in page.text and page.headers["X-Robots-Tag"].startswith(
        "noindex"
    )


def test_typed_code_is_normalised_and_redirects(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    token = f.csrf_token(client, "/verify")
    typed = certificate.code.lower().replace("-", " ").replace("0", "o")
    response = client.post("/verify", data={"code": typed, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/verify/{certificate.code}"
    )


def test_revoked_code_says_since_when_but_not_why(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    _person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    services.revoke_certificate(
        db, certificate, actor=None, reason="Irrtümlich ausgestellt (Namensverwechslung)"
    )
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200 and "Widerrufen" in page.text
    assert clock.fixed_date(certificate.revoked_at) in page.text
    assert "Namensverwechslung" not in page.text and "Jürgen" not in page.text


def test_unknown_code_is_reported_and_counted(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    code = generate_code()
    page = client.get(f"/verify/{code}")
    assert page.status_code == 404 and "Unbekannt" in page.text and code in page.text
    assert db.scalar(select(func.count()).select_from(VerificationLookup)) == 1


def test_mistyped_code_is_caught_without_touching_the_database(client, db: Session, connection) -> None:  # type: ignore[no-untyped-def]
    code = generate_code()
    typo = code[:-2] + ("A" if code[-2] != "A" else "B") + code[-1]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        page = client.get(f"/verify/{typo}")
    finally:
        event.remove(connection, "before_cursor_execute", record)
    assert page.status_code == 400 and "Der Code enthält einen Tippfehler" in page.text
    assert statements == []
    token = f.csrf_token(client, "/verify")
    form = client.post("/verify", data={"code": typo, "csrf_token": token})
    assert form.status_code == 400 and "Tippfehler" in form.text and 'aria-invalid="true"' in form.text


def test_lookups_are_rate_limited_per_address(client, db: Session, setting) -> None:  # type: ignore[no-untyped-def]
    setting(verify_max_lookups=3, verify_window_minutes=10)
    code = generate_code()
    assert [client.get(f"/verify/{code}").status_code for _ in range(3)] == [404, 404, 404]
    blocked = client.get(f"/verify/{code}")
    assert blocked.status_code == 429 and "Zu viele" in blocked.text
    assert 1 <= int(blocked.headers["Retry-After"]) <= 600
    other = client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 404  # another address has its own budget


# --- revocation ---------------------------------------------------------------------------------------------


def test_admin_revokes_with_a_reason_and_it_is_audited(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    stored = db.get(CertificateDocument, certificate.id).content
    admin = f.user(db, Role.ADMIN)
    f.login(client, admin.email)
    path = f"/verwaltung/zertifikate/{certificate.code}"
    token = f.csrf_token(client, path)
    empty = client.post(path, data={"reason": "", "csrf_token": token})
    assert empty.status_code == 400 and "Grund" in empty.text and certificate.revoked_at is None
    forged = client.post(path, data={"reason": "Irrtümlich ausgestellt"})
    assert forged.status_code == 400 and certificate.revoked_at is None
    done = client.post(path, data={"reason": "Irrtümlich ausgestellt", "csrf_token": token})
    assert done.status_code == 303
    db.refresh(certificate)
    assert certificate.is_revoked and certificate.revoked_by_id == admin.id
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.revoke"))
    assert event.object_id == certificate.code and event.detail["reason"] == "Irrtümlich ausgestellt"
    assert "Widerrufen am" in client.get(path).text
    assert "Widerrufen" in client.get(f"/verify/{certificate.code}").text
    db.expire_all()
    assert db.get(CertificateDocument, certificate.id).content == stored  # the PDF itself stays as issued
    # the completion stays; the learner sees „widerrufen“ and gets no PDF any more
    f.login(client, person.email)
    assert "widerrufen" in client.get("/nachweise").text
    assert client.get(f"/nachweise/{completion.id}/zertifikat.pdf").status_code == 410


def test_only_admins_revoke(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    f.login(client, person.email)
    assert client.get(f"/verwaltung/zertifikate/{certificate.code}").status_code == 403


# --- bulk export --------------------------------------------------------------------------------------------


def _export(client, slug: str, **data):  # type: ignore[no-untyped-def]
    token = f.csrf_token(client, f"/kommunen/{slug}/zertifikate")
    form = {
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "module": "",
        "format": "zip",
        "csrf_token": token,
    }
    form.update(data)
    return client.post(f"/kommunen/{slug}/zertifikate", data=form)


def test_coordinator_exports_only_their_municipality(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    home = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    elsewhere = f.municipality(db, "Stadt Offenbach am Main")
    _learner_with_completion(db, "Lea Schneider", home)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=home.id)
    f.login(client, coordinator.email)
    assert client.get("/zertifikate").headers["Location"].endswith(f"/kommunen/{home.slug}/zertifikate")
    # Another municipality's page is not found, as its every other page (it answered 403, a QA sweep found).
    assert client.get(f"/kommunen/{elsewhere.slug}/zertifikate").status_code == 404
    assert client.get("/kommunen/gibt-es-nicht/zertifikate").status_code == 404
    token = f.csrf_token(client, f"/kommunen/{home.slug}/zertifikate")
    assert (
        client.post(
            f"/kommunen/{elsewhere.slug}/zertifikate",
            data={"starts_on": "2026-01-01", "ends_on": "2026-12-31", "format": "zip", "csrf_token": token},
        ).status_code
        == 404
    )
    response = _export(client, home.slug)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 1


def test_learners_cannot_export(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    person, _completion = _learner_with_completion(db)
    f.login(client, person.email)
    assert client.get(f"/kommunen/{person.municipality.slug}/zertifikate").status_code == 403


def test_export_form_rejects_a_reversed_period(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    home = f.municipality(db)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    response = _export(client, home.slug, starts_on="2026-12-31", ends_on="2026-01-01")
    assert response.status_code == 400 and "Enddatum liegt vor dem Anfangsdatum" in response.text
    # A day that does not exist is said to be one, not taken for no date at all (a QA sweep).
    impossible = _export(client, home.slug, starts_on="2026-02-31", ends_on="2026-12-31")
    assert impossible.status_code == 400 and "Bitte geben Sie ein Datum ein." not in impossible.text
    assert "Kein gültiges Datum" in impossible.text


def _many_completions(db: Session, municipality, count: int):  # type: ignore[no-untyped-def]
    from lms.auth.models import User

    version = _test_module(db)
    people = [
        User(
            email=f"person{n}@bulk.example",
            display_name=f"Beschäftigte Nr. {n:04d}",
            municipality_id=municipality.id,
        )
        for n in range(count)
    ]
    db.add_all(people)
    db.flush()
    for n, person in enumerate(people):
        f.completion(db, person, version, completed_at=datetime(2026, 1 + n % 12, 1 + n % 28, 10, tzinfo=UTC))
    return people


def test_bulk_export_streams_a_zip_with_manifest_across_batches(  # type: ignore[no-untyped-def]
    client, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches, so that a few certificates cross the batch boundaries of issuing and of reading the rows as a
    # large export does (bench/certificates_export.py measures 1,800; rendering each PDF is what costs time here).
    monkeypatch.setattr(services, "BATCH", 3)
    monkeypatch.setattr(queries, "STREAM_BATCH", 3)
    home = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    elsewhere = f.municipality(db, "Stadt Hofheim am Taunus")
    _many_completions(db, home, 7)
    _learner_with_completion(db, '=HYPERLINK("http://evil")', home)  # a name a spreadsheet would run
    _learner_with_completion(db, "Anna Nowak", elsewhere)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    response = _export(client, home.slug)
    assert response.status_code == 200 and response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 7  # produced piece by piece, not as one block
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 8 and archive.namelist()[0] == "manifest.csv"
    raw = archive.read("manifest.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Datei", "Prüfcode", "Status"] and len(rows) == 9
    assert all(row[1].startswith("KFA-") for row in rows[1:])
    assert any(row[3] == '\'=HYPERLINK("http://evil")' for row in rows)
    assert not any("Anna Nowak" in row[3] for row in rows)
    sample = _pdf_text(archive.read(pdfs[0]))
    assert "Landkreis Darmstadt-Dieburg" in sample
    assert db.scalar(select(func.count()).select_from(Certificate)) == 8
    # the archive carries the PDFs stored at issue, bit for bit
    stored = {
        c.code: d.content
        for c, d in db.execute(
            select(Certificate, CertificateDocument).join(
                CertificateDocument, CertificateDocument.certificate_id == Certificate.id
            )
        )
    }
    assert len(stored) == 8
    assert {name: archive.read(name) for name in pdfs} == {
        name: stored[name.removesuffix(".pdf").rsplit("_", 1)[1]] for name in pdfs
    }


def test_a_second_export_sends_the_stored_pdfs_without_rendering(  # type: ignore[no-untyped-def]
    client, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lms.certificates import rendering

    home = f.municipality(db, "Landkreis Darmstadt-Dieburg")
    _many_completions(db, home, 4)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    first = _export(client, home.slug).data
    rendered: list[str] = []

    def counting(snapshot):  # type: ignore[no-untyped-def]
        rendered.append(snapshot["code"])
        return b""

    monkeypatch.setattr(rendering, "certificate_pdf", counting)
    monkeypatch.setattr(services, "certificate_pdf", counting)
    second = _export(client, home.slug).data
    printed = _export(client, home.slug, format="pdf").data
    assert rendered == []

    def members(data: bytes) -> list[tuple[str, bytes, tuple[int, ...] | None]]:
        """Each file of the archive with its content, and its date unless it is the manifest (dated the export)."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [
                (
                    info.filename,
                    archive.read(info),
                    None if info.filename == "manifest.csv" else info.date_time,
                )
                for info in archive.infolist()
            ]

    assert members(second) == members(first)  # the same stored PDFs with the same dates, the same manifest
    assert len(PdfReader(io.BytesIO(printed)).pages) == 4


def test_certificates_issued_before_pdfs_were_stored_get_theirs_on_first_download(  # type: ignore[no-untyped-def]
    client, db: Session
) -> None:
    from sqlalchemy import delete, update

    person, completion = _learner_with_completion(db)
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    db.execute(delete(CertificateDocument).where(CertificateDocument.certificate_id == certificate.id))
    db.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id)
        .values(snapshot={**certificate.snapshot, "layout": 1})
    )
    db.expire_all()
    f.login(client, person.email)
    response = client.get(f"/zertifikate/{certificate.code}.pdf")
    assert response.status_code == 200 and "Jürgen Weiß-Öztürk" in _pdf_text(response.data)
    document = db.get(CertificateDocument, certificate.id)
    assert document is not None and document.content == response.data
    assert client.get(f"/nachweise/{completion.id}/zertifikat.pdf").data == response.data


def test_export_filters_by_module_and_lists_revoked_without_file(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    home = f.municipality(db)
    person, completion = _learner_with_completion(db, "Lea Schneider", home)
    from lms.authoring.publishing import publish_module
    from lms.content.modules import parse_module

    doc = parse_module(
        f.module_source(slug="zweites-modul", title="Zweites Modul"), "modules/zweites-modul.md"
    )
    other, _problem = publish_module(db, doc, path="modules/zweites-modul.md", actor_id=None)
    f.completion(db, person, other, completed_at=datetime(2026, 5, 5, 10, tzinfo=UTC))
    revoked = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    services.revoke_certificate(db, revoked, actor=None, reason="Test des Widerrufs")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    only_second = zipfile.ZipFile(io.BytesIO(_export(client, home.slug, module="zweites-modul").data))
    assert [n for n in only_second.namelist() if n.endswith(".pdf")] == [
        n for n in only_second.namelist() if "zweites-modul" in n
    ]
    everything = zipfile.ZipFile(io.BytesIO(_export(client, home.slug).data))
    rows = list(csv.reader(io.StringIO(everything.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code[revoked.code][0] == "" and by_code[revoked.code][2].startswith("widerrufen")
    assert len([n for n in everything.namelist() if n.endswith(".pdf")]) == 1


def test_print_pdf_has_one_page_per_valid_certificate(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    home = f.municipality(db)
    _many_completions(db, home, 12)
    _person, completion = _learner_with_completion(db, "Widerrufene Person", home)
    revoked = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    services.revoke_certificate(db, revoked, actor=None, reason="Test des Widerrufs")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    response = _export(client, home.slug, format="pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 12  # page by page, not one block
    reader = PdfReader(io.BytesIO(b"".join(chunks)), strict=True)
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 12 and "Beschäftigte Nr. 0011" in texts[11]
    assert not any("Widerrufene Person" in text for text in texts)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "Zertifikate" in xmp
    nothing = _export(client, home.slug, format="pdf", starts_on="2025-01-01", ends_on="2025-12-31")
    assert "keine Zertifikate" in _pdf_text(nothing.data)


def test_participation_certificate_shows_the_neutral_title_and_stays_with_its_holder(
    client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from lms.certificates.snapshot import NEUTRAL_PARTICIPATION_TITLE

    home = f.municipality(db, "Stadt Offenbach am Main")
    person = f.user(db, Role.LEARNER, municipality_id=home.id, name="Deniz Arslan")
    certificate = services.issue_participation(
        db, person, attended_on=date(2026, 5, 4), duration_minutes=None, actor_id=person.id, base_url=BASE
    )
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200 and "Gültig" in page.text
    assert "Teilnahme an einer Fortbildung des Modellprogramms" in page.text and "04.05.2026" in page.text
    assert "Empowerment" not in page.text and "Modul" not in page.text.replace("Modellprogramms", "")
    # the coordinator of the holder's municipality neither downloads it nor finds it in the export
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    assert client.get(f"/zertifikate/{certificate.code}.pdf").status_code == 404
    archive = zipfile.ZipFile(io.BytesIO(_export(client, home.slug).data))
    assert certificate.code not in archive.read("manifest.csv").decode("utf-8-sig")
    # the holder has it on „Meine Nachweise“ and downloads it
    f.login(client, person.email)
    assert certificate.code in client.get("/nachweise").text
    own = client.get(f"/zertifikate/{certificate.code}.pdf")
    assert own.status_code == 200 and NEUTRAL_PARTICIPATION_TITLE.split("„")[0].strip() in " ".join(
        _pdf_text(own.data).split()
    )


def test_export_filters_by_org_unit_and_offers_the_programme_periods(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from lms.orgs.models import OrgUnit

    home = f.municipality(db)
    building, social = (
        OrgUnit(municipality_id=home.id, name="Bauamt"),
        OrgUnit(municipality_id=home.id, name="Sozialamt"),
    )
    db.add_all([building, social])
    db.flush()
    in_building, _c1 = _learner_with_completion(db, "Paula Bauer", home)
    in_social, _c2 = _learner_with_completion(db, "Sami Sozial", home)
    in_building.org_unit_id, in_social.org_unit_id = building.id, social.id
    db.flush()
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=home.id)
    f.login(client, coordinator.email)
    page = client.get(f"/kommunen/{home.slug}/zertifikate").text
    assert "Programmjahr 2026" in page and "Bauamt" in page and "Sozialamt" in page
    archive = zipfile.ZipFile(io.BytesIO(_export(client, home.slug, org_unit=str(building.id)).data))
    manifest = archive.read("manifest.csv").decode("utf-8-sig")
    assert "Paula Bauer" in manifest and "Sami Sozial" not in manifest
    assert _export(client, home.slug, org_unit="999999").status_code == 400


def test_the_verification_page_writes_duration_and_form_in_the_readers_language(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id, name="Deniz Arslan")
    certificate = services.issue_participation(
        db, person, attended_on=date(2026, 5, 4), duration_minutes=90, actor_id=person.id, base_url=BASE
    )
    german = client.get(f"/verify/{certificate.code}").text
    assert "90 Minuten" in german and "in Präsenz" in german
    english = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "en"}).text
    assert "90 minutes" in english and "in person" in english
    assert "Minuten" not in english and "Präsenz" not in english
    # The stored document stays German, as issued.
    assert "90 Minuten" in _pdf_text(services.certificate_document(db, certificate))


def test_an_in_person_completion_shows_its_day_and_no_invented_time(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """A training recorded in person is stored at noon of its day; „Meine Nachweise“ showed „12:00 Uhr“, in the
    morning of that very day a time still to come (found by a QA sweep). Online completions keep their moment."""
    person, _online = _learner_with_completion(db)
    other = f.training_module(db, "praesenz-nachweis", "Präsenzschulung")
    f.completion(
        db, person, other, mode="in_person", completed_at=datetime(2026, 11, 27, 12, 0, tzinfo=clock.BERLIN)
    )
    f.login(client, person.email)
    page = client.get("/nachweise").text
    assert "01.03.2026, 10:30 Uhr" in page  # online: the moment of the passed quiz (09:30 UTC)
    assert "27.11.2026" in page and "12:00" not in page


def test_the_verification_page_marks_the_german_title_and_issuer_in_english(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """WCAG 3.1.2: an English reader's screen reader read „Testmodul“ and „Europäische Städtekoalition gegen
    Rassismus (ECCAR) e. V.“ with an English voice (a QA sweep); the German page needs no marking."""
    from datetime import date

    from lms.certificates.snapshot import ISSUER, NEUTRAL_PARTICIPATION_TITLE
    from tests.web.test_content_language import _lang_of

    _person, completion = _learner_with_completion(db)
    completed = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    person = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id, name="Deniz Arslan")
    attended = services.issue_participation(
        db, person, attended_on=date(2026, 5, 4), duration_minutes=90, actor_id=person.id, base_url=BASE
    )
    english = client.get(f"/verify/{completed.code}", headers={"Accept-Language": "en"}).text
    assert _lang_of(english, "Testmodul") == {"de"} and _lang_of(english, ISSUER["name"]) == {"de"}
    assert _lang_of(english, "Module") == {"en"} and _lang_of(english, "Jürgen Weiß-Öztürk") == {"en"}
    participation = client.get(f"/verify/{attended.code}", headers={"Accept-Language": "en"}).text
    assert _lang_of(participation, NEUTRAL_PARTICIPATION_TITLE) == {"de"}
    assert _lang_of(participation, "90 minutes") == {"en"}
    german = client.get(f"/verify/{completed.code}").text
    assert 'lang="de">Testmodul' not in german and "Europäische Städtekoalition" in german  # all German
    # The programme office's page of one certificate shows the same lines.
    office = f.user(db, Role.ADMIN)
    office.locale = "en"
    db.flush()
    f.login(client, office.email)
    managed = client.get(f"/verwaltung/zertifikate/{completed.code}").text
    assert _lang_of(managed, "Testmodul") == {"de"} and _lang_of(managed, ISSUER["name"]) == {"de"}


def test_an_english_reader_is_told_the_pdfs_are_german(app, client, db: Session) -> None:  # type: ignore[no-untyped-def]
    """The certificates and transcripts are German documents, on purpose (evidence for German employers); an
    English-profile learner read „Download PDF“ and „Training transcript 2026 (PDF)“ (a QA sweep). The German
    page reads as before."""
    import re
    from datetime import date

    from flask_babel import force_locale, gettext

    person, _completion = _learner_with_completion(db)
    participation = services.issue_participation(
        db, person, attended_on=date(2026, 5, 4), duration_minutes=None, actor_id=person.id, base_url=BASE
    )
    f.login(client, person.email)
    german = client.get("/nachweise").text
    for text in (
        "PDF herunterladen",
        "Fortbildungsübersicht 2026 (PDF)",
        f"Teilnahmebescheinigung {participation.code} (PDF)",
        "Fortbildungsübersicht 2026 mit Teilnahmebescheinigungen (PDF)",
    ):
        assert text in german
    assert "auf Deutsch" not in german

    person.locale = "en"
    db.flush()
    page = client.get("/nachweise").text
    assert "Download PDF" not in page and "(PDF)<" not in page
    with app.test_request_context(), force_locale("en"):
        expected = [
            gettext("Zertifikat herunterladen (PDF, auf Deutsch)"),
            gettext("Fortbildungsübersicht %(year)s (PDF, auf Deutsch)", year=2026),
            gettext("Teilnahmebescheinigung %(code)s (PDF, auf Deutsch)", code=participation.code),
            gettext(
                "Fortbildungsübersicht %(year)s mit Teilnahmebescheinigungen (PDF, auf Deutsch)", year=2026
            ),
        ]
    links = [
        (attributes, text)
        for attributes, text in re.findall(r'<a class="kern-link" href="[^"]+"([^>]*)>([^<]*)', page)
        if "download" in attributes
    ]
    assert [text for _attributes, text in links] == expected
    assert all('hreflang="de"' in attributes for attributes, _text in links)
    # The programme office's page of one certificate links its PDF the same way.
    office = f.user(db, Role.ADMIN)
    office.locale = "en"
    db.flush()
    f.login(client, office.email)
    managed = client.get(f"/verwaltung/zertifikate/{participation.code}").text
    assert f'hreflang="de">{expected[0]}</a>' in managed and "Download PDF" not in managed
