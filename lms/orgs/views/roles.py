"""The programme office's page for the facilitator role: grant, remove, and the filterable audit of both."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from lms.audit.describe import describe
from lms.audit.describe import render as render_description
from lms.auth.models import ROLE_LABELS, Role, User
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
from lms.orgs.forms import FacilitatorRoleForm, RoleChangeForm
from lms.orgs.models import Municipality, OrgUnit
from lms.orgs.role_changes import (
    CHANGEABLE,
    RoleChangeError,
    grant_role,
    revoke_role,
    role_history,
    units_of_municipality,
)
from lms.orgs.views import municipality_or_404
from lms.scope import OutOfScope, may_change_role
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.templating import local_date
from lms.web.validation import query_date, query_int

bp = Blueprint("roles", __name__, template_folder="../templates")


def _render(form: FacilitatorRoleForm, error: str | None = None) -> ResponseReturnValue:
    db = get_db()
    change = request.args.get("art", "")
    wanted = EventFilter(
        municipality_id=query_int("kommune"),
        person=request.args.get("person", "")[:100],
        change=RoleChange(change) if change in {c.value for c in RoleChange} else None,
        date_from=query_date("von"),
        date_to=query_date("bis"),
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
    """Who facilitates which network, the form to grant or remove the role, and the audit of every change.

    With ``?konto=<e-mail>``: on to that account's roles page (any role), or a message that there is none.
    """
    wanted = request.args.get("konto", "").strip()[:254]
    if wanted:
        found = find_person(get_db(), wanted)
        if found is not None:
            return redirect(url_for("roles.account_roles", user_id=found.id), 303)
        flash(_("Es gibt kein Konto mit dieser E-Mail-Adresse."), "danger")
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


# --- the roles of one existing account (issue 14): the programme office all of them, a coordination its unit heads ---


def _offered(person: User) -> list[Role]:
    """The roles the acting person may change for this account, in the order of the form."""
    actor = acting_user()
    return [role for role in CHANGEABLE if may_change_role(actor, person, role)]


def _board_choices(form: RoleChangeForm, offered: list[Role]) -> None:
    towns: Iterable[Municipality] = (
        get_db().scalars(select(Municipality).order_by(Municipality.name))
        if Role.ADVISORY_BOARD in offered
        else []
    )
    form.board_id.choices = [(0, "–")] + [(m.id, m.name) for m in towns]


def _roles_page(
    person: User, action: str, back: str, form: RoleChangeForm | None = None, error: str | None = None
) -> ResponseReturnValue:
    db = get_db()
    offered = _offered(person)
    if form is None:
        form = RoleChangeForm(formdata=None)
        form.org_unit_ids.data = sorted(person.managed_unit_ids)
    form.role.choices = [(role.value, _(ROLE_LABELS[role])) for role in offered]
    form.org_unit_ids.choices = [(u.id, u.name) for u in units_of_municipality(db, person.municipality_id)]
    _board_choices(form, offered)
    board = db.get(Municipality, person.board_municipality_id) if person.board_municipality_id else None
    history = role_history(db, acting_user(), person)
    actors = {
        u.id: u.display_name
        for u in db.scalars(select(User).where(User.id.in_({e.actor_id for e in history if e.actor_id})))
    }
    page = render_template(
        "orgs/account_roles.html",
        person=person,
        form=form,
        error=error,
        action=action,
        back=back,
        roles=sorted(person.roles, key=lambda role: CHANGEABLE.index(role) if role in CHANGEABLE else -1),
        labels=ROLE_LABELS,
        managed=sorted(person.managed_units, key=lambda unit: unit.name)
        if person.has_role(Role.UNIT_MANAGER)
        else [],
        board=board,
        wants_board=Role.ADVISORY_BOARD in offered,
        history=[(event, actors.get(event.actor_id or 0), describe(event)) for event in history],
        sentence=lambda description: render_description(description, _, local_date),
    )
    return page, 400 if (error or form.errors) else 200


def _change_roles(person: User, action: str, back: str) -> ResponseReturnValue:
    """Grant or remove the chosen role with a reason, or change the units a head leads (audited)."""
    db, actor = get_db(), acting_user()
    offered = _offered(person)
    form = RoleChangeForm()
    form.role.choices = [(role.value, _(ROLE_LABELS[role])) for role in offered]
    form.org_unit_ids.choices = [(u.id, u.name) for u in units_of_municipality(db, person.municipality_id)]
    _board_choices(form, offered)
    if not form.validate():
        return _roles_page(person, action, back, form)
    role = Role(form.role.data)
    try:
        if form.change.data == "grant":
            units = list(db.scalars(select(OrgUnit).where(OrgUnit.id.in_(form.org_unit_ids.data or []))))
            board = db.get(Municipality, form.board_id.data) if form.board_id.data else None
            grant_role(db, actor, person, role, form.reason.data or "", units=units, board=board)
        else:
            revoke_role(db, actor, person, role, form.reason.data or "")
    except OutOfScope:
        abort(404)
    except RoleChangeError as refused:
        return _roles_page(person, action, back, form, translate_error(refused))
    flash(
        (
            _("%(name)s hat jetzt die Rolle „%(role)s“.")
            if form.change.data == "grant"
            else _("%(name)s hat die Rolle „%(role)s“ nicht mehr.")
        )
        % {"name": person.display_name, "role": _(ROLE_LABELS[role])},
        "success",
    )
    return redirect(action, 303)


def _account(user_id: int) -> User:
    person = get_db().get(User, user_id)
    if person is None:
        abort(404)
    return person


@bp.get("/programmbuero/konten/<int:user_id>/rollen")
@roles_required(Role.ADMIN)
def account_roles(user_id: int) -> ResponseReturnValue:
    """The roles of one account, the form to grant or remove one, and the history of its changes."""
    person = _account(user_id)
    here = url_for("roles.account_roles", user_id=person.id)
    return _roles_page(person, here, url_for("roles.facilitator_roles"))


@bp.post("/programmbuero/konten/<int:user_id>/rollen")
@roles_required(Role.ADMIN)
def change_account_role(user_id: int) -> ResponseReturnValue:
    """Grant or remove one role of an account, with a reason (audited)."""
    person = _account(user_id)
    return _change_roles(
        person, url_for("roles.account_roles", user_id=person.id), url_for("roles.facilitator_roles")
    )


def _staff_member(slug: str, user_id: int) -> tuple[Municipality, User]:
    municipality = municipality_or_404(slug)
    person = get_db().get(User, user_id)
    if person is None or person.municipality_id != municipality.id:
        abort(404)
    return municipality, person


@bp.get("/kommunen/<slug>/beschaeftigte/<int:user_id>/rollen")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def staff_roles(slug: str, user_id: int) -> ResponseReturnValue:
    """A member of staff's roles: the coordination appoints them head of org units (the office changes any role)."""
    municipality, person = _staff_member(slug, user_id)
    here = url_for("roles.staff_roles", slug=municipality.slug, user_id=person.id)
    return _roles_page(person, here, url_for("orgs.staff", slug=municipality.slug))


@bp.post("/kommunen/<slug>/beschaeftigte/<int:user_id>/rollen")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def change_staff_role(slug: str, user_id: int) -> ResponseReturnValue:
    """Appoint or remove a head of org units (or, for the programme office, any role), with a reason (audited)."""
    municipality, person = _staff_member(slug, user_id)
    here = url_for("roles.staff_roles", slug=municipality.slug, user_id=person.id)
    return _change_roles(person, here, url_for("orgs.staff", slug=municipality.slug))
