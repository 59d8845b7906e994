"""Certificate services against the database: issuing once, immutability, revocation, periods, the lookup limit."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateDocument, VerificationLookup
from lms.certificates.pdf import certificate_pdf
from lms.certificates.rendering import Renderer
from lms.certificates.snapshot import NEUTRAL_PARTICIPATION_TITLE
from lms.certificates.store import StoredDocumentCorrupt
from lms.db import ImmutableError
from tests import factories as f

BASE = "https://lernen.example"


def _completion(db: Session, at: datetime, municipality=None, name: str = "Lea Schneider"):  # type: ignore[no-untyped-def]
    from lms.content.models import Module

    municipality = municipality or f.municipality(db, "Landkreis Darmstadt-Dieburg")
    person = f.user(db, Role.LEARNER, municipality_id=municipality.id, name=name)
    module = db.scalar(select(Module).where(Module.slug == "testmodul"))
    version = module.current_version if module else f.published_module(db)
    return f.completion(db, person, version, completed_at=at, mode="in_person")


def test_issuing_twice_returns_the_same_certificate(db: Session) -> None:
    completion = _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC))
    first = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    second = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    assert first.id == second.id and first.code.startswith("KFA-")
    assert (
        first.snapshot["mode"] == "in_person"
        and first.snapshot["verify_url"] == f"{BASE}/verify/{first.code}"
    )
    assert first.awarded_on == date(2026, 4, 1)
    assert (
        db.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "certificate.issue")
        )
        == 1
    )


def test_a_certificate_keeps_its_snapshot_when_the_module_and_person_change(db: Session) -> None:
    completion = _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC), name="Lea Schneider")
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    f.published_module(db, f.module_source(version="2.0", title="Testmodul, überarbeitet"))
    certificate.holder.display_name = "Lea Schneider-Yılmaz"
    db.flush()
    db.expire_all()
    again = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    assert again.snapshot["holder_name"] == "Lea Schneider" and again.snapshot["title"] == "Testmodul"


def test_issued_certificates_are_immutable_and_revocation_is_final(db: Session) -> None:
    certificate = services.issue_for_completion(
        db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC)), actor_id=None, base_url=BASE
    )
    with pytest.raises(ImmutableError), db.begin_nested():
        certificate.snapshot = {**certificate.snapshot, "holder_name": "Jemand anderes"}
        db.flush()
    db.refresh(certificate)
    assert certificate.snapshot["holder_name"] == "Lea Schneider"
    with pytest.raises(services.CertificateError):
        services.revoke_certificate(db, certificate, actor=None, reason="")
    services.revoke_certificate(db, certificate, actor=None, reason="Irrtümlich ausgestellt")
    with pytest.raises(services.CertificateError, match="bereits widerrufen"):
        services.revoke_certificate(db, certificate, actor=None, reason="Noch einmal widerrufen")
    with pytest.raises(ImmutableError), db.begin_nested():
        certificate.revoked_reason = "Nachträglich geändert"
        db.flush()


def test_bulk_issue_covers_german_days_and_one_municipality(db: Session) -> None:
    home = f.municipality(db)
    elsewhere = f.municipality(db)
    inside_early = _completion(db, datetime(2025, 12, 31, 23, 30, tzinfo=UTC), home)  # 1 Jan 2026 in Berlin
    inside_late = _completion(db, datetime(2026, 12, 31, 22, 59, tzinfo=UTC), home)  # 31 Dec, 23:59 in Berlin
    _completion(db, datetime(2026, 12, 31, 23, 0, tzinfo=UTC), home)  # already 1 Jan 2027 in Berlin
    _completion(db, datetime(2026, 6, 1, tzinfo=UTC), elsewhere)
    selection = services.CompletionFilter(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), municipality_id=home.id
    )
    assert services.issue_missing(db, selection, actor_id=None, base_url=BASE) == 2
    assert services.issue_missing(db, selection, actor_id=None, base_url=BASE) == 0
    issued = {c.completion_id: c.awarded_on for c in db.scalars(select(Certificate))}
    assert issued == {inside_early.id: date(2026, 1, 1), inside_late.id: date(2026, 12, 31)}


def test_participation_certificate_has_the_neutral_title(db: Session) -> None:
    municipality = f.municipality(db, "Stadt Offenbach am Main")
    person = f.user(db, Role.LEARNER, municipality_id=municipality.id, name="Deniz Arslan")
    certificate = services.issue_participation(
        db, person, attended_on=date(2026, 5, 4), duration_minutes=180, actor_id=person.id, base_url=BASE
    )
    assert certificate.kind == "participation" and certificate.completion_id is None
    assert certificate.snapshot["title"] == NEUTRAL_PARTICIPATION_TITLE
    assert certificate.snapshot["municipality_name"] == "Stadt Offenbach am Main"


def test_lookup_limit_counts_per_client_within_the_window(db: Session) -> None:
    limit = services.LookupLimit(max_lookups=2, window=timedelta(minutes=10))
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert services.register_lookup(db, "a", limit, start) == 0
    assert services.register_lookup(db, "a", limit, start + timedelta(minutes=1)) == 0
    assert services.register_lookup(db, "a", limit, start + timedelta(minutes=2)) == 8 * 60 + 1
    assert services.register_lookup(db, "b", limit, start + timedelta(minutes=2)) == 0
    assert services.register_lookup(db, "a", limit, start + timedelta(minutes=10, seconds=1)) == 0


def test_old_lookups_are_deleted_as_new_ones_come(db: Session) -> None:
    limit = services.LookupLimit(max_lookups=2, window=timedelta(minutes=10))
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    services.register_lookup(db, "aa1", limit, start)
    services.register_lookup(db, "ab1", limit, start)
    services.register_lookup(db, "aa2", limit, start + timedelta(minutes=11))
    # The lookup prunes its own stripe (first two characters of the key); the other goes with its next lookup.
    assert sorted(db.scalars(select(VerificationLookup.client_key))) == ["aa2", "ab1"]
    services.register_lookup(db, "ab2", limit, start + timedelta(minutes=11))
    assert sorted(db.scalars(select(VerificationLookup.client_key))) == ["aa2", "ab2"]


# --- stored PDFs ----------------------------------------------------------------------------------------------


def _stored(db: Session, certificate: Certificate) -> CertificateDocument:
    document = db.get(CertificateDocument, certificate.id)
    assert document is not None
    return document


def _legacy(db: Session, completion) -> Certificate:  # type: ignore[no-untyped-def]
    """A certificate as issued before PDFs were kept: layout 1 and no stored PDF."""
    certificate = services.issue_for_completion(db, completion, actor_id=None, base_url=BASE)
    db.execute(delete(CertificateDocument).where(CertificateDocument.certificate_id == certificate.id))
    db.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id)
        .values(snapshot={**certificate.snapshot, "layout": 1})
    )
    db.expire_all()
    return db.get(Certificate, certificate.id)  # type: ignore[return-value]


def test_the_pdf_is_stored_at_issue_and_equals_a_rebuild_from_the_snapshot(db: Session) -> None:
    certificate = services.issue_for_completion(
        db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC)), actor_id=None, base_url=BASE
    )
    document = _stored(db, certificate)
    assert certificate.snapshot["layout"] == 4  # new certificates are tagged PDFs (PDF/UA-1) with font set 2
    assert document.content == certificate_pdf(certificate.snapshot)  # bit for bit
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    assert document.size_bytes == len(document.content)
    assert services.certificate_document(db, certificate) == document.content


def test_bulk_issue_stores_every_pdf_and_renders_nothing_twice(db: Session) -> None:
    home = f.municipality(db)
    for n in range(5):
        _completion(db, datetime(2026, 5, 1 + n, 9, tzinfo=UTC), home, name=f"Person {n}")
    selection = services.CompletionFilter(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), municipality_id=home.id
    )
    renderer = Renderer()
    assert services.issue_missing(db, selection, actor_id=None, base_url=BASE, renderer=renderer) == 5
    assert renderer.rendered == 5
    documents = db.scalars(select(CertificateDocument)).all()
    assert len(documents) == 5
    for document in documents:
        assert document.content == certificate_pdf(db.get(Certificate, document.certificate_id).snapshot)
    again = Renderer()
    assert services.issue_missing(db, selection, actor_id=None, base_url=BASE, renderer=again) == 0
    assert services.store_missing_documents(db, renderer=again) == 0
    assert again.rendered == 0


def test_stored_pdfs_cannot_be_changed_or_deleted(db: Session) -> None:
    certificate = services.issue_for_completion(
        db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC)), actor_id=None, base_url=BASE
    )
    document = _stored(db, certificate)
    original = document.content
    with pytest.raises(ImmutableError), db.begin_nested():
        document.content = b"%PDF-1.7 forged"
        db.flush()
    db.expire_all()
    document = _stored(db, certificate)
    with pytest.raises(ImmutableError), db.begin_nested():
        db.delete(document)
        db.flush()
    db.expire_all()
    assert _stored(db, certificate).content == original


def test_a_revocation_leaves_the_stored_pdf_as_it_was(db: Session) -> None:
    certificate = services.issue_for_completion(
        db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC)), actor_id=None, base_url=BASE
    )
    before = _stored(db, certificate).content
    services.revoke_certificate(db, certificate, actor=None, reason="Irrtümlich ausgestellt")
    db.expire_all()
    assert _stored(db, certificate).content == before
    assert services.find_by_code(db, certificate.code).is_revoked  # the verification page says so


def test_a_corrupted_stored_pdf_is_refused_not_served(db: Session) -> None:
    certificate = services.issue_for_completion(
        db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC)), actor_id=None, base_url=BASE
    )
    db.execute(
        update(CertificateDocument)
        .where(CertificateDocument.certificate_id == certificate.id)
        .values(content=b"%PDF-1.7 something else")
    )
    with pytest.raises(StoredDocumentCorrupt):
        services.certificate_document(db, certificate)


def test_older_certificates_get_their_pdf_once_on_first_use(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = f.municipality(db)
    first = _legacy(db, _completion(db, datetime(2026, 4, 1, 10, tzinfo=UTC), home, name="Erste Person"))
    second = _legacy(db, _completion(db, datetime(2026, 4, 2, 10, tzinfo=UTC), home, name="Zweite Person"))
    revoked = _legacy(db, _completion(db, datetime(2026, 4, 3, 10, tzinfo=UTC), home, name="Dritte Person"))
    services.revoke_certificate(db, revoked, actor=None, reason="Irrtümlich ausgestellt")
    assert db.scalar(select(func.count()).select_from(CertificateDocument)) == 0
    # on download: rendered with its own layout (1), stored, then served from the store
    content = services.certificate_document(db, first)
    assert content == certificate_pdf(first.snapshot) and _stored(db, first).content == content
    calls: list[str] = []
    monkeypatch.setattr(services, "certificate_pdf", lambda s: calls.append(s["code"]) or b"")
    assert services.certificate_document(db, first) == content and calls == []
    monkeypatch.undo()
    # the rest at once (`lms certificates store-missing`); the revoked one gets none, nobody can download it
    assert services.store_missing_documents(db) == 1
    assert _stored(db, second).content == certificate_pdf(second.snapshot)
    assert db.get(CertificateDocument, revoked.id) is None
    assert services.store_missing_documents(db) == 0


def test_worker_processes_render_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from lms.certificates import rendering
    from lms.certificates.snapshot import completion_snapshot

    snapshots = [
        dict(
            completion_snapshot(
                code=f"KFA-0000-0000-000{n}-X",
                base_url=BASE,
                holder_name=f"Person Nr. {n}",
                municipality_name="Stadt Offenbach am Main",
                module_title="Testmodul",
                module_slug="testmodul",
                version_label="1.0",
                completed_at=datetime(2026, 4, 1, 10, tzinfo=UTC),
                duration_minutes=30,
                mode="online",
                issued_at=datetime(2026, 4, 2, 10, tzinfo=UTC),
            )
        )
        for n in range(4)
    ]
    monkeypatch.setattr(rendering, "POOL_THRESHOLD", 2)
    with Renderer(processes=2) as renderer:
        in_workers = renderer.render(snapshots)
        assert renderer._pool is not None  # really on the pool
    assert in_workers == [certificate_pdf(s) for s in snapshots]
