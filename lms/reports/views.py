"""The coordinator's dashboard with its exports, and the programme office's side-by-side view with its exports."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Blueprint, Response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _

from lms import time as clock
from lms.auth.models import Role
from lms.disclosure import Shown
from lms.orgs.periods import all_periods, begun_by
from lms.orgs.views import chosen_period, municipality_or_404
from lms.reports.compliance import (
    MunicipalityReport,
    municipality_report,
    period_status,
    programme_report,
    range_of,
)
from lms.reports.plans import due_next
from lms.reports.queries import completion_list, module_titles
from lms.reports.rules import Status
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import grouped

bp = Blueprint("reports", __name__, template_folder="templates")

STATUS_VARIANTS = {
    Status.MET: "success",
    Status.ON_TRACK: "info",
    Status.AT_RISK: "warning",
    Status.MISSED: "danger",
}
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@bp.app_template_filter("shown")
def shown(value: Shown) -> str:
    """A count of people as shown: 1.800 (grouped), or „< 5“ as it came from lms.disclosure."""
    return grouped(value) if isinstance(value, int) else str(value)


@bp.app_template_filter("share")
def share_text(value: Decimal | None) -> str:
    """A share in percent, or „–“ when it is hidden because its group is small."""
    return "–" if value is None else f"{format_decimal(value, format='#,##0.0')} %"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("äöüß", "aous"))).strip("-")


def download(content: bytes, name: str, fmt: str) -> Response:
    """A file download with a safe ASCII file name."""
    response = Response(content, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.get("/koordination")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def coordination() -> ResponseReturnValue:
    """Entry point of the main menu: the coordinator's own municipality, or the programme office's table."""
    user = acting_user()
    if user.has_role(Role.COORDINATOR) and user.municipality is not None:
        return redirect(url_for("reports.dashboard", slug=user.municipality.slug))
    return redirect(url_for("reports.programme"))


@bp.get("/kommunen/<slug>")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def dashboard(slug: str) -> ResponseReturnValue:
    """The municipality's dashboard: status against the targets, trainings, workshops, coverage, what is due."""
    db, today = get_db(), clock.today()
    municipality = municipality_or_404(slug)
    periods = all_periods(db)
    period = chosen_period(today, periods)
    titles = module_titles(db)
    report = municipality_report(db, municipality, period, today, titles)
    history = [
        period_status(db, municipality, p, today) for p in begun_by(periods, today) if p.id != period.id
    ]
    return render_template(
        "reports/dashboard.html",
        report=report,
        history=history,
        periods=periods,
        due=due_next(db, municipality, period, today, titles=titles),
        variants=STATUS_VARIANTS,
        reason=report.assessment.reason(_),
    )


def _report(slug: str) -> MunicipalityReport:
    today = clock.today()
    return municipality_report(get_db(), municipality_or_404(slug), chosen_period(today), today)


@bp.get("/kommunen/<slug>/abschluesse.<any(csv, xlsx):fmt>")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def completions_export(slug: str, fmt: str) -> ResponseReturnValue:
    """The completion list of the period as CSV (German Excel) or XLSX."""
    today = clock.today()
    municipality = municipality_or_404(slug)
    period = chosen_period(today)
    rows = completion_list(get_db(), range_of(period, today), municipality.id)
    from lms.reports import exports  # xlsxwriter only where a spreadsheet is made (memory of every worker)

    table = exports.completion_table(f"Abschlüsse {period.label}", rows)
    content = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    return download(content, f"abschluesse-{municipality.slug}-{_slug(period.label)}", fmt)


@bp.get("/kommunen/<slug>/jahresnachweis.pdf")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def evidence_pdf(slug: str) -> ResponseReturnValue:
    """The Jahresnachweis of the period as PDF."""
    report = _report(slug)
    from lms.reports import pdf  # fpdf2 only where a PDF is made (memory of every worker)

    content = pdf.evidence_pdf(report, report.today)
    return download(content, f"jahresnachweis-{report.municipality.slug}-{_slug(report.period.label)}", "pdf")


@bp.get("/programmbuero")
@roles_required(Role.ADMIN)
def programme() -> ResponseReturnValue:
    """Every municipality side by side for one period: trainings, workshops, participants, coverage, status."""
    db, today = get_db(), clock.today()
    periods = all_periods(db)
    period = chosen_period(today, periods)
    rows = programme_report(db, period, today)
    return render_template(
        "reports/programme.html",
        period=period,
        periods=periods,
        rows=rows,
        variants=STATUS_VARIANTS,
        reasons={r.municipality.id: r.assessment.reason(_) for r in rows},
        met=sum(1 for r in rows if r.assessment.status is Status.MET),
    )


@bp.get("/programmbuero/uebersicht.<any(csv, xlsx, pdf):fmt>")
@roles_required(Role.ADMIN)
def programme_export(fmt: str) -> ResponseReturnValue:
    """The programme office's table as CSV, XLSX or PDF."""
    today = clock.today()
    period = chosen_period(today)
    rows = programme_report(get_db(), period, today)
    from lms.reports import exports, pdf  # loaded on first export (memory of every worker)

    if fmt == "pdf":
        content = pdf.programme_pdf(period, rows, today)
    else:
        table = exports.programme_table(period, rows)
        content = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    return download(content, f"programmuebersicht-{_slug(period.label)}", fmt)
