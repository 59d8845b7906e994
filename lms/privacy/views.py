"""„Meine Daten“: the person downloads everything the platform keeps about them (GDPR Art. 15 and 20)."""

from __future__ import annotations

import json

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from lms import time as clock
from lms.privacy.queries import personal_data
from lms.web.access import acting_user
from lms.web.database import get_db

bp = Blueprint("privacy", __name__)


@bp.get("/profil/meine-daten.json")
@login_required
def my_data() -> ResponseReturnValue:
    """One JSON file, machine-readable and readable as text; only ever the acting person's own data."""
    document = personal_data(get_db(), acting_user(), lambda text: str(_(text)))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    name = f"meine-daten-{clock.today().isoformat()}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
