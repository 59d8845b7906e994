"""Managing and authoring content in the browser (trainers and the programme office).

One blueprint (``blueprint.py``); its routes live in one module per page group: overview and history, the
editor, uploads and images, the learner preview. Importing this package registers them all.
"""

from __future__ import annotations

from lms.content.views import editor, manage, media, preview  # noqa: F401  (registers the routes)
from lms.content.views.blueprint import bp

__all__ = ["bp"]
