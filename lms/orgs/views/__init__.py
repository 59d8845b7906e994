"""Coordinators manage their municipality's staff, imports and training plan; the programme office its periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lms import time as clock
from lms.auth.models import Role
from lms.config import Settings
from lms.content.models import ModuleKind
from lms.content.queries import catalogue
from lms.jobs.services import job_for_subject
from lms.jobs.tasks import queue_invitations
from lms.jobs.views import job_queue
from lms.mail import invitation_messages, send_after_commit
from lms.orgs import plans
from lms.orgs.forms import ApplyImportForm, PeriodForm, PersonForm, PlanForm, StaffImportForm
from lms.orgs.models import Municipality, ProgrammePeriod, StaffImport, TrainingAssignment
from lms.orgs.periods import PeriodError, PeriodInput, all_periods, current_of, save_period
from lms.orgs.staff import (
    PersonInput,
    StaffError,
    chosen_people,
    deactivate_many,
    invite,
    needs_confirmation,
    org_units,
    person_in_scope,
    save_person,
    set_active,
    staff_page,
)
from lms.orgs.staff_csv import StaffFileError
from lms.orgs.staff_import import ImportPreview, ImportRefused, apply_import, preview_import, stage_import
from lms.reports.plans import plan_lines
from lms.scope import OutOfScope, may_view_progress, require_municipality
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.validation import query_int, safe_redirect_target, whole_number
from lms.workshops import network

bp = Blueprint("orgs", __name__, template_folder="../templates")
MANAGERS = (Role.COORDINATOR, Role.ADMIN)
#: Jobs that belong to a staff import (its invitation mails) name it so.
IMPORT_SUBJECT = "staff_import"


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _send_invitations(municipality: Municipality, invitations: list[tuple[Any, str, str, str, Any]]) -> None:
    """Send one person's new invitation after the request's commit (an import's go through the job queue)."""
    settings = _settings()
    messages = invitation_messages(settings, municipality.name, invitations)
    send_after_commit(get_db(), settings, messages)


# --- staff ------------------------------------------------------------------------------------------------------


# Shared with the report pages (reports/views.py), which sit above this feature.
def municipality_or_404(slug: str) -> Municipality:
    """The municipality if the acting person may manage it (coordinator of it, programme office), else 404."""
    found = get_db().scalar(select(Municipality).where(Municipality.slug == slug))
    try:
        return require_municipality(acting_user(), found)
    except OutOfScope:
        abort(404)


def progress_municipality_or_404(slug: str) -> Municipality:
    """The municipality if the acting person sees the progress of (some of) its staff (heads of org units too)."""
    found = get_db().scalar(select(Municipality).where(Municipality.slug == slug))
    if found is None or not may_view_progress(acting_user(), found.id):
        abort(404)
    return found


def chosen_period(today: date, periods: list[ProgrammePeriod] | None = None) -> ProgrammePeriod:
    """The period from ?zeitraum=ID, else the current one; 404 if there is none.

    ``periods``: every period, when the page has loaded them anyway (then no query is needed here).
    """
    if periods is None:
        periods = all_periods(get_db())
    period_id = query_int("zeitraum")
    if period_id:
        period = next((p for p in periods if p.id == period_id), None)
    else:
        period = current_of(periods, today)
    if period is None:
        abort(404)
    return period


@bp.get("/kommunen/<slug>/beschaeftigte")
@roles_required(*MANAGERS)
def staff(slug: str) -> ResponseReturnValue:
    """The staff list with search, org-unit and status filters, and actions per person."""
    db = get_db()
    municipality = municipality_or_404(slug)
    status = request.args.get("status", "active")
    result = staff_page(
        db,
        acting_user(),
        municipality,
        search=request.args.get("suche", "")[:100],
        org_unit_id=query_int("einheit"),
        status=status if status in {"active", "inactive", "all"} else "active",
        page=query_int("seite", 1, maximum=100_000) or 1,
    )
    return render_template(
        "orgs/staff.html",
        municipality=municipality,
        result=result,
        units=org_units(db, municipality),
        args=request.args,
        facilitator_role=Role.FACILITATOR,
        may_assign_roles=acting_user().has_role(Role.ADMIN),
    )


@bp.post("/kommunen/<slug>/beschaeftigte/<int:user_id>/<any(deaktivieren, reaktivieren):action>")
@roles_required(*MANAGERS)
def set_person_active(slug: str, user_id: int, action: str) -> ResponseReturnValue:
    """Deactivate or reactivate one member of staff."""
    municipality = municipality_or_404(slug)
    try:
        person = person_in_scope(get_db(), acting_user(), municipality, user_id)
        set_active(get_db(), acting_user(), person, action == "reaktivieren")
        if action == "deaktivieren":  # said to nobody: the coordinator must not learn of a network membership
            network.withdraw_deactivated(get_db(), [person.id], job_queue())
    except OutOfScope:
        abort(404)
    except StaffError as error:
        flash(translate_error(error), "danger")
    else:
        message = (
            _("%(name)s ist wieder aktiv.")
            if action == "reaktivieren"
            else _("%(name)s ist deaktiviert; die Nachweise bleiben erhalten.")
        )
        flash(message % {"name": person.display_name}, "success")
    return redirect(safe_redirect_target(request.form.get("back"), url_for("orgs.staff", slug=slug)))


@bp.post("/kommunen/<slug>/beschaeftigte/<int:user_id>/einladen")
@roles_required(*MANAGERS)
def invite_person(slug: str, user_id: int) -> ResponseReturnValue:
    """Send a new invitation (or, with a password set, a link to set a new one)."""
    municipality = municipality_or_404(slug)
    try:
        person = person_in_scope(get_db(), acting_user(), municipality, user_id)
        token, expires_at = invite(get_db(), acting_user(), person, days=_settings().invitation_days)
    except OutOfScope:
        abort(404)
    except StaffError as error:
        flash(translate_error(error), "danger")
    else:
        _send_invitations(municipality, [(person.id, person.email, person.display_name, token, expires_at)])
        flash(_("Eine neue Einladung an %(email)s ist unterwegs.") % {"email": person.email}, "success")
    return redirect(safe_redirect_target(request.form.get("back"), url_for("orgs.staff", slug=slug)))


# --- staff import -----------------------------------------------------------------------------------------------


@bp.route("/kommunen/<slug>/beschaeftigte/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def staff_import(slug: str) -> ResponseReturnValue:
    """Upload a staff list (CSV); it is kept until applied and the preview opens."""
    municipality = municipality_or_404(slug)
    form = StaffImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(_settings().staff_import_max_bytes + 1)
        upload.close()  # a large upload is spooled to a temporary file: release it now
        if len(content) > _settings().staff_import_max_bytes:
            error = _(
                "Die Datei ist zu groß (höchstens %(mb)s MB).",
                mb=_settings().staff_import_max_bytes // (1024 * 1024),
            )
        else:
            try:
                preview_import(
                    get_db(),
                    municipality,
                    content,
                    deactivate_missing=False,
                    actor_id=None,
                    smtputf8=_settings().smtp_utf8,
                )
            except StaffFileError as problem:
                error = translate_error(problem)
            else:
                staged = stage_import(
                    get_db(),
                    acting_user(),
                    municipality,
                    upload.filename or "",
                    content,
                    deactivate_missing=bool(form.deactivate_missing.data),
                    send_invitations=bool(form.send_invitations.data),
                )
                return redirect(url_for("orgs.import_preview", slug=slug, import_id=staged.id), 303)
    if error:
        # Tied to the file field too (aria-invalid, aria-describedby), not only announced in the summary.
        form.file.errors = [error]
    status = 400 if (form.errors or error) else 200
    return render_template(
        "orgs/import_upload.html",
        municipality=municipality,
        form=form,
        error=error,
        max_bytes=_settings().staff_import_max_bytes,
    ), status


def _staged_or_404(municipality: Municipality, import_id: int) -> StaffImport:
    staged = get_db().get(StaffImport, import_id)
    if staged is None or staged.municipality_id != municipality.id:
        abort(404)
    return staged


@bp.get("/kommunen/<slug>/beschaeftigte/import/<int:import_id>")
@roles_required(*MANAGERS)
def import_preview(slug: str, import_id: int) -> ResponseReturnValue:
    """What applying the uploaded list would do, with an error per faulty row; or, once applied, what it did."""
    municipality = municipality_or_404(slug)
    staged = _staged_or_404(municipality, import_id)
    preview = _preview(municipality, staged)
    return _render_preview(municipality, staged, preview, ApplyImportForm())


def _render_preview(
    municipality: Municipality, staged: StaffImport, preview: ImportPreview | None, form: ApplyImportForm
) -> str:
    """The preview page, with the form to apply the list (and its errors after a refused submission)."""
    job = job_for_subject(get_db(), IMPORT_SUBJECT, staged.id) if staged.applied_at else None
    leaving = _leaving_needing_confirmation(municipality, preview)
    if leaving:
        form.confirm_deactivation.label.text = _deactivate_label(leaving)
    return render_template(
        "orgs/import_preview.html",
        municipality=municipality,
        staged=staged,
        preview=preview,
        form=form,
        confirm_leaving=leaving,
        invitation_job=job,
    )


def _preview(municipality: Municipality, staged: StaffImport) -> ImportPreview | None:
    """What applying the staged list would do now (None once applied: its content is gone)."""
    if staged.content is None:
        return None
    return preview_import(
        get_db(),
        municipality,
        staged.content,
        deactivate_missing=staged.deactivate_missing,
        actor_id=acting_user().id,
        smtputf8=_settings().smtp_utf8,
    )


def _leaving_needing_confirmation(municipality: Municipality, preview: ImportPreview | None) -> int:
    """How many the list deactivates, if that many need an explicit confirmation (as the bulk action asks); else 0."""
    leaving = len(preview.deactivate) if preview is not None else 0
    return leaving if leaving and needs_confirmation(get_db(), municipality, leaving) else 0


def _deactivate_label(count: int) -> str:
    return str(
        ngettext(
            "Ja, %(num)s Person deaktivieren, die nicht mehr in der Liste steht",
            "Ja, %(num)s Personen deaktivieren, die nicht mehr in der Liste stehen",
            count,
        )
    )


@bp.post("/kommunen/<slug>/beschaeftigte/import/<int:import_id>/anwenden")
@roles_required(*MANAGERS)
def apply_staff_import(slug: str, import_id: int) -> ResponseReturnValue:
    """Apply a previewed list; invitations leave after the commit."""
    municipality = municipality_or_404(slug)
    staged = _staged_or_404(municipality, import_id)
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    preview = _preview(municipality, staged)
    # A missing tick is an error of its checkbox, as in any form: the page comes again with the error summary
    # focused, the box marked invalid and described by the message (WCAG 3.3.1).
    leaving = _leaving_needing_confirmation(municipality, preview)
    if leaving and not form.confirm_deactivation.data:
        form.confirm_deactivation.errors = [
            ngettext(
                "Die Liste würde %(num)s Person deaktivieren. Bitte bestätigen Sie das ausdrücklich.",
                "Die Liste würde %(num)s Personen deaktivieren. Bitte bestätigen Sie das ausdrücklich.",
                leaving,
            )
        ]
        return _render_preview(municipality, staged, preview, form), 400
    try:
        outcome = apply_import(
            get_db(),
            acting_user(),
            staged,
            skip_invalid=bool(form.skip_invalid.data),
            smtputf8=_settings().smtp_utf8,
        )
    except ImportRefused as refused:
        if refused.code == "import.faulty_rows" and preview is not None:
            form.skip_invalid.errors = [translate_error(refused)]
            return _render_preview(municipality, staged, preview, form), 400
        flash(translate_error(refused), "danger")
        return redirect(url_for("orgs.import_preview", slug=slug, import_id=import_id), 303)
    network.withdraw_deactivated(get_db(), outcome.deactivated_user_ids, job_queue())  # said to nobody
    job = queue_invitations(
        get_db(),
        job_queue(),
        _settings(),
        municipality_id=municipality.id,
        user_ids=outcome.invite_user_ids,
        actor_id=acting_user().id,
        subject=(IMPORT_SUBJECT, staged.id),
    )
    flash(_("Die Beschäftigtenliste wurde übernommen."), "success")
    if job is not None:
        flash(_("Die Einladungen werden im Hintergrund versendet; den Stand zeigt diese Seite."), "info")
    return redirect(url_for("orgs.import_preview", slug=slug, import_id=import_id), 303)


# --- training plan ----------------------------------------------------------------------------------------------


@bp.route("/kommunen/<slug>/schulungsplan", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def plan(slug: str) -> ResponseReturnValue:
    """The training plan of a period: which modules, for whom, due when; and adding to it."""
    db, user, today = get_db(), acting_user(), clock.today()
    municipality = municipality_or_404(slug)
    periods = all_periods(db)
    period = chosen_period(today, periods)
    form = PlanForm()
    form.module_id.choices = [(m.id, v.title) for m, v in catalogue(db, user, kind=ModuleKind.TRAINING.value)]
    form.org_unit_ids.choices = [(u.id, u.name) for u in org_units(db, municipality)]
    error = None
    if form.validate_on_submit():
        try:
            plans.add_to_plan(
                db,
                user,
                municipality,
                period,
                form.module_id.data,
                list(form.org_unit_ids.data or []),
                form.due_on.data,
            )
        except plans.PlanError as problem:
            error = translate_error(problem)
        else:
            flash(_("Der Schulungsplan wurde ergänzt."), "success")
            return redirect(url_for("orgs.plan", slug=slug, zeitraum=period.id), 303)
    return render_template(
        "orgs/plan.html",
        municipality=municipality,
        period=period,
        periods=periods,
        lines=plan_lines(db, municipality, period, today),
        form=form,
        error=error,
    ), 400 if (form.errors or error) else 200


@bp.post("/kommunen/<slug>/schulungsplan/<int:assignment_id>/entfernen")
@roles_required(*MANAGERS)
def remove_plan_line(slug: str, assignment_id: int) -> ResponseReturnValue:
    """Take a line off the training plan."""
    municipality = municipality_or_404(slug)
    assignment = get_db().get(TrainingAssignment, assignment_id)
    if assignment is None or assignment.municipality_id != municipality.id:
        abort(404)
    period_id = assignment.period_id
    plans.remove_from_plan(get_db(), acting_user(), assignment)
    flash(_("Die Zeile wurde aus dem Schulungsplan entfernt."), "success")
    return redirect(url_for("orgs.plan", slug=slug, zeitraum=period_id), 303)


# --- programme periods (programme office) -----------------------------------------------------------------------


@bp.get("/programmbuero/zeitraeume")
@roles_required(Role.ADMIN)
def periods() -> ResponseReturnValue:
    """The programme periods with their targets."""
    return render_template("orgs/periods.html", periods=all_periods(get_db()), today=clock.today())


@bp.route("/programmbuero/zeitraeume/neu", methods=["GET", "POST"], defaults={"period_id": None})
@bp.route("/programmbuero/zeitraeume/<int:period_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_period(period_id: int | None) -> ResponseReturnValue:
    """Create a period or change its dates and targets."""
    db = get_db()
    period = db.get(ProgrammePeriod, period_id) if period_id is not None else None
    if period_id is not None and period is None:
        abort(404)
    form = PeriodForm(obj=period)
    error = None
    if form.validate_on_submit():
        data = PeriodInput(
            label=form.label.data or "",
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            min_training_modules=form.min_training_modules.data,
            min_staff_per_module=form.min_staff_per_module.data,
            min_workshops=form.min_workshops.data,
        )
        try:
            save_period(db, acting_user(), data, period)
        except PeriodError as problem:
            error = translate_error(problem)
        else:
            flash(_("Der Zeitraum „%(label)s“ wurde gespeichert.", label=data.label), "success")
            return redirect(url_for("orgs.periods"), 303)
    status = 400 if (form.errors or error) else 200
    return render_template("orgs/period_form.html", form=form, period=period, error=error), status


# --- one person without a CSV file; several at once (issue 14) --------------------------------------------------


@bp.route("/kommunen/<slug>/beschaeftigte/neu", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/kommunen/<slug>/beschaeftigte/<int:user_id>/bearbeiten", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_person(slug: str, user_id: int | None) -> ResponseReturnValue:
    """Add one member of staff (with an invitation) or change name, e-mail, org unit and personnel number."""
    db, actor = get_db(), acting_user()
    municipality = municipality_or_404(slug)
    person = None
    if user_id is not None:
        try:
            person = person_in_scope(db, actor, municipality, user_id)
        except OutOfScope:
            abort(404)
    form = PersonForm(obj=None)
    if person is not None and not form.is_submitted():
        form.name.data, form.email.data = person.display_name, person.email
        form.org_unit.data = person.org_unit.name if person.org_unit else ""
        form.personnel_number.data = person.personnel_number or ""
    error = None
    if form.validate_on_submit():
        data = PersonInput(
            name=form.name.data or "",
            email=form.email.data or "",
            org_unit=form.org_unit.data or "",
            personnel_number=form.personnel_number.data or "",
        )
        try:
            saved = save_person(db, actor, municipality, data, person, smtputf8=_settings().smtp_utf8)
        except StaffError as problem:
            error = translate_error(problem)
        else:
            if person is None and form.send_invitation.data:
                token, expires_at = invite(db, actor, saved, days=_settings().invitation_days)
                _send_invitations(
                    municipality, [(saved.id, saved.email, saved.display_name, token, expires_at)]
                )
                flash(
                    _("%(name)s ist angelegt; die Einladung ist unterwegs.") % {"name": saved.display_name},
                    "success",
                )
            else:
                flash(_("%(name)s ist gespeichert.") % {"name": saved.display_name}, "success")
            return redirect(url_for("reports.person", slug=slug, user_id=saved.id), 303)
    return render_template(
        "orgs/person_form.html",
        municipality=municipality,
        person=person,
        form=form,
        error=error,
        units=org_units(db, municipality),
    ), 400 if (form.errors or error) else 200


@bp.post("/kommunen/<slug>/beschaeftigte/sammelaktion")
@roles_required(*MANAGERS)
def bulk_action(slug: str) -> ResponseReturnValue:
    """Re-invite or deactivate the chosen people; deactivating many asks for a confirmation naming the number."""
    db, actor = get_db(), acting_user()
    municipality = municipality_or_404(slug)
    back = safe_redirect_target(request.form.get("back"), url_for("orgs.staff", slug=slug))
    action = request.form.get("aktion", "")
    ids = [n for n in map(whole_number, request.form.getlist("person")) if n is not None]
    try:
        people = chosen_people(db, actor, municipality, ids)
    except StaffError as problem:
        flash(translate_error(problem), "danger")
        return redirect(back, 303)
    if action == "deaktivieren":
        leaving = [p for p in people if p.is_active and p.id != actor.id]
        if request.form.get("bestaetigt") != "ja" and needs_confirmation(db, municipality, len(leaving)):
            return render_template(
                "orgs/bulk_confirm.html", municipality=municipality, people=leaving, back=back
            )
        count = deactivate_many(db, actor, leaving)
        network.withdraw_deactivated(db, [p.id for p in leaving], job_queue())  # said to nobody, as above
        flash(
            ngettext(
                "%(num)s Person ist deaktiviert; die Nachweise bleiben erhalten.",
                "%(num)s Personen sind deaktiviert; die Nachweise bleiben erhalten.",
                count,
            ),
            "success",
        )
    elif action == "einladen":
        waiting = [p.id for p in people if p.is_active and p.password_hash is None]
        queue_invitations(
            db,
            job_queue(),
            _settings(),
            municipality_id=municipality.id,
            user_ids=waiting,
            actor_id=actor.id,
        )
        flash(
            ngettext(
                "Eine neue Einladung an %(num)s Person ist unterwegs.",
                "Neue Einladungen an %(num)s Personen sind unterwegs.",
                len(waiting),
            ),
            "success",
        )
        if len(waiting) < len(people):
            flash(
                _(
                    "%(n)s der gewählten Personen haben schon ein Passwort oder sind deaktiviert und erhalten "
                    "keine Einladung.",
                    n=len(people) - len(waiting),
                ),
                "info",
            )
    else:
        abort(400)
    return redirect(back, 303)
