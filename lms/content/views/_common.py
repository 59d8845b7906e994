"""Small helpers shared by the content views."""

from __future__ import annotations

from flask import abort

from lms.content.models import Draft, Module
from lms.content.queries import module_by_slug
from lms.web.database import get_db


def module_or_404(slug: str) -> Module:
    """Any module by slug (retired ones too: managers look at history), or 404."""
    module = module_by_slug(get_db(), slug)
    if module is None:
        abort(404)
    return module


def draft_or_404(draft_id: int) -> Draft:
    """A draft by id, or 404 (drafts are shared by everyone who authors)."""
    draft = get_db().get(Draft, draft_id)
    if draft is None:
        abort(404)
    return draft
