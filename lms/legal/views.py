"""The legal pages (open to everyone), „Barriere melden“ and the programme office's list of reports."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.auth.models import Role
from lms.config import Settings
from lms.legal import documents, services
from lms.legal.forms import STATUS_LABELS, BarrierReportForm, StatusForm
from lms.legal.models import BarrierReport, ReportStatus
from lms.mail import send_after_commit
from lms.web.access import acting_user, roles_required
from lms.web.clients import client_key
from lms.web.database import get_db, keep_changes_on_client_error

bp = Blueprint("legal", __name__, template_folder="templates")

TITLES = {
    "impressum": _l("Impressum"),
    "datenschutz": _l("Datenschutzerklärung"),
    "barrierefreiheit": _l("Erklärung zur Barrierefreiheit"),
    "leichte-sprache": _l("Informationen in Leichter Sprache"),
}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _document_page(name: str) -> ResponseReturnValue:
    document = documents.load(_settings().instance_path, name)
    return render_template("legal/document.html", title=TITLES[name], name=name, document=document)


@bp.get("/impressum")
def impressum() -> ResponseReturnValue:
    """Impressum (§ 5 DDG, § 18 MStV): who runs the platform."""
    return _document_page("impressum")


@bp.get("/datenschutz")
def privacy() -> ResponseReturnValue:
    """Datenschutzerklärung (Art. 13 DSGVO): every processing, its purpose, legal basis, retention and the rights."""
    return _document_page("datenschutz")


@bp.get("/barrierefreiheit")
def accessibility() -> ResponseReturnValue:
    """Erklärung zur Barrierefreiheit (§ 12b BGG, BITV 2.0 § 7), with the link to „Barriere melden“."""
    return _document_page("barrierefreiheit")


@bp.get("/leichte-sprache")
def easy_language() -> ResponseReturnValue:
    """Content, navigation and accessibility explained in Leichte Sprache (BITV 2.0 § 4)."""
    return _document_page("leichte-sprache")


# --- Deutsche Gebärdensprache ---------------------------------------------------------------------------------


def _instance_file(name: str) -> Path | None:
    path = Path(_settings().instance_path) / "legal" / name
    return path if path.is_file() else None


@bp.get("/gebaerdensprache")
def sign_language() -> ResponseReturnValue:
    """The same explanations in Deutscher Gebärdensprache: the deployment's video, or a note that it is coming."""
    configured = _settings().dgs_video_url
    video = configured or (url_for("legal.sign_language_video") if _instance_file("dgs.mp4") else None)
    captions = url_for("legal.sign_language_captions") if video and _instance_file("dgs.vtt") else None
    document = documents.load(_settings().instance_path, "gebaerdensprache")
    return render_template("legal/sign_language.html", video=video, captions=captions, document=document)


@bp.get("/gebaerdensprache/video.mp4")
def sign_language_video() -> ResponseReturnValue:
    """The DGS video from the instance folder, with range requests (seeking) and conditional requests."""
    path = _instance_file("dgs.mp4")
    if path is None:
        abort(404)
    return send_file(path, mimetype="video/mp4", conditional=True, max_age=3600)


@bp.get("/gebaerdensprache/untertitel.vtt")
def sign_language_captions() -> ResponseReturnValue:
    """The video's captions (WebVTT) from the instance folder."""
    path = _instance_file("dgs.vtt")
    if path is None:
        abort(404)
    return send_file(path, mimetype="text/vtt", conditional=True, max_age=3600)


# --- Barriere melden ------------------------------------------------------------------------------------------


@bp.route("/barrierefreiheit/melden", methods=["GET", "POST"])
def report_barrier() -> ResponseReturnValue:
    """The public form: no account needed; CSRF, a honeypot and a rate limit per client and per day keep it usable."""
    form = BarrierReportForm()
    if request.method == "GET" and not form.page_url.data:
        form.page_url.data = request.args.get("seite", "")[:500] or None
    if not form.validate_on_submit():
        if form.is_submitted() and form.csrf_token.errors:
            abort(400)
        status = 422 if form.is_submitted() else 200
        return render_template("legal/report.html", form=form), status
    settings, db = _settings(), get_db()
    limit = services.ReportLimit(settings.barrier_reports_per_hour, settings.barrier_reports_per_day)
    retry_after = services.register_submission(db, client_key(), limit)
    if retry_after:
        keep_changes_on_client_error()  # the pruning of old rows may stay
        minutes = max(1, (retry_after + 59) // 60)
        response = Response(
            render_template("legal/report.html", form=form, retry_minutes=minutes), status=429
        )
        response.headers["Retry-After"] = str(retry_after)
        return response
    services.purge_done_reports(db, timedelta(days=settings.barrier_report_retention_days))
    if not form.website.data:  # a person: a robot filled the hidden field and is thanked without effect
        report = services.submit_report(
            db,
            services.ReportInput(
                description=form.description.data or "",
                page_url=form.page_url.data,
                contact_email=form.contact_email.data,
            ),
        )
        if settings.barrier_report_recipient:
            list_url = settings.base_url.rstrip("/") + url_for("legal.reports")
            send_after_commit(db, settings, [services.report_message(settings, report, list_url)])
    flash(
        _("Vielen Dank. Ihre Meldung ist beim Programmbüro eingegangen."),
        "success",
    )
    return redirect(url_for("legal.report_barrier"), 303)


@bp.get("/programmbuero/barrieren")
@roles_required(Role.ADMIN)
def reports() -> ResponseReturnValue:
    """The programme office's list of barrier reports with their status."""
    wanted = request.args.get("stand") or None
    if wanted is not None and wanted not in STATUS_LABELS:
        wanted = None
    db = get_db()
    services.purge_done_reports(db, timedelta(days=_settings().barrier_report_retention_days))
    items = services.list_reports(db, wanted)
    return render_template(
        "legal/reports.html",
        reports=items,
        wanted=wanted,
        labels=STATUS_LABELS,
        form_for=lambda report: StatusForm(formdata=None, status=report.status, prefix=f"r{report.id}"),
    )


@bp.post("/programmbuero/barrieren/<int:report_id>/status")
@roles_required(Role.ADMIN)
def report_status(report_id: int) -> ResponseReturnValue:
    """Change a report's status (neu, in Bearbeitung, erledigt); recorded in the audit log."""
    db = get_db()
    report = db.get(BarrierReport, report_id)
    if report is None:
        abort(404)
    form = StatusForm(prefix=f"r{report_id}")
    if not form.validate_on_submit():
        abort(400)
    if services.set_status(db, acting_user().id, report, ReportStatus(form.status.data)):
        flash(
            _("Meldung Nr. %(id)s: Stand „%(status)s“.", id=report.id, status=STATUS_LABELS[report.status]),
            "success",
        )
    return redirect(url_for("legal.reports"), 303)
