"""Funding, measures and migrant organisations: the programme office records them, coordinators see their own."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from lms import time as clock
from lms.auth.models import Role
from lms.config import Settings
from lms.orgs.models import Municipality
from lms.orgs.periods import all_periods
from lms.orgs.views import chosen_period, municipality_or_404
from lms.programme import queries
from lms.programme.forms import (
    ApplyFundingImportForm,
    FederalStateForm,
    FundingImportForm,
    GrantForm,
    MeasureForm,
    OrganisationForm,
    amount_cents,
)
from lms.programme.funding_file import FundingFileError
from lms.programme.imports import (
    FundingImportRefused,
    apply_funding_import,
    preview_funding_import,
    stage_funding_import,
)
from lms.programme.models import (
    MEASURE_KIND_LABELS,
    PARTICIPATION_FORMAT_LABELS,
    Measure,
    MeasureImport,
    MeasureKind,
    MigrantOrganisation,
    ParticipationFormat,
)
from lms.programme.money import format_amount
from lms.programme.services import (
    MeasureInput,
    OrganisationInput,
    ProgrammeDataError,
    add_measure,
    delete_measure,
    delete_organisation,
    save_organisation,
    set_federal_state,
    set_granted,
)
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error

bp = Blueprint("programme", __name__, template_folder="templates")
MANAGERS = (Role.COORDINATOR, Role.ADMIN)
#: Funding files are spreadsheets of a few hundred rows; a tenth of the staff import's limit is ample.
MAX_FUNDING_FILE_BYTES = 2 * 1024 * 1024


@bp.app_template_filter("euro")
def euro(cents: int | None) -> str:
    """„10.000,00 €“ (German) or "€10,000.00" (English); „–“ when nothing is recorded."""
    return "–" if cents is None else format_amount(cents, str(get_locale() or "de"))


def _ceiling_cents() -> int:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings.funding_ceiling_euros * 100


def _labels() -> dict[str, object]:
    return {
        "kinds": list(MeasureKind),
        "kind_labels": MEASURE_KIND_LABELS,
        "participation_labels": PARTICIPATION_FORMAT_LABELS,
        "ceiling": _ceiling_cents(),
    }


# --- funding ----------------------------------------------------------------------------------------------------


@bp.get("/programmbuero/foerderung")
@roles_required(Role.ADMIN)
def funding_overview() -> ResponseReturnValue:
    """Every municipality's grant and spending by kind of measure in one programme year, with the ceiling check."""
    db = get_db()
    period = chosen_period(clock.today())
    lines = queries.funding_lines(db, period)
    return render_template(
        "programme/funding_overview.html",
        period=period,
        periods=all_periods(db),
        lines=lines,
        totals={kind: sum(line.spent(kind) for line in lines) for kind in MeasureKind},
        granted_total=sum(line.granted_cents or 0 for line in lines),
        **_labels(),
    )


def _funding_page(municipality: Municipality, status: int = 200, **forms: object) -> ResponseReturnValue:
    db = get_db()
    period = chosen_period(clock.today())
    line = queries.funding_lines(db, period, [municipality.id])[0]
    is_office = acting_user().has_role(Role.ADMIN)
    grant_form = forms.get("grant_form") or GrantForm(
        formdata=None,
        # In the reader's number format, which the field reads back (an English page: 10,000.00).
        amount=format_amount(line.granted_cents, str(get_locale() or "de")).replace("€", "").strip()
        if line.granted_cents is not None
        else "",
    )
    context = {
        "municipality": municipality,
        "period": period,
        "periods": all_periods(db),
        "line": line,
        "measures": queries.measures_of(db, municipality, period),
        "is_office": is_office,
        "grant_form": grant_form,
        "measure_form": forms.get("measure_form") or MeasureForm(formdata=None),
        "state_form": forms.get("state_form")
        or FederalStateForm(formdata=None, federal_state=municipality.federal_state or "Hessen"),
        **_labels(),
    }
    return render_template("programme/funding.html", **context), status


@bp.get("/kommunen/<slug>/foerderung")
@roles_required(*MANAGERS)
def funding(slug: str) -> ResponseReturnValue:
    """One municipality's grant, spending and measures in a programme year (coordinators read, the office edits)."""
    return _funding_page(municipality_or_404(slug))


@bp.post("/kommunen/<slug>/foerderung/bewilligung")
@roles_required(Role.ADMIN)
def save_grant(slug: str) -> ResponseReturnValue:
    """Set the funds granted for the shown programme year."""
    municipality = municipality_or_404(slug)
    period = chosen_period(clock.today())
    form = GrantForm()
    if not form.validate_on_submit():
        return _funding_page(municipality, 422, grant_form=form)
    set_granted(get_db(), acting_user(), municipality, period, amount_cents(form.amount))
    flash(_("Die bewilligten Mittel für %(period)s wurden gespeichert.", period=period.label), "success")
    return redirect(url_for("programme.funding", slug=slug, zeitraum=period.id), 303)


@bp.post("/kommunen/<slug>/foerderung/massnahmen")
@roles_required(Role.ADMIN)
def create_measure(slug: str) -> ResponseReturnValue:
    """Record a funded measure."""
    municipality = municipality_or_404(slug)
    form = MeasureForm()
    if not form.validate_on_submit():
        return _funding_page(municipality, 422, measure_form=form)
    data = MeasureInput(
        MeasureKind(form.kind.data),
        amount_cents(form.amount),
        form.occurred_on.data,
        form.description.data or "",
    )
    try:
        add_measure(get_db(), acting_user(), municipality, data)
    except ProgrammeDataError as error:
        form.occurred_on.errors = [translate_error(error)]
        return _funding_page(municipality, 422, measure_form=form)
    flash(_("Die Maßnahme wurde erfasst."), "success")
    return redirect(url_for("programme.funding", slug=slug, zeitraum=request.args.get("zeitraum")), 303)


@bp.post("/kommunen/<slug>/foerderung/massnahmen/<int:measure_id>/loeschen")
@roles_required(Role.ADMIN)
def remove_measure(slug: str, measure_id: int) -> ResponseReturnValue:
    """Remove a wrongly entered measure (the audit log keeps it)."""
    municipality = municipality_or_404(slug)
    measure = get_db().get(Measure, measure_id)
    if measure is None or measure.municipality_id != municipality.id:
        abort(404)
    delete_measure(get_db(), acting_user(), measure)
    flash(_("Die Maßnahme wurde gelöscht."), "success")
    return redirect(url_for("programme.funding", slug=slug, zeitraum=request.args.get("zeitraum")), 303)


@bp.post("/kommunen/<slug>/bundesland")
@roles_required(Role.ADMIN)
def save_federal_state(slug: str) -> ResponseReturnValue:
    """Set the municipality's federal state (the state report groups by it)."""
    municipality = municipality_or_404(slug)
    form = FederalStateForm()
    if not form.validate_on_submit():
        return _funding_page(municipality, 422, state_form=form)
    set_federal_state(get_db(), acting_user(), municipality, form.federal_state.data or "")
    flash(_("Das Bundesland wurde gespeichert."), "success")
    return redirect(url_for("programme.funding", slug=slug, zeitraum=request.args.get("zeitraum")), 303)


# --- funding import ---------------------------------------------------------------------------------------------


@bp.route("/programmbuero/foerderung/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def funding_import() -> ResponseReturnValue:
    """Upload a funding file (XLSX or CSV); the next page previews it."""
    form = FundingImportForm()
    error = None
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read(MAX_FUNDING_FILE_BYTES + 1)
        if len(content) > MAX_FUNDING_FILE_BYTES:
            error = _("Die Datei ist größer als 2 MB. Bitte teilen Sie sie auf.")
            # Tied to the field (aria-invalid, aria-describedby), not only announced in the summary.
            form.file.errors = [error]
        else:
            staged = stage_funding_import(get_db(), acting_user(), upload.filename or "", content)
            return redirect(url_for("programme.funding_import_preview", funding_import_id=staged.id), 303)
    status = 422 if (form.errors or error) else 200
    limit = current_app.extensions["lms.settings"].max_request_bytes
    return render_template("programme/funding_import.html", form=form, error=error, max_bytes=limit), status


def _staged_or_404(import_id: int) -> MeasureImport:
    staged = get_db().get(MeasureImport, import_id)
    if staged is None:
        abort(404)
    return staged


@bp.get("/programmbuero/foerderung/import/<int:funding_import_id>")
@roles_required(Role.ADMIN)
def funding_import_preview(funding_import_id: int) -> ResponseReturnValue:
    """What applying the file will do, with a message per faulty row."""
    staged = _staged_or_404(funding_import_id)
    return _preview_page(staged, ApplyFundingImportForm())


def _preview_page(
    staged: MeasureImport, form: ApplyFundingImportForm, error: str | None = None
) -> ResponseReturnValue:
    preview, file_error = None, None
    if staged.content is not None:
        try:
            preview = preview_funding_import(get_db(), staged.content)
        except FundingFileError as problem:
            file_error = translate_error(problem)
    status = 422 if (file_error or error) else 200
    return (
        render_template(
            "programme/funding_import_preview.html",
            staged=staged,
            preview=preview,
            file_error=file_error,
            error=error,
            form=form,
            **_labels(),
        ),
        status,
    )


@bp.post("/programmbuero/foerderung/import/<int:funding_import_id>")
@roles_required(Role.ADMIN)
def apply_import(funding_import_id: int) -> ResponseReturnValue:
    """Take over the previewed file."""
    staged = _staged_or_404(funding_import_id)
    form = ApplyFundingImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        summary = apply_funding_import(
            get_db(), acting_user(), staged, skip_invalid=bool(form.skip_invalid.data)
        )
    except (FundingImportRefused, FundingFileError) as problem:
        return _preview_page(staged, form, translate_error(problem))
    flash(
        _(
            # Counts after their labels: „1 Bewilligungen“ would need a plural form for each of four numbers.
            "Übernommen. Neue Maßnahmen: %(measures)s, Bewilligungen: %(grants)s, bereits erfasst: %(known)s, "
            "fehlerhafte Zeilen übersprungen: %(skipped)s.",
            **summary,
        ),
        "success",
    )
    return redirect(url_for("programme.funding_overview"), 303)


# --- migrant organisations --------------------------------------------------------------------------------------


@bp.get("/programmbuero/organisationen")
@roles_required(Role.ADMIN)
def organisations_overview() -> ResponseReturnValue:
    """Every municipality's migrant organisations in a programme year."""
    db = get_db()
    period = chosen_period(clock.today())
    return render_template(
        "programme/organisations_overview.html",
        period=period,
        periods=all_periods(db),
        lines=queries.organisation_lines(db, period=period),
        **_labels(),
    )


@bp.get("/kommunen/<slug>/organisationen")
@roles_required(*MANAGERS)
def organisations(slug: str) -> ResponseReturnValue:
    """The municipality's migrant organisations, every year."""
    municipality = municipality_or_404(slug)
    return render_template(
        "programme/organisations.html",
        municipality=municipality,
        lines=queries.organisation_lines(get_db(), municipality_ids=[municipality.id]),
        **_labels(),
    )


def _organisation_or_404(municipality: Municipality, organisation_id: int) -> MigrantOrganisation:
    organisation = get_db().get(MigrantOrganisation, organisation_id)
    if organisation is None or organisation.municipality_id != municipality.id:
        abort(404)
    return organisation


@bp.route("/kommunen/<slug>/organisationen/neu", methods=["GET", "POST"], defaults={"organisation_id": None})
@bp.route("/kommunen/<slug>/organisationen/<int:organisation_id>", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit_organisation(slug: str, organisation_id: int | None) -> ResponseReturnValue:
    """Record a migrant organisation's participation, or change one."""
    db = get_db()
    municipality = municipality_or_404(slug)
    organisation = (
        _organisation_or_404(municipality, organisation_id) if organisation_id is not None else None
    )
    form = OrganisationForm(obj=organisation)
    periods = all_periods(db)
    form.period_id.choices = [SelectChoice(p.id, p.label) for p in periods]
    if organisation is None and request.method == "GET":
        form.period_id.data = chosen_period(clock.today()).id
    if form.validate_on_submit():
        data = OrganisationInput(
            name=form.name.data or "",
            seat=form.seat.data or "",
            participation=ParticipationFormat(form.participation.data),
            period_id=int(form.period_id.data),
            may_be_named=bool(form.may_be_named.data),
        )
        try:
            save_organisation(db, acting_user(), municipality, data, organisation)
        except ProgrammeDataError as error:
            form.name.errors = [translate_error(error)]
        else:
            flash(_("Die Organisation „%(name)s“ wurde gespeichert.", name=data.name), "success")
            return redirect(url_for("programme.organisations", slug=slug), 303)
    status = 422 if form.errors else 200
    return (
        render_template(
            "programme/organisation_form.html",
            municipality=municipality,
            organisation=organisation,
            form=form,
        ),
        status,
    )


@bp.post("/kommunen/<slug>/organisationen/<int:organisation_id>/loeschen")
@roles_required(*MANAGERS)
def remove_organisation(slug: str, organisation_id: int) -> ResponseReturnValue:
    """Remove an organisation's entry."""
    municipality = municipality_or_404(slug)
    delete_organisation(get_db(), acting_user(), _organisation_or_404(municipality, organisation_id))
    flash(_("Der Eintrag wurde gelöscht."), "success")
    return redirect(url_for("programme.organisations", slug=slug), 303)
