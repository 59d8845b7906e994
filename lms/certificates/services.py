"""Issuing, revoking and looking up certificates; the rate limit of the public lookup.

Services flush, never commit: the web request or the CLI command is the unit of work. Who may ask for what is
decided by lms.certificates.queries (one place); these functions do what they are asked.

A certificate's PDF is rendered once, when it is issued, and kept (lms.certificates.store); certificates issued
before PDFs were kept get theirs on first use (:func:`certificate_document`, :func:`store_missing_documents`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.auth.services import hold_lock
from lms.certificates.codes import generate_code
from lms.certificates.models import AlreadyRevoked, Certificate, CertificateDocument, VerificationLookup
from lms.certificates.rendering import Renderer, certificate_pdf  # fpdf2 imported at the first PDF, not here
from lms.certificates.snapshot import (
    CertificateKind,
    completion_snapshot,
    participation_snapshot,
)
from lms.certificates.store import CertificateStore, DatabaseStore
from lms.content.models import Module, ModuleVersion
from lms.errors import ServiceError
from lms.orgs.models import Municipality
from lms.progress.models import Completion

#: How many certificates one bulk issue writes per flush (keeps memory flat for 1,800 and more).
BATCH = 200
#: Where the PDFs of issued certificates are kept.
STORE: CertificateStore = DatabaseStore()


class CertificateError(ServiceError, ValueError):
    """A request about a certificate cannot be done; the message is for people."""


@dataclass(frozen=True)
class CompletionFilter:
    """Which completions a bulk action covers: a date range (inclusive German days) and optional narrowing.

    ``org_unit_id`` narrows to the people currently in that org unit (Fachbereich/Amt).
    """

    starts_on: date
    ends_on: date
    municipality_id: int | None = None
    holder_id: int | None = None
    module_slug: str | None = None
    org_unit_id: int | None = None

    def conditions(self) -> list[Any]:
        """SQL conditions over Completion, User and Module."""
        start, end = clock.day_bounds(self.starts_on, self.ends_on)
        found = [Completion.completed_at >= start, Completion.completed_at < end]
        if self.municipality_id is not None:
            found.append(User.municipality_id == self.municipality_id)
        if self.holder_id is not None:
            found.append(Completion.user_id == self.holder_id)
        if self.module_slug:
            found.append(Module.slug == self.module_slug)
        if self.org_unit_id is not None:
            found.append(User.org_unit_id == self.org_unit_id)
        return found


def _completion_source() -> Select[*tuple[Any, ...]]:
    """One row per completion with everything its snapshot needs (one query, no lazy loads)."""
    return (
        select(
            Completion.id,
            Completion.user_id,
            Completion.completed_at,
            Completion.mode,
            User.display_name,
            User.municipality_id,
            Municipality.name,
            ModuleVersion.title,
            ModuleVersion.version_label,
            ModuleVersion.duration_minutes,
            Module.slug,
            Completion.valid_until,
        )
        .join(User, User.id == Completion.user_id)
        .join(ModuleVersion, ModuleVersion.id == Completion.module_version_id)
        .join(Module, Module.id == Completion.module_id)
        .outerjoin(Municipality, Municipality.id == User.municipality_id)
    )


def _new_certificate(row: Any, *, actor_id: int | None, base_url: str, now: datetime) -> Certificate:
    code = generate_code()
    (completion_id, holder_id, completed_at, mode, name, municipality_id, municipality_name) = row[:7]
    title, label, duration, slug, valid_until = row[7:]
    snapshot = completion_snapshot(
        code=code,
        base_url=base_url,
        holder_name=name,
        municipality_name=municipality_name,
        module_title=title,
        module_slug=slug,
        version_label=label,
        completed_at=completed_at,
        duration_minutes=duration,
        mode=mode,
        issued_at=now,
        valid_until=valid_until,
    )
    return Certificate(
        code=code,
        kind=CertificateKind.COMPLETION.value,
        completion_id=completion_id,
        holder_id=holder_id,
        municipality_id=municipality_id,
        awarded_on=clock.local_date(completed_at),
        snapshot=dict(snapshot),
        issued_at=now,
        issued_by_id=actor_id,
    )


def _record_issue(session: Session, certificate: Certificate, actor_id: int | None) -> None:
    record_event(
        session,
        actor_id=actor_id,
        action="certificate.issue",
        object_type="certificate",
        object_id=certificate.code,
        kind=certificate.kind,
        holder_id=certificate.holder_id,
        completion_id=certificate.completion_id,
    )


def certificate_of(session: Session, completion_id: int) -> Certificate | None:
    """The certificate already issued for a completion, if any."""
    return session.scalar(select(Certificate).where(Certificate.completion_id == completion_id))


def issue_for_completion(
    session: Session, completion: Completion, *, actor_id: int | None, base_url: str
) -> Certificate:
    """The completion's certificate, issued now if it has none yet (issuing twice returns the same one)."""
    existing = certificate_of(session, completion.id)
    if existing is not None:
        return existing
    row = session.execute(_completion_source().where(Completion.id == completion.id)).one()
    certificate = _new_certificate(row, actor_id=actor_id, base_url=base_url, now=clock.now())
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:
        # Two first downloads at the same moment: the other request issued it; return that one.
        existing = certificate_of(session, completion.id)
        if existing is None:
            raise
        return existing
    _record_issue(session, certificate, actor_id)
    STORE.put(session, [(certificate.id, certificate_pdf(certificate.snapshot))])
    session.flush()
    return certificate


def _store_rendered(session: Session, certificates: Sequence[Any], renderer: Renderer) -> None:
    """Render the PDFs of (id, snapshot) pairs and keep them."""
    contents = renderer.render([snapshot for _id, snapshot in certificates])
    STORE.put(session, [(row[0], content) for row, content in zip(certificates, contents, strict=True)])


def issue_missing(
    session: Session,
    selection: CompletionFilter,
    *,
    actor_id: int | None,
    base_url: str,
    renderer: Renderer | None = None,
) -> int:
    """Issue certificates (with their PDFs) for every selected completion that has none yet; returns how many.

    ``renderer`` may render in worker processes (bulk exports); by default the PDFs are made in this process.
    """
    query = (
        _completion_source()
        .outerjoin(Certificate, Certificate.completion_id == Completion.id)
        .where(Certificate.id.is_(None), *selection.conditions())
        .order_by(Completion.id)
    )
    rows = session.execute(query).all()
    now = clock.now()
    renderer = renderer or Renderer()
    for start in range(0, len(rows), BATCH):
        certificates = [
            _new_certificate(row, actor_id=actor_id, base_url=base_url, now=now)
            for row in rows[start : start + BATCH]
        ]
        session.add_all(certificates)
        session.flush()
        for certificate in certificates:
            _record_issue(session, certificate, actor_id)
        _store_rendered(session, [(c.id, c.snapshot) for c in certificates], renderer)
    session.flush()
    return len(rows)


def store_missing_documents(
    session: Session,
    selection: Select[*tuple[Any, ...]] | None = None,
    *,
    renderer: Renderer | None = None,
    limit: int | None = None,
) -> int:
    """Render and keep the PDFs of valid certificates that have none yet (issued before PDFs were kept).

    ``selection`` is a query over Certificate (e.g. an export's); without it, all certificates (at most ``limit``,
    oldest first). Revoked certificates get none: nobody can download them any more. Returns how many were stored.
    """
    query = (
        (selection if selection is not None else select(Certificate).order_by(Certificate.id))
        .with_only_columns(Certificate.id, Certificate.snapshot)
        .outerjoin(CertificateDocument, CertificateDocument.certificate_id == Certificate.id)
        .where(CertificateDocument.certificate_id.is_(None), Certificate.revoked_at.is_(None))
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    renderer = renderer or Renderer()
    for start in range(0, len(rows), BATCH):
        _store_rendered(session, rows[start : start + BATCH], renderer)
    return len(rows)


def certificate_document(session: Session, certificate: Certificate) -> bytes:
    """The certificate's PDF as stored; rendered and stored now if it was issued before PDFs were kept."""
    stored = STORE.get(session, certificate.id)
    if stored is not None:
        return stored
    content = certificate_pdf(certificate.snapshot)
    try:
        with session.begin_nested():
            STORE.put(session, [(certificate.id, content)])
    except IntegrityError:
        pass  # another request stored it a moment ago: the same bytes, rendered from the same snapshot
    return content


def issue_participation(
    session: Session,
    holder: User,
    *,
    attended_on: date,
    duration_minutes: int | None,
    actor_id: int | None,
    base_url: str,
) -> Certificate:
    """A participation certificate with the neutral title (only ever at the participant's own request)."""
    now = clock.now()
    code = generate_code()
    municipality = session.get(Municipality, holder.municipality_id) if holder.municipality_id else None
    snapshot = participation_snapshot(
        code=code,
        base_url=base_url,
        holder_name=holder.display_name,
        municipality_name=municipality.name if municipality else None,
        attended_on=attended_on,
        duration_minutes=duration_minutes,
        issued_at=now,
    )
    certificate = Certificate(
        code=code,
        kind=CertificateKind.PARTICIPATION.value,
        completion_id=None,
        holder_id=holder.id,
        municipality_id=holder.municipality_id,
        awarded_on=attended_on,
        snapshot=dict(snapshot),
        issued_at=now,
        issued_by_id=actor_id,
    )
    session.add(certificate)
    session.flush()
    # No audit event: it would name the person (or give the code that the public verification turns into a
    # name) beside the day of an empowerment workshop. Redeeming a code is not recorded either (lms.workshops.codes).
    STORE.put(session, [(certificate.id, certificate_pdf(certificate.snapshot))])
    return certificate


def revoke_certificate(
    session: Session, certificate: Certificate, *, actor: User | None, reason: str
) -> None:
    """Revoke with a reason; the completion stays on record, the verification page then says „widerrufen“."""
    reason = reason.strip()
    if len(reason) < 5:
        raise CertificateError("certificate.reason_missing")
    try:
        certificate.revoke(by_id=actor.id if actor else None, reason=reason, at=clock.now())
    except AlreadyRevoked:
        raise CertificateError("certificate.already_revoked") from None
    session.flush()
    record_event(
        session,
        actor_id=actor.id if actor else None,
        action="certificate.revoke",
        object_type="certificate",
        object_id=certificate.code,
        reason=reason,
    )


def find_by_code(session: Session, formatted_code: str) -> Certificate | None:
    """The certificate with this (already checked and formatted) code."""
    return session.scalar(select(Certificate).where(Certificate.code == formatted_code))


@dataclass(frozen=True)
class LookupLimit:
    """How many lookups one client address may make within the window."""

    max_lookups: int = 30
    window: timedelta = timedelta(minutes=10)


def register_lookup(
    session: Session, client_key: str, limit: LookupLimit, now: datetime | None = None
) -> int:
    """Count a lookup for this client; returns 0 if allowed, else the seconds until the next one is allowed."""
    now = now or clock.now()
    since = now - limit.window
    # Counting and recording are one step per client (the lock row is held until the request commits), so
    # parallel lookups cannot all see the same count; 256 stripes keep other clients from waiting.
    stripe = client_key[:2]
    hold_lock(session, f"verify:{stripe}")
    # Old rows are useless for any client: drop them as we go (cheap with the index on ``at``). Only the own
    # stripe's, under its lock, so two stripes never wait for each other's rows (or deadlock over them).
    session.execute(
        delete(VerificationLookup).where(
            VerificationLookup.at < since, VerificationLookup.client_key.startswith(stripe, autoescape=True)
        )
    )
    recent = session.execute(
        select(func.count(), func.min(VerificationLookup.at)).where(
            and_(VerificationLookup.client_key == client_key, VerificationLookup.at >= since)
        )
    ).one()
    count, oldest = recent
    if count >= limit.max_lookups:
        return max(1, int((oldest + limit.window - now).total_seconds()) + 1)
    session.add(VerificationLookup(client_key=client_key, at=now))
    session.flush()
    return 0
