"""Praxisbeispiele: a list for everyone who runs the programme, a page per example, a form to share one."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import undefer
from wtforms import SelectChoice

from lms.content.models import ModuleKind
from lms.content.queries import catalogue
from lms.practice.attachments import MAX_BYTES
from lms.practice.forms import ExampleForm
from lms.practice.models import PracticeExample
from lms.practice.queries import example_line, example_lines
from lms.practice.services import (
    SHARING_ROLES,
    ExampleInput,
    PracticeRefused,
    delete_example,
    may_edit,
    save_example,
)
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.validation import query_int

bp = Blueprint("practice", __name__, template_folder="templates")


def _module_titles() -> dict[int, str]:
    return {m.id: v.title for m, v in catalogue(get_db(), acting_user(), kind=ModuleKind.TRAINING.value)}


@bp.get("/praxisbeispiele")
@roles_required(*SHARING_ROLES)
def examples() -> ResponseReturnValue:
    """Every model municipality's practice examples, newest first, optionally for one module."""
    module_id = query_int("modul")
    return render_template(
        "practice/list.html",
        lines=example_lines(get_db(), module_id),
        titles=_module_titles(),
        module_id=module_id,
    )


def _example_or_404(example_id: int) -> PracticeExample:
    example = get_db().get(PracticeExample, example_id)
    if example is None:
        abort(404)
    return example


@bp.get("/praxisbeispiele/<int:example_id>")
@roles_required(*SHARING_ROLES)
def example(example_id: int) -> ResponseReturnValue:
    """One example with its text and file."""
    line = example_line(get_db(), example_id)
    if line is None:
        abort(404)
    return render_template(
        "practice/example.html",
        example=line.example,
        line=line,
        titles=_module_titles(),
        may_edit=may_edit(acting_user(), line.example),
    )


@bp.get("/praxisbeispiele/<int:example_id>/datei")
@roles_required(*SHARING_ROLES)
def attachment(example_id: int) -> ResponseReturnValue:
    """The example's file, always as a download (never rendered by the browser inside the platform's origin)."""
    found = get_db().get(PracticeExample, example_id, options=[undefer(PracticeExample.file_data)])
    if found is None or found.file_data is None:
        abort(404)
    response = Response(found.file_data, mimetype=found.file_type or "application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/praxisbeispiele/neu", methods=["GET", "POST"])
@roles_required(*SHARING_ROLES)
def new_example() -> ResponseReturnValue:
    """Share an example."""
    return _form(None)


@bp.route("/praxisbeispiele/<int:example_id>/bearbeiten", methods=["GET", "POST"])
@roles_required(*SHARING_ROLES)
def edit(example_id: int) -> ResponseReturnValue:
    """Change one's own example (the programme office: any)."""
    found = _example_or_404(example_id)
    if not may_edit(acting_user(), found):
        abort(403)
    return _form(found)


def _form(found: PracticeExample | None) -> ResponseReturnValue:
    db, user = get_db(), acting_user()
    form = ExampleForm(obj=found)
    titles = _module_titles()
    form.module_id.choices = [SelectChoice(0, _("– kein bestimmtes Modul –"))] + [
        SelectChoice(module_id, title) for module_id, title in titles.items()
    ]
    if request.method == "GET" and found is None:
        form.module_id.data = query_int("modul") or 0
    error = None
    if form.validate_on_submit():
        upload = form.attachment.data if form.attachment.data and form.attachment.data.filename else None
        content = upload.read(MAX_BYTES + 1) if upload else None
        if upload:
            upload.close()  # a large upload is spooled to a temporary file: release it now
        data = ExampleInput(
            title=form.title.data or "",
            body=form.body.data or "",
            module_id=form.module_id.data or None,
            file_name=upload.filename if upload else None,
            file_data=content,
            remove_file=bool(form.remove_file.data),
        )
        try:
            saved = save_example(db, user, data, found)
        except PracticeRefused as refused:
            error = translate_error(refused)
        else:
            flash(_("Das Praxisbeispiel „%(title)s“ ist gespeichert.", title=saved.title), "success")
            return redirect(url_for("practice.example", example_id=saved.id), 303)
    status = 422 if (form.errors or error) else 200
    page = render_template("practice/form.html", form=form, example=found, error=error, max_bytes=MAX_BYTES)
    return page, status


@bp.post("/praxisbeispiele/<int:example_id>/loeschen")
@roles_required(*SHARING_ROLES)
def delete(example_id: int) -> ResponseReturnValue:
    """Remove an example (its author, or the programme office)."""
    found = _example_or_404(example_id)
    if not may_edit(acting_user(), found):
        abort(403)
    delete_example(get_db(), acting_user(), found)
    flash(_("Das Praxisbeispiel wurde gelöscht."), "success")
    return redirect(url_for("practice.examples"), 303)
