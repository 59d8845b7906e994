"""The programme office's pages for municipalities and for the accounts that run the programme."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.auth.services import AccountError
from lms.config import Settings
from lms.mail import invitation_messages, send_after_commit
from lms.orgs.accounts import AccountRefused, NewAccount, create_account, update_account
from lms.orgs.facilitators import FacilitatorRoleError
from lms.orgs.forms import AccountEditForm, AccountForm, MunicipalityForm
from lms.orgs.models import Municipality
from lms.orgs.municipalities import (
    MunicipalityError,
    create_municipality,
    municipality_rows,
    update_municipality,
)
from lms.orgs.states import FEDERAL_STATES
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.validation import query_int

bp = Blueprint("municipalities", __name__, template_folder="../templates")


def _state_choices(form: MunicipalityForm) -> None:
    form.federal_state.choices = [("", _("Bitte wählen"))] + [(s, s) for s in FEDERAL_STATES]


@bp.get("/programmbuero/kommunen")
@roles_required(Role.ADMIN)
def overview() -> ResponseReturnValue:
    """Every municipality with its federal state, active staff and coordinators."""
    return render_template("orgs/municipalities.html", rows=municipality_rows(get_db(), acting_user()))


@bp.route("/programmbuero/kommunen/neu", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/programmbuero/kommunen/<slug>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(slug: str | None) -> ResponseReturnValue:
    """Create a municipality, or change its name and federal state (the slug stays)."""
    db = get_db()
    municipality = None
    if slug is not None:
        municipality = db.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            abort(404)
    form = MunicipalityForm(obj=municipality)
    _state_choices(form)
    error = None
    if form.validate_on_submit():
        try:
            if municipality is None:
                municipality = create_municipality(
                    db,
                    acting_user(),
                    name=form.name.data or "",
                    slug=form.slug.data or "",
                    state=form.federal_state.data or "",
                )
                flash(_("Die Kommune „%(name)s“ ist angelegt.", name=municipality.name), "success")
            else:
                update_municipality(
                    db,
                    acting_user(),
                    municipality,
                    name=form.name.data or "",
                    state=form.federal_state.data or "",
                )
                flash(_("Die Kommune „%(name)s“ ist gespeichert.", name=municipality.name), "success")
        except MunicipalityError as problem:
            error = translate_error(problem)
        else:
            return redirect(url_for("municipalities.overview"), 303)
    status = 400 if (form.errors or error) else 200
    return render_template(
        "orgs/municipality_form.html", form=form, municipality=municipality, error=error
    ), status


@bp.route("/programmbuero/konten/neu", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_account() -> ResponseReturnValue:
    """Create a coordinator, trainer or facilitator; the invitation leaves after the commit."""
    db = get_db()
    towns = list(db.scalars(select(Municipality).order_by(Municipality.name)))
    form = AccountForm()
    form.municipality_id.choices = [(0, _("keine"))] + [(t.id, t.name) for t in towns]
    if not form.is_submitted():
        form.municipality_id.data = query_int("kommune") or 0
    error = None
    if form.validate_on_submit():
        town = next((t for t in towns if t.id == form.municipality_id.data), None)
        settings: Settings = current_app.extensions["lms.settings"]
        data = NewAccount(
            name=form.name.data or "",
            email=form.email.data or "",
            role=Role(form.role.data),
            municipality=town,
            reason=form.reason.data or "",
        )
        try:
            person, token, expires_at = create_account(
                db, acting_user(), data, invitation_days=settings.invitation_days, smtputf8=settings.smtp_utf8
            )
        except (AccountRefused, AccountError, FacilitatorRoleError) as problem:
            error = translate_error(problem)
        else:
            messages = invitation_messages(
                settings,
                town.name if town is not None else _("Das Programmbüro"),
                [(person.id, person.email, person.display_name, token, expires_at)],
            )
            send_after_commit(db, settings, messages)
            flash(
                _("Das Konto für %(name)s ist angelegt; die Einladung geht an %(email)s.")
                % {"name": person.display_name, "email": person.email},
                "success",
            )
            return redirect(url_for("municipalities.overview"), 303)
    status = 400 if (form.errors or error) else 200
    return render_template("orgs/account_form.html", form=form, error=error), status


@bp.route("/programmbuero/konten/<int:user_id>/bearbeiten", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_account(user_id: int) -> ResponseReturnValue:
    """Correct the name or e-mail address of any account (audited); roles are changed on the roles page."""
    db = get_db()
    person = db.get(User, user_id)
    if person is None:
        abort(404)
    form = AccountEditForm()
    if not form.is_submitted():
        form.name.data, form.email.data = person.display_name, person.email
    error = None
    if form.validate_on_submit():
        settings: Settings = current_app.extensions["lms.settings"]
        try:
            changed = update_account(
                db,
                acting_user(),
                person,
                name=form.name.data or "",
                email=form.email.data or "",
                smtputf8=settings.smtp_utf8,
            )
        except AccountRefused as problem:
            error = translate_error(problem)
        else:
            flash(
                _("Das Konto von %(name)s ist gespeichert.") % {"name": person.display_name}
                if changed
                else _("Es gab nichts zu ändern."),
                "success" if changed else "info",
            )
            return redirect(url_for("roles.account_roles", user_id=person.id), 303)
    status = 400 if (form.errors or error) else 200
    return render_template("orgs/account_edit.html", form=form, person=person, error=error), status
