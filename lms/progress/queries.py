"""A person's progress through their modules, as grouped SQL queries (no query per module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lms.auth.models import User
from lms.content.models import ChangeKind, Module, ModuleKind, ModuleSection, ModuleVersion
from lms.content.queries import catalogue
from lms.db import built_once
from lms.progress.models import Completion, SectionRead


@dataclass(frozen=True)
class ModuleProgress:
    """One row of „Meine Module“."""

    module: Module
    version: ModuleVersion
    sections_total: int
    sections_read: int
    #: The person's newest completion of any version of this module.
    completion: Completion | None
    #: Position of the section to continue with.
    resume_position: int
    #: Material changes published since the person's completion, oldest first (what they are told about).
    changes_since_completion: tuple[ModuleVersion, ...] = ()

    @property
    def is_complete_current(self) -> bool:
        """Completed this version, or an earlier one followed by editorial changes only."""
        return self.completion is not None and not self.changes_since_completion

    @property
    def percent(self) -> int:
        """Sections read as a share; 100 once this version is completed."""
        if self.is_complete_current:
            return 100
        if not self.sections_total:
            return 0
        # Reading everything is not finishing: the quiz is the last step, so reading caps at 90 %.
        return min(90, round(90 * self.sections_read / self.sections_total))

    @property
    def status(self) -> str:
        if self.is_complete_current:
            return "abgeschlossen"
        if self.sections_read:
            return "begonnen"
        return "offen"


def my_modules(session: Session, user: User) -> list[ModuleProgress]:
    """The person's training modules with progress on their current versions (a fixed number of queries)."""
    rows = catalogue(session, user, kind=ModuleKind.TRAINING.value)
    version_ids = [v.id for _m, v in rows]
    if not version_ids:
        return []
    totals, reads, resume = _reading(session, user, version_ids)
    completions = latest_completions(session, user)
    changes = material_changes_since(session, {mid: c.module_version_id for mid, c in completions.items()})
    return [
        ModuleProgress(
            module=m,
            version=v,
            sections_total=totals.get(v.id, 0),
            sections_read=reads.get(v.id, 0),
            completion=completions.get(m.id),
            resume_position=resume.get(v.id, 1),
            changes_since_completion=tuple(c for c in changes.get(m.id, ()) if c.id <= v.id),
        )
        for m, v in rows
    ]


@built_once
def _reading_rows() -> Select[int, int, datetime | None]:
    """Every section of the versions asked for, with when the person last opened it (None: not yet)."""
    return (
        select(ModuleSection.module_version_id, ModuleSection.position, SectionRead.last_read_at)
        .outerjoin(
            SectionRead,
            (SectionRead.section_id == ModuleSection.id) & (SectionRead.user_id == bindparam("user_id")),
        )
        .where(ModuleSection.module_version_id.in_(bindparam("version_ids", expanding=True)))
    )


def _reading(
    session: Session, user: User, version_ids: list[int]
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per version: how many sections it has, how many the person opened, and where they resume, in one query.

    The resume point is the section opened last (the highest position among those opened at that moment).
    """
    totals: dict[int, int] = {}
    reads: dict[int, int] = {}
    latest: dict[int, tuple[datetime, int]] = {}
    for version_id, position, read_at in session.execute(
        _reading_rows(), {"user_id": user.id, "version_ids": version_ids}
    ):
        totals[version_id] = totals.get(version_id, 0) + 1
        if read_at is None:
            continue
        reads[version_id] = reads.get(version_id, 0) + 1
        if version_id not in latest or (read_at, position) > latest[version_id]:
            latest[version_id] = (read_at, position)
    return totals, reads, {version_id: position for version_id, (_at, position) in latest.items()}


@built_once
def _material_versions() -> Select[ModuleVersion]:
    return (
        select(ModuleVersion)
        .where(
            ModuleVersion.module_id.in_(bindparam("module_ids", expanding=True)),
            ModuleVersion.change_kind == ChangeKind.MATERIAL.value,
        )
        .order_by(ModuleVersion.id)
    )


def material_changes_since(session: Session, completed: dict[int, int]) -> dict[int, list[ModuleVersion]]:
    """module_id -> material versions published after the completed version (module_id -> version_id), oldest first.

    Editorial versions are left out: a completion stays fully valid across them. Retired material versions
    count too: their content may live on in an editorial successor.
    """
    if not completed:
        return {}
    result: dict[int, list[ModuleVersion]] = {}
    for version in session.scalars(_material_versions(), {"module_ids": list(completed)}):
        if version.id > completed[version.module_id]:
            result.setdefault(version.module_id, []).append(version)
    return result


def valid_completion(
    session: Session, user: User, version: ModuleVersion
) -> tuple[Completion | None, list[ModuleVersion]]:
    """The person's newest completion of this module and the material changes since it (up to ``version``).

    The completion counts for ``version`` when that list is empty.
    """
    completion = session.scalar(_latest_of_module(), {"user_id": user.id, "module_id": version.module_id})
    if completion is None:
        return None, []
    changes = material_changes_since(session, {version.module_id: completion.module_version_id})
    return completion, [c for c in changes.get(version.module_id, []) if c.id <= version.id]


def latest_completions(session: Session, user: User) -> dict[int, Completion]:
    """module_id -> the person's newest completion of that module."""
    result: dict[int, Completion] = {}
    for completion in session.scalars(_completions_oldest_first(), {"user_id": user.id}):
        result[completion.module_id] = completion
    return result


@built_once
def _completions_oldest_first() -> Select[Completion]:
    return (
        select(Completion).where(Completion.user_id == bindparam("user_id")).order_by(Completion.completed_at)
    )


@built_once
def _latest_of_module() -> Select[Completion]:
    return (
        select(Completion)
        .where(Completion.user_id == bindparam("user_id"), Completion.module_id == bindparam("module_id"))
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
        .limit(1)
    )


@built_once
def _completions_newest_first() -> Select[Completion]:
    return (
        select(Completion)
        .where(Completion.user_id == bindparam("user_id"))
        .order_by(Completion.completed_at.desc())
    )


def resume_positions(session: Session, user: User, version_ids: list[int]) -> dict[int, int]:
    """version_id -> position of the section the person opened last: where „Weiterlesen“ leads, on the card of
    „Meine Module“ and on the module overview alike."""
    latest = (
        select(ModuleSection.module_version_id, func.max(SectionRead.last_read_at).label("at"))
        .join(SectionRead, SectionRead.section_id == ModuleSection.id)
        .where(SectionRead.user_id == user.id, ModuleSection.module_version_id.in_(version_ids))
        .group_by(ModuleSection.module_version_id)
        .subquery()
    )
    rows = session.execute(
        select(ModuleSection.module_version_id, func.max(ModuleSection.position))
        .join(SectionRead, SectionRead.section_id == ModuleSection.id)
        .join(
            latest,
            (latest.c.module_version_id == ModuleSection.module_version_id)
            & (latest.c.at == SectionRead.last_read_at),
        )
        .where(SectionRead.user_id == user.id)
        .group_by(ModuleSection.module_version_id)
    ).all()
    return dict(rows)


def read_section_ids(session: Session, user: User, version: ModuleVersion) -> set[int]:
    """Ids of the sections of this version the person has opened."""
    return set(section_reads(session, user, version))


def section_reads(session: Session, user: User, version: ModuleVersion) -> dict[int, datetime]:
    """section id -> when the person last opened it, for the sections of this version they have opened."""
    return dict(session.execute(_reads_of_version(), {"user_id": user.id, "version_id": version.id}).all())


@built_once
def _reads_of_version() -> Select[int, datetime]:
    return (
        select(SectionRead.section_id, SectionRead.last_read_at)
        .join(ModuleSection, ModuleSection.id == SectionRead.section_id)
        .where(
            SectionRead.user_id == bindparam("user_id"),
            ModuleSection.module_version_id == bindparam("version_id"),
        )
    )


def my_completions(session: Session, user: User) -> list[Completion]:
    """All of the person's completions, newest first (retired modules included: records stay)."""
    return list(session.scalars(_completions_newest_first(), {"user_id": user.id}))


def completions_per_version(session: Session) -> dict[int, int]:
    """module_version_id -> how many completions it has, one GROUP BY (for the people who manage content)."""
    return _completion_counts(session, Completion.module_version_id)


def completions_per_module(session: Session) -> dict[int, int]:
    """module_id -> how many completions all its versions have together."""
    return _completion_counts(session, Completion.module_id)


def _completion_counts(session: Session, column: InstrumentedAttribute[int]) -> dict[int, int]:
    return dict(session.execute(select(column, func.count()).group_by(column)).all())


def retired_module_for_completer(
    session: Session, user: User, slug: str
) -> tuple[Module, ModuleVersion] | None:
    """A module the catalogue no longer shows (retired, or the version retired) that this person completed online or
    in person: the version they completed last, to read again (read-only). None for everyone else."""
    completion = session.scalar(
        select(Completion)
        .join(Module, Module.id == Completion.module_id)
        .where(Module.slug == slug, Completion.user_id == user.id)
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
        .limit(1)
    )
    if completion is None:
        return None
    return completion.module, completion.module_version


def validity_per_module() -> Select[int, int, Any, int]:
    """Per person and module: the last valid day of their longest-lasting completion, and how many of their
    completions are valid for good (if any, nothing expires). What expiry counts and reminders start from."""
    return select(
        Completion.user_id.label("user_id"),
        Completion.module_id.label("module_id"),
        func.max(Completion.valid_until).label("valid_until"),
        (func.count() - func.count(Completion.valid_until)).label("unlimited"),
    ).group_by(Completion.user_id, Completion.module_id)
