"""Taking a quiz: the start page, the attempt form, submitting, the result with explanations."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from lms.content.queries import visible_module
from lms.quizzes.models import QuizAttempt
from lms.quizzes.question_types import ResponseInvalid
from lms.quizzes.services import (
    AttemptClosedError,
    QuizUnavailable,
    completion_of,
    current_quiz_version,
    open_attempt,
    presented_questions,
    result_details,
    start_attempt,
    submit_attempt,
    submitted_attempts,
)
from lms.web.access import acting_user
from lms.web.database import get_db

bp = Blueprint("quizzes", __name__, template_folder="templates")


def _own_attempt(attempt_id: int) -> QuizAttempt:
    """The attempt, if it belongs to the acting person; 404 otherwise (no hint that it exists)."""
    attempt = get_db().get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != acting_user().id:
        abort(404)
    return attempt


@bp.route("/module/<slug>/quiz", methods=["GET", "POST"])
@login_required
def quiz_start(slug: str):  # type: ignore[no-untyped-def]
    """What the quiz asks of the person; POST starts (or resumes) an attempt."""
    db, user = get_db(), acting_user()
    found = visible_module(db, user, slug)
    if found is None:
        abort(404)
    module, version = found
    quiz_version = current_quiz_version(db, module)
    if quiz_version is None:
        abort(404)
    if request.method == "POST":
        try:
            attempt = start_attempt(db, user, module, version)
        except QuizUnavailable as refused:
            flash(str(refused), "warning")
            return redirect(url_for("quizzes.quiz_start", slug=slug))
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    return render_template(
        "quizzes/start.html",
        module=module,
        version=version,
        quiz_version=quiz_version,
        used=submitted_attempts(db, user, quiz_version),
        open_attempt=open_attempt(db, user, quiz_version),
        completion=completion_of(db, user, version),
    )


@bp.route("/versuche/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):  # type: ignore[no-untyped-def]
    """The attempt form; POST submits it for grading (once)."""
    db, user = get_db(), acting_user()
    current = _own_attempt(attempt_id)
    if current.is_submitted:
        if request.method == "POST":
            flash(_("Dieser Versuch wurde bereits abgegeben. Hier ist sein Ergebnis."), "info")
        return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
    questions = presented_questions(current)
    error = None
    answers: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = {q["key"]: request.form.getlist(q["key"]) for q in questions}
        unanswered = [q for q in questions if not answers[q["key"]]]
        if unanswered and not request.form.get("confirm_incomplete"):
            numbers = ", ".join(str(q["number"]) for q in unanswered)
            error = _(
                "Sie haben Frage %(numbers)s noch nicht beantwortet. Unbeantwortete Fragen zählen als falsch. "
                "Beantworten Sie sie oder geben Sie trotzdem ab.",
                numbers=numbers,
            )
        else:
            try:
                submit_attempt(db, user, current, answers)
            except ResponseInvalid as invalid:
                error = str(invalid)
            except AttemptClosedError:
                return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
            else:
                return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
    status = 422 if error else 200
    return render_template(
        "quizzes/attempt.html",
        attempt=current,
        questions=questions,
        answers=answers,
        error=error,
        offer_incomplete=bool(error and request.method == "POST"),
    ), status


@bp.get("/versuche/<int:attempt_id>/ergebnis")
@login_required
def result(attempt_id: int):  # type: ignore[no-untyped-def]
    """Score, pass or fail, and the explanation of every question."""
    db, user = get_db(), acting_user()
    current = _own_attempt(attempt_id)
    if not current.is_submitted:
        return redirect(url_for("quizzes.attempt", attempt_id=current.id))
    quiz_version = current.quiz_version
    used = submitted_attempts(db, user, quiz_version)
    attempts_left = None if not quiz_version.max_attempts else max(0, quiz_version.max_attempts - used)
    return render_template(
        "quizzes/result.html",
        attempt=current,
        details=result_details(current),
        module=current.module_version.module,
        completion=completion_of(db, user, current.module_version),
        attempts_left=attempts_left,
    )
