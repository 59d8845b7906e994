"""CSRF protection and strict security headers for every response."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from flask_wtf.csrf import CSRFProtect

from lms.config import Settings

csrf = CSRFProtect()

# Only our own scripts, styles and fonts; nothing inline, no frames, forms post only to us.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


def init_app(app: Flask, settings: Settings) -> None:
    """Turn on CSRF for every form and add the security headers."""
    csrf.init_app(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if settings.secure_cookies:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith(("/static/", "/media/")):
            # Office PCs are shared: never leave personal pages in a browser or proxy cache.
            # (Module images under /media/ are addressed by their hash and hold nothing personal.)
            headers["Cache-Control"] = "no-store"
        return response


def exempt_api_from_form_csrf(api: Blueprint) -> None:
    """The API checks CSRF itself: token callers need none, session callers send the X-CSRFToken header."""
    csrf.exempt(api)
