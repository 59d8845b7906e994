"""Managing content (trainers and the programme office)."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms.auth.models import Role
from lms.content.models import KIND_LABELS
from lms.content.queries import all_modules, completion_counts
from lms.progress.models import Completion
from lms.web.access import roles_required
from lms.web.database import get_db

bp = Blueprint("content", __name__, template_folder="templates")


@bp.get("/inhalte")
@roles_required(Role.TRAINER, Role.ADMIN)
def manage():  # type: ignore[no-untyped-def]
    """„Inhalte verwalten“: every module and workshop script with its versions and completions per version."""
    db = get_db()
    return render_template(
        "content/manage.html",
        modules=all_modules(db),
        completions=completion_counts(db, Completion.module_version_id),
        totals=completion_counts(db, Completion.module_id),
        kind_labels=KIND_LABELS,
    )
