"""Publishing document versions, the consultation window, comments and answers (services flush, never commit).

The lifecycle, and the one rule at each step:

1. ``publish_document`` makes a parsed file an immutable version. If the current version was consulted on, the
   window must have ended and every comment must be answered; the new version then carries the answers as its
   response table, and the consultation is concluded.
2. ``open_consultation`` / ``change_window`` / ``close_consultation``: the programme office sets the window (German
   calendar days, both included) on the current version, may move its end, and may end it early.
3. ``add_comment``: coordinators and facilitators comment per section while the window is open.
4. ``answer_comment``: after the window, the programme office answers each comment (adopted, partly, not, reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.documents.models import (
    CommentAnswer,
    Consultation,
    ConsultationComment,
    ConsultationStatus,
    Document,
    DocumentSection,
    DocumentVersion,
    Verdict,
)
from lms.documents.parse import DocumentFile
from lms.errors import ServiceError
from lms.markdown.problems import Problem
from lms.markdown.render import RENDERER_VERSION
from lms.orgs.models import Municipality
from lms.scope import (
    Actor,
    OutOfScope,
    commenting_municipality,
    may_comment_on_documents,
    may_run_consultations,
)
from lms.text import lf_line_breaks

#: Characters in one comment, and in the reason of an answer (a line break counts once, as a textarea counts it).
MAX_COMMENT_CHARS = 3000
MAX_REASON_CHARS = 3000
#: Comments one person may write in one consultation (a bound against floods, far above what anyone writes).
MAX_COMMENTS_PER_PERSON = 100
#: The longest window, in days.
MAX_WINDOW_DAYS = 180


class DocumentError(ServiceError):
    """A step of the consultation lifecycle that does not fit the current state; the edge shows the message."""


# --- publishing -----------------------------------------------------------------------------------------------


def _suggest_next_label(label: str) -> str:
    parts = [int(p) for p in label.split(".") if p.isdigit()] or [0]
    major, minor = parts[0], parts[1] if len(parts) > 1 else 0
    return f"{major}.{minor + 1}"


def document_version_problem(
    document: Document | None, doc: DocumentFile, path: str
) -> tuple[Problem | None, DocumentVersion | None]:
    """May ``doc`` become the next version of ``document``? (problem, None) if not; (None, same) if already published."""
    if document is None:
        return None, None
    for existing in document.versions:
        if existing.content_hash == doc.content_hash:
            return None, existing
    if any(v.version_label == doc.version for v in document.versions):
        line = next((n for n, text in enumerate(doc.source.split("\n"), 1) if text.startswith("version:")), 1)
        current = document.versions[-1].version_label
        message = (
            f"Version {doc.version} ist bereits mit anderem Inhalt veröffentlicht. Erhöhen Sie „version“ "
            f"(z. B. {_suggest_next_label(current)}), um die Änderung als neue Version zu veröffentlichen."
        )
        return Problem(path, line, message), None
    return None, None


def _consultation_of(session: Session, version: DocumentVersion) -> Consultation | None:
    return session.scalar(select(Consultation).where(Consultation.version_id == version.id))


def pending_consultation(session: Session, document: Document | None) -> Consultation | None:
    """The consultation on the current version that the next version must answer (None if there is none)."""
    current = document.current_version if document is not None else None
    return _consultation_of(session, current) if current is not None else None


def check_ready_for_next_version(consultation: Consultation | None) -> None:
    """Refuse the next version while the window has not ended or a comment is unanswered."""
    if consultation is None:
        return
    if consultation.status in (ConsultationStatus.PLANNED, ConsultationStatus.OPEN):
        raise DocumentError("document.consultation_not_ended", version=consultation.version.version_label)
    unanswered = sum(1 for c in consultation.comments if c.answer is None)
    if unanswered:
        raise DocumentError("document.answers_missing", n=unanswered)


def response_rows(session: Session, consultation: Consultation) -> list[dict[str, str]]:
    """The answers as the next version freezes them: section, comment, attribution, verdict, reason."""
    names = dict(
        session.execute(
            select(Municipality.id, Municipality.name).where(
                Municipality.id.in_({c.municipality_id for c in consultation.comments if c.municipality_id})
            )
        ).all()
    )
    rows = []
    for comment in sorted(consultation.comments, key=lambda c: (c.section.position, c.id)):
        answer = comment.answer
        assert answer is not None  # check_ready_for_next_version ran first
        rows.append(
            {
                "section": comment.section.title,
                "anchor": comment.section.anchor,
                "municipality": names.get(comment.municipality_id or 0, ""),
                "name": comment.shown_name or "",
                "comment": comment.body,
                "verdict": answer.verdict,
                "reason": answer.reason,
            }
        )
    return rows


def publish_document(
    session: Session, doc: DocumentFile, *, path: str, actor_id: int | None, change_note: str | None = None
) -> tuple[DocumentVersion | None, Problem | None]:
    """Publish a parsed file as the next version; (None, None) if it is already published, (None, problem) if refused.

    Raises DocumentError while the current version's consultation has not ended or has unanswered comments.
    """
    document = session.scalar(select(Document).where(Document.slug == doc.slug))
    problem, same = document_version_problem(document, doc, path)
    if problem is not None or same is not None:
        return None, problem
    consultation = pending_consultation(session, document)
    check_ready_for_next_version(consultation)
    if document is None:
        document = Document(slug=doc.slug)
        session.add(document)
        session.flush()
    version = DocumentVersion(
        document=document,
        number=len(document.versions) + 1,
        version_label=doc.version,
        title=doc.title,
        summary=doc.summary,
        status=doc.status,
        language=doc.language,
        icerd_section=doc.icerd_section,
        intro_html=doc.intro_html,
        source=doc.source,
        content_hash=doc.content_hash,
        renderer_version=RENDERER_VERSION,
        published_by_id=actor_id,
        change_note=change_note or None,
        response_table=response_rows(session, consultation) if consultation is not None else [],
    )
    version.sections = [
        DocumentSection(position=s.position, anchor=s.anchor, title=s.title, source=s.source, html=s.html)
        for s in doc.sections
    ]
    session.add(version)
    session.flush()
    if consultation is not None:
        consultation.concluded_by_id = version.id
    record_event(
        session,
        actor_id=actor_id,
        action="document.publish",
        object_type="document_version",
        object_id=version.id,
        slug=doc.slug,
        version=doc.version,
        content_hash=doc.content_hash,
        change_note=change_note,
        answers=len(version.response_table),
    )
    session.flush()
    return version, None


@dataclass
class DocumentImportReport:
    """What a file import did, in words for the person who ran it."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_documents(
    session: Session,
    docs: list[tuple[str, DocumentFile]],
    *,
    actor_id: int | None,
    change_note: str | None = None,
) -> DocumentImportReport:
    """Publish every changed file; the caller commits only if the report has no problems (all or nothing)."""
    report = DocumentImportReport()
    for path, doc in docs:
        try:
            version, problem = publish_document(
                session, doc, path=path, actor_id=actor_id, change_note=change_note
            )
        except DocumentError as error:
            report.problems.append(Problem(path, 1, str(error)))
            continue
        if problem is not None:
            report.problems.append(problem)
        elif version is None:
            report.unchanged.append(f"{path}: unverändert (Version {doc.version})")
        else:
            report.published.append(f"{path}: Version {doc.version} veröffentlicht")
    return report


# --- the consultation window ------------------------------------------------------------------------------------


def _check_window(opens_on: date, closes_on: date, *, started: bool) -> None:
    today = clock.today()
    if closes_on < opens_on:
        raise DocumentError("consultation.dates_order")
    if not started and opens_on < today:
        raise DocumentError("consultation.starts_in_past")
    if closes_on < today:
        raise DocumentError("consultation.ends_in_past")
    if closes_on - opens_on >= timedelta(days=MAX_WINDOW_DAYS):
        raise DocumentError("consultation.too_long", days=MAX_WINDOW_DAYS)


def open_consultation(
    session: Session, actor: Actor, version: DocumentVersion, opens_on: date, closes_on: date
) -> Consultation:
    """Announce or open the window on the current version of a document (days in Berlin, both included)."""
    if not may_run_consultations(actor):
        raise OutOfScope
    if version.document.current_version is not version:
        raise DocumentError("consultation.not_current")
    if _consultation_of(session, version) is not None:
        raise DocumentError("consultation.exists")
    _check_window(opens_on, closes_on, started=False)
    consultation = Consultation(
        version=version, opens_on=opens_on, closes_on=closes_on, opened_by_id=actor.id
    )
    session.add(consultation)
    session.flush()
    _record(session, actor, "consultation.open", consultation, opens_on=opens_on, closes_on=closes_on)
    return consultation


def change_window(
    session: Session, actor: Actor, consultation: Consultation, opens_on: date, closes_on: date
) -> None:
    """Move the window: both days before it opens, only its end while it runs, nothing after it has ended."""
    if not may_run_consultations(actor):
        raise OutOfScope
    status = consultation.status
    if status in (ConsultationStatus.CLOSED, ConsultationStatus.CONCLUDED):
        raise DocumentError("consultation.ended")
    started = status is ConsultationStatus.OPEN
    if started and opens_on != consultation.opens_on:
        raise DocumentError("consultation.start_fixed")
    _check_window(opens_on, closes_on, started=started)
    consultation.opens_on, consultation.closes_on = opens_on, closes_on
    session.flush()
    _record(session, actor, "consultation.change", consultation, opens_on=opens_on, closes_on=closes_on)


def close_consultation(session: Session, actor: Actor, consultation: Consultation) -> None:
    """End a running window now: from this moment everyone taking part reads every comment."""
    if not may_run_consultations(actor):
        raise OutOfScope
    if consultation.status is not ConsultationStatus.OPEN:
        raise DocumentError("consultation.close_not_open")
    consultation.closed_at = clock.now()
    session.flush()
    _record(session, actor, "consultation.close", consultation)


def _record(
    session: Session, actor: Actor, action: str, consultation: Consultation, **detail: object
) -> None:
    record_event(
        session,
        actor_id=actor.id,
        action=action,
        object_type="consultation",
        object_id=consultation.id,
        slug=consultation.version.document.slug,
        version=consultation.version.version_label,
        **{key: value.isoformat() if isinstance(value, date) else value for key, value in detail.items()},
    )


# --- comments and answers ---------------------------------------------------------------------------------------


def add_comment(
    session: Session, actor: User, consultation: Consultation, section_id: int, body: str, *, show_name: bool
) -> ConsultationComment:
    """A comment on one section while the window is open, for the commenter's municipality (named if they chose)."""
    if not may_comment_on_documents(actor):
        raise DocumentError("comment.not_allowed")
    if not consultation.is_open:
        raise DocumentError("consultation.not_open")
    section = next((s for s in consultation.version.sections if s.id == section_id), None)
    if section is None:
        raise DocumentError("comment.section_unknown")
    text = lf_line_breaks(body).strip()  # counted as the textarea's maxlength counts it
    if not text:
        raise DocumentError("comment.empty")
    if len(text) > MAX_COMMENT_CHARS:
        raise DocumentError("comment.too_long", max=MAX_COMMENT_CHARS)
    written = session.scalar(
        select(func.count())
        .select_from(ConsultationComment)
        .where(
            ConsultationComment.consultation_id == consultation.id, ConsultationComment.author_id == actor.id
        )
    )
    if (written or 0) >= MAX_COMMENTS_PER_PERSON:
        raise DocumentError("comment.too_many", max=MAX_COMMENTS_PER_PERSON)
    comment = ConsultationComment(
        consultation=consultation,
        section=section,
        author_id=actor.id,
        municipality_id=commenting_municipality(actor),
        shown_name=actor.display_name if show_name else None,
        body=text,
    )
    session.add(comment)
    session.flush()
    return comment


def answer_comment(
    session: Session, actor: Actor, comment: ConsultationComment, verdict: Verdict, reason: str
) -> CommentAnswer:
    """Answer a comment after the window (or revise the answer) until the next version publishes the answers."""
    if not may_run_consultations(actor):
        raise OutOfScope
    consultation = comment.consultation
    status = consultation.status
    if status in (ConsultationStatus.PLANNED, ConsultationStatus.OPEN):
        raise DocumentError("answer.not_yet")
    if status is ConsultationStatus.CONCLUDED:
        published = session.get(DocumentVersion, consultation.concluded_by_id)
        raise DocumentError("answer.concluded", version=published.version_label if published else "")
    text = lf_line_breaks(reason).strip()
    if not text:
        raise DocumentError("answer.reason_missing")
    if len(text) > MAX_REASON_CHARS:
        raise DocumentError("answer.reason_too_long", max=MAX_REASON_CHARS)
    answer = comment.answer
    if answer is None:
        answer = CommentAnswer(comment=comment, verdict=verdict.value, reason=text)
        session.add(answer)
    answer.verdict, answer.reason = verdict.value, text
    answer.answered_by_id, answer.answered_at = actor.id, clock.now()
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="consultation.answer",
        object_type="consultation_comment",
        object_id=comment.id,
        verdict=verdict.value,
    )
    return answer
