"""„Inhalte verwalten“: the overview, version history, diffs, downloads, retiring, the audit log, the help page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVarTuple

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from lms.audit.describe import CATEGORIES, CATEGORY_BY_KEY, describe, municipality_of
from lms.audit.describe import render as render_description
from lms.audit.queries import AuditFilter, audit_actor_ids, audit_events
from lms.auth.models import Role, User
from lms.authoring.archive import build_archive
from lms.authoring.preview import document_path
from lms.content.diff import line_diff
from lms.content.forms import ConfirmForm, NewDraftForm, ReasonForm
from lms.content.models import CHANGE_KIND_LABELS, KIND_LABELS, Module, ModuleKind, ModuleVersion
from lms.content.queries import all_modules, open_drafts, user_names
from lms.content.services.lifecycle import (
    LifecycleError,
    restore_module,
    restore_version,
    retire_module,
    retire_version,
)
from lms.content.views._common import module_or_404
from lms.content.views.blueprint import bp
from lms.markdown.problems import ContentInvalid
from lms.orgs.municipalities import names_by_id_or_slug
from lms.progress.queries import completions_per_module, completions_per_version
from lms.quizzes.models import QuizVersion
from lms.quizzes.parse import parse_question
from lms.quizzes.queries import quiz_versions
from lms.quizzes.question_types import REGISTRY
from lms.text import excerpt
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.templating import local_date
from lms.web.validation import query_date, query_int

AUTHORS = (Role.TRAINER, Role.ADMIN)

Ts = TypeVarTuple("Ts")


@bp.get("/inhalte")
@roles_required(*AUTHORS)
def manage() -> ResponseReturnValue:
    """„Inhalte verwalten“: every module and workshop script with its versions, open drafts and completions."""
    db = get_db()
    drafts = open_drafts(db)
    return render_template(
        "content/manage.html",
        modules=all_modules(db),
        drafts=drafts,
        drafts_by_module={(d.module_id, d.document): d for d in drafts if d.module_id},
        names=user_names(db, {d.updated_by_id for d in drafts}),
        completions=completions_per_version(db),
        totals=completions_per_module(db),
        kind_labels=KIND_LABELS,
        new_form=NewDraftForm(),
        confirm=ConfirmForm(),
    )


@bp.get("/inhalte/<slug>/versionen")
@roles_required(*AUTHORS)
def history(slug: str) -> ResponseReturnValue:
    """Every version of a module (and of its quiz) with change notes, completions and actions."""
    db = get_db()
    module = module_or_404(slug)
    quizzes = quiz_versions(db, module)
    people = {v.published_by_id for v in module.versions} | {q.published_by_id for q in quizzes}
    return render_template(
        "content/history.html",
        module=module,
        versions=list(reversed(module.versions)),
        quiz_versions=list(reversed(quizzes)),
        names=user_names(db, people),
        completions=completions_per_version(db),
        change_labels=CHANGE_KIND_LABELS,
        kind_labels=KIND_LABELS,
        reason_form=ReasonForm(),
        confirm=ConfirmForm(),
    )


def _module_version(module: Module, version_id: int | None) -> ModuleVersion:
    found = next((v for v in module.versions if v.id == version_id), None)
    if found is None:
        abort(404)
    return found


def _quiz_version(module: Module, number: int | None) -> QuizVersion:
    found = next((q for q in quiz_versions(get_db(), module) if q.number == number), None)
    if found is None:
        abort(404)
    return found


@bp.get("/inhalte/<slug>/vergleich")
@roles_required(*AUTHORS)
def compare(slug: str) -> ResponseReturnValue:
    """A readable diff between two versions of the module text (``art=modul``) or of its quiz (``art=quiz``)."""
    module = module_or_404(slug)
    is_quiz = request.args.get("art") == "quiz"
    # (key in the URL, label, version), oldest first: quiz versions by number, module versions by id.
    keyed: list[tuple[int, str, ModuleVersion | QuizVersion]]
    if is_quiz:
        keyed = [(q.number, _("Fassung %(n)s", n=q.number), q) for q in quiz_versions(get_db(), module)]
    else:
        keyed = [(v.id, v.version_label, v) for v in module.versions]
    if not keyed:
        abort(404)
    old_id, new_id = query_int("von"), query_int("zu")
    if old_id is None and new_id is None:
        # Without a choice: what changed in the newest version compared with the one before.
        old_id, new_id = keyed[max(len(keyed) - 2, 0)][0], keyed[-1][0]
    by_key = {key: (label, version) for key, label, version in keyed}
    if old_id not in by_key or new_id not in by_key:
        abort(404)
    (old_label, old), (new_label, new) = by_key[old_id], by_key[new_id]
    low, high = sorted((old_id, new_id))
    between = [version for key, _label, version in keyed if low < key <= high]
    choices = [(key, label) for key, label, _version in keyed]
    labels = (old_label, new_label)
    # The text's language, for screen readers' pronunciation: a module version's own, a quiz's its module's.
    module_language = module.shown_version.language if module.shown_version is not None else "de"
    languages = tuple(v.language if isinstance(v, ModuleVersion) else module_language for v in (old, new))
    return render_template(
        "content/compare.html",
        module=module,
        is_quiz=is_quiz,
        choices=choices,
        old_id=old_id,
        new_id=new_id,
        labels=labels,
        languages=languages,
        diff=line_diff(old.source, new.source),
        between=between,
        change_labels=CHANGE_KIND_LABELS,
    )


def _markdown_download(text: str, path: str) -> Response:
    """A source as the same Markdown file the repository holds; never rendered by the browser."""
    filename = path.rsplit("/", 1)[-1]
    return Response(
        text.encode("utf-8"),
        mimetype="text/markdown",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/inhalte/<slug>/versionen/<int:version_id>/datei")
@roles_required(*AUTHORS)
def download_version(slug: str, version_id: int) -> ResponseReturnValue:
    """Download one module version as its Markdown file (the text it was published from, byte for byte)."""
    module = module_or_404(slug)
    version = _module_version(module, version_id)
    return _markdown_download(version.source, document_path("module", module.slug))


@bp.get("/inhalte/<slug>/quiz/<int:number>/datei")
@roles_required(*AUTHORS)
def download_quiz(slug: str, number: int) -> ResponseReturnValue:
    """Download one quiz version as its Markdown file."""
    module = module_or_404(slug)
    # Not „<slug>.md“ like the module's file: both end up in one downloads folder.
    return _markdown_download(_quiz_version(module, number).source, f"quiz-{module.slug}.md")


@bp.get("/inhalte/export.zip")
@roles_required(*AUTHORS)
def export_all() -> ResponseReturnValue:
    """Every module's current version and its current quiz as ``modules/`` and ``quizzes/`` in one zip."""
    db = get_db()
    files = []
    for module in all_modules(db):
        current = module.current_version
        if current is None or module.retired_at is not None:
            continue
        files.append((document_path("module", module.slug), current.source))
        quizzes = quiz_versions(db, module)
        if quizzes:
            files.append((document_path("quiz", module.slug), quizzes[-1].source))
    return Response(
        build_archive(files),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="kommunen-fuer-alle-inhalte.zip"'},
    )


def _lifecycle(action: Callable[[Session, User, *Ts], None], done: str, *args: *Ts) -> None:
    """Run a lifecycle service and say what happened (``done``, already translated)."""
    try:
        action(get_db(), acting_user(), *args)
    except LifecycleError as error:
        flash(translate_error(error), "warning")
        return
    flash(done, "success")


def _reason_or_back(slug: str) -> str | None:
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie einen Grund für das Zurückziehen an."), "danger")
        return None
    reason: str = form.reason.data  # DataRequired: a non-empty text
    return reason.strip()


@bp.post("/inhalte/<slug>/versionen/<int:version_id>/zurueckziehen")
@roles_required(*AUTHORS)
def retire_version_view(slug: str, version_id: int) -> ResponseReturnValue:
    """Retire one version: it leaves the catalogue; completions and certificates pointing to it stay intact."""
    version = _module_version(module_or_404(slug), version_id)
    reason = _reason_or_back(slug)
    if reason is not None:
        done = _(
            "Version %(version)s ist zurückgezogen: Sie steht nicht mehr im Katalog; Abschlüsse und Zertifikate "
            "bleiben gültig.",
            version=version.version_label,
        )
        _lifecycle(retire_version, done, version, reason)
    return redirect(url_for("content.history", slug=slug))


@bp.post("/inhalte/<slug>/versionen/<int:version_id>/wiederherstellen")
@roles_required(*AUTHORS)
def restore_version_view(slug: str, version_id: int) -> ResponseReturnValue:
    """Bring a retired version back."""
    version = _module_version(module_or_404(slug), version_id)
    if ConfirmForm().validate_on_submit():
        done = _("Version %(version)s ist wiederhergestellt.", version=version.version_label)
        _lifecycle(restore_version, done, version)
    return redirect(url_for("content.history", slug=slug))


@bp.post("/inhalte/<slug>/zurueckziehen")
@roles_required(*AUTHORS)
def retire_module_view(slug: str) -> ResponseReturnValue:
    """Retire a whole module with its quiz."""
    module = module_or_404(slug)
    reason = _reason_or_back(slug)
    if reason is not None:
        done = _(
            "Das Modul ist zurückgezogen: Es steht mit seinem Quiz nicht mehr im Katalog; Abschlüsse und "
            "Zertifikate bleiben gültig."
        )
        _lifecycle(retire_module, done, module, reason)
    return redirect(url_for("content.history", slug=slug))


@bp.post("/inhalte/<slug>/wiederherstellen")
@roles_required(*AUTHORS)
def restore_module_view(slug: str) -> ResponseReturnValue:
    """Put a retired module back into the catalogue."""
    module = module_or_404(slug)
    if ConfirmForm().validate_on_submit():
        _lifecycle(restore_module, _("Das Modul steht wieder im Katalog."), module)
    return redirect(url_for("content.history", slug=slug))


@bp.get("/inhalte/protokoll")
@roles_required(*AUTHORS)
def audit_log() -> ResponseReturnValue:
    """The audit log in sentences, filtered by who, what and when.

    Trainers see what happens to content; the programme office sees every category of lms.audit.describe.
    """
    db, user = get_db(), acting_user()
    everything = user.has_role(Role.ADMIN)
    categories = [c for c in CATEGORIES if everything or c.content]
    visible = tuple(p for c in categories for p in c.prefixes)
    chosen = CATEGORY_BY_KEY.get(request.args.get("was", ""))
    if chosen is not None and chosen not in categories:
        chosen = None
    page = query_int("seite", 1, maximum=100_000) or 1
    wanted = AuditFilter(
        prefixes=visible,
        category_prefixes=chosen.prefixes if chosen else (),
        actor_id=query_int("wer"),
        date_from=query_date("von"),
        date_to=query_date("bis"),
    )
    events, total = audit_events(db, wanted, page=page)
    filter_notes = _date_filter_notes(wanted.date_from, wanted.date_to)
    actor_ids = audit_actor_ids(db, visible)
    names = user_names(db, {*actor_ids, *(e.actor_id for e in events)})
    places = names_by_id_or_slug(db, {key for e in events if (key := municipality_of(e)) is not None})
    filters = {k: v for k, v in request.args.items() if k in ("was", "wer", "von", "bis") and v}
    return render_template(
        "content/audit_log.html",
        events=[(event, names.get(event.actor_id or 0), describe(event, places)) for event in events],
        sentence=lambda description: render_description(description, _, local_date),
        page=page,
        total=total,
        per_page=50,
        categories=categories,
        chosen=chosen,
        actors=sorted(((i, names[i]) for i in actor_ids if i in names), key=lambda pair: pair[1]),
        wanted=wanted,
        filter_notes=filter_notes,
        filters=filters,
        everything=everything,
    )


def _date_filter_notes(date_from: date | None, date_to: date | None) -> list[str]:
    """Why the dates of the filter did not filter as typed: a day that is none (it is left out, not guessed), or a
    range that ends before it begins (it finds nothing). A QA sweep found both silent."""
    notes = []
    for name, day in (("von", date_from), ("bis", date_to)):
        typed = request.args.get(name, "").strip()
        if typed and day is None:
            notes.append(
                _("„%(typed)s“ ist kein Datum; der Filter gilt ohne diese Grenze.", typed=excerpt(typed, 20))
            )
    if date_from is not None and date_to is not None and date_from > date_to:
        notes.append(
            _("Das Ende des Zeitraums liegt vor seinem Beginn; dazwischen kann kein Eintrag liegen.")
        )
    return notes


@bp.get("/inhalte/hilfe")
@roles_required(*AUTHORS)
def help_page() -> ResponseReturnValue:
    """The trainer's help: the file format and every question type with its syntax and a rendered example."""
    examples = []
    for question_type in REGISTRY.values():
        example = question_type.example.strip()
        try:
            rendered = parse_question(example, "beispiel.md")
        except (
            ContentInvalid
        ):  # an example that does not parse is a bug the unit tests catch; show the text anyway
            rendered = None
        examples.append({"type": question_type, "example": example, "question": rendered})
    return render_template("content/help.html", examples=examples, kinds=ModuleKind, answers={})
