"""Background jobs on the web: a job's progress for whoever may follow it, its file behind a signed link that
expires, the programme office's list of failed jobs with „Erneut versuchen“, and the certificate archive."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import scope
from lms import time as clock
from lms.auth.models import Role, User
from lms.certificates import queries as certificate_queries
from lms.certificates.forms import ExportForm
from lms.config import Settings
from lms.jobs import services
from lms.jobs.models import Job, JobState
from lms.jobs.queue import Queue, enqueue_after_commit
from lms.jobs.tasks import CERTIFICATE_ARCHIVE, KIND_LABELS
from lms.orgs.models import Municipality
from lms.orgs.periods import current_period
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.errors import error_response
from lms.web.forms import Form
from lms.web.i18n import translate_error

bp = Blueprint("jobs", __name__, template_folder="templates")

#: How the pages name a job's state.
STATE_LABELS = {
    JobState.QUEUED.value: _l("wartet"),
    JobState.RUNNING.value: _l("läuft"),
    JobState.DONE.value: _l("erledigt"),
    JobState.FAILED.value: _l("fehlgeschlagen"),
}
#: Separates download links from every other thing signed with the secret key.
DOWNLOAD_SALT = "lms.jobs.download"


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def job_queue() -> Queue:
    """The queue of this app (Redis or in-process), for views that start jobs."""
    queue: Queue = current_app.extensions["lms.jobs.queue"]
    return queue


def start(job: Job) -> None:
    """Hand a job recorded in this request to the queue once the request commits."""
    enqueue_after_commit(get_db(), job_queue(), job)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DOWNLOAD_SALT)


def download_signature(job: Job) -> str:
    """The part of a download link that proves it was handed out by us, for this job, recently."""
    return str(_serializer().dumps(job.id))


def _job_or_404(job_id: int) -> Job:
    job = get_db().get(Job, job_id)
    if job is None or not scope.may_follow_job(acting_user(), job):
        abort(404)
    return job


def _state_text(job: Job) -> str:
    if job.state == JobState.QUEUED.value and job.last_error:
        return str(_("wartet auf einen neuen Versuch"))
    return str(STATE_LABELS.get(job.state, job.state))


def _download_url(job: Job) -> str | None:
    if job.state != JobState.DONE.value or not job.result_path or job.expires_at is None:
        return None
    if job.expires_at <= clock.now():
        return None
    return url_for("jobs.download", job_id=job.id, signature=download_signature(job))


@bp.get("/aufgaben/<int:job_id>")
@login_required
def job_status(job_id: int) -> ResponseReturnValue:
    """One job's progress, outcome and (when there is one) the link to its file."""
    job = _job_or_404(job_id)
    return render_template(
        "jobs/status.html",
        job=job,
        kind=KIND_LABELS.get(job.kind, job.kind),
        state=_state_text(job),
        download_url=_download_url(job),
        is_office=acting_user().has_role(Role.ADMIN),
    )


@bp.get("/aufgaben/<int:job_id>/stand")
@login_required
def job_progress(job_id: int) -> ResponseReturnValue:
    """The progress as JSON, for the page's script that updates the bar while the job runs."""
    job = _job_or_404(job_id)
    return jsonify(
        state=job.state,
        state_text=_state_text(job),
        done=job.progress_done,
        total=job.progress_total,
        percent=job.percent,
        finished=job.is_finished,
    )


@bp.get("/aufgaben/<int:job_id>/datei/<signature>")
@login_required
def download(job_id: int, signature: str) -> ResponseReturnValue:
    """The job's file, through a link that is signed for this job and expires."""
    job = _job_or_404(job_id)
    hours = _settings().job_download_hours
    try:
        signed_id = _serializer().loads(signature, max_age=hours * 3600)
    except BadSignature:
        signed_id = None
    if signed_id != job.id:
        return error_response(
            404,
            _("Dieser Download-Link ist ungültig oder abgelaufen. Die Aufgabe zeigt einen gültigen Link."),
        )
    path = Path(_settings().job_files_dir) / str(job.result_path or "")
    expired = job.expires_at is None or job.expires_at <= clock.now()
    if not job.result_path or expired or not path.is_file():
        return error_response(
            410,
            _("Die Datei ist nicht mehr vorhanden (sie wird nach %(hours)s Stunden gelöscht).", hours=hours),
        )
    return send_file(path, as_attachment=True, download_name=job.result_name or path.name, max_age=0)


# --- the programme office ---------------------------------------------------------------------------------------


class RetryForm(Form):
    """„Erneut versuchen“ (CSRF only)."""


@bp.get("/programmbuero/hintergrundaufgaben")
@roles_required(Role.ADMIN)
def office() -> ResponseReturnValue:
    """Failed, retrying and stuck jobs (or all recent ones), with their errors and „Erneut versuchen“."""
    db = get_db()
    show_all = request.args.get("alle") == "1"
    jobs = services.recent_jobs(db, only_problems=not show_all)
    people = _names(db, {j.created_by_id for j in jobs if j.created_by_id})
    towns = _towns(db, {j.municipality_id for j in jobs if j.municipality_id})
    return render_template(
        "jobs/office.html",
        jobs=jobs,
        show_all=show_all,
        people=people,
        towns=towns,
        kinds=KIND_LABELS,
        state_text=_state_text,
        may_retry=services.may_retry,
        is_stuck=services.is_stuck,
        form=RetryForm(),
    )


def _names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {i: name for i, name in db.execute(select(User.id, User.display_name).where(User.id.in_(ids)))}


def _towns(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.execute(select(Municipality.id, Municipality.name).where(Municipality.id.in_(ids)))
    return {i: name for i, name in rows}


@bp.post("/programmbuero/hintergrundaufgaben/<int:job_id>/erneut")
@roles_required(Role.ADMIN)
def retry(job_id: int) -> ResponseReturnValue:
    """Start a failed (or stuck) job again; it continues where it stopped."""
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    job = _job_or_404(job_id)
    try:
        services.retry_job(get_db(), acting_user().id, job, extra_attempts=_settings().job_max_attempts)
    except services.JobRefused as refused:
        flash(translate_error(refused), "danger")
    else:
        start(job)
        flash(_("Die Aufgabe Nr. %(id)s wird erneut versucht.", id=job.id), "success")
    show_all = request.args.get("alle") == "1"
    return redirect(url_for("jobs.office", alle="1") if show_all else url_for("jobs.office"), 303)


# --- certificate archive ----------------------------------------------------------------------------------------


@bp.route("/kommunen/<slug>/zertifikate/archiv", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def certificate_archive(slug: str) -> ResponseReturnValue:
    """All certificates of a municipality for a period as a ZIP made in the background, with a progress page."""
    db, user = get_db(), acting_user()
    municipality = certificate_queries.municipality_by_slug(db, slug)
    if municipality is None or not scope.may_manage_municipality(user, municipality.id):
        abort(404)
    period = current_period(db)
    modules = certificate_queries.module_choices(db)
    if period is not None:
        form = ExportForm.for_range(period.starts_on, period.ends_on, modules)
    else:
        form = ExportForm.for_year(clock.today().year, modules)
    form.org_unit_choices = tuple(
        (str(i), name) for i, name in certificate_queries.org_unit_choices(db, municipality.id)
    )
    if not form.validate_on_submit():
        return render_template(
            "jobs/certificate_archive.html",
            form=form,
            municipality=municipality,
            config_hours=_settings().job_download_hours,
        ), 400 if form.is_submitted() else 200
    job = services.create_job(
        db,
        CERTIFICATE_ARCHIVE,
        actor_id=user.id,
        params={
            "municipality_id": municipality.id,
            "starts_on": form.starts_on.data.isoformat(),
            "ends_on": form.ends_on.data.isoformat(),
            "module": form.module.data or None,
            "org_unit_id": int(form.org_unit.data) if form.org_unit.data else None,
            "actor_id": user.id,
        },
        municipality_id=municipality.id,
        max_attempts=_settings().job_max_attempts,
    )
    start(job)
    flash(_("Das Archiv wird erstellt. Sie können diese Seite verlassen und später wiederkommen."), "success")
    return redirect(url_for("jobs.job_status", job_id=job.id), 303)
