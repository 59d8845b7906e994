"""Reading documents, their consultations and comments, scoped to the person; and the state report's view of one.

For the state report (and anyone who needs a document's current standing) the entry point is
:func:`current_document`: the current version, its consultation status and the section that relates the text to
ICERD Art. 1 (the section named by ``icerd_section`` in the file's front matter, else the first whose heading
mentions ICERD), as stored at publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import User
from lms.documents.models import (
    CONSULTATION_STATUS_LABELS,
    DOCUMENT_STATUS_LABELS,
    Consultation,
    ConsultationComment,
    ConsultationStatus,
    Document,
    DocumentSection,
    DocumentStatus,
    DocumentVersion,
)
from lms.orgs.models import Municipality
from lms.scope import Actor, comments_filter

#: The slug of the working definition of racism (documents/arbeitsdefinition-rassismus.md), for the state report.
WORKING_DEFINITION = "arbeitsdefinition-rassismus"
#: The slug of the recommendations (documents/handlungsempfehlungen.md).
RECOMMENDATIONS = "handlungsempfehlungen"


def all_documents(session: Session) -> list[Document]:
    """Every document with its versions, in slug order."""
    return list(session.scalars(select(Document).order_by(Document.slug)))


def document_by_slug(session: Session, slug: str) -> Document | None:
    """One document by its slug (the file name without ``.md``)."""
    return session.scalar(select(Document).where(Document.slug == slug))


def version_by_number(document: Document, number: int) -> DocumentVersion | None:
    """The version with this number (1, 2, …) of a document."""
    return next((v for v in document.versions if v.number == number), None)


def consultation_of(session: Session, version: DocumentVersion) -> Consultation | None:
    """The consultation on a version, if one was opened."""
    return session.scalar(select(Consultation).where(Consultation.version_id == version.id))


def consultation_answered_by(session: Session, version: DocumentVersion) -> Consultation | None:
    """The consultation on the previous version whose answers this version published, if any."""
    return session.scalar(select(Consultation).where(Consultation.concluded_by_id == version.id))


def consultations_by_version(session: Session, versions: list[DocumentVersion]) -> dict[int, Consultation]:
    """Consultations of several versions at once, by version id (for lists)."""
    ids = [v.id for v in versions]
    if not ids:
        return {}
    return {
        c.version_id: c for c in session.scalars(select(Consultation).where(Consultation.version_id.in_(ids)))
    }


def visible_comments(session: Session, user: Actor, consultation: Consultation) -> list[ConsultationComment]:
    """The comments of a consultation this person may read, in section order, oldest first."""
    return list(
        session.scalars(
            select(ConsultationComment)
            .join(DocumentSection, DocumentSection.id == ConsultationComment.section_id)
            .where(
                ConsultationComment.consultation_id == consultation.id,
                comments_filter(user, window_has_ended=consultation.has_ended),
            )
            .order_by(DocumentSection.position, ConsultationComment.id)
        )
    )


def comment_count(session: Session, consultation: Consultation) -> tuple[int, int]:
    """(comments, answered comments) of a consultation."""
    total = len(consultation.comments)
    answered = sum(1 for c in consultation.comments if c.answer is not None)
    return total, answered


def own_comment_count(session: Session, consultation: Consultation, user: User) -> int:
    """How many comments this person wrote in the consultation (bounded per person)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ConsultationComment)
            .where(
                ConsultationComment.consultation_id == consultation.id,
                ConsultationComment.author_id == user.id,
            )
        )
        or 0
    )


def municipality_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Names of the municipalities comments speak for (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(
        session.execute(select(Municipality.id, Municipality.name).where(Municipality.id.in_(wanted))).all()
    )


# --- for the state report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IcerdSection:
    """The section of a document version that relates it to ICERD Art. 1."""

    title: str
    anchor: str
    #: The section's Markdown as published (for PDFs and plain-text reports).
    source: str
    #: The section's sanitised HTML as published (for pages).
    html: str


@dataclass(frozen=True)
class CurrentDocument:
    """A document's current standing: what the state report says about it.

    ``consultation_status`` is ``none`` (never consulted), ``planned``, ``open``, ``closed`` (answers in the
    making) or ``concluded`` (the answers are published with the next version) — for the *current* version. The
    version's own status is ``draft`` („Entwurf zur Konsultation“) or ``adopted`` („Beschlossene Fassung“).
    Labels are German catalogue texts (``lms.documents.models``); show them with ``_()`` or ``|label``.
    """

    slug: str
    title: str
    version_label: str
    version_number: int
    status: DocumentStatus
    status_label: str
    published_on: date
    consultation_status: ConsultationStatus
    consultation_status_label: str
    consultation_opens_on: date | None
    consultation_closes_on: date | None
    comments: int
    answered: int
    #: How many versions came before, and whether the current one was published with a table of answers.
    earlier_versions: int
    answers_published: bool
    icerd_section: IcerdSection | None
    version: DocumentVersion


def icerd_section_of(version: DocumentVersion) -> DocumentSection | None:
    """The section named in the front matter's ``icerd_section``, else the first heading that mentions ICERD."""
    if version.icerd_section:
        named = next((s for s in version.sections if s.title == version.icerd_section), None)
        if named is not None:
            return named
    return next((s for s in version.sections if "icerd" in s.title.lower()), None)


def current_document(session: Session, slug: str) -> CurrentDocument | None:
    """The current version of a document with its consultation status and its ICERD Art. 1 section; None if absent.

    Example: ``current_document(db, WORKING_DEFINITION)``. Programme-wide data, no people in it (the caller decides
    who may read the report).
    """
    document = document_by_slug(session, slug)
    version = document.current_version if document is not None else None
    if document is None or version is None:
        return None
    consultation = consultation_of(session, version)
    status = consultation.status if consultation is not None else ConsultationStatus.NONE
    total, answered = comment_count(session, consultation) if consultation is not None else (0, 0)
    section = icerd_section_of(version)
    document_status = DocumentStatus(version.status)
    return CurrentDocument(
        slug=document.slug,
        title=version.title,
        version_label=version.version_label,
        version_number=version.number,
        status=document_status,
        status_label=DOCUMENT_STATUS_LABELS[document_status],
        published_on=clock.local_date(version.published_at),
        consultation_status=status,
        consultation_status_label=CONSULTATION_STATUS_LABELS[status],
        consultation_opens_on=consultation.opens_on if consultation is not None else None,
        consultation_closes_on=consultation.ended_on if consultation is not None else None,
        comments=total,
        answered=answered,
        earlier_versions=version.number - 1,
        answers_published=consultation_answered_by(session, version) is not None,
        icerd_section=(
            IcerdSection(section.title, section.anchor, section.source, section.html)
            if section is not None
            else None
        ),
        version=version,
    )
