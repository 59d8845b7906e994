"""The funding import: upload, preview with a problem per row, apply (the programme office; like the staff import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.errors import ServiceError
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.orgs.staff_csv import RowProblem
from lms.programme.funding_file import GRANT, FundingRow, parse_funding_file
from lms.programme.models import MeasureImport, MeasureKind
from lms.programme.services import MeasureInput, add_measure, is_recorded, period_of_day, set_granted
from lms.scope import Actor

#: Uploads never applied are removed after a day (they may hold a draft budget nobody confirmed).
STALE_AFTER = timedelta(days=1)


class FundingImportRefused(ServiceError, ValueError):
    """The staged file cannot be applied as asked."""


@dataclass(frozen=True)
class PreviewLine:
    """A valid row with what applying will do: ``measure``, ``grant`` (sets the year's grant) or ``known``."""

    row: FundingRow
    municipality: Municipality
    period: ProgrammePeriod
    action: str


@dataclass
class FundingPreview:
    """The rows applying would take over, the faulty ones, and the counts."""

    lines: list[PreviewLine] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)


def stage_funding_import(session: Session, actor: Actor, filename: str, content: bytes) -> MeasureImport:
    """Keep an uploaded file until it is applied; old unapplied uploads are removed."""
    session.execute(
        delete(MeasureImport).where(
            MeasureImport.applied_at.is_(None), MeasureImport.created_at < clock.now() - STALE_AFTER
        )
    )
    staged = MeasureImport(
        uploaded_by_id=actor.id, filename=(filename or "foerderung.xlsx")[:255], content=content
    )
    session.add(staged)
    session.flush()
    return staged


def preview_funding_import(session: Session, content: bytes) -> FundingPreview:
    """What applying the file would do; raises FundingFileError if the file cannot be read at all."""
    parsed = parse_funding_file(content)
    preview = FundingPreview(problems=list(parsed.problems), ignored_columns=parsed.ignored_columns)
    by_key: dict[str, Municipality] = {}
    for each in session.scalars(select(Municipality)):
        by_key[each.slug.casefold()] = each
        by_key[each.name.casefold()] = each
    seen: set[tuple[int, str, int, object, str]] = set()
    for row in parsed.rows:
        municipality = by_key.get(row.municipality.casefold())
        period = period_of_day(session, row.occurred_on)
        if municipality is None:
            preview.problems.append(
                RowProblem(row.line, ServiceError("funding.municipality_unknown", name=row.municipality))
            )
            continue
        if period is None:
            preview.problems.append(
                RowProblem(row.line, ServiceError("funding.no_period", date=row.occurred_on))
            )
            continue
        if row.kind == GRANT:
            preview.lines.append(PreviewLine(row, municipality, period, "grant"))
            continue
        key = (municipality.id, row.kind, row.amount_cents, row.occurred_on, row.description)
        known = key in seen or is_recorded(session, municipality.id, _measure(row))
        seen.add(key)
        preview.lines.append(PreviewLine(row, municipality, period, "known" if known else "measure"))
    preview.problems.sort(key=lambda problem: problem.line)
    return preview


def _measure(row: FundingRow) -> MeasureInput:
    return MeasureInput(MeasureKind(row.kind), row.amount_cents, row.occurred_on, row.description)


def apply_funding_import(
    session: Session, actor: Actor, staged: MeasureImport, *, skip_invalid: bool
) -> dict[str, int]:
    """Take over the staged file: new measures and the years' grants; known measures are left alone (audited)."""
    if staged.applied_at is not None or staged.content is None:
        raise FundingImportRefused("import.already_applied")
    preview = preview_funding_import(session, staged.content)
    if preview.problems and not skip_invalid:
        raise FundingImportRefused("import.faulty_rows", n=len(preview.problems))
    for line in preview.lines:
        if line.action == "measure":
            add_measure(session, actor, line.municipality, _measure(line.row), import_id=staged.id)
        elif line.action == "grant":
            set_granted(session, actor, line.municipality, line.period, line.row.amount_cents)
    summary = {
        "measures": preview.count("measure"),
        "grants": preview.count("grant"),
        "known": preview.count("known"),
        "skipped": len(preview.problems),
    }
    staged.applied_at = clock.now()
    staged.summary = summary
    staged.content = None
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="funding.imported",
        object_type="measure_import",
        object_id=staged.id,
        filename=staged.filename,
        **summary,
    )
    return summary
