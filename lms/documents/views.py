"""Documents in consultation: reading versions, commenting per section, the programme office's consultation page,
publishing the next version with its answers, and what changed and why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from lms import time as clock
from lms.auth.models import Role
from lms.content.diff import line_diff
from lms.documents import queries
from lms.documents.forms import AnswerForm, CommentForm, PublishForm, WindowForm
from lms.documents.models import (
    CONSULTATION_STATUS_LABELS,
    DOCUMENT_STATUS_LABELS,
    VERDICT_LABELS,
    ConsultationComment,
    ConsultationStatus,
    Document,
    DocumentVersion,
    Verdict,
)
from lms.documents.parse import parse_document
from lms.documents.services import (
    MAX_COMMENT_CHARS,
    DocumentError,
    add_comment,
    answer_comment,
    change_window,
    check_ready_for_next_version,
    close_consultation,
    open_consultation,
    pending_consultation,
    publish_document,
    response_rows,
)
from lms.markdown.problems import ContentInvalid, Problem
from lms.scope import (
    DOCUMENT_COMMENTERS,
    may_comment_on_documents,
    may_follow_consultations,
    may_read_documents,
    may_run_consultations,
)
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error

bp = Blueprint("documents", __name__, template_folder="templates")

#: The default length of a new window, in days (the office may choose any length up to the limit).
DEFAULT_WINDOW_DAYS = 28


def _labels() -> dict[str, Any]:
    return {
        "status_labels": DOCUMENT_STATUS_LABELS,
        "consultation_labels": CONSULTATION_STATUS_LABELS,
        "verdict_labels": VERDICT_LABELS,
        "Status": ConsultationStatus,
    }


def _document_or_404(slug: str) -> Document:
    document = queries.document_by_slug(get_db(), slug)
    if document is None or document.current_version is None or not may_read_documents(acting_user()):
        abort(404)
    return document


def _version_or_404(document: Document, number: int) -> DocumentVersion:
    version = queries.version_by_number(document, number)
    if version is None:
        abort(404)
    return version


# --- reading ----------------------------------------------------------------------------------------------------


@bp.get("/dokumente")
@login_required
def index() -> ResponseReturnValue:
    """Every document with its current version and where its consultation stands."""
    db = get_db()
    documents = queries.all_documents(db)
    current = [d.current_version for d in documents if d.current_version is not None]
    return render_template(
        "documents/index.html",
        documents=documents,
        consultations=queries.consultations_by_version(db, current),
        may_run=may_run_consultations(acting_user()),
        **_labels(),
    )


def _version_page(
    document: Document,
    version: DocumentVersion,
    *,
    status: int = 200,
    failed: tuple[int, CommentForm, str | None] | None = None,
) -> ResponseReturnValue:
    """A version with its sections; comment forms while the window is open; the comments this person may read."""
    db = get_db()
    user = acting_user()
    consultation = queries.consultation_of(db, version)
    comments = queries.visible_comments(db, user, consultation) if consultation is not None else []
    by_section: dict[int, list[ConsultationComment]] = {}
    for comment in comments:
        by_section.setdefault(comment.section_id, []).append(comment)
    may_comment = (
        consultation is not None
        and consultation.is_open
        and may_comment_on_documents(user)
        and document.current_version is version
    )
    answered_in = (
        db.get(DocumentVersion, consultation.concluded_by_id)
        if consultation is not None and consultation.concluded_by_id
        else None
    )
    return render_template(
        "documents/version.html",
        document=document,
        version=version,
        is_current=document.current_version is version,
        consultation=consultation,
        comments_by_section=by_section,
        own_only=consultation is not None and not consultation.has_ended and not may_run_consultations(user),
        names=queries.municipality_names(db, {c.municipality_id for c in comments}),
        may_comment=may_comment,
        may_follow=may_follow_consultations(user),
        may_run=may_run_consultations(user),
        failed=failed,
        max_comment=MAX_COMMENT_CHARS,
        answered_in=answered_in,
        answers_of=queries.consultation_answered_by(db, version),
        **_labels(),
    ), status


@bp.get("/dokumente/<document>")
@login_required
def current(document: str) -> ResponseReturnValue:
    """The current version of a document (what people read and, while the window is open, comment on)."""
    found = _document_or_404(document)
    assert found.current_version is not None
    return _version_page(found, found.current_version)


@bp.get("/dokumente/<document>/versionen/<int:number>")
@login_required
def version(document: str, number: int) -> ResponseReturnValue:
    """One version of a document, earlier ones included."""
    found = _document_or_404(document)
    return _version_page(found, _version_or_404(found, number))


@bp.get("/dokumente/<document>/versionen/<int:number>/aenderungen")
@login_required
def changes(document: str, number: int) -> ResponseReturnValue:
    """What changed and why: the answers to the consultation on the previous version, and the line diff."""
    found = _document_or_404(document)
    new = _version_or_404(found, number)
    old = queries.version_by_number(found, number - 1)
    return render_template(
        "documents/changes.html",
        document=found,
        version=new,
        previous=old,
        diff=line_diff(old.source, new.source) if old is not None else None,
        consultation=queries.consultation_answered_by(get_db(), new),
        **_labels(),
    )


# --- commenting -------------------------------------------------------------------------------------------------


@bp.post("/dokumente/<document>/versionen/<int:number>/abschnitte/<int:position>/kommentare")
@roles_required(*DOCUMENT_COMMENTERS)
def comment(document: str, number: int, position: int) -> ResponseReturnValue:
    """Comment on one section while the window is open (for one's municipality; named only if one chooses)."""
    found = _document_or_404(document)
    target = _version_or_404(found, number)
    section = next((s for s in target.sections if s.position == position), None)
    if section is None:
        abort(404)
    form = CommentForm()
    if not form.validate_on_submit():
        return _version_page(found, target, status=422, failed=(position, form, None))
    db = get_db()
    consultation = queries.consultation_of(db, target)
    try:
        if consultation is None:
            raise DocumentError("consultation.not_open")
        add_comment(
            db,
            acting_user(),
            consultation,
            section.id,
            form.body.data or "",
            show_name=bool(form.show_name.data),
        )
    except DocumentError as error:
        # The text itself (too long, empty) is the person's to fix; a closed window is the state of things.
        status = 422 if error.code.startswith("comment.") else 409
        return _version_page(found, target, status=status, failed=(position, form, translate_error(error)))
    flash(_("Ihr Kommentar zu „%(section)s“ ist gespeichert.", section=section.title), "success")
    return redirect(
        url_for(
            "documents.version", document=found.slug, number=target.number, _anchor=f"kommentare-{position}"
        ),
        303,
    )


# --- the programme office: the window, the answers, the next version ---------------------------------------------


def _consultation_page(document: Document, status: int = 200, **forms: Any) -> ResponseReturnValue:
    db = get_db()
    version = document.current_version
    assert version is not None
    consultation = queries.consultation_of(db, version)
    today = clock.today()
    window_form = forms.get("window_form") or WindowForm(
        formdata=None,
        opens_on=consultation.opens_on if consultation else today,
        closes_on=consultation.closes_on if consultation else today + timedelta(days=DEFAULT_WINDOW_DAYS - 1),
    )
    comments = consultation.comments if consultation is not None else []
    answer_forms = {
        c.id: AnswerForm(
            formdata=None,
            verdict=c.answer.verdict if c.answer else None,
            reason=c.answer.reason if c.answer else "",
        )
        for c in comments
    }
    failed_answer = forms.get("failed_answer")
    if failed_answer is not None:
        answer_forms[failed_answer[0]] = failed_answer[1]
    total, answered = queries.comment_count(db, consultation) if consultation else (0, 0)
    return render_template(
        "documents/consultation.html",
        document=document,
        version=version,
        consultation=consultation,
        comments=sorted(comments, key=lambda c: (c.section.position, c.id)),
        names=queries.municipality_names(db, {c.municipality_id for c in comments}),
        window_form=window_form,
        window_error=forms.get("window_error"),
        answer_forms=answer_forms,
        answer_errors=forms.get("answer_errors") or {},
        total=total,
        answered=answered,
        **_labels(),
    ), status


@bp.get("/dokumente/<document>/konsultation")
@roles_required(Role.ADMIN)
def consultation(document: str) -> ResponseReturnValue:
    """The programme office's page: the window on the current version, every comment, an answer form for each."""
    return _consultation_page(_document_or_404(document))


@bp.post("/dokumente/<document>/konsultation/zeitraum")
@roles_required(Role.ADMIN)
def save_window(document: str) -> ResponseReturnValue:
    """Open (announce) the window on the current version, or move it."""
    found = _document_or_404(document)
    form = WindowForm()
    if not form.validate_on_submit():
        return _consultation_page(found, 422, window_form=form)
    assert (
        form.opens_on.data is not None and form.closes_on.data is not None
    )  # InputRequired and the date type
    db = get_db()
    version = found.current_version
    assert version is not None
    existing = queries.consultation_of(db, version)
    try:
        if existing is None:
            open_consultation(db, acting_user(), version, form.opens_on.data, form.closes_on.data)
        else:
            change_window(db, acting_user(), existing, form.opens_on.data, form.closes_on.data)
    except DocumentError as error:
        return _consultation_page(found, 422, window_form=form, window_error=translate_error(error))
    flash(_("Der Konsultationszeitraum ist gespeichert."), "success")
    return redirect(url_for("documents.consultation", document=found.slug), 303)


@bp.post("/dokumente/<document>/konsultation/beenden")
@roles_required(Role.ADMIN)
def close_window(document: str) -> ResponseReturnValue:
    """End the running window now: from now on everyone taking part reads every comment."""
    found = _document_or_404(document)
    db = get_db()
    version = found.current_version
    assert version is not None
    existing = queries.consultation_of(db, version)
    try:
        if existing is None:
            raise DocumentError("consultation.close_not_open")
        close_consultation(db, acting_user(), existing)
    except DocumentError as error:
        return _consultation_page(found, 409, window_error=translate_error(error))
    flash(_("Die Konsultation ist beendet. Alle Beteiligten sehen jetzt alle Kommentare."), "success")
    return redirect(url_for("documents.consultation", document=found.slug), 303)


@bp.post("/dokumente/<document>/kommentare/<int:comment_id>/antwort")
@roles_required(Role.ADMIN)
def answer(document: str, comment_id: int) -> ResponseReturnValue:
    """Answer one comment: adopted, partly or not, with a reason (revisable until the next version)."""
    found = _document_or_404(document)
    db = get_db()
    target = db.get(ConsultationComment, comment_id)
    if target is None or target.consultation.version.document_id != found.id:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _consultation_page(found, 422, failed_answer=(target.id, form))
    try:
        answer_comment(db, acting_user(), target, Verdict(form.verdict.data), form.reason.data or "")
    except DocumentError as error:
        errors = {target.id: translate_error(error)}
        return _consultation_page(found, 409, failed_answer=(target.id, form), answer_errors=errors)
    flash(_("Die Antwort ist gespeichert."), "success")
    return redirect(
        url_for("documents.consultation", document=found.slug, _anchor=f"kommentar-{target.id}"), 303
    )


def _publish_page(
    document: Document,
    form: PublishForm,
    status: int = 200,
    problems: list[Problem] | None = None,
    error: str | None = None,
) -> ResponseReturnValue:
    db = get_db()
    consultation = pending_consultation(db, document)
    blocked = None
    try:
        check_ready_for_next_version(consultation)
    except DocumentError as refusal:
        blocked = translate_error(refusal)
    return render_template(
        "documents/publish.html",
        document=document,
        version=document.current_version,
        form=form,
        problems=problems or [],
        error=error,
        blocked=blocked,
        consultation=consultation,
        rows=response_rows(db, consultation) if consultation is not None and blocked is None else [],
        **_labels(),
    ), status


@bp.get("/dokumente/<document>/neue-version")
@roles_required(Role.ADMIN)
def new_version(document: str) -> ResponseReturnValue:
    """The next version: the current text to edit, the answers it will publish, or why it cannot be published yet."""
    found = _document_or_404(document)
    assert found.current_version is not None
    return _publish_page(found, PublishForm(formdata=None, source=found.current_version.source))


@bp.post("/dokumente/<document>/neue-version")
@roles_required(Role.ADMIN)
def publish(document: str) -> ResponseReturnValue:
    """Publish the next version (with the table of answers, if the previous version was consulted on)."""
    found = _document_or_404(document)
    form = PublishForm()
    if not form.validate_on_submit():
        return _publish_page(found, form, 422)
    path = found.slug  # no ".md": the slug is compared below, with a message for exactly that
    try:
        doc = parse_document(form.source.data or "", path)
    except ContentInvalid as invalid:
        return _publish_page(found, form, 422, problems=invalid.problems)
    if doc.slug != found.slug:
        error = DocumentError("document.other_slug", found=doc.slug, expected=found.slug)
        return _publish_page(found, form, 422, error=translate_error(error))
    db = get_db()
    try:
        published, problem = publish_document(
            db, doc, path=path, actor_id=acting_user().id, change_note=form.change_note.data
        )
    except DocumentError as refusal:
        return _publish_page(found, form, 409, error=translate_error(refusal))
    if problem is not None:
        return _publish_page(found, form, 422, problems=[problem])
    if published is None:
        assert found.current_version is not None
        same = next(v for v in found.versions if v.content_hash == doc.content_hash)
        unchanged = DocumentError("document.unchanged", version=same.version_label)
        return _publish_page(found, form, 422, error=translate_error(unchanged))
    flash(_("Version %(version)s ist veröffentlicht.", version=published.version_label), "success")
    return redirect(url_for("documents.changes", document=found.slug, number=published.number), 303)
