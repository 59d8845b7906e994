"""Issued certificates (immutable except for their revocation) and the log of public verification lookups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.db import Base, ImmutableError, JSONDocument, UTCDateTime, changed_columns, created_at, intpk


class AlreadyRevoked(Exception):
    """The certificate was revoked before; a revocation is final."""


class Certificate(Base):
    """One issued certificate: a code and a frozen snapshot of everything it shows.

    Its PDF is rendered once from the snapshot and kept (CertificateDocument); a rebuild from the snapshot gives the
    same bytes (lms.certificates.pdf), so the stored file can always be checked against the snapshot.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('completion', 'participation')", name="kind_known"),
        CheckConstraint(
            "kind = 'participation' OR completion_id IS NOT NULL", name="completion_has_completion"
        ),
        Index("ix_certificates_municipality_awarded", "municipality_id", "awarded_on"),
    )

    id: Mapped[intpk]
    #: ``KFA-XXXX-XXXX-XXXX-C`` (lms.certificates.codes); what the QR code and the verification page use.
    code: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    #: The completion it certifies; unique, so issuing twice returns the same certificate. None for participation.
    completion_id: Mapped[int | None] = mapped_column(ForeignKey("completions.id"), unique=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The holder's municipality when issued: exports of a municipality list what was issued for its staff.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id"))
    #: The German calendar day the certificate attests (completion or participation); exports filter by it.
    awarded_on: Mapped[date] = mapped_column(Date)
    #: Everything the PDF and the verification page show (lms.certificates.snapshot.Snapshot), frozen at issue.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    issued_at: Mapped[created_at]
    #: None when issued from the command line without a person.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why it was revoked; for the audit log and administrators, never shown on the public page.
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    holder: Mapped[User] = relationship(foreign_keys=[holder_id], lazy="joined")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def valid_until(self) -> date | None:
        """„Gültig bis“ as fixed in the snapshot at issue (None: valid for good, or issued before validity)."""
        value = (self.snapshot or {}).get("valid_until")
        return date.fromisoformat(value) if value else None

    def revoke(self, *, by_id: int | None, reason: str, at: datetime) -> None:
        """Mark the certificate as revoked; refuses a second revocation (the first one stays on record)."""
        if self.is_revoked:
            raise AlreadyRevoked(self.code)
        self.revoked_at = at
        self.revoked_reason = reason
        self.revoked_by_id = by_id


REVOCATION_COLUMNS = {"revoked_at", "revoked_reason", "revoked_by_id"}


@event.listens_for(Certificate, "before_update")
def _certificates_are_immutable(_mapper: Any, _connection: Any, target: Certificate) -> None:
    """Only a revocation may change an issued certificate, and only once."""
    changed = changed_columns(target) - {"holder"}
    if changed - REVOCATION_COLUMNS:
        raise ImmutableError(f"issued certificates are immutable (tried to change {sorted(changed)})")
    history = inspect(target).attrs.revoked_at.history
    previous = list(history.unchanged or ()) + list(history.deleted or ())
    if any(value is not None for value in previous):
        raise ImmutableError("a revocation is final")


class CertificateDocument(Base):
    """The PDF of an issued certificate, rendered once and kept unchanged (also after a revocation).

    A row of its own, not a column of ``certificates``: lists of certificates never load the file.
    """

    __tablename__ = "certificate_documents"

    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    #: SHA-256 of the PDF (hex): checked when the file is served; names the file if a file store keeps it later.
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    #: The PDF/A-2b file, bit for bit what lms.certificates.pdf.certificate_pdf(snapshot) gives.
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[created_at]


@event.listens_for(CertificateDocument, "before_update")
def _documents_are_immutable(_mapper: Any, _connection: Any, _target: CertificateDocument) -> None:
    raise ImmutableError("the PDF of an issued certificate is never replaced")


@event.listens_for(CertificateDocument, "before_delete")
def _documents_stay(_mapper: Any, _connection: Any, _target: CertificateDocument) -> None:
    raise ImmutableError("the PDF of an issued certificate is never deleted")


class VerificationLookup(Base):
    """One lookup on the public verification page; kept in the database so the rate limit holds across workers."""

    __tablename__ = "verification_lookups"
    __table_args__ = (Index("ix_verification_lookups_client_at", "client_key", "at"),)

    id: Mapped[intpk]
    #: A keyed hash of the client address (the address itself is not stored).
    client_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
