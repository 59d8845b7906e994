"""Where the PDFs of issued certificates are kept: one interface, kept in the database for now.

A certificate's PDF is written once (at issue, or on first use for certificates issued before PDFs were kept) and
then only read: downloads, the ZIP export and the print PDF send the stored bytes. The database keeps them for now
(``certificate_documents.content``, bytea on PostgreSQL): every web process and machine sees them, backups and
transactions cover them, and nothing else has to be run. At about 36 KB per certificate that is 65 MB for the
1,800 certificates of a large district per module. When that grows too large for the database, a shared file or
object store shared by all machines can implement :class:`CertificateStore` (content-addressed by the SHA-256
the row keeps), see README, „Betrieb“.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from lms.certificates.models import Certificate, CertificateDocument

#: Stored PDFs fetched per round trip while streaming (about 3.6 MB each): memory stays flat however many.
FETCH_BATCH = 100


class StoredDocumentCorrupt(RuntimeError):
    """Stored bytes no longer match the SHA-256 recorded when they were written."""


class CertificateStore(Protocol):
    """Keeps certificate PDFs: written once, read many times, never replaced."""

    def put(self, session: Session, documents: Sequence[tuple[int, bytes]]) -> None:
        """Keep the PDFs of these certificates (certificate id, bytes); none of them may have one yet."""

    def get(self, session: Session, certificate_id: int) -> bytes | None:
        """The stored PDF of a certificate, or None if it has none yet."""

    def stream(self, session: Session, selection: Select[*tuple[Any, ...]]) -> Iterator[tuple[Any, bytes]]:
        """(row, PDF) for each row of ``selection`` (a query over Certificate) that has a PDF, fetched in batches."""


def _checked(content: bytes, sha256: str) -> bytes:
    if hashlib.sha256(content).hexdigest() != sha256:
        raise StoredDocumentCorrupt(f"a stored certificate PDF does not match its SHA-256 {sha256}")
    return content


class DatabaseStore:
    """PDFs in ``certificate_documents.content``."""

    def put(self, session: Session, documents: Sequence[tuple[int, bytes]]) -> None:
        if not documents:
            return
        # A plain INSERT of the batch: no ORM objects holding megabytes in the session.
        session.execute(
            insert(CertificateDocument),
            [
                {
                    "certificate_id": certificate_id,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "size_bytes": len(content),
                    "content": content,
                }
                for certificate_id, content in documents
            ],
        )

    def get(self, session: Session, certificate_id: int) -> bytes | None:
        row = session.execute(
            select(CertificateDocument.content, CertificateDocument.sha256).where(
                CertificateDocument.certificate_id == certificate_id
            )
        ).one_or_none()
        return None if row is None else _checked(row.content, row.sha256)

    def stream(self, session: Session, selection: Select[*tuple[Any, ...]]) -> Iterator[tuple[Any, bytes]]:
        query = (
            selection.add_columns(CertificateDocument.content, CertificateDocument.sha256)
            .join(CertificateDocument, CertificateDocument.certificate_id == Certificate.id)
            .execution_options(yield_per=FETCH_BATCH)
        )
        for row in session.execute(query):
            *fields, content, sha256 = row
            yield tuple(fields), _checked(content, sha256)
