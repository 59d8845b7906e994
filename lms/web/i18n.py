"""Interface language: German first, English second."""

from __future__ import annotations

from babel.numbers import get_group_symbol
from babel.support import NullTranslations
from flask import Flask, g, request
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

from lms import time as clock
from lms.errors import ServiceError
from lms.markdown.problems import Problem
from lms.web.bearer import bearer_token_person

SUPPORTED_LOCALES = ("de", "en")


def select_locale() -> str:
    """The person's chosen language, else the browser's preference among ours, else German."""
    # An API call with a token has its person in g.api_user (current_user stays anonymous there); a call refused
    # before the API's check ran (malformed JSON, an unknown address) is answered in the token owner's language too.
    person = g.get("api_user") or (request.path.startswith("/api/") and bearer_token_person()) or current_user
    chosen: str | None = getattr(person, "locale", None)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "de"


def translate_error(error: ServiceError) -> str:
    """A service's refusal in the language of the request (views and the API)."""
    # The catalogue's own functions: flask_babel's gettext/ngettext would %-format before the parameters are in.
    translations = get_translations()
    return error.render(
        translations.ugettext, translations.ungettext, lambda day: clock.format_date(day, request_locale())
    )


def problem_text(message: str | Problem) -> str:
    """A content problem's German text in the request's language where the catalogue has it.

    Problems of Markdown files are built as German text; those marked with ``N_`` are catalogue entries, and those
    built with ``Problem.of`` carry their entry and values (pass the Problem itself). Other texts stay German.
    """
    translations = get_translations()
    if isinstance(message, Problem):
        if message.msgid is not None:
            return str(translations.ugettext(message.msgid)) % dict(message.params or {})
        message = message.message
    return str(translations.ugettext(message))


def request_translations() -> NullTranslations:
    """This request's catalogue, looked up once per request.

    Flask-Babel finds it anew on every ``_()`` (context, locale, its identifier, the cache); a page calls ``_()``
    a few dozen times. The language of a request does not change while it runs (a change in the profile takes effect
    with the redirect after it).
    """
    found: NullTranslations | None = g.get("_lms_translations")
    if found is None:
        found = g._lms_translations = get_translations()
    return found


#: The thousands separator of each language, as Babel's locale data has it ("#,##0": 1.800 / 1,800).
_GROUP_SYMBOL = {locale: get_group_symbol(locale) for locale in SUPPORTED_LOCALES}


def request_locale() -> str:
    """This request's language code, looked up once per request."""
    found: str | None = g.get("_lms_locale")
    if found is None:
        found = g._lms_locale = str(get_locale() or "de")
    return found


def grouped(number: int) -> str:
    """A whole number with the language's thousands separator, as ``format_decimal(n, "#,##0")`` writes it.

    The reports show dozens of counts per page; Babel parses the pattern and finds the locale for each one.
    """
    return f"{number:,}".replace(",", _GROUP_SYMBOL.get(request_locale(), "."))


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our locale selector; templates get ``translate_error`` too."""
    Babel(app, locale_selector=select_locale)
    # Replaces Flask-Babel's callables (jinja2.ext.i18n adds the method, so the type checker does not know it).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["translate_error"] = translate_error
    app.jinja_env.globals["problem_text"] = problem_text
