"""Template helpers: German dates and numbers, the navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms import time as clock
from lms.auth.models import Role


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
    if user.is_authenticated and user.has_role(Role.ADMIN):
        items.append(("evaluation.programme_overview", _("Evaluation")))
    if user.is_authenticated and user.has_role(Role.ADVISORY_BOARD):
        items.append(("evaluation.board_home", _("Beirat")))
    items.append(("auth.profile", _("Profil")))
    return items


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_global(main_navigation)
    app.add_template_global(lambda: str(get_locale() or "de"), "current_locale")
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(label, "label")
