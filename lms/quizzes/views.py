"""Taking a quiz: the start page, the attempt form, submitting, the result with explanations; quiz statistics."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import login_required

from lms import time as clock
from lms.auth.models import Role
from lms.content.models import Module
from lms.content.queries import visible_module
from lms.errors import ServiceError
from lms.progress.renewal import renewal_opens_on
from lms.quizzes.models import Quiz, QuizAttempt, QuizVersion
from lms.quizzes.queries import quiz_of_module, version_counts, version_statistics
from lms.quizzes.question_types import ResponseInvalid, get_type
from lms.quizzes.question_types.base import posted_answers
from lms.quizzes.review import When
from lms.quizzes.services import (
    AttemptClosedError,
    QuizUnavailable,
    UnknownQuestions,
    attempt_history,
    attempt_reveal,
    attempts_in_cycle,
    completion_of,
    current_quiz_version,
    module_passed_since,
    presented_questions,
    result_details,
    save_draft,
    standing,
    start_attempt,
    submit_attempt,
    unread_sections,
)
from lms.quizzes.statistics import Consistency, Flag, Missing, QuestionStatistics
from lms.spreadsheet import neutralise
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db, keep_changes_on_client_error
from lms.web.i18n import translate_error
from lms.web.templating import share_percent

bp = Blueprint("quizzes", __name__, template_folder="templates")
# Every template that shows a question (the content preview and history too) asks its type here.
bp.add_app_template_global(get_type, "question_type")


def _own_attempt(attempt_id: int) -> QuizAttempt:
    """The attempt, if it belongs to the acting person; 404 otherwise (no hint that it exists)."""
    attempt = get_db().get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != acting_user().id:
        abort(404)
    return attempt


@bp.route("/module/<slug>/quiz", methods=["GET", "POST"])
@login_required
def quiz_start(slug: str) -> ResponseReturnValue:
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
            flash(translate_error(refused), "warning")
            return redirect(url_for("quizzes.quiz_start", slug=slug))
        return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))
    mine = standing(db, user, quiz_version, version)
    limit = quiz_version.max_attempts
    left = max(0, limit - mine.used) if limit else None
    return render_template(
        "quizzes/start.html",
        module=module,
        version=version,
        content_language=version.language,
        quiz_version=quiz_version,
        used=mine.used,
        # No start button then, but what is left to do; the last attempt is announced before it starts.
        used_up=left == 0 and not mine.has_open_attempt,
        last_attempt=left == 1,
        no_attempts_left=no_attempts_left(limit),
        open_attempt=mine.has_open_attempt,
        completion=mine.has_completed,
        valid_until=mine.valid_until,
        renewal=mine.is_renewal,
        renewal_opens=renewal_opens_on(mine.valid_until),
        today=clock.today(),
        history=attempt_history(db, user, module),
        unread=unread_sections(db, user, version) if quiz_version.require_reading else [],
    )


def no_attempts_left(limit: int) -> str:
    """What a person who used every attempt reads, on the quiz page, the result page and the refused start alike."""
    return translate_error(QuizUnavailable("quiz.no_attempts_left", n=limit)) if limit else ""


def _numbered(invalid: ServiceError, questions: list[dict[str, Any]]) -> str:
    """The message of an answer that cannot be saved or graded, naming the question by the number the person sees
    (the key, „q2“, is the quiz file's; the page shows the questions in this attempt's order)."""
    key = getattr(invalid, "key", None)
    number = next((q["number"] for q in questions if q["key"] == key), None)
    message = translate_error(invalid)
    return _("Frage %(n)s: %(message)s", n=number, message=message) if number else message


def _invalid_answers(
    attempt: QuizAttempt, questions: list[dict[str, Any]], answers: dict[str, list[str]]
) -> dict[str, str]:
    """Question key -> the message for its answer if it does not fit, in the order the questions are shown."""
    messages = {}
    for q in questions:
        definition = attempt.quiz_version.question(q["key"])["definition"]
        try:
            get_type(q["type"]).normalise_response(definition, answers.get(q["key"], []))
        except ResponseInvalid as invalid:
            messages[q["key"]] = _numbered(
                ResponseInvalid(invalid.code, key=q["key"], **invalid.params), questions
            )
    return messages


def _submit_problems(
    attempt: QuizAttempt,
    questions: list[dict[str, Any]],
    answers: dict[str, list[str]],
    refused: ServiceError | None,
    *,
    confirmed: bool,
) -> tuple[list[str], list[str], bool]:
    """Every problem of a submission at once, one per question: answers that could not be saved (``refused``) or
    cannot be graded (a position used twice …), and unanswered questions unless ``confirmed``.

    Returns the messages, the keys of the unanswered questions the message names (their fields are marked) and
    whether „Trotzdem abgeben“ would help: only when unanswered questions are the one problem left.
    """
    # An empty text field or an untouched position select posts "", which is no answer either.
    unanswered = [q for q in questions if not any(value.strip() for value in answers[q["key"]])]
    not_gradable = _invalid_answers(attempt, questions, answers)
    problems = []
    if refused is not None and getattr(refused, "key", None) not in not_gradable:
        problems.append(_numbered(refused, questions))
    problems += not_gradable.values()
    offer_incomplete = bool(unanswered) and not problems
    if not unanswered or confirmed:
        return problems, [], offer_incomplete
    problems.append(
        _(
            "Sie haben Frage %(numbers)s noch nicht beantwortet. Unbeantwortete Fragen zählen als falsch. "
            "Beantworten Sie sie oder geben Sie trotzdem ab.",
            numbers=", ".join(str(q["number"]) for q in unanswered),
        )
    )
    return problems, [q["key"] for q in unanswered], offer_incomplete


@bp.route("/versuche/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int) -> ResponseReturnValue:
    """The attempt form; POST submits it for grading (once)."""
    db, user = get_db(), acting_user()
    current = _own_attempt(attempt_id)
    if current.is_submitted:
        if request.method == "POST":
            flash(_("Dieser Versuch wurde bereits abgegeben. Hier ist sein Ergebnis."), "info")
        return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
    questions = presented_questions(current)
    error = None
    offer_incomplete = False
    missing: list[str] = []  # keys of the unanswered questions the message names (their fields are marked)
    # Answers saved so far (by the page's autosave, „Zwischenspeichern“ or a failed submit) come back ticked.
    answers: dict[str, list[str]] = dict(current.draft_responses or {})
    if request.method == "POST":
        answers = {q["key"]: posted_answers(request.form, q["key"]) for q in questions}
        refused: ServiceError | None = None
        try:
            save_draft(db, user, current, answers)
        except (UnknownQuestions, ResponseInvalid) as invalid:
            refused = invalid  # a value no form field sends (2,000 characters, an unknown option …)
        if request.form.get("action") == "save":
            if refused is None:
                flash(_("Ihre Antworten wurden gespeichert. Sie können später weitermachen."), "success")
                return redirect(url_for("quizzes.attempt", attempt_id=current.id), code=303)
            problems = [_numbered(refused, questions)]  # saving, not submitting: unanswered is no problem
        else:
            problems, missing, offer_incomplete = _submit_problems(
                current, questions, answers, refused, confirmed=bool(request.form.get("confirm_incomplete"))
            )
        if problems:
            error = " ".join(problems)
        else:
            try:
                submit_attempt(db, user, current, answers)
            except ResponseInvalid as invalid:
                error = _numbered(invalid, questions)
            except AttemptClosedError:
                return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
            else:
                return redirect(url_for("quizzes.result", attempt_id=current.id), code=303)
    status = 422 if error else 200
    if error and request.method == "POST":
        keep_changes_on_client_error()  # the answers saved above stay saved, though the submit was refused
    return render_template(
        "quizzes/attempt.html",
        attempt=current,
        content_language=current.module_version.language,  # the questions' language, marked for screen readers
        questions=questions,
        answers=answers,
        error=error,
        missing=missing,
        offer_incomplete=request.method == "POST" and offer_incomplete,
    ), status


@bp.get("/versuche/<int:attempt_id>/ergebnis")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    """Score, pass or fail, and per question what the quiz version's review options show now."""
    db, user = get_db(), acting_user()
    current = _own_attempt(attempt_id)
    if not current.is_submitted:
        return redirect(url_for("quizzes.attempt", attempt_id=current.id))
    quiz_version = current.quiz_version
    used = attempts_in_cycle(db, user, quiz_version, current.module_version)
    attempts_left = None if not quiz_version.max_attempts else max(0, quiz_version.max_attempts - used)
    reveal = attempt_reveal(db, current)
    return render_template(
        "quizzes/result.html",
        attempt=current,
        content_language=current.module_version.language,
        reveal=reveal,
        details=result_details(current, reveal),
        withheld_until_done=(
            not reveal.right_answer
            and quiz_version.review_options.right_answer is When.AFTER_PASS_OR_LAST_ATTEMPT
        ),
        module=current.module_version.module,
        completion=completion_of(db, user, current.module_version),
        passed_since=None if current.is_passed else module_passed_since(db, user, current),
        points=format_decimal(
            round(sum(float(r["score"]) for r in current.results or []), 2), format="#,##0.##"
        ),
        max_points=len(current.results or []),
        attempts_left=attempts_left,
        no_attempts_left=no_attempts_left(quiz_version.max_attempts),
    )


# --- Quiz statistics (trainers and the programme office; anonymous figures, one quiz version at a time) ---

#: ?versuche=… values: each person's first attempt (the default, as in Moodle) or every attempt.
FIRST_ATTEMPTS, ALL_ATTEMPTS = "erste", "alle"


def _statistics_request(slug: str) -> tuple[Module, Quiz, QuizVersion, bool]:
    """Module, quiz, chosen version (?fassung=, default the current one) and whether only first attempts count."""
    found = quiz_of_module(get_db(), slug)
    if found is None:
        abort(404)
    module, quiz = found
    raw = request.args.get("fassung", "").strip()
    if not raw:
        version = quiz.current_version
    else:
        number = int(raw) if raw.isascii() and raw.isdigit() else None
        version = next((v for v in quiz.versions if v.number == number), None)
    if version is None:
        abort(404)
    scope = request.args.get("versuche", FIRST_ATTEMPTS)
    if scope not in (FIRST_ATTEMPTS, ALL_ATTEMPTS):
        abort(400)
    return module, quiz, version, scope == FIRST_ATTEMPTS


def _module_title(module: Module) -> str:
    """The title of the module's current version (or its last one, once retired)."""
    version = module.current_version or (module.versions[-1] if module.versions else None)
    return version.title if version else module.slug


def _decimal(value: float | None) -> str:
    """A figure with one decimal in the reader's locale; „–“ when it could not be computed."""
    return "–" if value is None else format_decimal(value, format="#,##0.0")


def _statistics_texts() -> dict[str, dict[str, str]]:
    """The words for flags, missing figures and the consistency verdict (per request: they are translated)."""
    return {
        "flags": {
            Flag.NEGATIVE: _("Negative Trennschärfe: Frage vermutlich fehlerhaft"),
            Flag.WEAK: _("Sehr schwache Trennschärfe (unter 20)"),
            Flag.HARD: _("Sehr schwer (Lösungsquote höchstens 20 %)"),
            Flag.EASY: _("Sehr leicht (Lösungsquote mindestens 95 %)"),
        },
        "missing": {
            Missing.NO_ATTEMPTS: _("Es gibt noch keine Versuche."),
            Missing.ONE_ATTEMPT: _("Dafür braucht es mindestens zwei Versuche."),
            Missing.SAME_SCORE: _("Alle haben diese Frage gleich gelöst (alle richtig oder alle falsch)."),
            Missing.REST_SAME: _("Alle haben bei den übrigen Fragen gleich abgeschnitten."),
            Missing.ONE_QUESTION: _("Das Quiz hat nur eine Frage."),
            Missing.TOTAL_SAME: _("Alle haben dasselbe Gesamtergebnis."),
            Missing.POOLED: _("Die Versuche haben verschiedene Fragen gezogen („draw“)."),
        },
        "consistency": {
            Consistency.GOOD: _("zufriedenstellend (ab 75 %)"),
            Consistency.BORDERLINE: _("grenzwertig (64 bis 75 %)"),
            Consistency.LOW: _("niedrig (unter 64 %): Die Fragen messen womöglich Verschiedenes."),
        },
    }


@bp.get("/inhalte/<slug>/quiz/statistik")
@roles_required(Role.TRAINER, Role.ADMIN)
def statistics(slug: str) -> ResponseReturnValue:
    """Quiz statistics of one version, Moodle style: summary, facility and discrimination, answer frequencies."""
    module, quiz, version, first_only = _statistics_request(slug)
    db = get_db()
    return render_template(
        "quizzes/statistics.html",
        module=module,
        title=_module_title(module),
        quiz=quiz,
        version=version,
        counts=version_counts(db, quiz),
        first_only=first_only,
        scope=FIRST_ATTEMPTS if first_only else ALL_ATTEMPTS,
        stats=version_statistics(db, version, first_only=first_only),
        texts=_statistics_texts(),
        decimal=_decimal,
        pct=share_percent,
    )


def _csv_row(question: QuestionStatistics, texts: dict[str, dict[str, str]]) -> list[str]:
    """One question as CSV cells; figures that cannot be computed stay empty and the notes say why."""
    notes = [texts["flags"][flag] for flag in question.flags]
    if question.missing is not None:
        notes.append(
            _("Trennschärfe nicht berechenbar: %(reason)s", reason=texts["missing"][question.missing])
        )
    figures = (question.facility, question.sd, question.discrimination, question.discriminative_efficiency)
    return [
        str(question.number),
        neutralise(question.title),
        neutralise(question.type_label),
        # Figures are formatted here, never taken from input, so a negative value stays a number.
        *("" if value is None else _decimal(value) for value in figures),
        neutralise("; ".join(notes)),
    ]


@bp.get("/inhalte/<slug>/quiz/statistik.csv")
@roles_required(Role.TRAINER, Role.ADMIN)
def statistics_csv(slug: str) -> ResponseReturnValue:
    """The per-question table of the statistics as CSV (UTF-8 with BOM, semicolons: opens directly in Excel)."""
    module, _quiz, version, first_only = _statistics_request(slug)
    stats = version_statistics(get_db(), version, first_only=first_only)
    texts = _statistics_texts()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Nr."),
            _("Frage"),
            _("Fragetyp"),
            _("Lösungsquote (%)"),
            _("Standardabweichung (%)"),
            _("Trennschärfe"),
            _("Trenneffizienz (%)"),
            _("Hinweise"),
        ]
    )
    writer.writerows(_csv_row(question, texts) for question in stats.questions)
    scope = FIRST_ATTEMPTS if first_only else ALL_ATTEMPTS
    filename = f"quiz-statistik-{module.slug}-fassung-{version.number}-{scope}.csv"
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
