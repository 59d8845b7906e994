"""Per-route upload limits: a few routes accept files larger than the global LMS_MAX_REQUEST_BYTES.

The limit must be known before the CSRF check reads the form (an app-wide before_request hook), so it is decided
by the request object itself from the matched route, not inside the view.
"""

from __future__ import annotations

from flask import Request, current_app, has_app_context

#: endpoint → name of the setting that holds its limit in bytes.
LARGE_UPLOADS: dict[str, str] = {
    "orgs.staff_import": "staff_import_max_bytes",
    "practice.new_example": "practice_upload_max_bytes",
    "practice.edit": "practice_upload_max_bytes",
}


class UploadAwareRequest(Request):
    """A request whose body limit is the route's own where one is declared."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        rule = self.url_rule
        if rule is not None and rule.endpoint in LARGE_UPLOADS and has_app_context():
            own: int = getattr(current_app.extensions["lms.settings"], LARGE_UPLOADS[rule.endpoint])
            return max(limit or 0, own)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
