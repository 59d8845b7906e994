"""Error pages: German HTML for people, JSON for the API; never a traceback."""

from __future__ import annotations

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from lms.web.problems import forget_forms
from lms.web.validation import CONTROL_CHARACTERS, InvalidContent, referrer_path, safe_redirect_target

MESSAGES = {
    400: _l("Die Anfrage konnte nicht verarbeitet werden."),
    401: _l("Bitte melden Sie sich an."),
    403: _l("Sie haben keine Berechtigung für diese Seite."),
    404: _l("Diese Seite gibt es nicht (mehr)."),
    405: _l("Diese Aktion ist hier nicht möglich."),
    409: _l("Die Aktion widerspricht dem aktuellen Stand."),
    413: _l("Die gesendeten Daten sind zu groß."),
    429: _l("Zu viele Anfragen. Bitte warten Sie einen Moment."),
    500: _l("Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut."),
}


def wants_json() -> bool:
    """API paths always answer JSON; so does any request that sent JSON and accepts it back (the pages' scripts:
    the editor's autosave, the passkey ceremonies), so that a refusal shows its message there, not „failed“."""
    if request.path.startswith("/api/"):
        return True
    return request.is_json and request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str | None = None) -> tuple[Response | str, int]:
    """Render an error for the caller, in JSON for the API and as a page otherwise."""
    text = message or str(MESSAGES.get(status, MESSAGES[400]))
    if wants_json():
        return jsonify(error={"status": status, "message": text}), status
    forget_forms()  # the failed request's forms are not the error page's problems
    try:
        return render_template("errors/error.html", status=status, message=text), status
    except Exception:  # the error page itself failed: still no traceback for the person
        return text, status


#: Form fields whose value is never written back into a page: passwords, and the one-time codes of the second
#: factor and its setup (a code in the page would sign in whoever sends the form on).
SECRET_FIELDS = frozenset({"password", "confirmation", "current", "code"})


def control_characters_page(error: InvalidContent) -> tuple[Response | str, int]:
    """The 422 for a form field with a control character, keeping what the person typed.

    Such characters come in unseen, mostly when text is copied from a PDF or a word processor. Going back does not
    bring the input back (the pages are ``no-store``), so this page offers the same form again without them: the
    fields as hidden inputs, a fresh CSRF token, sent to the same address only when the person chooses to. The
    request got here past CSRFProtect (it runs first), so only a form of this site is offered again; never one
    with a file (a browser cannot carry it over) or a password (it would stand in the page).
    """
    typed = [(name, value) for name, value in request.form.items(multi=True) if name != "csrf_token"]
    fields = [(CONTROL_CHARACTERS.sub("", name), CONTROL_CHARACTERS.sub("", value)) for name, value in typed]
    changed = [cleaned for (_n, cleaned), (_m, raw) in zip(fields, typed, strict=True) if cleaned != raw]
    resend = (
        "csrf_token" in request.form and not request.files and not SECRET_FIELDS & {n for n, _v in fields}
    )
    forget_forms()
    page = render_template(
        "errors/control_characters.html",
        status=error.code,
        message=error.message_for_people,
        fields=fields if resend else [],
        changed=changed if resend else [],
        action=request.script_root + request.full_path.rstrip("?"),
        back=safe_redirect_target(referrer_path(), ""),
    )
    return page, error.code or 422


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(InvalidContent)
    def _invalid_content(error: InvalidContent) -> tuple[Response | str, int]:
        if wants_json() or request.method != "POST":
            return error_response(error.code or 422, error.message_for_people)
        return control_characters_page(error)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[Response | str, int]:
        return error_response(
            400,
            _(
                "Das Formular ist abgelaufen oder ungültig. Bitte laden Sie die Seite neu und versuchen Sie es erneut."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        response = app.make_response(
            error_response(error.code or 500, getattr(error, "message_for_people", None))
        )
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(
                sorted(error.valid_methods)
            )  # RFC 9110: a 405 names the methods
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int]:
        app.logger.exception("unhandled error", exc_info=error)
        db = g.get("db")
        if db is not None:
            # A failed flush leaves the session unusable until rolled back, and the error page still reads from
            # it (the person's language): without this the 500 page itself failed and gunicorn answered in HTML.
            db.rollback()
        return error_response(InternalServerError.code)
