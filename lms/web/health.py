"""``GET /healthz`` for a load balancer: 200 when this node reaches its database, 503 when it does not.

The login form answers 200 without touching the database (a visitor's session is a signed cookie), so it cannot tell a
balancer that a node has lost its database: every login there would end on an error page. This address asks the
database one trivial question per call and says nothing else (no version, no names), so it may stay public.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms.web.database import get_db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """„ok“ (200) or „Datenbank nicht erreichbar“ (503), as plain text."""
    try:
        get_db().execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        current_app.logger.warning(
            "Health check: database unreachable (%s)", type(error.__cause__ or error).__name__
        )
        return Response("Datenbank nicht erreichbar\n", status=503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")
