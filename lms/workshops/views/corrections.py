"""Correcting a recorded session (audited with old and new values)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from lms.scope import (
    OutOfScope,
    may_see_attendee_names,
    may_see_exact_participant_count,
    may_withdraw_session,
)
from lms.web.access import acting_user
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.workshops import queries
from lms.workshops.corrections import Correction, correct_session
from lms.workshops.forms import CorrectionForm, CorrectTrainingForm, CorrectWorkshopForm
from lms.workshops.models import SessionKind
from lms.workshops.services import SessionInputError, facilitator_choices

bp = Blueprint("corrections", __name__, template_folder="../templates")


@bp.route("/veranstaltungen/<int:session_id>/korrigieren", methods=["GET", "POST"])
@login_required
def correct(session_id: int) -> ResponseReturnValue:
    """Correct date, place, count, facilitators or attendees of a recorded session."""
    db, user = get_db(), acting_user()
    live = queries.visible_session(db, user, session_id)
    if live is None or live.withdrawn_at is not None:
        abort(404)
    if not may_withdraw_session(user, live):
        abort(403)
    is_workshop = live.kind == SessionKind.WORKSHOP.value
    form: CorrectionForm = CorrectWorkshopForm() if is_workshop else CorrectTrainingForm()
    sees_count = may_see_exact_participant_count(user, live)
    sees_names = may_see_attendee_names(user, live)
    people = facilitator_choices(db, user, SessionKind(live.kind), {live.municipality_id})
    known = {p.id for p in people}
    people += [p for p in queries.facilitators(db, live) if p.id not in known]
    form.facilitator_ids.choices = [(p.id, p.display_name) for p in people]
    if not form.is_submitted():
        form.held_on.data = live.held_on
        form.place.data = live.place
        form.facilitator_ids.data = sorted(live.facilitator_ids)
        form.external_facilitators.data = live.external_facilitators
        if isinstance(form, CorrectWorkshopForm):
            form.participant_count.data = live.participant_count if sees_count else None
            form.attendee_names.data = (live.attendee_names or "") if sees_names else ""
        elif isinstance(form, CorrectTrainingForm):
            form.attendees.data = "\n".join(person.email for person, _created in queries.attendees(db, live))
    problems: list[str] = []
    ask_duplicate = isinstance(form, CorrectWorkshopForm) and bool(form.confirm_duplicate.data)
    if form.validate_on_submit():
        data = Correction(
            held_on=form.held_on.data,
            place=form.place.data or "",
            facilitator_ids=frozenset(form.facilitator_ids.data or []),
            external_facilitators=form.external_facilitators.data or "",
            reason=form.reason.data or "",
            participant_count=form.participant_count.data
            if isinstance(form, CorrectWorkshopForm) and sees_count
            else None,
            attendee_names=(form.attendee_names.data or "")
            if isinstance(form, CorrectWorkshopForm) and sees_names
            else None,
            attendees=(form.attendees.data or "").splitlines()
            if isinstance(form, CorrectTrainingForm)
            else None,
            confirm_duplicate=isinstance(form, CorrectWorkshopForm) and bool(form.confirm_duplicate.data),
        )
        try:
            result = correct_session(db, user, live, data)
        except OutOfScope:
            abort(403)
        except SessionInputError as error:
            problems = [translate_error(problem) for problem in error.problems]
            ask_duplicate = ask_duplicate or any(
                p.code == "session.duplicate_workshop" for p in error.problems
            )
        else:
            if result.changes:
                flash(_("Die Korrektur ist gespeichert und protokolliert."), "success")
            else:
                flash(_("Es gab nichts zu ändern."), "info")
            return redirect(url_for("workshops.session_detail", session_id=live.id), 303)
    status = 400 if (form.errors or problems) else 200
    return (
        render_template(
            "workshops/correct.html",
            live=live,
            form=form,
            problems=problems,
            sees_count=sees_count,
            sees_names=sees_names,
            ask_duplicate=ask_duplicate,
        ),
        status,
    )
