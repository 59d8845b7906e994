"""The browser editor: start a draft, edit it with a live preview, save, publish or discard it; upload files."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from lms.authoring.drafts import (
    DraftConflict,
    PublishRefused,
    check_draft,
    discard_draft,
    draft_for_module,
    draft_for_quiz,
    new_module_draft,
    publish_draft,
    save_draft,
)
from lms.authoring.preview import Preview, declared_language
from lms.authoring.uploads import upload_documents
from lms.content.forms import MAX_SOURCE_CHARS, ConfirmForm, DraftForm, NewDraftForm, PublishForm, UploadForm
from lms.content.models import CHANGE_KIND_LABELS, ChangeKind, DocumentType, Draft, ModuleKind, ModuleVersion
from lms.content.queries import media_files, user_names
from lms.content.views._common import draft_or_404, module_or_404
from lms.content.views.blueprint import bp
from lms.content.views.manage import AUTHORS
from lms.quizzes.queries import quiz_versions
from lms.quizzes.question_types import REGISTRY
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db, keep_changes_on_client_error
from lms.web.validation import MAX_DB_INT


@bp.post("/inhalte/entwuerfe/neu")
@roles_required(*AUTHORS)
def new_draft() -> ResponseReturnValue:
    """Start a new training module or workshop script from a skeleton."""
    form = NewDraftForm()
    if not form.validate_on_submit():
        abort(400)
    draft = new_module_draft(get_db(), acting_user(), ModuleKind(form.kind.data))
    return redirect(url_for("content.editor", draft_id=draft.id))


@bp.post("/inhalte/<slug>/bearbeiten")
@roles_required(*AUTHORS)
def edit_module(slug: str) -> ResponseReturnValue:
    """Open the module's draft (starting one from its newest version if there is none)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = draft_for_module(get_db(), acting_user(), module_or_404(slug))
    return redirect(url_for("content.editor", draft_id=draft.id))


@bp.post("/inhalte/<slug>/quiz/bearbeiten")
@roles_required(*AUTHORS)
def edit_quiz(slug: str) -> ResponseReturnValue:
    """Open the quiz draft of a training module (from its current quiz, or a skeleton for the first quiz)."""
    module = module_or_404(slug)
    if module.kind != ModuleKind.TRAINING:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    draft = draft_for_quiz(get_db(), acting_user(), module)
    return redirect(url_for("content.editor", draft_id=draft.id))


def _render_preview(preview: Preview) -> str:
    return render_template("content/_preview.html", preview=preview)


def _render_problems(preview: Preview, same_as: str | None) -> str:
    return render_template("content/_problems.html", preview=preview, same_as=same_as)


def _document_language(draft: Draft, source: str) -> str:
    """The language the draft's text is written in: a module's ``language:`` (as typed, even while the text has
    problems), a quiz's its module's; German where neither is known yet."""
    if draft.document == DocumentType.MODULE and (declared := declared_language(source)):
        return declared
    shown = draft.module.shown_version if draft.module is not None else None
    return shown.language if shown is not None else "de"


def _editor_page(
    draft: Draft, form: DraftForm, publish: PublishForm, *, source: str | None = None, **extra: Any
) -> str:
    db = get_db()
    preview, same_as = check_draft(db, draft, source)
    current_hash = None
    if draft.module is not None and draft.document == DocumentType.MODULE and draft.module.versions:
        current_hash = draft.module.versions[-1].content_hash
    elif draft.module is not None:
        quizzes = quiz_versions(db, draft.module)
        current_hash = quizzes[-1].content_hash if quizzes else None
    return render_template(
        "content/editor.html",
        draft=draft,
        form=form,
        publish=publish,
        preview=preview,
        text_lang=_document_language(draft, draft.source if source is None else source),
        preview_html=_render_preview(preview),
        problems_html=_render_problems(preview, same_as),
        same_as=same_as,
        published_meanwhile=draft.base_hash is not None and current_hash not in (None, draft.base_hash),
        names=user_names(db, {draft.updated_by_id}),
        is_quiz=draft.document == DocumentType.QUIZ,
        change_labels=CHANGE_KIND_LABELS,
        discard=ConfirmForm(),
        images=media_files(db),
        snippets=[(t.name, t.label, t.example.strip()) for t in REGISTRY.values()]
        if draft.document == DocumentType.QUIZ
        else [],
        **extra,
    )


@bp.get("/inhalte/entwuerfe/<int:draft_id>")
@roles_required(*AUTHORS)
def editor(draft_id: int) -> ResponseReturnValue:
    """The editor: Markdown on the left, the learner's view on the right, problems with their lines."""
    draft = draft_or_404(draft_id)
    form = DraftForm(data={"source": draft.source, "revision": draft.revision})
    return _editor_page(draft, form, PublishForm(data={"revision": draft.revision}))


@bp.post("/inhalte/entwuerfe/<int:draft_id>")
@roles_required(*AUTHORS)
def save(draft_id: int) -> ResponseReturnValue:
    """Save the editor's text (button „Entwurf speichern“), or save and publish it („Veröffentlichen“)."""
    db, user = get_db(), acting_user()
    draft = draft_or_404(draft_id)
    form, publish = DraftForm(), PublishForm()
    if not form.validate_on_submit():
        message = _("Der Text ist leer oder zu lang.")  # shown at the field too
        if form.revision.errors:
            # Not the author's mistake: the page's hidden revision was damaged. As after a conflict, the page now
            # carries the draft's revision and says so, so that saving again knowingly replaces the saved text.
            form.revision.errors = []
            form.revision.data = draft.revision
            message = _(
                "Der Bearbeitungsstand dieser Seite war ungültig, Ihr Text wurde nicht gespeichert. Er steht unten "
                "noch im Editor; „Entwurf speichern“ ersetzt damit die zuletzt gespeicherte Fassung."
            )
        return _editor_page(draft, form, publish, source=form.source.data or "", error=message), 422
    try:
        save_draft(db, user, draft, form.source.data, form.revision.data)
    except DraftConflict:
        # Show the person their own text again; the hidden revision now lets them overwrite knowingly.
        form.revision.data = draft.revision
        message = _(
            "%(name)s hat diesen Entwurf inzwischen gespeichert. Ihr Text steht unten noch im Editor; "
            "„Entwurf speichern“ überschreibt die andere Fassung.",
            name=user_names(db, {draft.updated_by_id}).get(draft.updated_by_id or 0, _("Jemand")),
        )
        return _editor_page(draft, form, publish, source=form.source.data, error=message), 409
    if request.form.get("action") != "publish":
        flash(_("Entwurf gespeichert."), "success")
        return redirect(url_for("content.editor", draft_id=draft.id))
    if not publish.validate():  # no note, a note too long, no kind of change: shown at their fields
        keep_changes_on_client_error()  # the text was saved; only publishing waits for the note
        form.revision.data = draft.revision
        return _editor_page(
            draft, form, publish, error=_("Bitte prüfen Sie die Angaben zur Veröffentlichung.")
        ), 422
    new_module_too = draft.document == DocumentType.QUIZ and draft.module is None
    try:
        published = publish_draft(
            db,
            user,
            draft,
            change_kind=ChangeKind(publish.change_kind.data),
            change_note=publish.change_note.data,
        )
    except PublishRefused as refused:
        keep_changes_on_client_error()
        form.revision.data = draft.revision
        return _editor_page(draft, form, publish, refused=refused.problems), 422
    slug = published.module.slug if isinstance(published, ModuleVersion) else published.quiz.module.slug
    if new_module_too:
        flash(_("Modul und Quiz veröffentlicht. Beide sind ab sofort für alle sichtbar."), "success")
    else:
        flash(_("Veröffentlicht. Die neue Version ist ab sofort für alle sichtbar."), "success")
    return redirect(url_for("content.history", slug=slug))


@bp.post("/inhalte/entwuerfe/<int:draft_id>/automatisch")
@roles_required(*AUTHORS)
def autosave(draft_id: int) -> ResponseReturnValue:
    """Save the text while the author types (JSON, from static/js/editor.js) and answer with the fresh preview."""
    db, user = get_db(), acting_user()
    draft = draft_or_404(draft_id)
    payload = request.get_json(silent=True)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("source"), str)
        # A revision the draft can have: not a boolean (an int to Python), not beyond the database's integer.
        or type(payload.get("revision")) is not int
        or not 0 <= payload["revision"] <= MAX_DB_INT
        or len(payload["source"]) > MAX_SOURCE_CHARS
    ):
        return jsonify(error=_("Die Anfrage ist ungültig.")), 400
    try:
        save_draft(db, user, draft, payload["source"], payload["revision"])
    except DraftConflict:
        name = user_names(db, {draft.updated_by_id}).get(draft.updated_by_id or 0, _("Jemand"))
        message = _(
            "%(name)s hat diesen Entwurf inzwischen gespeichert. Automatisches Speichern ist angehalten; "
            "„Entwurf speichern“ überschreibt die andere Fassung.",
            name=name,
        )
        return jsonify(error=message, revision=draft.revision), 409
    preview, same_as = check_draft(db, draft)
    return jsonify(
        revision=draft.revision,
        saved_at=draft.updated_at.isoformat(),
        problems=len(preview.problems),
        preview_html=_render_preview(preview),
        problems_html=_render_problems(preview, same_as),
    )


@bp.post("/inhalte/entwuerfe/<int:draft_id>/verwerfen")
@roles_required(*AUTHORS)
def discard(draft_id: int) -> ResponseReturnValue:
    """Throw a draft away; published versions stay as they are."""
    draft = draft_or_404(draft_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    discard_draft(get_db(), acting_user(), draft)
    flash(_("Entwurf verworfen."), "success")
    return redirect(url_for("content.manage"))


@bp.route("/inhalte/hochladen", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def upload() -> ResponseReturnValue:
    """Upload a Markdown file or a zip of them; each file becomes a draft to check and publish."""
    form = UploadForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("content/upload.html", form=form, report=None), status
    file = form.file.data
    report = upload_documents(
        get_db(),
        acting_user(),
        file.filename or "upload",
        file.read(),
        replace_drafts=bool(form.replace_drafts.data),
    )
    if report.refused:
        return render_template("content/upload.html", form=form, report=report), 422
    return render_template("content/upload.html", form=UploadForm(formdata=None), report=report)
