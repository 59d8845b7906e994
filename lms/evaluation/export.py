"""The external evaluators' file: pseudonymous answers per item, one row per answer, as CSV for German Excel.

Columns: pseudonym, module, module version, survey version, municipality, period, phase, item, value, text. No date,
no time, no person. A pseudonym is random (lms.evaluation.pseudonyms) and links only the two answers of one person
to one module version.

Small groups: a municipality with fewer than five respondents for a module version in a period could be recognised
by the evaluators (a team of three in a small town). Such a group is pooled with the other small groups of the same
module version and period under „mehrere Kommunen (zusammengefasst)“; a pool that still has fewer than five
respondents is left out. Free texts are included only where the group (after pooling) has at least five respondents.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.content.models import Module, ModuleVersion
from lms.disclosure import THRESHOLD
from lms.evaluation.models import SurveyAnswer, SurveyResponse, SurveyVersion
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.spreadsheet import neutralise

POOLED = "mehrere Kommunen (zusammengefasst)"
NO_PERIOD = "außerhalb der Programmjahre"
HEADER = [
    "Pseudonym",
    "Modul",
    "Modulversion",
    "Fragebogenversion",
    "Kommune",
    "Zeitraum",
    "Phase",
    "Frage",
    "Aussage",
    "Wert",
    "Freitext",
]
PHASES = {"pre": "vorher", "post": "nachher"}


def _respondents(session: Session) -> dict[tuple[int, int, int | None], int]:
    """(module version, municipality, period) → distinct pseudonyms (people) with answers."""
    r = SurveyResponse
    rows = session.execute(
        select(
            r.module_version_id, r.municipality_id, r.period_id, func.count(func.distinct(r.pseudonym))
        ).group_by(r.module_version_id, r.municipality_id, r.period_id)
    ).all()
    return {(mv, mid, pid): n for mv, mid, pid, n in rows}


def evaluator_rows(session: Session) -> list[list[str]]:
    """Every answer that may leave the platform, with small groups pooled or left out (see the module's doc)."""
    sizes = _respondents(session)
    pool_sizes: dict[tuple[int, int | None], int] = defaultdict(int)
    for (mv, _mid, pid), n in sizes.items():
        if n < THRESHOLD:
            pool_sizes[(mv, pid)] += n
    names = dict(session.execute(select(Municipality.id, Municipality.name)).all())
    periods = dict(session.execute(select(ProgrammePeriod.id, ProgrammePeriod.label)).all())
    r = SurveyResponse
    query = (
        select(r, SurveyAnswer, ModuleVersion, Module.slug, SurveyVersion)
        .join(SurveyAnswer, SurveyAnswer.response_id == r.id)
        .join(ModuleVersion, ModuleVersion.id == r.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .join(SurveyVersion, SurveyVersion.id == r.survey_version_id)
        .order_by(Module.slug, ModuleVersion.id, r.pseudonym, r.phase.desc(), SurveyAnswer.item_key)
    )
    rows = []
    for response, answer, module_version, slug, survey_version in session.execute(query).all():
        size = sizes[(response.module_version_id, response.municipality_id, response.period_id)]
        if size >= THRESHOLD:
            town = names.get(response.municipality_id, "")
            group_size = size
        else:
            town = POOLED
            group_size = pool_sizes[(response.module_version_id, response.period_id)]
        if group_size < THRESHOLD:
            continue
        item = survey_version.item(answer.item_key) or {"text": answer.item_key}
        rows.append(
            [
                response.pseudonym,
                slug,
                module_version.version_label,
                str(survey_version.number),
                town,
                periods.get(response.period_id, NO_PERIOD) if response.period_id else NO_PERIOD,
                PHASES.get(response.phase, response.phase),
                answer.item_key,
                item["text"],
                "" if answer.value is None else str(answer.value),
                answer.text or "",
            ]
        )
    return rows


def evaluator_csv(session: Session) -> bytes:
    """The evaluators' file: UTF-8 with BOM, semicolons, formula-like cells neutralised (opens in German Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in evaluator_rows(session):
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")
