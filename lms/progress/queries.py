"""A person's progress through their modules, as grouped SQL queries (no query per module)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.content.models import Module, ModuleKind, ModuleSection, ModuleVersion
from lms.content.queries import catalogue
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

    @property
    def is_complete_current(self) -> bool:
        return self.completion is not None and self.completion.module_version_id == self.version.id

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
    """The person's training modules with progress on their current versions."""
    rows = catalogue(session, user, kind=ModuleKind.TRAINING.value)
    version_ids = [v.id for _m, v in rows]
    if not version_ids:
        return []
    totals = dict(
        session.execute(
            select(ModuleSection.module_version_id, func.count())
            .where(ModuleSection.module_version_id.in_(version_ids))
            .group_by(ModuleSection.module_version_id)
        ).all()
    )
    reads = dict(
        session.execute(
            select(ModuleSection.module_version_id, func.count())
            .join(SectionRead, SectionRead.section_id == ModuleSection.id)
            .where(SectionRead.user_id == user.id, ModuleSection.module_version_id.in_(version_ids))
            .group_by(ModuleSection.module_version_id)
        ).all()
    )
    completions = latest_completions(session, user)
    resume = resume_positions(session, user, version_ids)
    return [
        ModuleProgress(
            module=m,
            version=v,
            sections_total=totals.get(v.id, 0),
            sections_read=reads.get(v.id, 0),
            completion=completions.get(m.id),
            resume_position=resume.get(v.id, 1),
        )
        for m, v in rows
    ]


def latest_completions(session: Session, user: User) -> dict[int, Completion]:
    """module_id -> the person's newest completion of that module."""
    result: dict[int, Completion] = {}
    for completion in session.scalars(
        select(Completion).where(Completion.user_id == user.id).order_by(Completion.completed_at)
    ):
        result[completion.module_id] = completion
    return result


def resume_positions(session: Session, user: User, version_ids: list[int]) -> dict[int, int]:
    """version_id -> position of the section the person opened last."""
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
    return set(
        session.scalars(
            select(SectionRead.section_id)
            .join(ModuleSection, ModuleSection.id == SectionRead.section_id)
            .where(SectionRead.user_id == user.id, ModuleSection.module_version_id == version.id)
        )
    )


def my_completions(session: Session, user: User) -> list[Completion]:
    """All of the person's completions, newest first (retired modules included: records stay)."""
    return list(
        session.scalars(
            select(Completion).where(Completion.user_id == user.id).order_by(Completion.completed_at.desc())
        )
    )
