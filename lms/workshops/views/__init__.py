"""Recording and viewing live sessions: empowerment workshops and in-person trainings."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from lms import time as clock
from lms.auth.models import Role
from lms.content.models import ModuleKind
from lms.scope import (
    OutOfScope,
    may_manage_planned,
    may_name_attendees,
    may_record_any_session,
    may_record_kind,
    may_see_attendee_names,
    may_see_registrations,
    may_withdraw_session,
    recordable_municipality_ids,
)
from lms.web.access import acting_user
from lms.web.database import get_db, keep_changes_on_client_error
from lms.web.i18n import translate_error
from lms.web.validation import whole_number
from lms.workshops import planning as plans
from lms.workshops import queries
from lms.workshops.codes import CodeRefused, TooManyFailures, issue_codes, redeem_code, shown_redemptions
from lms.workshops.forms import (
    DeleteNamesForm,
    IssueCodesForm,
    RedeemForm,
    SessionForm,
    TrainingForm,
    WithdrawForm,
    WorkshopForm,
    name_the_content,
)
from lms.workshops.models import PlannedSession, RegistrationStatus, SessionKind
from lms.workshops.names import delete_attendee_names, purge_expired_attendee_names
from lms.workshops.services import (
    SessionInput,
    SessionInputError,
    facilitator_choices,
    record_training,
    record_workshop,
    withdraw_session,
)

bp = Blueprint("workshops", __name__, template_folder="../templates")


def _require_recorder() -> None:
    if not may_record_any_session(acting_user()):
        abort(403)


def _retention_days() -> int:
    return int(current_app.extensions["lms.settings"].workshop_names_retention_days)


@bp.get("/veranstaltungen")
@login_required
def sessions() -> ResponseReturnValue:
    """The sessions this person ran, recorded or (coordinators, programme office) oversees."""
    _require_recorder()
    db, user = get_db(), acting_user()
    if user.has_role(Role.FACILITATOR):
        # Besides the daily command: names past their retention period go before a facilitator could see them
        # (an indexed query that finds nothing on most days).
        purge_expired_attendee_names(db, clock.today(), _retention_days())
    visible = queries.visible_sessions(db, user)
    return render_template(
        "workshops/sessions.html",
        sessions=visible,
        participants={s.id: queries.shown_participants(user, s) for s in visible},
    )


def _prepare(form: SessionForm, kind: SessionKind) -> None:
    db, user = get_db(), acting_user()
    form.municipality_id.choices = queries.municipality_choices(db, user)
    form.module_version_id.choices = queries.version_choices(db, kind.value)
    name_the_content(form.module_version_id, kind)
    people = facilitator_choices(db, user, kind, recordable_municipality_ids(user))
    form.facilitator_ids.choices = [
        (p.id, f"{p.display_name} ({p.municipality.name if p.municipality else _('programmweit')})")
        for p in people
    ]
    if not form.is_submitted():
        form.facilitator_ids.data = [user.id] if user.id in {p.id for p in people} else []
        form.held_on.data = clock.today()
        if len(form.municipality_id.choices) == 1 or user.municipality_id:
            form.municipality_id.data = user.municipality_id or form.municipality_id.choices[0][0]


def _planned_to_record(form: SessionForm, kind: SessionKind) -> PlannedSession | None:
    """The planned session whose attendance is taken here (``?termin=`` or the hidden field), if the person may."""
    raw = (form.planned_id.data if form.is_submitted() else request.args.get("termin")) or ""
    if not raw:
        return None
    planned_id = whole_number(raw)
    db, user = get_db(), acting_user()
    planned = queries.visible_planned(db, user, planned_id) if planned_id is not None else None
    if planned is None or planned.kind != kind.value or not may_manage_planned(user, planned):
        abort(404)
    if planned.live_session_id is not None:
        abort(409)
    return planned


def _prefill(form: SessionForm, planned: PlannedSession, may_name: bool) -> None:
    """The attendance page filled in from the registrations (people with a place)."""
    db, user = get_db(), acting_user()
    form.planned_id.data = str(planned.id)
    form.municipality_id.data = planned.municipality_id
    form.module_version_id.data = planned.module_version_id
    form.held_on.data = planned.held_on
    form.place.data = planned.place
    # The actor is ticked only where the form offers them (facilitator_choices).
    offered = {choice[0] for choice in form.facilitator_ids.choices or []}
    form.facilitator_ids.data = sorted(planned.facilitator_ids) or [i for i in [user.id] if i in offered]
    form.external_facilitators.data = planned.external_facilitators
    people = [
        person
        for person, row in plans.registered_people(db, planned)
        if row.status == RegistrationStatus.REGISTERED.value
    ]
    if isinstance(form, TrainingForm):
        form.attendees.data = "\n".join(person.email for person in people)
    elif isinstance(form, WorkshopForm) and may_see_registrations(user, planned):
        # Only for the network's facilitators: the number registered is a count they alone may see, and a
        # coordinator could watch it move by deactivating a colleague (a review found it filled in here).
        form.participant_count.data = len(people) or None
        if may_name:
            form.attendee_names.data = "\n".join(person.display_name for person in people)


@bp.route("/veranstaltungen/neu/<any(workshop, schulung):kind>", methods=["GET", "POST"])
@login_required
def new_session(kind: str) -> ResponseReturnValue:
    """Record a held empowerment workshop or in-person training."""
    _require_recorder()
    user = acting_user()
    session_kind = SessionKind.WORKSHOP if kind == "workshop" else SessionKind.TRAINING
    if not may_record_kind(user, session_kind):
        abort(403)
    form: SessionForm = WorkshopForm() if session_kind is SessionKind.WORKSHOP else TrainingForm()
    _prepare(form, session_kind)
    if isinstance(form, WorkshopForm):
        form.attendee_names.description = form.attendee_names.description % {"days": _retention_days()}
    may_name = may_name_attendees(user, session_kind)
    planned = _planned_to_record(form, session_kind)
    if planned is not None and not form.is_submitted():
        _prefill(form, planned, may_name)
    problems: list[str] = []
    ask_duplicate = isinstance(form, WorkshopForm) and bool(form.confirm_duplicate.data)
    if form.validate_on_submit():
        data = SessionInput(
            kind=session_kind,
            municipality_id=form.municipality_id.data,
            module_version_id=form.module_version_id.data,
            held_on=form.held_on.data,
            place=form.place.data or "",
            facilitator_ids=frozenset(form.facilitator_ids.data or []),
            external_facilitators=form.external_facilitators.data or "",
            participant_count=(form.participant_count.data or 0) if isinstance(form, WorkshopForm) else 0,
            attendee_names=(form.attendee_names.data or "")
            if may_name and isinstance(form, WorkshopForm)
            else "",
            attendees=(form.attendees.data or "").splitlines() if isinstance(form, TrainingForm) else [],
            confirm_duplicate=bool(form.confirm_duplicate.data) if isinstance(form, WorkshopForm) else False,
        )
        try:
            recorder = record_workshop if session_kind is SessionKind.WORKSHOP else record_training
            result = recorder(get_db(), user, data)
        except OutOfScope:
            abort(403)
        except SessionInputError as error:
            problems = [translate_error(problem) for problem in error.problems]
            ask_duplicate = any(p.code == "session.duplicate_workshop" for p in error.problems)
        else:
            if planned is not None:
                plans.link_record(get_db(), planned, result.session.id)
            if session_kind is SessionKind.TRAINING:
                created = ngettext(
                    "Die Schulung ist erfasst: %(num)s Abschluss in Präsenz eingetragen.",
                    "Die Schulung ist erfasst: %(num)s Abschlüsse in Präsenz eingetragen.",
                    result.completions_created,
                )
                already = ngettext(
                    "%(num)s Person hatte das Modul in dieser Version schon abgeschlossen.",
                    "%(num)s Personen hatten das Modul in dieser Version schon abgeschlossen.",
                    result.already_completed,
                )
                flash(f"{created} {already}", "success")
            else:
                flash(_("Der Workshop ist erfasst."), "success")
            return redirect(url_for("workshops.session_detail", session_id=result.session.id), 303)
    template = (
        "workshops/new_workshop.html"
        if session_kind is SessionKind.WORKSHOP
        else "workshops/new_training.html"
    )
    status = 400 if (form.errors or problems) else 200
    return (
        render_template(
            template, form=form, problems=problems, may_name=may_name, ask_duplicate=ask_duplicate
        ),
        status,
    )


@bp.get("/veranstaltungen/<int:session_id>")
@login_required
def session_detail(session_id: int) -> ResponseReturnValue:
    """One session; attendee names of a workshop only for the network's facilitators."""
    db, user = get_db(), acting_user()
    live = queries.visible_session(db, user, session_id)
    if live is None:
        abort(404)
    show_names = may_see_attendee_names(user, live)
    if show_names:
        purge_expired_attendee_names(db, clock.today(), _retention_days())
    return render_template(
        "workshops/session.html",
        live=live,
        participants=queries.shown_participants(user, live),
        show_names=show_names,
        names_form=DeleteNamesForm(),
        codes_form=IssueCodesForm(),
        redemptions=shown_redemptions(db, live) if show_names else None,
        attendees=queries.attendees(db, live) if live.kind == SessionKind.TRAINING.value else [],
        facilitators=queries.facilitators(db, live),
        may_withdraw=may_withdraw_session(user, live) and live.withdrawn_at is None,
        form=WithdrawForm(),
        kind_training=ModuleKind.TRAINING.value,
    )


@bp.post("/veranstaltungen/<int:session_id>/zurueckziehen")
@login_required
def withdraw(session_id: int) -> ResponseReturnValue:
    """Withdraw a session recorded by mistake (it stays on record but no longer counts)."""
    db, user = get_db(), acting_user()
    live = queries.visible_session(db, user, session_id)
    if live is None:
        abort(404)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("Bitte geben Sie einen Grund an."), "danger")
        return redirect(url_for("workshops.session_detail", session_id=session_id), 303)
    try:
        withdraw_session(db, user, live, form.reason.data or "")
    except OutOfScope:
        abort(403)
    except SessionInputError as error:
        flash(" ".join(translate_error(problem) for problem in error.problems), "danger")
    else:
        flash(_("Die Veranstaltung ist zurückgezogen und zählt nicht mehr."), "success")
    return redirect(url_for("workshops.session_detail", session_id=session_id), 303)


@bp.post("/veranstaltungen/<int:session_id>/namen-loeschen")
@login_required
def delete_names(session_id: int) -> ResponseReturnValue:
    """One of the workshop's facilitators deletes its participants' names now (audited without the names)."""
    db, user = get_db(), acting_user()
    live = queries.visible_session(db, user, session_id)
    if live is None or not may_see_attendee_names(user, live):
        abort(404)
    form = DeleteNamesForm()
    if not form.validate_on_submit():
        flash(_("Bitte bestätigen Sie, dass die Namen gelöscht werden sollen."), "danger")
    elif delete_attendee_names(db, user, live):
        flash(_("Die Namen der Teilnehmenden sind gelöscht."), "success")
    return redirect(url_for("workshops.session_detail", session_id=session_id), 303)


@bp.post("/veranstaltungen/<int:session_id>/teilnahmecodes")
@login_required
def issue_codes_sheet(session_id: int) -> ResponseReturnValue:
    """A printable sheet of one-time participation codes, one per counted participant (the workshop's facilitators)."""
    db, user = get_db(), acting_user()
    live = queries.visible_session(db, user, session_id)
    if live is None or not may_see_attendee_names(user, live) or live.withdrawn_at is not None:
        abort(404)
    if not IssueCodesForm().validate_on_submit():
        abort(400)
    settings = current_app.extensions["lms.settings"]
    codes = issue_codes(db, user, live, settings.participation_code_days)
    base = settings.base_url.rstrip("/") + url_for("workshops.redeem")
    import segno  # only the printed code slips draw QR codes

    slips = [(code, segno.make(f"{base}?code={code}", error="m").svg_inline(scale=3)) for code in codes]
    expires_on = clock.today() + timedelta(days=settings.participation_code_days)
    return render_template("workshops/codes.html", live=live, slips=slips, expires_on=expires_on, base=base)


@bp.route("/nachweise/einloesen", methods=["GET", "POST"])
@login_required
def redeem() -> ResponseReturnValue:
    """Redeem a participation code for a private participation certificate (on one's own „Meine Nachweise“)."""
    form = RedeemForm()
    error = None
    if not form.is_submitted():
        form.code.data = request.args.get("code", "")[:40]
    elif form.validate():
        settings = current_app.extensions["lms.settings"]
        try:
            redeem_code(get_db(), acting_user(), form.code.data or "", base_url=settings.base_url)
        except TooManyFailures as throttled:
            error = translate_error(throttled)
            form.code.errors = [error]
            response = current_app.make_response(
                (render_template("workshops/redeem.html", form=form, error=error), 429)
            )
            response.headers["Retry-After"] = str(throttled.retry_after)
            return response
        except CodeRefused as refused:
            keep_changes_on_client_error()  # the failure counts towards the limit
            error = translate_error(refused)
            # Also at the field (aria-invalid, aria-describedby), not only in the summary above the form.
            form.code.errors = [error]
        else:
            flash(
                _("Ihre Teilnahmebescheinigung steht unter „Meine Nachweise“. Nur Sie sehen sie."), "success"
            )
            return redirect(url_for("certificates.my_completions"), 303)
    status = 400 if (error or form.errors) else 200
    return render_template("workshops/redeem.html", form=form, error=error), status
