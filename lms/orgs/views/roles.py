"""The programme office's page for the facilitator role: grant, remove, and the filterable audit of both."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import Role
from lms.orgs.facilitators import (
    EventFilter,
    FacilitatorRoleError,
    RoleChange,
    facilitators,
    find_person,
    grant_facilitator,
    revoke_facilitator,
    role_events,
)
from lms.orgs.forms import FacilitatorRoleForm
from lms.orgs.models import Municipality
from lms.scope import OutOfScope
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.validation import query_int

bp = Blueprint("roles", __name__, template_folder="../templates")


def _query_date(name: str) -> date | None:
    """A yyyy-mm-dd date from the query string; anything else does not filter."""
    text = request.args.get(name, "").strip()[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _render(form: FacilitatorRoleForm, error: str | None = None) -> ResponseReturnValue:
    db = get_db()
    change = request.args.get("art", "")
    wanted = EventFilter(
        municipality_id=query_int("kommune"),
        person=request.args.get("person", "")[:100],
        change=RoleChange(change) if change in {c.value for c in RoleChange} else None,
        date_from=_query_date("von"),
        date_to=_query_date("bis"),
    )
    page = render_template(
        "orgs/roles.html",
        form=form,
        error=error,
        events=role_events(db, acting_user(), wanted),
        current=facilitators(db),
        municipalities=list(db.scalars(select(Municipality).order_by(Municipality.name))),
        wanted=wanted,
        changes=RoleChange,
        args=request.args,
    )
    return page, 400 if (error or form.errors) else 200


@bp.get("/programmbuero/rollen")
@roles_required(Role.ADMIN)
def facilitator_roles() -> ResponseReturnValue:
    """Who facilitates which network, the form to grant or remove the role, and the audit of every change."""
    form = FacilitatorRoleForm(formdata=None)
    form.email.data = request.args.get("email", "")[:254]
    return _render(form)


@bp.post("/programmbuero/rollen")
@roles_required(Role.ADMIN)
def change_facilitator_role() -> ResponseReturnValue:
    """Grant or remove the facilitator role with a reason (audited)."""
    db, actor = get_db(), acting_user()
    form = FacilitatorRoleForm()
    if not form.validate():
        return _render(form)
    person = find_person(db, form.email.data or "")
    if person is None:
        return _render(form, _("Es gibt kein Konto mit dieser E-Mail-Adresse."))
    change = grant_facilitator if form.change.data == "grant" else revoke_facilitator
    try:
        change(db, actor, person, form.reason.data or "")
    except OutOfScope:
        abort(403)
    except FacilitatorRoleError as refused:
        return _render(form, translate_error(refused))
    flash(
        (
            _("%(name)s moderiert jetzt Empowerment-Workshops.")
            if form.change.data == "grant"
            else _("%(name)s moderiert keine Empowerment-Workshops mehr.")
        )
        % {"name": person.display_name},
        "success",
    )
    return redirect(url_for("roles.facilitator_roles"), 303)
