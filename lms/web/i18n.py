"""Interface language: German first, English second."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user

SUPPORTED_LOCALES = ("de", "en")


def select_locale() -> str:
    """The person's chosen language, else the browser's preference among ours, else German."""
    chosen: str | None = getattr(current_user, "locale", None)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "de"


def init_app(app: Flask) -> None:
    """Install Flask-Babel with our locale selector."""
    Babel(app, locale_selector=select_locale)
