"""The state report as tables (one XLSX sheet per question, one CSV) and as a PDF/A with a heading per question."""

from __future__ import annotations

import csv
import io

from lms import time as clock
from lms.evaluation.indicators import Value
from lms.programme.models import (
    MEASURE_KIND_LABELS,
    PARTICIPATION_FORMAT_LABELS,
    MeasureKind,
    ParticipationFormat,
)
from lms.reports.exports import Cell, Euro, Table, cell_text, to_xlsx
from lms.reports.pdf import NOTE, ReportDocument
from lms.reports.state import StateReport
from lms.spreadsheet import neutralise

#: The questions of the report, in the order of the state parliament's inquiry.
QUESTIONS = (
    "1 Förderung",
    "2 Maßnahmen nach Art",
    "3 Migrantenorganisationen",
    "4 Arbeitsdefinition Rassismus",
    "5 Schulungen und Workshops",
    "6 Evaluationsindikatoren",
)


def _period_of(line_period_id: int, report: StateReport) -> str:
    return next(p.label for p in report.periods if p.id == line_period_id)


def state_tables(report: StateReport, ceiling_cents: int) -> list[Table]:
    """One table per question."""
    kinds = list(MeasureKind)
    funding = Table(
        title=QUESTIONS[0],
        header=[
            "Kommune",
            "Programmjahr",
            "Bewilligt",
            "Ausgegeben (Summe der Maßnahmen)",
            "Über der Obergrenze",
        ],
        rows=[
            [
                line.municipality.name,
                line.period.label,
                Euro(line.granted_cents) if line.granted_cents is not None else "nicht erfasst",
                Euro(line.spent_cents),
                "ja" if line.over_ceiling(ceiling_cents) else "nein",
            ]
            for line in report.funding
        ],
        widths=[2.5, 1.4, 1.3, 1.6, 1],
    )
    measures = Table(
        title=QUESTIONS[1],
        header=["Kommune", "Programmjahr", *(MEASURE_KIND_LABELS[k] for k in kinds), "Summe"],
        rows=[
            [
                line.municipality.name,
                line.period.label,
                *(Euro(line.spent(k)) for k in kinds),
                Euro(line.spent_cents),
            ]
            for line in report.funding
        ],
        widths=[2.5, 1.4, 1.2, 1.2, 1.2, 1.2, 1.2],
    )
    named: list[list[Cell]] = [
        [
            line.organisation.name,
            line.organisation.seat,
            PARTICIPATION_FORMAT_LABELS[ParticipationFormat(line.organisation.participation)],
            line.municipality.name,
            line.period.label,
        ]
        for line in report.organisations
    ]
    counted: list[list[Cell]] = [
        [
            f"weitere Organisationen ohne Einverständnis zur Nennung: {count}",
            "",
            "",
            next(m.name for m in report.municipalities if m.id == municipality_id),
            _period_of(period_id, report),
        ]
        for (municipality_id, period_id), count in sorted(report.unnamed.items())
    ]
    organisations = Table(
        title=QUESTIONS[2],
        header=["Organisation", "Sitz", "Form der Beteiligung", "Kommune", "Programmjahr"],
        rows=named + counted,
        widths=[3, 1.5, 1.6, 2.2, 1.3],
    )
    definition = report.definition
    definition_rows: list[list[Cell]] = (
        [
            ["Dokument", definition.title],
            ["Version", definition.version],
            ["Veröffentlicht am", definition.published_on or "–"],
            ["Stand der Konsultation", definition.consultation],
            ["Bezug zu ICERD Art. 1", definition.icerd_relation],
        ]
        if definition
        else [["Stand", "Auf der Plattform ist noch keine Arbeitsdefinition veröffentlicht."]]
    )
    definition_table = Table(
        title=QUESTIONS[3],
        header=["Angabe", "Inhalt"],
        rows=definition_rows,
        widths=[1.2, 5],
        row_headers=True,
    )
    delivery = Table(
        title=QUESTIONS[4],
        header=[
            "Kommune",
            "Programmjahr",
            "Schulungsmodule erreicht",
            "Ziel Schulungsmodule",
            "Empowerment-Workshops",
            "Ziel Workshops",
            "Geschulte Beschäftigte",
            "Teilnehmende (Workshops ab 5 Personen)",
            "Status",
        ],
        rows=[
            [
                row.municipality.name,
                period.label,
                row.modules_delivered,
                period.min_training_modules,
                row.workshops,
                period.min_workshops,
                row.trained_staff,
                row.participants,
                row.assessment.label,
            ]
            for period, row in report.delivery
        ],
        widths=[2.4, 1.4, 1.1, 1, 1.1, 1, 1.1, 1.1, 1.2],
    )
    indicator_rows: list[list[Cell]] = [
        [
            period.label,
            indicator.name,
            indicator.method,
            municipality.name,
            *_value_cells(indicator.values, municipality.id),
        ]
        for period, indicators in report.indicators
        for indicator in indicators
        for municipality in report.municipalities
    ]
    indicators = Table(
        title=QUESTIONS[5],
        header=[
            "Programmjahr",
            "Indikator",
            "Wie gemessen",
            "Kommune",
            "Wert",
            "Einheit",
            "Vorher-nachher-Paare",
        ],
        rows=indicator_rows,
        widths=[1.2, 1.8, 4, 2, 0.8, 1.2, 1],
    )
    return [funding, measures, organisations, definition_table, delivery, indicators]


def _value_cells(values: dict[int, Value], municipality_id: int) -> list[Cell]:
    """Value, unit and pairs of one indicator in one municipality: a number in XLSX, „–“ where it is hidden."""
    value = values.get(municipality_id)
    if value is None:
        return [None, "", ""]
    if value.pairs is None:  # a rate or the mean quiz score
        return [value.number, "%", ""]
    return [value.number, "Veränderung im Mittel", value.pairs]


def state_csv(tables: list[Table]) -> bytes:
    """All questions in one CSV for German Excel: a column names the question, then each table's own columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for table in tables:
        writer.writerow([neutralise(h) for h in ("Frage", *table.header)])
        for row in table.rows:
            writer.writerow([neutralise(table.title), *(neutralise(cell_text(c)) for c in row)])
        writer.writerow([])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def state_xlsx(tables: list[Table]) -> bytes:
    """One worksheet per question."""
    return to_xlsx(tables)


def state_pdf(report: StateReport, tables: list[Table]) -> bytes:
    """PDF/A-2b, landscape; each question is a heading and a bookmark, so a reader can jump between them."""
    years = ", ".join(p.label for p in report.periods)
    title = f"Bericht {report.state}: Modellprogramm „Kommunen für alle?“"
    pdf = ReportDocument(title, orientation="landscape", archival=True)
    pdf.add_page()
    pdf.heading(title, 18, level=0, rank=1)
    pdf.paragraph(
        f"Modellkommunen in {report.state}: {', '.join(m.name for m in report.municipalities) or 'keine'} · "
        f"{years} · Stand {clock.fixed_date(report.today)}",
        11,
    )
    for table in tables:
        pdf.table_of(table, size=8, empty="Keine Angaben.", level=1)
    pdf.paragraph(NOTE, 8)
    pdf.paragraph(
        "Migrantenorganisationen werden nur mit ihrem Einverständnis genannt; die übrigen sind je Kommune und "
        "Programmjahr gezählt. Beträge in Euro; „Ausgegeben“ ist die Summe der erfassten Maßnahmen.",
        8,
    )
    return bytes(pdf.output())
