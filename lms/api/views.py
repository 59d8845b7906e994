"""The JSON API (v1) for the municipalities' own systems: session or personal token, JSON errors only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.api import serializers
from lms.api.openapi import openapi_document
from lms.auth.mfa import needs_setup, parse_roles
from lms.auth.models import User
from lms.content.models import ModuleKind
from lms.content.queries import catalogue, visible_module
from lms.progress.queries import my_completions
from lms.quizzes.models import QuizAttempt
from lms.quizzes.question_types import ResponseInvalid
from lms.quizzes.services import (
    AttemptClosedError,
    QuizUnavailable,
    UnknownQuestions,
    attempt_reveal,
    current_quiz_version,
    save_draft,
    start_attempt,
    submit_attempt,
)
from lms.web.bearer import bearer_token, bearer_token_person
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.security import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}


def api_error(status: int, message: str) -> tuple[Response, int]:
    """A JSON error body: {"error": {"status": …, "message": …}}."""
    return jsonify(error={"status": status, "message": message}), status


@bp.before_request
def _authenticate() -> tuple[Response, int] | None:
    """Bearer token first; else the browser session, whose unsafe requests need the CSRF header."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if bearer_token() is not None:
        user = bearer_token_person()
        if user is None:
            return _unauthorized(
                _("Das API-Token ist ungültig oder widerrufen."), 'Bearer realm="api", error="invalid_token"'
            )
        if refused := _second_factor_missing(user):
            return refused
        g.api_user = user
        return None
    if current_user.is_authenticated:
        if refused := _second_factor_missing(current_user._get_current_object()):
            return refused
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            try:
                csrf.protect()
            except CSRFError:
                return api_error(400, _("CSRF-Token fehlt oder ist ungültig (Header X-CSRFToken)."))
        g.api_user = current_user._get_current_object()
        return None
    return _unauthorized(
        _("Bitte authentifizieren Sie sich mit einem API-Token (Authorization: Bearer …)."),
        'Bearer realm="api"',
    )


def _second_factor_missing(user: User) -> tuple[Response, int] | None:
    """A 403 for a person whose roles require a second factor not yet set up, else None.

    The pages allow such a person nothing but the set-up; the API answered a password-only session in full. A token
    made earlier does not carry past it either: one made as a learner before a coordinator role, or before the
    programme office reset the factor, or before the setting required it.
    """
    required = parse_roles(current_app.extensions["lms.settings"].mfa_required_roles)
    if not required or not needs_setup(get_db(), user, required):
        return None
    return api_error(
        403,
        _(
            "Ihre Rolle verlangt eine Zwei-Faktor-Anmeldung. Bitte richten Sie sie zuerst im Browser ein "
            "(„Profil“ → „Zwei-Faktor-Anmeldung“)."
        ),
    )


def _unauthorized(message: str, challenge: str) -> tuple[Response, int]:
    """A 401 with the challenge RFC 9110 requires (WWW-Authenticate) in the form of RFC 6750."""
    response, status = api_error(401, message)
    response.headers["WWW-Authenticate"] = challenge
    return response, status


def _user() -> User:
    user: User = g.api_user  # set by _authenticate before every view
    return user


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API."""
    return jsonify(
        openapi_document(session_cookie=current_app.session_interface.get_cookie_name(current_app))
    )


@bp.get("/modules")
def list_modules() -> ResponseReturnValue:
    """Modules in the caller's catalogue."""
    rows = catalogue(get_db(), _user())
    return jsonify(modules=[serializers.module_summary(m, v) for m, v in rows])


@bp.get("/modules/<slug>")
def get_module(slug: str) -> ResponseReturnValue:
    """One module with its sections."""
    db = get_db()
    found = visible_module(db, _user(), slug)
    if found is None:
        return api_error(
            404, _("Modul „%(slug)s“ gibt es nicht oder es ist für Sie nicht sichtbar.", slug=slug)
        )
    module, version = found
    return jsonify(serializers.module_detail(module, version, current_quiz_version(db, module) is not None))


@bp.post("/modules/<slug>/attempts")
def create_attempt(slug: str) -> ResponseReturnValue:
    """Start (or resume) a quiz attempt on the module's current quiz version."""
    db = get_db()
    found = visible_module(db, _user(), slug)
    if found is None or found[0].kind != ModuleKind.TRAINING:
        return api_error(
            404, _("Modul „%(slug)s“ gibt es nicht oder es ist für Sie nicht sichtbar.", slug=slug)
        )
    try:
        attempt = start_attempt(db, _user(), *found)
    except QuizUnavailable as refused:
        return api_error(409, translate_error(refused))
    return jsonify(_attempt_json(attempt)), 201


def _attempt_json(attempt: QuizAttempt) -> dict[str, Any]:
    """The attempt as JSON; once submitted, only what its quiz version's review options show now."""
    reveal = attempt_reveal(get_db(), attempt) if attempt.is_submitted else None
    return serializers.attempt_state(attempt, reveal)


def _own_attempt(attempt_id: int) -> QuizAttempt | None:
    attempt = get_db().get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == _user().id else None


@bp.get("/attempts/<int:attempt_id>")
def get_attempt(attempt_id: int) -> ResponseReturnValue:
    """An attempt of the caller: questions while open, result once submitted."""
    attempt = _own_attempt(attempt_id)
    if attempt is None:
        return api_error(404, _("Diesen Versuch gibt es nicht."))
    return jsonify(_attempt_json(attempt))


def _is_submission(body: Any) -> bool:
    """Is this the shape of the document's Submission: {"responses": {key: text, [texts] or null}}, nothing else?

    Whether the keys and answers fit the attempt is the next question (422); this one is about form (400).
    """
    if not isinstance(body, dict) or set(body) != {"responses"} or not isinstance(body["responses"], dict):
        return False
    return all(
        value is None
        or isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(item, str) for item in value))
        for value in body["responses"].values()
    )


class _Refused(HTTPException):
    """A request the API refuses, with a message in the caller's language: the app's handler of HTTP errors
    (lms.web.errors) answers it as JSON, as it does for lms.web.validation.InvalidInput."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(description=message)
        self.code = status
        self.message_for_people = message


def _already_submitted() -> _Refused:
    return _Refused(409, _("Dieser Versuch wurde bereits abgegeben."))


def _answers_for_open_attempt(attempt_id: int) -> tuple[QuizAttempt, dict[str, Any]]:
    """The caller's attempt, still open, and the answers in the request's body (the document's Submission).

    Refused in this order: 404 when the attempt is not the caller's, 400 when the body has another form, 409 when
    the attempt was submitted already (submitting and saving answers check the same three things).
    """
    attempt = _own_attempt(attempt_id)
    if attempt is None:
        raise _Refused(404, _("Diesen Versuch gibt es nicht."))
    body: Any = request.get_json(silent=True)
    if not _is_submission(body):
        raise _Refused(
            400,
            _(
                'Erwartet wird JSON der Form {"responses": {"q1": ["a"]}}: je Frage ein Text, eine Liste von '
                "Texten oder null, und kein weiteres Feld."
            ),
        )
    if attempt.is_submitted:
        raise _already_submitted()
    return attempt, body["responses"]


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int) -> ResponseReturnValue:
    """Submit answers {"responses": {"q1": ["a"], …}}; graded on the server, once."""
    attempt, responses = _answers_for_open_attempt(attempt_id)
    try:
        submit_attempt(get_db(), _user(), attempt, responses)
    except AttemptClosedError:  # submitted in parallel since the check above
        raise _already_submitted() from None
    except UnknownQuestions as invalid:
        return api_error(422, translate_error(invalid))
    except ResponseInvalid as invalid:
        return api_error(422, _question_refused(invalid))
    return jsonify(_attempt_json(attempt))


def _question_refused(invalid: ResponseInvalid) -> str:
    """An answer that does not fit its question, named by its key (the API's callers know the keys, not the order
    a page shows the questions in); saving and submitting say the same."""
    return str(_("Frage %(n)s: %(message)s", n=invalid.key, message=translate_error(invalid)))


@bp.put("/attempts/<int:attempt_id>/responses")
def save_responses(attempt_id: int) -> ResponseReturnValue:
    """Save the answers given so far on an open attempt, without submitting: {"responses": {"q1": ["a"], …}}."""
    attempt, responses = _answers_for_open_attempt(attempt_id)
    try:
        save_draft(get_db(), _user(), attempt, responses)
    except UnknownQuestions as invalid:
        return api_error(422, translate_error(invalid))
    except ResponseInvalid as invalid:
        return api_error(422, _question_refused(invalid))
    return jsonify(_attempt_json(attempt))


@bp.get("/me/completions")
def completions() -> ResponseReturnValue:
    """The caller's completions, newest first."""
    return jsonify(completions=[serializers.completion(c) for c in my_completions(get_db(), _user())])
