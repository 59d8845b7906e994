"""`lms report programme|municipality`: the programme office's table and a municipality's exports, for scripts."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lms import time as clock
from lms.db import get_by_id

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from lms.orgs.models import ProgrammePeriod

FORMATS = click.Choice(["csv", "xlsx", "pdf"])


def _period(session: Session, period_id: int | None, today: date) -> ProgrammePeriod:
    from lms.orgs.models import ProgrammePeriod
    from lms.orgs.periods import current_period

    if period_id is None:
        period = current_period(session, today)
    else:
        period = get_by_id(session, ProgrammePeriod, period_id)
    if period is None:
        raise click.ClickException(
            f"Zeitraum {period_id} gibt es nicht."
            if period_id is not None
            else "Es gibt noch keinen Zeitraum."
        )
    return period


def _write(content: bytes, fmt: str, output: Path | None) -> None:
    if output is not None:
        try:
            output.write_bytes(content)
        except OSError as error:  # no such folder, no permission, a full disk
            raise click.ClickException(f"{output} kann nicht geschrieben werden: {error.strerror}.") from None
        click.echo(f"{output} geschrieben ({len(content)} Bytes).", err=True)
        return
    if fmt != "csv" and sys.stdout.isatty():
        raise click.ClickException(
            f"{fmt.upper()} ist binär: bitte mit --output DATEI in eine Datei schreiben."
        )
    sys.stdout.buffer.write(content)
    sys.stdout.flush()


@click.group("report")
def report_group() -> None:
    """Berichte: Programmübersicht und Nachweise einzelner Kommunen."""


@report_group.command("programme")
@click.option("--period", "period_id", type=int, help="ID des Zeitraums (Standard: der laufende)")
@click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (Standard: Standardausgabe)"
)
def report_programme(period_id: int | None, fmt: str, output: Path | None) -> None:
    """Alle Kommunen nebeneinander: Schulungen, Workshops, Teilnehmende, Abdeckung, Status."""
    from lms.commands import unit_of_work
    from lms.reports import exports, pdf
    from lms.reports.compliance import programme_report, programme_report_with_totals

    today = clock.today()
    with unit_of_work() as session:
        period = _period(session, period_id, today)
        if fmt == "xlsx":
            rows, totals = programme_report_with_totals(session, period, today)
            content = exports.to_xlsx([exports.programme_table(period, rows, totals)])
        else:
            rows = programme_report(session, period, today)
            if fmt == "pdf":
                content = pdf.programme_pdf(period, rows, today)
            else:
                content = exports.to_csv(exports.programme_table(period, rows))
    _write(content, fmt, output)


@report_group.command("rebuild-summary")
def report_rebuild_summary() -> None:
    """Programmübersicht neu berechnen: die Zusammenfassung je Zeitraum aus allen Abschlüssen (nach Massenimport)."""
    from lms.commands import unit_of_work
    from lms.reports.summary import rebuild_all

    # Needed only for completions written past the application (COPY, SQL by hand): the app keeps it otherwise.
    with unit_of_work() as session:
        periods = rebuild_all(session.connection())
    click.echo(f"Zusammenfassung für {periods} Zeiträume neu berechnet.")


@report_group.command("municipality")
@click.argument("slug")
@click.option("--period", "period_id", type=int, help="ID des Zeitraums (Standard: der laufende)")
@click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (Standard: Standardausgabe)"
)
def report_municipality(slug: str, period_id: int | None, fmt: str, output: Path | None) -> None:
    """Eine Kommune: PDF = Jahresnachweis; CSV/XLSX = Abschlussliste (wie die Downloads der Koordination)."""
    from sqlalchemy import select

    from lms.commands import unit_of_work
    from lms.orgs.models import Municipality
    from lms.reports import exports, pdf
    from lms.reports.compliance import municipality_report, range_of
    from lms.reports.queries import completion_list

    today = clock.today()
    with unit_of_work() as session:
        municipality = session.scalar(select(Municipality).where(Municipality.slug == slug))
        if municipality is None:
            raise click.ClickException(f"Kommune „{slug}“ gibt es nicht.")
        period = _period(session, period_id, today)
        if fmt == "pdf":
            content = pdf.evidence_pdf(municipality_report(session, municipality, period, today), today)
        else:
            rows = completion_list(session, range_of(period, today), municipality.id)
            table = exports.completion_table(f"Abschlüsse {period.label}", rows)
            content = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    _write(content, fmt, output)


@report_group.command("state")
@click.option("--state", "state", required=True, help="Bundesland, z. B. Hessen")
@click.option(
    "--period", "period_id", type=int, help="ID des Zeitraums (Standard: alle begonnenen Programmjahre)"
)
@click.option("--format", "fmt", type=FORMATS, default="pdf", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="Datei (Standard: Standardausgabe)"
)
def report_state(state: str, period_id: int | None, fmt: str, output: Path | None) -> None:
    """Landesbericht: Förderung, Maßnahmen, Migrantenorganisationen, Arbeitsdefinition, Ziele, Indikatoren."""
    from lms.commands import settings, unit_of_work
    from lms.orgs.states import find_state
    from lms.reports import state_document
    from lms.reports.state import report_periods, state_report

    official = find_state(state)
    if official is None:
        raise click.ClickException(f"„{state}“ ist kein Bundesland.")
    today = clock.today()
    ceiling = settings().funding_ceiling_euros * 100
    with unit_of_work() as session:
        period = _period(session, period_id, today) if period_id is not None else None
        report = state_report(session, official, report_periods(session, today, period), today)
        if not report.municipalities:
            raise click.ClickException(f"Keiner Kommune ist das Bundesland {official} zugeordnet.")
        tables = state_document.state_tables(report, ceiling)
        if fmt == "pdf":
            content = state_document.state_pdf(report, tables)
        elif fmt == "xlsx":
            content = state_document.state_xlsx(tables)
        else:
            content = state_document.state_csv(tables)
    _write(content, fmt, output)
