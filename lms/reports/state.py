"""The state report: what a state parliament asks about the model programme, per municipality of one federal state.

Answers, per municipality and programme year: funding, measures by kind, participating migrant organisations (named
only with their consent, otherwise counted), the working definition of racism, trainings and workshops delivered
against the targets, and the evaluation indicators. Built from the same SQL aggregates as the programme office's
pages; counts of people pass through lms.disclosure there, so this report cannot show more than those pages.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.documents.queries import WORKING_DEFINITION, current_document
from lms.evaluation.indicators import Value, indicators_for
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.orgs.periods import all_periods
from lms.programme.queries import FundingLine, OrganisationLine, funding_lines, organisation_lines
from lms.reports.compliance import ProgrammeRow, programme_report


@dataclass(frozen=True)
class DefinitionStatus:
    """The working definition of racism as the report cites it."""

    title: str
    version: str
    published_on: date | None
    consultation: str
    icerd_relation: str


@dataclass(frozen=True)
class Indicator:
    """An evaluation indicator: its name, how it is measured, and its value per municipality (already suppressed
    where it must be)."""

    name: str
    method: str
    values: dict[int, Value]


@dataclass
class StateReport:
    """Everything the state report shows, for the municipalities of one state and the chosen programme years."""

    state: str
    periods: list[ProgrammePeriod]
    municipalities: list[Municipality]
    today: date
    funding: list[FundingLine] = field(default_factory=list)
    organisations: list[OrganisationLine] = field(default_factory=list)
    #: (municipality id, period id) → organisations that did not agree to be named.
    unnamed: dict[tuple[int, int], int] = field(default_factory=dict)
    delivery: list[tuple[ProgrammePeriod, ProgrammeRow]] = field(default_factory=list)
    definition: DefinitionStatus | None = None
    indicators: list[tuple[ProgrammePeriod, list[Indicator]]] = field(default_factory=list)


def states_in_use(session: Session) -> list[str]:
    """The federal states that at least one municipality belongs to, alphabetically."""
    return list(
        session.scalars(
            select(Municipality.federal_state)
            .where(Municipality.federal_state.is_not(None))
            .distinct()
            .order_by(Municipality.federal_state)
        )
    )


def report_periods(
    session: Session, today: date, period: ProgrammePeriod | None = None
) -> list[ProgrammePeriod]:
    """The chosen period, or every programme year that has begun."""
    if period is not None:
        return [period]
    return [p for p in all_periods(session) if p.starts_on <= today] or all_periods(session)[:1]


def state_report(session: Session, state: str, periods: list[ProgrammePeriod], today: date) -> StateReport:
    """The report for one state: a fixed number of grouped queries per programme year."""
    municipalities = list(
        session.scalars(
            select(Municipality).where(Municipality.federal_state == state).order_by(Municipality.name)
        )
    )
    ids = [m.id for m in municipalities]
    report = StateReport(state, sorted(periods, key=lambda p: p.starts_on), municipalities, today)
    for period in report.periods:
        report.funding += funding_lines(session, period, ids)
        report.organisations += organisation_lines(
            session, period=period, municipality_ids=ids, named_only=True
        )
        for line in organisation_lines(session, period=period, municipality_ids=ids):
            if not line.organisation.may_be_named:
                key = (line.municipality.id, period.id)
                report.unnamed[key] = report.unnamed.get(key, 0) + 1
        in_state = [row for row in programme_report(session, period, today) if row.municipality.id in ids]
        report.delivery += [(period, row) for row in in_state]
        report.indicators.append(
            (
                period,
                [
                    Indicator(i.german_name, i.method, dict(i.values))
                    for i in indicators_for(session, period, municipalities, today)
                ],
            )
        )
    report.definition = working_definition(session)
    return report


#: Where sanitised HTML breaks a line in plain text: after a paragraph, heading, list item or table row.
_LINE_ENDS = re.compile(r"</(p|h[1-6]|li|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
#: Between two cells of a table row.
_CELL_ENDS = re.compile(r"</t[dh]>", re.IGNORECASE)


def plain_text(fragment: str) -> str:
    """Sanitised HTML as plain text for a table cell: one line per paragraph, list item and table row (cells
    divided by „ | “), tags dropped, entities resolved. A table of the document stays readable in the CSV and the
    spreadsheet instead of running into one line (found by a QA sweep)."""
    flat = " ".join(fragment.split())  # the HTML's own line breaks mean nothing
    marked = _CELL_ENDS.sub(" | ", _LINE_ENDS.sub("\n", flat))
    text = html.unescape(re.sub(r"<[^>]+>", " ", marked))
    lines = (" ".join(line.split()).removesuffix(" |") for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def working_definition(session: Session) -> DefinitionStatus | None:
    """The working definition of racism as the report cites it: version, consultation, relation to ICERD Art. 1."""
    current = current_document(session, WORKING_DEFINITION)
    if current is None:
        return None
    window = ""
    if current.consultation_opens_on and current.consultation_closes_on:
        window = (
            f" ({clock.fixed_date(current.consultation_opens_on)} bis "
            f"{clock.fixed_date(current.consultation_closes_on)})"
        )
    consultation = (
        f"{current.consultation_status_label}{window}; {current.comments} Kommentare, davon {current.answered} "
        f"beantwortet; {current.status_label}"
    )
    section = current.icerd_section
    relation = (
        f"{section.title}: {plain_text(section.html)}"
        if section
        else "Das Dokument nennt keinen Abschnitt zu ICERD Art. 1."
    )
    return DefinitionStatus(
        title=current.title,
        version=current.version_label,
        published_on=current.published_on,
        consultation=consultation,
        icerd_relation=relation,
    )
