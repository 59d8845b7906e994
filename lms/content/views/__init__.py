"""Managing and authoring content in the browser (trainers and the programme office).

One blueprint; its routes live in one module per page group: overview and history, the editor,
uploads and images, the learner preview.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("content", __name__, template_folder="../templates")

from lms.content.views import editor, manage, media, preview  # noqa: E402,F401  (registers the routes)
