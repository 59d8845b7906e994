"""Certificate services against the database: issuing once, immutability, revocation, periods, the lookup limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.models import Certificate, VerificationLookup
from lms.certificates.snapshot import NEUTRAL_PARTICIPATION_TITLE
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
