"""The content blueprint, in its own module so the route modules import it without importing their package."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("content", __name__, template_folder="../templates")
