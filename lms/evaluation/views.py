"""Evaluation pages: the self-assessment before and after a module, the aggregates of a municipality with its
advisory board's assessments, the programme office's overview, the evaluators' CSV and the board's members."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectChoice

from lms import time as clock
from lms.auth.models import Role
from lms.config import Settings
from lms.content.models import Module, ModuleVersion
from lms.content.queries import visible_module
from lms.evaluation import board
from lms.evaluation.export import evaluator_csv
from lms.evaluation.forms import AssessmentForm, BoardMemberForm
from lms.evaluation.indicators import Indicator, Value, indicators_for
from lms.evaluation.models import Phase
from lms.evaluation.pseudonyms import link_secret
from lms.evaluation.queries import survey_results
from lms.evaluation.services import EvaluationError, skip_survey, submit_answers, survey_offer
from lms.mail import invitation_messages, send_after_commit
from lms.orgs.models import Municipality
from lms.orgs.periods import all_periods
from lms.orgs.views import chosen_period
from lms.quizzes.models import QuizAttempt
from lms.reports.compliance import municipality_report
from lms.reports.views import STATUS_VARIANTS
from lms.scope import OutOfScope, may_record_board_assessment, may_view_municipality
from lms.web.access import acting_user, roles_required
from lms.web.database import get_db
from lms.web.i18n import translate_error
from lms.web.templating import local_date, share_percent

bp = Blueprint("evaluation", __name__, template_folder="templates")

#: The phase as it appears in addresses.
PHASES = {"vorher": Phase.PRE, "nachher": Phase.POST}
SLUGS = {phase: slug for slug, phase in PHASES.items()}


@bp.app_template_filter("decimal_or_dash")
def decimal_or_dash(value: Decimal | None, signed: bool = False) -> str:
    """3,4 / +0,8 in the reader's language, or „–“ for a mean hidden because its group is small."""
    if value is None:
        return "–"
    text = str(format_decimal(abs(value), format="#,##0.0"))
    if signed:
        return ("+" if value >= 0 else "−") + text
    return text


@bp.app_template_filter("indicator_name")
def indicator_name(indicator: Indicator) -> str:
    """An indicator's name in the reader's language (a self-assessment's statement and module title stay as
    written)."""
    # The statement and the title are German content: marked for screen readers (WCAG 3.1.2).
    if indicator.item:
        german = Markup('<span lang="de">%s</span>')
        return Markup(_(indicator.name)) % {
            "item": german % indicator.item,
            "module": german % indicator.module,
        }
    return str(_(indicator.name))


@bp.app_template_filter("indicator_value")
def indicator_value(value: Value) -> str:
    """A value in the reader's language: 63,6 % / 63.6%, +1,7 (6 Paare) / +1.7 (6 pairs), „–“ where hidden."""
    if value.pairs is None:
        return share_percent(value.number)
    pairs = format_decimal(value.pairs) if isinstance(value.pairs, int) else value.pairs
    if value.number is None:
        return "–" if value.pairs == 0 else str(_("– (%(pairs)s Paare)", pairs=pairs))
    change = decimal_or_dash(value.number, signed=True)
    return str(_("%(change)s (%(pairs)s Paare)", change=change, pairs=pairs))


def _secret() -> bytes:
    return link_secret(str(current_app.config["SECRET_KEY"]))


# --- learners: before and after a module ------------------------------------------------------------------------


@bp.app_template_global()
def survey_pre_url(module: Module, version: ModuleVersion) -> str | None:
    """Where „Mit dem ersten Abschnitt beginnen“ leads when a self-assessment is open before the module."""
    if not current_user.is_authenticated:
        return None
    if survey_offer(get_db(), _secret(), acting_user(), version, Phase.PRE) is None:
        return None
    return url_for("evaluation.survey", slug=module.slug, version_id=version.id, phase="vorher")


@bp.app_template_global()
def survey_post_url(attempt: QuizAttempt) -> str | None:
    """The self-assessment after the module, offered on the result page of a passed quiz."""
    if not current_user.is_authenticated or not attempt.is_passed:
        return None
    version = attempt.module_version
    if survey_offer(get_db(), _secret(), acting_user(), version, Phase.POST) is None:
        return None
    return url_for("evaluation.survey", slug=version.module.slug, version_id=version.id, phase="nachher")


def _version(slug: str, version_id: int) -> ModuleVersion:
    """The module version if the person may see the module (the current version, or one they completed)."""
    found = visible_module(get_db(), acting_user(), slug)
    version = get_db().get(ModuleVersion, version_id)
    if found is None or version is None or version.module_id != found[0].id:
        abort(404)
    return version


def _after(version: ModuleVersion, phase: Phase) -> str:
    """Before: on to the first section. After: back to the module."""
    slug = version.module.slug
    if phase is Phase.PRE:
        return url_for("progress.section", slug=slug, position=1)
    return url_for("progress.module_overview", slug=slug)


@bp.route(
    "/module/<slug>/selbsteinschaetzung/<int:version_id>/<any(vorher, nachher):phase>",
    methods=["GET", "POST"],
)
@login_required
def survey(slug: str, version_id: int, phase: str) -> ResponseReturnValue:
    """The self-assessment before or after a module: Likert items and free text, skippable."""
    db, user, which = get_db(), acting_user(), PHASES[phase]
    version = _version(slug, version_id)
    offered = survey_offer(db, _secret(), user, version, which)
    if offered is None:
        return redirect(_after(version, which))
    error, given = None, {}
    if request.method == "POST":
        given = {key: value for key, value in request.form.items() if key != "csrf_token"}
        try:
            submit_answers(db, _secret(), user, version, which, given, clock.today())
        except EvaluationError as refused:
            error = translate_error(refused)
        else:
            flash(_("Danke! Ihre Selbsteinschätzung ist gespeichert – ohne Ihren Namen."), "success")
            return redirect(_after(version, which), 303)
    page = render_template(
        "evaluation/survey.html",
        version=version,
        survey=offered,
        phase=which,
        phase_slug=phase,
        given=given,
        error=error,
    )
    return page, 400 if error else 200


@bp.post("/module/<slug>/selbsteinschaetzung/<int:version_id>/<any(vorher, nachher):phase>/ueberspringen")
@login_required
def skip(slug: str, version_id: int, phase: str) -> ResponseReturnValue:
    """„Überspringen“: the phase is not offered again; the module goes on as if nothing happened."""
    version = _version(slug, version_id)
    skip_survey(get_db(), _secret(), acting_user(), version, PHASES[phase])
    return redirect(_after(version, PHASES[phase]), 303)


# --- a municipality's evaluation and its advisory board ----------------------------------------------------


def _viewable(slug: str) -> Municipality:
    """The municipality if the person may read its aggregates (its board, its coordinators, the office); else 404."""
    found = get_db().scalar(select(Municipality).where(Municipality.slug == slug))
    if found is None or not may_view_municipality(acting_user(), found.id):
        abort(404)
    return found


def _municipality_page(
    municipality: Municipality, form: AssessmentForm, error: str | None = None
) -> tuple[str, int]:
    db, user, today = get_db(), acting_user(), clock.today()
    period = chosen_period(today)
    report = municipality_report(db, municipality, period, today)
    page = render_template(
        "evaluation/municipality.html",
        municipality=municipality,
        period=period,
        periods=all_periods(db),
        report=report,
        reason=report.assessment.reason(_, local_date),
        variant=STATUS_VARIANTS[report.assessment.status],
        indicators=indicators_for(db, period, [municipality], today),
        groups=survey_results(db, municipality.id, period.id),
        assessments=board.assessments(db, user, municipality, period.id),
        may_record=may_record_board_assessment(user, municipality.id),
        is_manager=user.has_role(Role.ADMIN) or user.has_role(Role.COORDINATOR),
        form=form,
        error=error,
    )
    return page, 400 if (error or form.errors) else 200


def _assessment_form(period_id: int | None = None) -> AssessmentForm:
    form = AssessmentForm(formdata=None if request.method == "GET" else request.form)
    form.period_id.choices = [SelectChoice(p.id, p.label) for p in all_periods(get_db())]
    if request.method == "GET":
        form.period_id.data = period_id
        form.assessed_on.data = clock.today()
    return form


@bp.get("/kommunen/<slug>/evaluation")
@roles_required(Role.ADVISORY_BOARD, Role.COORDINATOR, Role.ADMIN)
def municipality(slug: str) -> ResponseReturnValue:
    """Aggregates only: the status against the targets, the indicators, the self-assessments, the board's view."""
    town = _viewable(slug)
    return _municipality_page(town, _assessment_form(chosen_period(clock.today()).id))


@bp.post("/kommunen/<slug>/evaluation/einschaetzung")
@roles_required(Role.ADVISORY_BOARD)
def record_assessment(slug: str) -> ResponseReturnValue:
    """The board records its assessment of a period (text, date, authors)."""
    db, user = get_db(), acting_user()
    town = _viewable(slug)
    if not may_record_board_assessment(user, town.id):
        abort(404)
    form = _assessment_form()
    if not form.validate():
        return _municipality_page(town, form)
    wanted = board.AssessmentInput(
        period_id=form.period_id.data or 0,
        assessed_on=form.assessed_on.data or clock.today(),
        authors=form.authors.data or "",
        text=form.text.data or "",
    )
    try:
        board.record_assessment(db, user, town, wanted)
    except OutOfScope:
        abort(404)
    except board.BoardError as refused:
        return _municipality_page(town, form, translate_error(refused))
    flash(_("Die Einschätzung des Beirats ist gespeichert."), "success")
    return redirect(url_for("evaluation.municipality", slug=town.slug, zeitraum=wanted.period_id), 303)


@bp.get("/beirat")
@roles_required(Role.ADVISORY_BOARD)
def board_home() -> ResponseReturnValue:
    """Entry of the main menu for a board member: their municipality's page."""
    town = get_db().get(Municipality, acting_user().board_municipality_id or 0)
    if town is None:
        abort(404)
    return redirect(url_for("evaluation.municipality", slug=town.slug))


# --- the programme office ---------------------------------------------------------------------------------------


@bp.get("/programmbuero/evaluation")
@roles_required(Role.ADMIN)
def programme_overview() -> ResponseReturnValue:
    """Every municipality's indicators side by side for one period, with the evaluators' file."""
    db, today = get_db(), clock.today()
    period = chosen_period(today)
    towns = list(db.scalars(select(Municipality).order_by(Municipality.name)))
    return render_template(
        "evaluation/programme.html",
        period=period,
        periods=all_periods(db),
        municipalities=towns,
        indicators=indicators_for(db, period, towns, today),
    )


@bp.get("/programmbuero/evaluation/antworten.csv")
@roles_required(Role.ADMIN)
def evaluator_file() -> ResponseReturnValue:
    """Pseudonymous answers per item for the external evaluators (small groups pooled or left out)."""
    response = Response(evaluator_csv(get_db()), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="selbsteinschaetzungen-pseudonym.csv"'
    return response


def _settings() -> Settings:
    settings: Settings = current_app.extensions["lms.settings"]
    return settings


def _members_page(form: BoardMemberForm, error: str | None = None) -> tuple[str, int]:
    db = get_db()
    page = render_template(
        "evaluation/members.html",
        form=form,
        error=error,
        members=board.board_members(db),
        municipalities={m.id: m for m in db.scalars(select(Municipality))},
    )
    return page, 400 if (error or form.errors) else 200


def _member_form() -> BoardMemberForm:
    form = BoardMemberForm(formdata=None if request.method == "GET" else request.form)
    form.municipality_id.choices = [
        SelectChoice(m.id, m.name) for m in get_db().scalars(select(Municipality).order_by(Municipality.name))
    ]
    return form


@bp.route("/programmbuero/beirat", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def members() -> ResponseReturnValue:
    """Who sits on which advisory board; appoint (creating and inviting an account if needed) or remove."""
    form = _member_form()
    if request.method == "GET":
        return _members_page(form)
    if not form.validate():
        return _members_page(form)
    db, actor = get_db(), acting_user()
    town = db.get(Municipality, form.municipality_id.data or 0)
    if town is None:
        abort(400)
    try:
        if form.change.data == "grant":
            appointed = board.appoint_member(
                db, actor, town, form.email.data or "", form.name.data or "", form.reason.data or ""
            )
            if appointed.is_new:
                _invite(appointed.person, town)
            flash(
                _(
                    "%(name)s gehört jetzt dem Beirat von %(town)s an.",
                    name=appointed.person.display_name,
                    town=town.name,
                ),
                "success",
            )
        else:
            person = board.find_member(db, form.email.data or "")
            if person is None:
                raise board.BoardError("board.not_member")
            board.remove_member(db, actor, person, form.reason.data or "")
            flash(_("%(name)s gehört keinem Beirat mehr an.", name=person.display_name), "success")
    except OutOfScope:
        abort(403)
    except board.BoardError as refused:
        return _members_page(form, translate_error(refused))
    return redirect(url_for("evaluation.members"), 303)


def _invite(person: Any, town: Municipality) -> None:
    """An invitation link for a new board member's account; the mail leaves after the commit."""
    from lms.auth.invitations import create_invitations

    settings = _settings()
    [(user, token, row)] = create_invitations(
        get_db(), [person], actor_id=acting_user().id, days=settings.invitation_days
    )
    messages = invitation_messages(
        settings, town.name, [(user.id, user.email, user.display_name, token, row.expires_at)]
    )
    send_after_commit(get_db(), settings, messages)
