"""One validation layer at the edge: what a request may carry before any view or database sees it.

Every request is checked once, here, so a hostile or broken input gets a clear 4xx in the reader's language
instead of a 500 from deep inside (PostgreSQL refuses NUL bytes and integers of 2³¹ and more; Python's JSON parser
gives up on deep nesting with a RecursionError):

- path integers (``<int:…>``) only up to PostgreSQL's ``integer``; larger ones are a 404 like any unknown id;
- no control characters (NUL and the other C0 codes except tab and line breaks) in the path or the query (400),
  nor in a form field (422; the page offers the form again without them, lms.web.errors.control_characters_page)
  or the name of an uploaded file (422);
- JSON bodies: parseable, at most ``MAX_JSON_DEPTH`` levels deep, no control characters and no lone surrogate
  („\ud800“) in a string or key (400, as the API answered malformed bodies before, each with its own message);
- query integers through :func:`query_int`, bounded, digits only („²“ is a digit to ``str.isdigit``);
- redirect targets from the request through :func:`safe_redirect_target` (paths on this site only).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from lms import time as clock
from lms.db import MAX_ID
from lms.text import CONTROL_CHARACTERS, control_character_names

#: The largest value of PostgreSQL's ``integer`` (the type of every id column).
MAX_DB_INT = MAX_ID
#: Deeper JSON is refused: the API's documents are at most three levels deep.
MAX_JSON_DEPTH = 32
#: Halves of UTF-16 surrogate pairs. JSON may escape one alone („\ud800“); Python then holds a string that is no
#: text: PostgreSQL refuses it, and SQLite stores it, after which every page showing it fails to encode (a 500).
LONE_SURROGATES = re.compile("[\ud800-\udfff]")


class InvalidInput(BadRequest):
    """A 400 whose message is for people (shown on the error page or in the API's JSON)."""

    def __init__(self, message: str) -> None:
        super().__init__(description=message)
        self.message_for_people = message


class InvalidContent(InvalidInput):
    """A 422 (as the forms answer invalid input): a form field holds what no person types."""

    code = 422


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in URLs: only numbers an id column can hold; larger ones do not match (404)."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_DB_INT,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def whole_number(raw: str | None, *, minimum: int = 1, maximum: int = MAX_DB_INT) -> int | None:
    """``raw`` as a whole number the database can hold, or None. Only ASCII digits count: ``"²".isdigit()`` is
    true, but int() refuses it; and an id no row can have (10^20) must be „not found“, not an overflow in the
    database driver."""
    if (
        raw
        and raw.isascii()
        and raw.isdigit()
        and len(raw) <= len(str(maximum))
        and minimum <= int(raw) <= maximum
    ):
        return int(raw)
    return None


def query_int(
    name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_DB_INT
) -> int | None:
    """An integer from the query string, or ``default`` when absent or empty; anything else is a 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return default
    number = whole_number(raw, minimum=minimum, maximum=maximum)
    if number is None:
        raise InvalidInput(_("Der Parameter „%(name)s“ muss eine ganze Zahl sein.", name=name))
    return number


def query_date(name: str) -> date | None:
    """A yyyy-mm-dd day from the query string (a filter), or None: anything else, or a day outside
    ``lms.time.EARLIEST_DAY`` … ``LATEST_DAY``, does not filter."""
    text = request.args.get(name, "").strip()[:10]
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and clock.is_plausible_day(day) else None


def safe_redirect_target(target: str | None, fallback: str) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (no open redirect through next= or back=)."""
    if target and not CONTROL_CHARACTERS.search(target) and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback


def referrer_path() -> str | None:
    """The path (and query) of the page this request was sent from, if it is on this site; else None.

    Browsers send the form's page as the referrer (the platform's Referrer-Policy is same-origin). Pass the result
    through :func:`safe_redirect_target` before leading anyone there.
    """
    if not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _has_control_characters(values: Any) -> bool:
    return any(CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value) for key, value in values)


def _check_json_text(text: str) -> None:
    if CONTROL_CHARACTERS.search(text):
        raise InvalidInput(
            _(
                "Die Eingabe enthält unzulässige Steuerzeichen (%(characters)s), unsichtbar, meist aus kopiertem "
                "Text (Word, PDF). Bitte entfernen Sie sie.",
                characters=control_character_names(text),
            )
        )
    if LONE_SURROGATES.search(text):
        raise InvalidInput(
            _("Die Eingabe enthält ein Zeichen, das kein gültiger Text ist (ein halbes Ersatzpaar).")
        )


def _check_json(payload: Any) -> None:
    """Walk the parsed body without recursion: bounded depth, no control characters in keys or strings."""
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise InvalidInput(_("Die JSON-Daten sind zu tief verschachtelt."))
        if isinstance(value, str):
            _check_json_text(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_json_text(key)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def check_request() -> None:
    """Refuse control characters and malformed JSON before any view runs."""
    if CONTROL_CHARACTERS.search(request.path) or _has_control_characters(request.args.items(multi=True)):
        raise InvalidInput(_("Die Adresse enthält unzulässige Steuerzeichen."))
    if request.method in {"POST", "PUT", "PATCH"}:
        if request.is_json:
            try:
                payload = request.get_json(cache=True)  # parsed once; the view gets the cached result
            except RecursionError:
                raise InvalidInput(_("Die JSON-Daten sind zu tief verschachtelt.")) from None
            except BadRequest:  # empty, not JSON, or not UTF-8
                raise InvalidInput(_("Die gesendeten Daten sind kein gültiges JSON.")) from None
            _check_json(payload)
        elif _has_control_characters(request.form.items(multi=True)):
            raise InvalidContent(_("Die Eingabe enthält unzulässige Steuerzeichen."))
        elif any(
            CONTROL_CHARACTERS.search(file.filename or "") for _n, file in request.files.items(multi=True)
        ):
            # The name of an uploaded file is text like any field (kept for the audit log, shown in lists).
            raise InvalidContent(_("Der Dateiname enthält unzulässige Steuerzeichen."))


def init_app(app: Flask) -> None:
    """Install the bounded integer converter (before any blueprint adds rules) and the request check."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(check_request)
