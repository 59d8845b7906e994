"""Planned sessions: the list of upcoming dates, scheduling, registering and cancelling, the attendance list, and
the empowerment network's members (its facilitators only)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from lms import time as clock
from lms.errors import ServiceError
from lms.scope import (
    OutOfScope,
    may_manage_municipality,
    may_manage_planned,
    may_plan_session,
    may_see_network_names,
    may_see_registrations,
    plannable_kinds,
)
from lms.web.access import acting_user
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.workshops import network, planning, queries
from lms.workshops.calendar import calendar_for
from lms.workshops.forms import (
    AddMemberForm,
    AnswerNetworkRequestForm,
    CallOffForm,
    LeaveNetworkForm,
    PlanForm,
    RegistrationForm,
    RemoveMemberForm,
    name_the_content,
)
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInputError, facilitator_choices

bp = Blueprint("planning", __name__, template_folder="../templates")


def _kind(slug: str) -> SessionKind:
    return SessionKind.WORKSHOP if slug == "workshop" else SessionKind.TRAINING


@bp.get("/termine")
@login_required
def upcoming() -> ResponseReturnValue:
    """Upcoming trainings of one's municipality, and workshops for the members of its network."""
    db, user = get_db(), acting_user()
    planned = queries.upcoming_planned(db, user)
    return render_template(
        "workshops/planned_list.html",
        planned=planned,
        mine=queries.own_registrations(db, user, [p.id for p in planned]),
        kinds=plannable_kinds(user),
        is_facilitator=user.municipality_id is not None and may_see_network_names(user, user.municipality_id),
        is_member=planning.is_member(db, user),
        leave_form=LeaveNetworkForm(),
        network_request=network.has_open_request(db, user),
        consent_text=network.CONSENT_TEXTS[network.CONSENT_VERSION],
        answer_form=AnswerNetworkRequestForm(),
    )


@bp.route("/termine/neu/<any(workshop, schulung):kind>", methods=["GET", "POST"])
@login_required
def schedule(kind: str) -> ResponseReturnValue:
    """The coordinator schedules a training or workshop; a facilitator a workshop."""
    db, user = get_db(), acting_user()
    session_kind = _kind(kind)
    if user.municipality_id is None or not may_plan_session(user, session_kind, user.municipality_id):
        abort(403)
    form = PlanForm()
    form.module_version_id.choices = queries.version_choices(db, session_kind.value)
    name_the_content(form.module_version_id, session_kind)
    people = facilitator_choices(db, user, session_kind, {user.municipality_id})
    form.facilitator_ids.choices = [(p.id, p.display_name) for p in people]
    if not form.is_submitted():
        form.facilitator_ids.data = [user.id] if user.id in {p.id for p in people} else []
    problems: list[str] = []
    if form.validate_on_submit():
        data = planning.PlanInput(
            kind=session_kind,
            municipality_id=user.municipality_id,
            module_version_id=form.module_version_id.data,
            held_on=form.held_on.data,
            starts_at=form.starts_at.data,
            ends_at=form.ends_at.data,
            place=form.place.data or "",
            capacity=form.capacity.data or 0,
            facilitator_ids=frozenset(form.facilitator_ids.data or []),
            external_facilitators=form.external_facilitators.data or "",
        )
        try:
            planned = planning.schedule_session(db, user, data)
        except SessionInputError as error:
            problems = [translate_error(problem) for problem in error.problems]
        else:
            flash(_("Der Termin ist geplant."), "success")
            return redirect(url_for("planning.detail", planned_id=planned.id), 303)
    status = 400 if (form.errors or problems) else 200
    return render_template("workshops/plan.html", form=form, kind=session_kind, problems=problems), status


def _planned_or_404(planned_id: int):  # type: ignore[no-untyped-def]
    planned = queries.visible_planned(get_db(), acting_user(), planned_id)
    if planned is None:
        abort(404)
    return planned


@bp.get("/termine/<int:planned_id>")
@login_required
def detail(planned_id: int) -> ResponseReturnValue:
    """One planned session: one's own registration, and for its organisers the registrations."""
    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    own = queries.own_registrations(db, user, [planned.id]).get(planned.id)
    registered, waiting = planning.counts(db, planned)
    names = may_see_registrations(user, planned)
    joins = planning.may_register(db, user, planned)
    is_workshop = planned.kind == SessionKind.WORKSHOP.value
    # A workshop's registrations, even rounded, only for the network's facilitators: a coordinator who deactivates
    # a colleague (which cancels their registrations) could otherwise watch the count move and learn who signed up.
    shown_counts = names or (not is_workshop and may_manage_planned(user, planned))
    return render_template(
        "workshops/planned.html",
        planned=planned,
        own=own,
        position=planning.waiting_position(db, own) if own is not None else None,
        may_register=joins,
        is_open=planning.is_open(planned),
        # Whether a workshop is full tells something about how many signed up: only for the network, and not for
        # a member who may deactivate colleagues (a coordinator in the network, the programme office): each
        # deactivation cancels that person's registrations, and „ausgebucht“ turning into free places would say
        # that the colleague had signed up. They learn it only by signing up themselves, which the facilitators see.
        is_full=registered >= planned.capacity
        and (
            not is_workshop or names or (joins and not may_manage_municipality(user, planned.municipality_id))
        ),
        counts=(registered, waiting) if shown_counts else None,
        people=planning.registered_people(db, planned) if names else [],
        may_manage=may_manage_planned(user, planned),
        may_list=names,
        is_day=planned.held_on <= clock.today(),
        # Everyone stored for it, also a coordinator who runs it without a facilitator role.
        facilitators=queries.facilitators_of_planned(db, planned),
        form=RegistrationForm(),
        call_off_form=CallOffForm(),
    )


@bp.get("/termine/<int:planned_id>/kalender.ics")
@login_required
def calendar(planned_id: int) -> ResponseReturnValue:
    """The session as a calendar file, for whoever may see its page."""
    planned = _planned_or_404(planned_id)
    body = calendar_for(get_db(), planned, url_for("planning.detail", planned_id=planned.id, _external=True))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="termin-{planned.id}.ics"'
    return response


@bp.post("/termine/<int:planned_id>/anmelden")
@login_required
def register(planned_id: int) -> ResponseReturnValue:
    """Register oneself (a place, or the waiting list when it is full)."""
    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    if not RegistrationForm().validate_on_submit():
        abort(400)
    try:
        row = planning.register(db, user, planned)
    except OutOfScope:
        abort(403)
    except ServiceError as error:
        flash(translate_error(error), "danger")
    else:
        if row.status == "waiting":
            flash(
                _("Alle Plätze sind vergeben: Sie stehen auf Platz %(position)s der Warteliste.")
                % {"position": planning.waiting_position(db, row)},
                "info",
            )
        else:
            flash(_("Sie sind angemeldet."), "success")
    return redirect(url_for("planning.detail", planned_id=planned_id), 303)


@bp.post("/termine/<int:planned_id>/abmelden")
@login_required
def cancel(planned_id: int) -> ResponseReturnValue:
    """Cancel one's own registration; the first person waiting moves up and is told by mail."""
    from lms.jobs.views import job_queue

    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    if not RegistrationForm().validate_on_submit():
        abort(400)
    try:
        planning.cancel_registration(db, user, planned, job_queue())
    except ServiceError as error:
        flash(translate_error(error), "danger")
    else:
        flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("planning.detail", planned_id=planned_id), 303)


@bp.route("/termine/<int:planned_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def change(planned_id: int) -> ResponseReturnValue:
    """Change date, time, place, capacity or facilitators before the session starts (audited)."""
    from lms.jobs.views import job_queue
    from lms.workshops.rescheduling import change_planned

    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    if not may_manage_planned(user, planned):
        abort(403)
    if not planning.is_open(planned):
        abort(409)
    form = PlanForm()
    form.module_version_id.choices = [(planned.module_version_id, planned.module_version.title)]
    name_the_content(form.module_version_id, SessionKind(planned.kind))
    people = facilitator_choices(db, user, SessionKind(planned.kind), {planned.municipality_id})
    known = {p.id for p in people}
    people += [p for p in queries.facilitators_of_planned(db, planned) if p.id not in known]
    form.facilitator_ids.choices = [(p.id, p.display_name) for p in people]
    if not form.is_submitted():
        form.module_version_id.data = planned.module_version_id
        form.held_on.data = planned.held_on
        form.starts_at.data = planned.starts_at
        form.ends_at.data = planned.ends_at
        form.place.data = planned.place
        form.capacity.data = planned.capacity
        form.facilitator_ids.data = sorted(planned.facilitator_ids)
        form.external_facilitators.data = planned.external_facilitators
    problems: list[str] = []
    if form.validate_on_submit():
        data = planning.PlanInput(
            kind=SessionKind(planned.kind),
            municipality_id=planned.municipality_id,
            module_version_id=planned.module_version_id,
            held_on=form.held_on.data,
            starts_at=form.starts_at.data,
            ends_at=form.ends_at.data,
            place=form.place.data or "",
            capacity=form.capacity.data or 0,
            facilitator_ids=frozenset(form.facilitator_ids.data or []),
            external_facilitators=form.external_facilitators.data or "",
        )
        try:
            change_planned(db, user, planned, data, job_queue())
        except SessionInputError as error:
            problems = [translate_error(problem) for problem in error.problems]
        else:
            flash(_("Die Änderungen sind gespeichert."), "success")
            return redirect(url_for("planning.detail", planned_id=planned.id), 303)
    status = 400 if (form.errors or problems) else 200
    return (
        render_template(
            "workshops/plan.html",
            form=form,
            kind=SessionKind(planned.kind),
            problems=problems,
            editing=True,
            planned=planned,
        ),
        status,
    )


@bp.post("/termine/<int:planned_id>/absagen")
@login_required
def call_off(planned_id: int) -> ResponseReturnValue:
    """The organisers call the session off; everyone registered or waiting is told by mail."""
    from lms.jobs.views import job_queue

    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    if not may_manage_planned(user, planned):
        abort(403)
    if not CallOffForm().validate_on_submit():
        flash(_("Bitte bestätigen Sie die Absage."), "danger")
        return redirect(url_for("planning.detail", planned_id=planned_id), 303)
    try:
        told = planning.call_off(db, user, planned, job_queue())
    except ServiceError as error:
        flash(translate_error(error), "danger")
    else:
        if planned.kind == SessionKind.WORKSHOP.value and not may_see_registrations(user, planned):
            # How many were told is how many had signed up: for a workshop, only its facilitators may know.
            flash(
                _("Der Termin ist abgesagt; alle Angemeldeten und Wartenden erhalten eine E-Mail."), "success"
            )
        else:
            flash(
                ngettext(
                    "Der Termin ist abgesagt; %(num)s Person erhält eine E-Mail.",
                    "Der Termin ist abgesagt; %(num)s Personen erhalten eine E-Mail.",
                    told,
                ),
                "success",
            )
    return redirect(url_for("planning.detail", planned_id=planned_id), 303)


@bp.get("/termine/<int:planned_id>/anwesenheitsliste.pdf")
@login_required
def attendance_list(planned_id: int) -> ResponseReturnValue:
    """The printable attendance list with a signature column (a workshop's only for the network's facilitators)."""
    from lms.reports.attendance_list import attendance_pdf

    db, user = get_db(), acting_user()
    planned = _planned_or_404(planned_id)
    if not may_see_registrations(user, planned):
        abort(404)
    people = [person for person, row in planning.registered_people(db, planned) if row.status == "registered"]
    body = attendance_pdf(planned, people, clock.today())
    filename = f"Anwesenheitsliste_{planned.held_on.isoformat()}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/netzwerk", methods=["GET", "POST"])
@login_required
def members() -> ResponseReturnValue:
    """The members of the empowerment network (its facilitators only): add by e-mail address."""
    db, user = get_db(), acting_user()
    town = user.municipality_id
    if town is None or not may_see_network_names(user, town):
        abort(404)
    form = AddMemberForm()
    error = None
    if form.validate_on_submit():
        try:
            person = network.add_member(db, user, town, form.email.data or "")
        except ServiceError as refused:
            error = translate_error(refused)
            form.email.errors = [error]
        else:
            flash(
                _(
                    "%(name)s ist angefragt und wird Mitglied, sobald die Person unter „Termine“ selbst "
                    "einwilligt."
                )
                % {"name": person.display_name},
                "success",
            )
            return redirect(url_for("planning.members"), 303)
    status = 400 if (form.errors or error) else 200
    return (
        render_template(
            "workshops/network.html",
            form=form,
            members=network.members(db, user, town),
            asked=network.asked(db, user, town),
            remove_form=RemoveMemberForm(),
        ),
        status,
    )


@bp.post("/netzwerk/<int:person_id>/entfernen")
@login_required
def remove_member(person_id: int) -> ResponseReturnValue:
    """Remove a member (with their open workshop registrations)."""
    db, user = get_db(), acting_user()
    town = user.municipality_id
    if town is None or not may_see_network_names(user, town):
        abort(404)
    if not RemoveMemberForm().validate_on_submit():
        abort(400)
    try:
        from lms.jobs.views import job_queue

        was_member = network.remove_member(db, user, town, person_id, job_queue())
    except ServiceError as refused:
        flash(translate_error(refused), "danger")
    else:
        if was_member:
            flash(_("Die Person gehört nicht mehr zum Netzwerk."), "success")
        else:
            flash(_("Die Anfrage ist zurückgezogen und gelöscht."), "success")
    return redirect(url_for("planning.members"), 303)


@bp.post("/netzwerk/antworten")
@login_required
def answer_network_request() -> ResponseReturnValue:
    """The person agrees to join the empowerment network, or declines, by the button they press."""
    db, user = get_db(), acting_user()
    choice = request.form.get("antwort")
    if not AnswerNetworkRequestForm().validate_on_submit() or choice not in ("ja", "nein"):
        abort(400)
    try:
        network.answer(db, user, agrees=choice == "ja")
    except ServiceError as refused:
        flash(translate_error(refused), "danger")
    else:
        if choice == "ja":
            flash(_("Sie gehören jetzt zum Empowerment-Netzwerk Ihrer Kommune."), "success")
        else:
            flash(_("Sie haben die Anfrage abgelehnt; sie ist gelöscht."), "success")
    return redirect(url_for("planning.upcoming"), 303)


@bp.post("/netzwerk/austreten")
@login_required
def leave_network() -> ResponseReturnValue:
    """A member leaves the empowerment network themselves (confirmed); open workshop registrations go too."""
    from lms.jobs.views import job_queue

    db, user = get_db(), acting_user()
    if not LeaveNetworkForm().validate_on_submit():
        flash(_("Bitte bestätigen Sie den Austritt."), "danger")
        return redirect(url_for("planning.upcoming"), 303)
    try:
        network.leave(db, user, job_queue())
    except ServiceError as refused:
        flash(translate_error(refused), "danger")
    else:
        flash(_("Sie gehören nicht mehr zum Empowerment-Netzwerk."), "success")
    return redirect(url_for("planning.upcoming"), 303)
