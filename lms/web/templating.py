"""Template helpers: German dates and numbers, the navigation."""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from babel.dates import format_time
from flask import Flask, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms import time as clock
from lms.auth.models import Role
from lms.markdown.render import headings_under_section_title
from lms.text import N_, without_bidi_controls
from lms.web.i18n import request_locale
from lms.web.problems import note_error, page_problems


def local_datetime(value: datetime | None) -> str:
    """A moment in German local time, in the reader's language: 15.03.2026, 14:05 Uhr / Mar 15, 2026, 2:05 PM."""
    if value is None:
        return "–"
    return clock.format_datetime(value, request_locale())


def local_date(value: datetime | date | None) -> str:
    """A calendar day (a due date, a period's end) or the German day of a moment: 15.03.2026 / Mar 15, 2026."""
    if value is None:
        return "–"
    return clock.format_date(value, request_locale())


def clock_time(value: time | None) -> str:
    """A time of day as the reader's language writes it: 14:00 / 2:00 PM."""
    if value is None:
        return "–"
    return format_time(value, "short", locale=request_locale())


def label(text: str) -> str:
    """A label defined in code (marked with N_), translated — as plain text, so Jinja escapes it.

    ``_()`` in a template marks its result safe; a variable passed to it would become markup if it ever held
    people's input. Labels go through this filter instead.
    """
    return str(_(text))


def with_percent_sign(number: str) -> str:
    """„80,5 %“ in German, „80.5%“ in English: spaced as the reader's language writes a percentage (Babel's
    percent pattern; German's no-break space is written as the plain space the platform uses everywhere)."""
    locale = get_locale()
    pattern = locale.percent_formats[None].pattern if locale is not None else "#,##0 %"
    return f"{number} %" if re.search(r"\s%", pattern) else f"{number}%"


def share_percent(value: Decimal | float | None) -> str:
    """A share with one decimal, as the reports, the quiz statistics and the indicators show it: 66,7 % / 66.7%;
    „–“ where it is hidden or could not be computed."""
    if value is None:
        return "–"
    return with_percent_sign(format_decimal(value, format="#,##0.0"))


def percent(value: Decimal | float | None) -> str:
    """80,5 % in German, 80.5% in English."""
    if value is None:
        return "–"
    return with_percent_sign(format_decimal(value, format="#,##0.#"))


#: (endpoint, label, roles that see it; empty: everyone) of the main menu, in order.
_MENU: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("progress.my_modules", N_("Meine Module"), frozenset()),
    ("certificates.my_completions", N_("Meine Nachweise"), frozenset()),
    ("planning.upcoming", N_("Termine"), frozenset()),
    ("content.manage", N_("Inhalte verwalten"), frozenset({Role.TRAINER, Role.ADMIN})),
    ("reports.coordination", N_("Koordination"), frozenset({Role.COORDINATOR})),
    ("reports.my_units", N_("Meine Einheiten"), frozenset({Role.UNIT_MANAGER})),
    (
        "workshops.sessions",
        N_("Veranstaltungen"),
        frozenset({Role.TRAINER, Role.FACILITATOR, Role.COORDINATOR, Role.ADMIN}),
    ),
    ("reports.programme", N_("Programmbüro"), frozenset({Role.ADMIN})),
    ("certificates.overview", N_("Zertifikate"), frozenset({Role.COORDINATOR, Role.ADMIN})),
    (
        "practice.examples",
        N_("Praxisbeispiele"),
        frozenset({Role.COORDINATOR, Role.TRAINER, Role.FACILITATOR, Role.ADMIN}),
    ),
    ("documents.index", N_("Dokumente"), frozenset()),
    ("evaluation.programme_overview", N_("Evaluation"), frozenset({Role.ADMIN})),
    ("evaluation.board_home", N_("Beirat"), frozenset({Role.ADVISORY_BOARD})),
    ("auth.profile", N_("Profil"), frozenset()),
)


@functools.lru_cache(maxsize=64)
def _menu_for(roles: frozenset[Role]) -> tuple[tuple[str, str], ...]:
    """(endpoint, untranslated label) of the menu for a set of roles: the same few sets, worked out once each."""
    return tuple((endpoint, text) for endpoint, text, shown_to in _MENU if not shown_to or shown_to & roles)


def main_navigation() -> list[tuple[str, str]]:
    """(endpoint, label) of the main menu for the logged-in person."""
    user = current_user._get_current_object()
    roles = user.roles if user.is_authenticated else frozenset()
    return [(endpoint, _(text)) for endpoint, text in _menu_for(roles)]


def cached_url_for(endpoint: str, **values: Any) -> str:
    """``url_for`` for templates, remembering the paths it built (a page builds twenty; most are the same each time).

    A path depends only on the endpoint, its values and where the app is mounted (SCRIPT_NAME), as long as no
    ``url_defaults`` hook adds values (the app has none). External URLs and anything unusual go to ``url_for``.
    """
    if any(key.startswith("_") for key in values):
        return url_for(endpoint, **values)
    try:
        key = (request.script_root, endpoint, tuple(sorted(values.items())))
        hash(key)
    except TypeError:  # an unhashable value: build it as usual
        return url_for(endpoint, **values)
    found = _URLS.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(_URLS) >= _MAX_URLS:
            _URLS.clear()  # a crude bound; the paths of a few hundred pages fit comfortably
        _URLS[key] = found
    return found


_URLS: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = {}
_MAX_URLS = 20_000


class RenderedBlock(Markup):
    """A block the template rendered already (base.html renders the content before the title): each of its
    ``{{ … }}`` passed ``shown_text`` then, and the rest is the template's own text and stored HTML."""

    __slots__ = ()


def rendered_block(value: Markup) -> RenderedBlock:
    """Mark a rendered block, so that writing it out does not filter it a second time."""
    return RenderedBlock(value)


def shown_text(value: Any) -> Any:
    """Every ``{{ … }}`` passes here before escaping: bidirectional controls in people's input are dropped, so a
    name with U+202E cannot reverse what the page shows after it."""
    if isinstance(value, RenderedBlock):
        return value
    if isinstance(value, Markup):
        return Markup(without_bidi_controls(str(value)))
    if isinstance(value, str):
        return without_bidi_controls(value)
    return value


def form_action() -> str:
    """This page's address for a form that posts back to it. Without an ``action`` the browser posts to the address
    with its fragment (the skip link's ``#main``), jumps there after a failed submission instead of to the error
    summary, and keeps the fragment through the redirect after a successful one."""
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=-._~")
    query = request.query_string.decode("latin-1")
    return path + (f"?{query}" if query else "")


def in_german(text: Any) -> Any:
    """German text entered by people (a period's name „Programmjahr 2026“, say) inside an English page: marked
    ``lang="de"`` so that a screen reader reads it with a German voice (WCAG 3.1.2). Unchanged in a German page."""
    if request_locale() == "de" or text is None:
        return text
    return Markup('<span lang="de">%s</span>') % text


def german_attribute() -> Markup:
    """`` lang="de"`` for an element that may hold only text (``<option>``) in an English page; empty in German."""
    return Markup("") if request_locale() == "de" else Markup(' lang="de"')


def german_document_note() -> str:
    """„ (in German)“ after a link to a German document (a PDF, an export) on a page in another language; nothing on
    a German page."""
    return "" if request_locale() == "de" else " " + _("(auf Deutsch)")


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.finalize = shown_text
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(main_navigation)
    app.add_template_global(cached_url_for, "url_for")
    app.add_template_global(request_locale, "current_locale")
    app.add_template_global(note_error)
    app.add_template_global(rendered_block)
    app.add_template_global(page_problems)
    app.add_template_global(form_action)
    app.add_template_global(german_attribute)
    app.add_template_global(german_document_note)
    app.add_template_filter(in_german, "german")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(clock_time, "clock_time")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(label, "label")
    app.add_template_filter(headings_under_section_title, "under_section_title")
