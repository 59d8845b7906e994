"""The coordinator's dashboard with its exports, and the programme office's side-by-side view with its exports."""

from __future__ import annotations

import os
import re
import typing
from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, User
from lms.disclosure import Shown, people_count
from lms.orgs.models import OrgUnit, ProgrammePeriod, TrainingAssignment
from lms.orgs.periods import all_periods, begun_by
from lms.orgs.states import find_state
from lms.orgs.views import chosen_period, municipality_or_404, progress_municipality_or_404
from lms.reports.compliance import (
    NO_UNIT,
    MunicipalityReport,
    municipality_report,
    period_status,
    programme_report,
    programme_report_with_totals,
    range_of,
)
from lms.reports.people import OpenRow, not_completed, person_record
from lms.reports.plans import due_next
from lms.reports.queries import completion_rows, module_titles
from lms.reports.rules import Status
from lms.reports.state import StateReport, report_periods, state_report, states_in_use
from lms.reports.units import unit_report
from lms.reports.validity import EXPIRY_HORIZON_DAYS, expiring_count
from lms.scope import (
    OutOfScope,
    may_manage_municipality,
    may_see_quiz_scores,
    progress_filter,
    progress_units,
)
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db, get_reports_db, reports_stream_session
from lms.web.i18n import grouped
from lms.web.templating import local_date, share_percent
from lms.web.validation import query_int

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


# A share in percent, or „–“ when it is hidden because its group is small.
bp.add_app_template_filter(share_percent, "share")


#: German umlauts as German writes them without: „Baden-Württemberg“ → „baden-wuerttemberg“ (as the municipalities'
#: slugs do).
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_UMLAUTS)).strip("-")


def download(content: bytes | Iterator[bytes], name: str, fmt: str) -> Response:
    """A file download with a safe ASCII file name; an iterator is streamed, each chunk sent as it comes."""
    streamed = not isinstance(content, bytes)
    if not isinstance(content, bytes):
        # url_for, the locale and the settings stay usable while it is sent (the database: see reports_stream_session)
        content = stream_with_context(content)
    response = Response(content, content_type=MIME[fmt])  # exactly this header: one charset, not two
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if streamed:
        response.headers["X-Accel-Buffering"] = "no"  # let a proxy pass the chunks on as they come
    return response


#: Bytes read from a temporary file per chunk of a download.
FILE_CHUNK = 64 * 1024


def file_download(file: typing.IO[bytes], name: str, fmt: str) -> Response:
    """A temporary file sent in chunks, closed (so deleted) after its last chunk; its length announced."""

    def chunks() -> Iterator[bytes]:
        with file:
            while chunk := file.read(FILE_CHUNK):
                yield chunk

    response = download(chunks(), name, fmt)
    response.content_length = os.fstat(file.fileno()).st_size
    return response


@bp.get("/koordination")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def coordination() -> ResponseReturnValue:
    """Entry point of the main menu: the coordinator's own municipality, or the programme office's table."""
    user = acting_user()
    if user.has_role(Role.COORDINATOR) and user.municipality is not None:
        return redirect(url_for("reports.dashboard", slug=user.municipality.slug))
    return redirect(url_for("reports.programme"))


@bp.get("/einheiten")
@roles_required(Role.UNIT_MANAGER)
def my_units() -> ResponseReturnValue:
    """Entry point of the main menu for the head of org units: the progress of the units they lead."""
    user = acting_user()
    if user.municipality is None or not user.managed_unit_ids:
        abort(404)
    return redirect(url_for("reports.units", slug=user.municipality.slug))


@bp.get("/kommunen/<slug>/einheiten")
@roles_required(Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMIN)
def units(slug: str) -> ResponseReturnValue:
    """Progress by org unit: coverage and completed modules (a head of org units: only the units they lead)."""
    db, today = get_db(), clock.today()
    municipality = progress_municipality_or_404(slug)
    periods = all_periods(db)
    period = chosen_period(today, periods)
    try:
        report = unit_report(db, acting_user(), municipality, period, today)
    except OutOfScope:
        abort(404)
    return render_template("reports/units.html", report=report, periods=periods, no_unit=NO_UNIT)


@bp.get("/kommunen/<slug>")
@roles_required(Role.COORDINATOR, Role.ADMIN)
def dashboard(slug: str) -> ResponseReturnValue:
    """The municipality's dashboard: status against the targets, trainings, workshops, coverage, what is due."""
    db, today = get_db(), clock.today()
    municipality = municipality_or_404(slug)
    periods = all_periods(db)
    period = chosen_period(today, periods)
    reports = get_reports_db()
    titles = module_titles(reports)
    report = municipality_report(reports, municipality, period, today, titles)
    history = [
        period_status(reports, municipality, p, today) for p in begun_by(periods, today) if p.id != period.id
    ]
    return render_template(
        "reports/dashboard.html",
        report=report,
        history=history,
        periods=periods,
        due=due_next(reports, municipality, period, today, titles=titles),
        expiring=people_count(expiring_count(reports, municipality.id, today)),
        expiry_days=EXPIRY_HORIZON_DAYS,
        no_unit=NO_UNIT,
        variants=STATUS_VARIANTS,
        reason=report.assessment.reason(_, local_date),
    )


def _report(slug: str) -> MunicipalityReport:
    today = clock.today()
    return municipality_report(get_reports_db(), municipality_or_404(slug), chosen_period(today), today)


@bp.get("/kommunen/<slug>/abschluesse.<any(csv, xlsx):fmt>")
@roles_required(Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMIN)
def completions_export(slug: str, fmt: str) -> ResponseReturnValue:
    """The completion list of the period as CSV (German Excel, streamed row by row) or XLSX (from a temporary file).

    A head of org units gets their units' staff only.
    """
    today = clock.today()
    municipality = progress_municipality_or_404(slug)
    period = chosen_period(today)
    people = progress_filter(acting_user(), municipality.id)
    scores = may_see_quiz_scores(acting_user(), municipality.id)
    r, municipality_id = range_of(period, today), municipality.id
    from lms.reports import exports  # xlsxwriter only where a spreadsheet is made (memory of every worker)

    name, title = f"abschluesse-{municipality.slug}-{_slug(period.label)}", f"Abschlüsse {period.label}"
    if fmt == "xlsx":
        rows = completion_rows(get_reports_db(), r, municipality_id, people)
        table = exports.completion_table(title, rows, scores=scores)
        return file_download(exports.xlsx_file([table]), name, fmt)

    def lines() -> Iterator[bytes]:
        with reports_stream_session() as session:  # read while sent, after this request has ended
            rows = completion_rows(session, r, municipality_id, people)
            table = exports.completion_table(title, rows, scores=scores)
            yield from exports.csv_lines(table.header, table.rows)

    return download(lines(), name, fmt)


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
    rows = programme_report(get_reports_db(), period, today)
    return render_template(
        "reports/programme.html",
        period=period,
        periods=periods,
        rows=rows,
        variants=STATUS_VARIANTS,
        reasons={r.municipality.id: r.assessment.reason(_, local_date) for r in rows},
        met=sum(1 for r in rows if r.assessment.status is Status.MET),
    )


@bp.get("/programmbuero/uebersicht.<any(csv, xlsx, pdf):fmt>")
@roles_required(Role.ADMIN)
def programme_export(fmt: str) -> ResponseReturnValue:
    """The programme office's table as CSV (streamed row by row), XLSX (from a temporary file) or PDF."""
    today = clock.today()
    period = chosen_period(today)
    from lms.reports import exports, pdf  # loaded on first export (memory of every worker)

    name = f"programmuebersicht-{_slug(period.label)}"
    if fmt == "csv":

        def lines() -> Iterator[bytes]:
            # The header goes out at once; the figures follow when the aggregate is done (read while sent).
            with reports_stream_session() as session:
                lines = exports.csv_lines(
                    exports.programme_header(period), _programme_cells(session, period, today)
                )
                yield from lines

        return download(lines(), name, fmt)
    if fmt == "pdf":
        return download(
            pdf.programme_pdf(period, programme_report(get_reports_db(), period, today), today), name, fmt
        )
    rows, totals = programme_report_with_totals(get_reports_db(), period, today)
    return file_download(exports.xlsx_file([exports.programme_table(period, rows, totals)]), name, fmt)


def _programme_cells(session: Session, period: ProgrammePeriod, today: date) -> Iterator[list[Any]]:
    """The programme table's lines, the aggregate run only when the first is asked for (after the CSV header)."""
    from lms.reports import exports

    for row in programme_report(session, period, today):
        yield exports.programme_cells(row)


def _state_report() -> tuple[StateReport | None, list[str]]:
    """The report for ?land= (default: the first state in use) and ?zeitraum= (default: every year begun)."""
    db, today = get_db(), clock.today()
    states = states_in_use(db)
    wanted = request.args.get("land", "")
    state = find_state(wanted) if wanted else (states[0] if states else None)
    if wanted and state is None:
        abort(404)
    period_id = query_int("zeitraum")
    period = db.get(ProgrammePeriod, period_id) if period_id else None
    if period_id and period is None:
        abort(404)
    if state is None:
        return None, states
    return state_report(db, state, report_periods(db, today, period), today), states


def _ceiling_cents() -> int:
    return int(current_app.extensions["lms.settings"].funding_ceiling_euros) * 100


@bp.get("/programmbuero/landesbericht")
@roles_required(Role.ADMIN)
def state_report_page() -> ResponseReturnValue:
    """The report a state parliament asks for: every question for the municipalities of one federal state."""
    report, states = _state_report()
    from lms.reports import exports, state_document  # spreadsheet and PDF libraries only where they are used

    return render_template(
        "reports/state.html",
        report=report,
        states=states,
        periods=all_periods(get_db()),
        chosen_period=query_int("zeitraum"),
        tables=state_document.state_tables(report, _ceiling_cents()) if report else [],
        cell_text=exports.cell_text,
    )


@bp.get("/programmbuero/landesbericht.<any(csv, xlsx, pdf):fmt>")
@roles_required(Role.ADMIN)
def state_report_export(fmt: str) -> ResponseReturnValue:
    """The state report as PDF/A, XLSX (a sheet per question) or CSV."""
    report, _states = _state_report()
    if report is None:
        abort(404)
    from lms.reports import state_document  # spreadsheet and PDF libraries only where they are used

    tables = state_document.state_tables(report, _ceiling_cents())
    if fmt == "pdf":
        content = state_document.state_pdf(report, tables)
    elif fmt == "xlsx":
        content = state_document.state_xlsx(tables)
    else:
        content = state_document.state_csv(tables)
    # The years in the name: two downloads of different periods must not overwrite each other in a downloads folder.
    years = "-".join(_slug(p.label) for p in report.periods) if query_int("zeitraum") else "alle-zeitraeume"
    return download(content, f"landesbericht-{_slug(report.state)}-{years}", fmt)


# --- people (issue 14): one person's record; who has not yet completed a planned module ---------------------------


@bp.get("/kommunen/<slug>/beschaeftigte/<int:user_id>")
@roles_required(Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMIN)
def person(slug: str, user_id: int) -> ResponseReturnValue:
    """A person's planned modules with status and due date, their completions and certificates."""
    db, today = get_db(), clock.today()
    municipality = progress_municipality_or_404(slug)
    period = chosen_period(today)
    found = db.get(User, user_id)
    if found is None:
        abort(404)
    try:
        record = person_record(db, acting_user(), municipality, found, period, today)
    except OutOfScope:
        abort(404)
    return render_template(
        "reports/person.html",
        municipality=municipality,
        manages=may_manage_municipality(acting_user(), municipality.id),
        record=record,
        period=period,
        periods=all_periods(db),
        modes={"online": _("online"), "in_person": _("in Präsenz")},
    )


def _open_rows(slug: str) -> tuple[Any, ProgrammePeriod, list[OpenRow]]:
    db, today = get_db(), clock.today()
    municipality = progress_municipality_or_404(slug)
    period = chosen_period(today)
    rows = not_completed(
        db,
        acting_user(),
        municipality,
        period,
        today,
        org_unit_id=query_int("einheit"),
        module_id=query_int("modul"),
    )
    return municipality, period, rows


@bp.get("/kommunen/<slug>/offen")
@roles_required(Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMIN)
def not_completed_page(slug: str) -> ResponseReturnValue:
    """Who has not yet completed a planned module, filterable by org unit and module."""
    db = get_db()
    municipality, period, rows = _open_rows(slug)
    visible = progress_units(acting_user(), municipality.id)
    planned = sorted(
        set(
            db.scalars(
                select(TrainingAssignment.module_id).where(
                    TrainingAssignment.municipality_id == municipality.id,
                    TrainingAssignment.period_id == period.id,
                )
            )
        )
    )
    titles = module_titles(db)
    return render_template(
        "reports/not_completed.html",
        municipality=municipality,
        period=period,
        periods=all_periods(db),
        rows=rows,
        units=[
            unit
            for unit in db.scalars(
                select(OrgUnit).where(OrgUnit.municipality_id == municipality.id).order_by(OrgUnit.name)
            )
            if visible is None or unit.id in visible
        ],
        modules=sorted(((m, titles.get(m, "")) for m in planned), key=lambda pair: pair[1]),
        args=request.args,
    )


@bp.get("/kommunen/<slug>/offen.<any(csv, xlsx):fmt>")
@roles_required(Role.UNIT_MANAGER, Role.COORDINATOR, Role.ADMIN)
def not_completed_export(slug: str, fmt: str) -> ResponseReturnValue:
    """The same list as CSV (German Excel) or XLSX, formula-safe."""
    municipality, period, rows = _open_rows(slug)
    from lms.reports import exports  # xlsxwriter only where a spreadsheet is made (memory of every worker)

    table = exports.open_table(f"Offen {period.label}", rows)  # a sheet's name holds 31 characters
    content = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    return download(content, f"offen-{municipality.slug}-{_slug(period.label)}", fmt)
