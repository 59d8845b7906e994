"""Lernplattform „Kommunen für alle?“: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from lms import bundled
from lms.config import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, database, extensions, blueprints, CLI and error handlers."""
    settings = load_settings(overrides=config)
    app = Flask(
        __name__,
        static_folder=str(bundled.folder("static")),
        static_url_path="/static",
        template_folder="web/templates",
        # Local state (SQLite file, outbox) lives where the operator says, never inside site-packages.
        instance_path=settings.instance_path,
    )
    app.config.update(
        SECRET_KEY=settings.secret_key or "testing-only-not-secret",
        TESTING=settings.testing,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; forms left open over lunch still work
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent / "translations"),
        JSON_SORT_KEYS=False,
        # The editor posts a module's whole Markdown as a form field (Werkzeug's default allows 500 KB).
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
    )
    app.extensions["lms.settings"] = settings
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask documents wrapping wsgi_app in middleware like this, but types wsgi_app as a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_count, x_proto=settings.proxy_count)  # type: ignore[method-assign]

    import lms.models  # noqa: F401  (every mapper known before the first query)
    from lms.web import database, errors, i18n, security, sessions, templating, validation

    database.init_app(app, settings.database_url, settings.reports_database_url)
    from lms.jobs.queue import make_queue

    # Looked up at each job, so that a test (or a later init) may replace the session factory.
    app.extensions["lms.jobs.queue"] = make_queue(settings, lambda: app.extensions["lms.session_factory"]())
    sessions.init_app(app, settings)
    security.init_app(app, settings)
    i18n.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    validation.init_app(app)  # before the blueprints: their <int:…> rules take the bounded converter

    from lms.api.views import bp as api_bp
    from lms.auth.views import bp as auth_bp
    from lms.auth.views import init_login
    from lms.auth.views.passkeys import bp as passkeys_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.content.views import bp as content_bp
    from lms.documents.views import bp as documents_bp
    from lms.evaluation.views import bp as evaluation_bp
    from lms.jobs.views import bp as jobs_bp
    from lms.legal.views import bp as legal_bp
    from lms.orgs.views import bp as orgs_bp
    from lms.orgs.views.municipalities import bp as municipalities_bp
    from lms.orgs.views.roles import bp as roles_bp
    from lms.practice.views import bp as practice_bp
    from lms.privacy.views import bp as privacy_bp
    from lms.programme.views import bp as programme_bp
    from lms.progress.views import bp as progress_bp
    from lms.quizzes.views import bp as quizzes_bp
    from lms.reports.views import bp as reports_bp
    from lms.web.health import bp as health_bp
    from lms.web.uploads import UploadAwareRequest
    from lms.workshops.views import bp as workshops_bp
    from lms.workshops.views.corrections import bp as corrections_bp
    from lms.workshops.views.planning import bp as planning_bp

    app.request_class = UploadAwareRequest
    init_login(app)
    for blueprint in (auth_bp, progress_bp, quizzes_bp, content_bp, certificates_bp, api_bp):
        app.register_blueprint(blueprint)
    for blueprint in (
        reports_bp,
        orgs_bp,
        roles_bp,
        municipalities_bp,
        workshops_bp,
        planning_bp,
        corrections_bp,
        programme_bp,
        passkeys_bp,
        privacy_bp,
        practice_bp,
        jobs_bp,
        documents_bp,
        evaluation_bp,
        legal_bp,
        health_bp,
    ):
        app.register_blueprint(blueprint)
    security.exempt_api_from_form_csrf(api_bp)
    return app
