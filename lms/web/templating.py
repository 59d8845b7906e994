"""Template helpers: German dates and numbers, the navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms import time as clock
from lms.auth.models import Role
from lms.text import without_bidi_controls


def local_datetime(value: datetime | None) -> str:
    """A moment in German local time, in the reader's language: 15.03.2026, 14:05 Uhr / Mar 15, 2026, 2:05 PM."""
    if value is None:
        return "–"
    return clock.format_datetime(value, str(get_locale() or "de"))


def local_date(value: datetime | date | None) -> str:
    """A calendar day (a due date, a period's end) or the German day of a moment: 15.03.2026 / Mar 15, 2026."""
    if value is None:
        return "–"
    return clock.format_date(value, str(get_locale() or "de"))


def label(text: str) -> str:
    """A label defined in code (marked with N_), translated — as plain text, so Jinja escapes it.

    ``_()`` in a template marks its result safe; a variable passed to it would become markup if it ever held
    people's input. Labels go through this filter instead.
    """
    return str(_(text))


def percent(value: Decimal | float | None) -> str:
    """80,5 % in German, 80.5 % in English."""
    if value is None:
        return "–"
    return f"{format_decimal(value, format='#,##0.#')} %"


def main_navigation() -> list[tuple[str, str]]:
    """(endpoint, label) of the main menu for the logged-in person."""
    user = current_user
    items = [
        ("progress.my_modules", _("Meine Module")),
        ("certificates.my_completions", _("Meine Nachweise")),
    ]
    if user.is_authenticated and user.has_role(Role.TRAINER, Role.ADMIN):
        items.append(("content.manage", _("Inhalte verwalten")))
    if user.is_authenticated and user.has_role(Role.COORDINATOR):
        items.append(("reports.coordination", _("Koordination")))
    if user.is_authenticated and user.has_role(Role.TRAINER, Role.FACILITATOR, Role.COORDINATOR, Role.ADMIN):
        items.append(("workshops.sessions", _("Veranstaltungen")))
    if user.is_authenticated and user.has_role(Role.ADMIN):
        items.append(("reports.programme", _("Programmbüro")))
    if user.is_authenticated and user.has_role(Role.COORDINATOR, Role.ADMIN):
        items.append(("certificates.overview", _("Zertifikate")))
    if user.is_authenticated and user.has_role(Role.COORDINATOR, Role.TRAINER, Role.FACILITATOR, Role.ADMIN):
        items.append(("practice.examples", _("Praxisbeispiele")))
    if user.is_authenticated:
        items.append(("documents.index", _("Dokumente")))
    items.append(("auth.profile", _("Profil")))
    return items


def shown_text(value: Any) -> Any:
    """Every ``{{ … }}`` passes here before escaping: bidirectional controls in people's input are dropped, so a
    name with U+202E cannot reverse what the page shows after it."""
    if isinstance(value, Markup):
        return Markup(without_bidi_controls(str(value)))
    if isinstance(value, str):
        return without_bidi_controls(value)
    return value


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.finalize = shown_text
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(main_navigation)
    app.add_template_global(lambda: str(get_locale() or "de"), "current_locale")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(label, "label")
