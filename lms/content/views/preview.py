"""The learner's view for authors: read a version or a draft section by section and take its quiz, recording nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from lms.authoring.drafts import check_draft
from lms.authoring.preview import Preview
from lms.authoring.publishing import stored_questions
from lms.content.models import DocumentType, Draft, Module, ModuleKind
from lms.content.views._common import draft_or_404, module_or_404
from lms.content.views.blueprint import bp
from lms.content.views.manage import AUTHORS
from lms.quizzes.models import QuizVersion
from lms.quizzes.preview import grade_preview, preview_attempt, transient_quiz_version
from lms.quizzes.queries import quiz_versions
from lms.quizzes.question_types import ResponseInvalid
from lms.quizzes.question_types.base import posted_answers
from lms.quizzes.review import EVERYTHING
from lms.quizzes.services import presented_questions, result_details
from lms.web.access import roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.validation import query_int


@dataclass(frozen=True)
class Readable:
    """What the preview shows of a module, whether it comes from a published version or from a draft."""

    title: str
    summary: str
    version_label: str
    kind: str
    duration_minutes: int
    audience: list[str]
    objectives: list[str]
    materials: list[str]
    intro_html: str
    sections: list[Any]
    #: The language of the module's text (``lang`` on it, so an English interface does not read German as English).
    language: str = "de"


def _readable_version(module: Module, version_id: int | None) -> Readable:
    versions = module.versions
    version = (
        next((v for v in versions if v.id == version_id), None) if version_id else module.current_version
    )
    version = version or (versions[-1] if versions else None)
    if version is None:
        abort(404)
    return Readable(
        version.title, version.summary, version.version_label, module.kind, version.duration_minutes,
        list(version.audience), list(version.objectives), list(version.materials), version.intro_html,
        list(version.sections), version.language or "de",
    )  # fmt: skip


def _render_module(readable: Readable, base: dict[str, Any]) -> str:
    position = query_int("abschnitt", 0, minimum=0, maximum=10_000) or 0
    if not 0 <= position <= len(readable.sections):
        abort(404)
    return render_template(
        "content/preview_module.html",
        doc=readable,
        position=position,
        section=readable.sections[position - 1] if position else None,
        is_workshop=readable.kind == ModuleKind.WORKSHOP,
        **base,
    )


@bp.get("/inhalte/<slug>/vorschau")
@roles_required(*AUTHORS)
def preview_version(slug: str) -> ResponseReturnValue:
    """A published version (default: the current one) exactly as learners read it."""
    module = module_or_404(slug)
    readable = _readable_version(module, query_int("version"))
    has_quiz = bool(quiz_versions(get_db(), module))
    return _render_module(readable, {"module": module, "draft": None, "has_quiz": has_quiz})


@bp.route("/inhalte/entwuerfe/<int:draft_id>/vorschau", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def preview_draft(draft_id: int) -> ResponseReturnValue:
    """A draft as learners would read it once published (module drafts), or its quiz to try out (quiz drafts)."""
    draft = draft_or_404(draft_id)
    preview, _same = check_draft(get_db(), draft)
    if draft.document == DocumentType.QUIZ:
        return _quiz_preview(draft=draft, module=draft.module, preview=preview)
    doc = preview.module
    if doc is None:
        return render_template("content/preview_invalid.html", draft=draft, preview=preview), 422
    readable = Readable(
        doc.title, doc.summary, doc.version, doc.kind, doc.duration_minutes, list(doc.audience),
        list(doc.objectives), list(doc.materials), doc.intro_html, list(doc.sections), doc.language or "de",
    )  # fmt: skip
    return _render_module(readable, {"module": draft.module, "draft": draft, "has_quiz": False})


@bp.route("/inhalte/<slug>/vorschau/quiz", methods=["GET", "POST"])
@roles_required(*AUTHORS)
def preview_quiz(slug: str) -> ResponseReturnValue:
    """Take the module's current quiz as a learner would; the answers are graded and shown, nothing is stored."""
    module = module_or_404(slug)
    versions = quiz_versions(get_db(), module)
    if not versions:
        abort(404)
    return _quiz_preview(draft=None, module=module, published=versions[-1])


def _quiz_preview(
    *,
    draft: Draft | None,
    module: Module | None,
    preview: Preview | None = None,
    published: QuizVersion | None = None,
) -> ResponseReturnValue:
    if published is not None:
        questions, pass_mark, shuffled = list(published.questions), published.pass_mark, published.is_shuffled
        review_options = published.review_options
    elif preview is not None and preview.quiz is not None:
        doc = preview.quiz
        questions, pass_mark, shuffled = stored_questions(doc), doc.pass_mark, doc.shuffle
        review_options = doc.review
    else:
        return render_template("content/preview_invalid.html", draft=draft, preview=preview), 422
    version = transient_quiz_version(questions, pass_mark=pass_mark, is_shuffled=shuffled)
    # The seed travels in the form, so the result lists the questions in the order they were shown.
    seed = request.form.get("seed", type=int) if request.method == "POST" else secrets.randbelow(2**31)
    attempt = preview_attempt(version, seed or 0)
    current = module.current_version if module is not None else None
    base = {
        "draft": draft,
        "module": module,
        "content_language": current.language if current is not None else "de",  # the quiz's texts, marked
        "seed": seed,
        "pass_mark": pass_mark,
        "review_options": review_options,
    }
    if request.method == "GET":
        return render_template(
            "content/preview_quiz.html", questions=presented_questions(attempt), answers={}, **base
        )
    shown = presented_questions(attempt)
    answers = {q["key"]: posted_answers(request.form, q["key"]) for q in shown}
    try:
        grade_preview(attempt, answers)
    except ResponseInvalid as invalid:
        return render_template(
            "content/preview_quiz.html", questions=shown, error=translate_error(invalid), **base
        ), 422
    # Trainers wrote the answers: their preview shows everything, and says what learners would see instead.
    return render_template(
        "content/preview_quiz.html",
        attempt=attempt,
        reveal=EVERYTHING,
        details=result_details(attempt, EVERYTHING),
        **base,
    )
