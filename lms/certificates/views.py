"""Certificate pages: downloads for learners, the coordinator's bulk export, the public verification page,
and revocation by the programme office."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from datetime import date, timedelta

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
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from lms import scope
from lms import time as clock
from lms.auth.models import Role
from lms.certificates import queries, services
from lms.certificates.codes import CodeTypo, parse_code
from lms.certificates.export import zip_stream
from lms.certificates.forms import ExportForm, RevokeForm, VerifyForm
from lms.certificates.merge import concatenate
from lms.certificates.rendering import Renderer
from lms.certificates.snapshot import describe
from lms.config import Settings
from lms.orgs.periods import all_periods, current_period
from lms.progress import queries as progress_queries
from lms.progress.models import Completion
from lms.progress.renewal import is_renewable
from lms.web.access import acting_user, roles_required
from lms.web.clients import client_key
from lms.web.database import get_db, keep_changes_on_client_error
from lms.web.errors import error_response
from lms.web.i18n import translate_error
from lms.web.templating import local_date
from lms.web.validation import query_int

bp = Blueprint("certificates", __name__, template_folder="templates")

#: Labels of the fields a certificate shows (lms.certificates.snapshot.describe), in the interface language.
FIELD_LABELS = {
    "holder_name": _l("Name"),
    "municipality_name": _l("Kommune"),
    "module": _l("Modul"),
    "version_label": _l("Version"),
    "completed_on": _l("Abgeschlossen am"),
    "valid_until": _l("Gültig bis"),
    "training": _l("Fortbildung"),
    "attended_on": _l("Teilgenommen am"),
    "duration": _l("Umfang"),
    "mode": _l("Form"),
    "issued_on": _l("Ausgestellt am"),
    "issuer": _l("Ausgestellt von"),
}


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _base_url() -> str:
    return _settings().base_url


def _pdf_response(data: bytes, name: str) -> Response:
    # The PDF code (fpdf2, fontTools, Pillow, segno: about 40 MiB) is imported by the views that make a PDF, on
    # first use, so a web worker that serves no PDF does not carry it.
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name)


# --- learners -----------------------------------------------------------------------------------------------


@bp.get("/nachweise/<int:completion_id>/zertifikat.pdf")
@login_required
def completion_certificate(completion_id: int) -> ResponseReturnValue:
    """The certificate of one of the person's own completions, issued on first download."""
    db, user = get_db(), acting_user()
    completion = queries.own_completion(db, user, completion_id)
    if completion is None:
        abort(404)
    certificate = services.issue_for_completion(db, completion, actor_id=user.id, base_url=_base_url())
    if certificate.is_revoked:
        return error_response(
            410, _("Dieses Zertifikat wurde widerrufen und kann nicht mehr heruntergeladen werden.")
        )
    return _pdf_response(services.certificate_document(db, certificate), f"Zertifikat_{certificate.code}.pdf")


@bp.get("/zertifikate/<code>.pdf")
@login_required
def certificate_file(code: str) -> ResponseReturnValue:
    """Any certificate the person may see (their own, their municipality's as coordinator, all as admin)."""
    try:
        parsed = parse_code(code)
    except CodeTypo:
        abort(404)
    db, user = get_db(), acting_user()
    certificate = services.find_by_code(db, parsed.formatted)
    if certificate is None or queries.visible_certificate(db, user, certificate.id) is None:
        abort(404)
    return _pdf_response(services.certificate_document(db, certificate), f"Zertifikat_{certificate.code}.pdf")


@bp.get("/nachweise/uebersicht-<int:year>.pdf")
@login_required
def transcript(year: int) -> ResponseReturnValue:
    """The person's transcript of a calendar year: every valid certificate on one PDF (missing ones are issued)."""
    if not 2000 <= year <= 2100:
        abort(404)
    db, user = get_db(), acting_user()
    starts_on, ends_on = date(year, 1, 1), date(year, 12, 31)
    services.issue_missing(
        db,
        services.CompletionFilter(starts_on=starts_on, ends_on=ends_on, holder_id=user.id),
        actor_id=user.id,
        base_url=_base_url(),
    )
    certificates = queries.holder_certificates(
        db, user.id, starts_on, ends_on, with_participations=request.args.get("teilnahme") == "1"
    )

    from lms.certificates.pdf import transcript_pdf  # fpdf2 only where a PDF is made (memory of every worker)

    data = transcript_pdf(
        holder_name=user.display_name,
        municipality_name=user.municipality.name if user.municipality else None,
        starts_on=starts_on,
        ends_on=ends_on,
        snapshots=[c.snapshot for c in certificates],
        verify_base=_base_url(),
        created=clock.now(),
    )
    return _pdf_response(data, f"Fortbildungsuebersicht_{year}.pdf")


# --- coordinators ---------------------------------------------------------------------------------------------


@bp.get("/zertifikate")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def overview() -> ResponseReturnValue:
    """Entry from the menu: coordinators go to their municipality's export, the programme office to the lookup."""
    user = acting_user()
    if user.has_role(Role.COORDINATOR) and user.municipality is not None:
        return redirect(url_for("certificates.export", slug=user.municipality.slug))
    return redirect(url_for("certificates.manage"))


#: The longest search text (a name or a code); longer input is refused with a message. The field's maxlength.
SEARCH_MAX = 100


@bp.get("/zertifikate/suche")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def search() -> ResponseReturnValue:
    """Find certificates by the holder's name or the code: a coordinator their municipality's, the office all."""
    text = (request.args.get("q") or "").strip()
    error = None
    if len(text) > SEARCH_MAX:
        error = _("Bitte geben Sie höchstens %(max)s Zeichen ein.", max=SEARCH_MAX)
    elif text and len(text) < 2:
        error = _("Bitte geben Sie mindestens 2 Zeichen ein.")
    found = queries.search_certificates(get_db(), acting_user(), text) if text and not error else None
    return render_template(
        "certificates/search.html",
        text=text,
        error=error,
        found=found,
        limit=queries.LIST_LIMIT,
        max_length=SEARCH_MAX,
        is_admin=acting_user().has_role(Role.ADMIN),
    ), 400 if error else 200


@bp.get("/zertifikate/widerrufen")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def revoked() -> ResponseReturnValue:
    """Revoked certificates with date and reason: a coordinator their municipality's, the office all."""
    return render_template(
        "certificates/revoked.html",
        certificates=queries.revoked_certificates(get_db(), acting_user()),
        limit=queries.LIST_LIMIT,
        is_admin=acting_user().has_role(Role.ADMIN),
    )


@bp.route("/kommunen/<slug>/zertifikate", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR, Role.ADMIN)
def export(slug: str) -> ResponseReturnValue:
    """All certificates of a municipality for a period, as a streamed ZIP with manifest or one PDF for printing."""
    db, user = get_db(), acting_user()
    municipality = queries.municipality_by_slug(db, slug)
    if municipality is None:
        abort(404)
    if not scope.may_manage_municipality(user, municipality.id):
        # As every other page of another municipality: whether it exists is not this person's business.
        abort(404)
    # The programme period chosen (?zeitraum=ID) or the current one sets the default dates.
    periods = all_periods(db)
    chosen = next((p for p in periods if p.id == query_int("zeitraum")), None)
    period = chosen or current_period(db)
    if period is not None:
        form = ExportForm.for_range(period.starts_on, period.ends_on, queries.module_choices(db))
    else:
        form = ExportForm.for_year(clock.now().year, queries.module_choices(db))
    form.org_unit_choices = tuple((str(i), name) for i, name in queries.org_unit_choices(db, municipality.id))
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(
            "certificates/export.html", form=form, municipality=municipality, periods=periods, period=period
        ), status
    starts_on, ends_on, module = form.starts_on.data, form.ends_on.data, form.module.data or None
    org_unit = int(form.org_unit.data) if form.org_unit.data else None
    selection = queries.export_selection(municipality.id, starts_on, ends_on, module, org_unit)
    # Issuing renders each new certificate's PDF once and keeps it; certificates issued before PDFs were kept
    # get theirs now. Many at once are rendered by worker processes (LMS_CERTIFICATE_RENDER_PROCESSES).
    with Renderer(_settings().certificate_render_processes) as renderer:
        services.issue_missing(
            db,
            services.CompletionFilter(
                starts_on=starts_on,
                ends_on=ends_on,
                municipality_id=municipality.id,
                module_slug=module,
                org_unit_id=org_unit,
            ),
            actor_id=user.id,
            base_url=_base_url(),
            renderer=renderer,
        )
        services.store_missing_documents(db, selection, renderer=renderer)
    stem = f"Zertifikate_{municipality.slug}_{starts_on.isoformat()}_{ends_on.isoformat()}"
    # What was issued and stored above is committed before the first byte goes out (after_request); the body
    # is then made while it is sent from the stored PDFs, read in batches.
    valid = queries.only_valid(selection)
    if form.format.data == "pdf":
        title = f"Zertifikate {municipality.name} {starts_on:%d.%m.%Y}–{ends_on:%d.%m.%Y}"
        created = clock.now()

        def printable() -> Iterator[bytes]:
            documents = (content for _row, content in services.STORE.stream(get_db(), valid))
            first = next(documents, None)
            if first is None:
                from lms.certificates.pdf import empty_print_pdf  # fpdf2 only where a PDF is made

                yield empty_print_pdf(title=title, created=created)
                return
            yield from concatenate(itertools.chain([first], documents), title=title, created=created)

        body, mimetype, name = printable(), "application/pdf", f"{stem}.pdf"
    else:
        body = zip_stream(
            lambda: queries.stream_rows(get_db(), selection),
            lambda: services.STORE.stream(get_db(), valid),
            created=clock.now(),
        )
        mimetype, name = "application/zip", f"{stem}.zip"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Accel-Buffering"] = "no"  # let a proxy pass the chunks on as they come
    return response


# --- public verification --------------------------------------------------------------------------------------


def _verify_page(status: int, **context: object) -> Response:
    response = Response(render_template("certificates/verify.html", **context), status=status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/verify", methods=["GET", "POST"])
def verify_form() -> ResponseReturnValue:
    """The public form: type in a code; a typo is reported at once, a well-formed code leads to its page."""
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            parsed = parse_code(form.code.data or "")
        except CodeTypo:
            form.code.errors = [
                _(
                    "Der Code enthält einen Tippfehler. Bitte vergleichen Sie ihn Zeichen für Zeichen mit dem Zertifikat."
                )
            ]
        else:
            return redirect(url_for("certificates.verify", code=parsed.formatted), code=303)
    status = 400 if form.is_submitted() else 200
    return _verify_page(status, form=form, state=None)


@bp.get("/verify/<code>")
def verify(code: str) -> ResponseReturnValue:
    """The public verification page for a code (from the QR code): valid, revoked or unknown."""
    form = VerifyForm(data={"code": code})
    try:
        parsed = parse_code(code)
    except CodeTypo:
        # Checked before anything else: a mistyped code costs no lookup and touches no database.
        return _verify_page(400, form=form, state="typo", code=code)
    settings = current_app.extensions["lms.settings"]
    db = get_db()
    limit = services.LookupLimit(
        settings.verify_max_lookups, timedelta(minutes=settings.verify_window_minutes)
    )
    retry_after = services.register_lookup(db, client_key(), limit)
    if retry_after:
        response = Response(
            render_template("certificates/rate_limited.html", minutes=settings.verify_window_minutes),
            status=429,
        )
        response.headers["Retry-After"] = str(retry_after)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
    keep_changes_on_client_error()  # an unknown code still counts as a lookup
    certificate = services.find_by_code(db, parsed.formatted)
    if certificate is None:
        return _verify_page(404, form=form, state="unknown", code=parsed.formatted)
    return _verify_page(
        200,
        form=form,
        state="revoked" if certificate.is_revoked else "valid",
        code=parsed.formatted,
        certificate=certificate,
        lines=describe(certificate.snapshot, local_date, _),
        labels=FIELD_LABELS,
    )


# --- programme office -----------------------------------------------------------------------------------------


@bp.route("/verwaltung/zertifikate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage() -> ResponseReturnValue:
    """Find a certificate by its code (to look at it or revoke it)."""
    form = VerifyForm()
    if form.validate_on_submit():
        try:
            parsed = parse_code(form.code.data or "")
        except CodeTypo:
            form.code.errors = [_("Der Code enthält einen Tippfehler.")]
        else:
            return redirect(url_for("certificates.manage_one", code=parsed.formatted), code=303)
    return render_template("certificates/manage.html", form=form), 400 if form.errors else 200


@bp.route("/verwaltung/zertifikate/<code>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage_one(code: str) -> ResponseReturnValue:
    """One certificate for the programme office: what it shows, its status, and the revocation form."""
    db, user = get_db(), acting_user()
    try:
        certificate = services.find_by_code(db, parse_code(code).formatted)
    except CodeTypo:
        certificate = None
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(db, certificate, actor=user, reason=form.reason.data or "")
        except services.CertificateError as error:
            form.reason.errors = [translate_error(error)]
        else:
            flash(_("Das Zertifikat %(code)s ist widerrufen.", code=certificate.code), "success")
            return redirect(url_for("certificates.manage_one", code=certificate.code), code=303)
    return render_template(
        "certificates/manage_one.html",
        certificate=certificate,
        lines=describe(certificate.snapshot, local_date, _),
        labels=FIELD_LABELS,
        form=form,
    ), 400 if form.errors else 200


# „Meine Nachweise“ lists completions (progress) with their certificates; it sits here, above both.
@bp.get("/nachweise")
@login_required
def my_completions() -> ResponseReturnValue:
    """„Meine Nachweise“: every completion with its module version, date, score and mode, and its certificate."""
    db, user = get_db(), acting_user()
    completions = progress_queries.my_completions(db, user)
    own = queries.own_certificates(db, user, completions)
    today = clock.today()
    latest: dict[int, Completion] = {}
    for completion in completions:  # newest first: the first one per module is the latest
        latest.setdefault(completion.module_id, completion)
    return render_template(
        "certificates/my_completions.html",
        completions=completions,
        # The latest completion of a module still in the catalogue that may be renewed now gets the link.
        renewable={c.id for c in latest.values() if c.module.retired_at is None and is_renewable(c, today)},
        certificates=own.by_completion,
        participations=own.participations,
        years=own.years,
        today=today,
    )
