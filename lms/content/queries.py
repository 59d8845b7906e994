"""Which modules a person may see, their current versions, and the authoring history, as SQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, defer, lazyload, selectinload

from lms.auth.models import Role, User
from lms.content.models import Draft, MediaFile, Module, ModuleKind, ModuleSection, ModuleVersion
from lms.db import built_once


def current_version_ids() -> Select[int, int]:
    """(module_id, version_id) of the newest unretired version of every module."""
    return (
        select(ModuleVersion.module_id, func.max(ModuleVersion.id).label("version_id"))
        .where(ModuleVersion.retired_at.is_(None))
        .group_by(ModuleVersion.module_id)
    )


def visible_kinds(user: User) -> tuple[str, ...]:
    """Staff see training modules; trainers and the programme office also see workshop scripts."""
    if user.has_role(Role.TRAINER, Role.ADMIN):
        return (ModuleKind.TRAINING.value, ModuleKind.WORKSHOP.value)
    return (ModuleKind.TRAINING.value,)


@built_once
def _current() -> Select[Module, ModuleVersion]:
    """Modules of the kinds asked for (``kinds``), not retired, with their current versions."""
    current = current_version_ids().subquery()
    return (
        select(Module, ModuleVersion)
        .join(current, current.c.module_id == Module.id)
        .join(ModuleVersion, ModuleVersion.id == current.c.version_id)
        .where(Module.retired_at.is_(None), Module.kind.in_(bindparam("kinds", expanding=True)))
        # The version's module is the row's Module (from the identity map): no second join of modules.
        .options(lazyload(ModuleVersion.module))
    )


@built_once
def _catalogue() -> Select[Module, ModuleVersion]:
    return _current().order_by(Module.kind.desc(), ModuleVersion.title)


@built_once
def _by_slug() -> Select[Module, ModuleVersion]:
    return _current().where(Module.slug == bindparam("slug"))


def catalogue(session: Session, user: User, kind: str | None = None) -> list[tuple[Module, ModuleVersion]]:
    """The modules in the catalogue for this person with their current versions, in title order.

    The ECCAR modules are offered to every model municipality, so the catalogue is programme-wide;
    what a municipality rolls out to whom is a training plan on top of it.
    """
    kinds = visible_kinds(user) if kind is None else tuple(k for k in visible_kinds(user) if k == kind)
    if not kinds:
        return []
    rows = session.execute(_catalogue(), {"kinds": list(kinds)}).all()
    return [(m, v) for m, v in rows]


def visible_module(session: Session, user: User, slug: str) -> tuple[Module, ModuleVersion] | None:
    """One module of the catalogue with its current version, or None if this person may not see it."""
    row = session.execute(_by_slug(), {"kinds": list(visible_kinds(user)), "slug": slug}).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class SectionText:
    """A section of a published version as pages show it: immutable, so it may be kept between requests."""

    id: int
    position: int
    anchor: str
    title: str
    html: str
    duration_minutes: int | None


def version_sections(session: Session, version_id: int) -> tuple[SectionText, ...]:
    """The sections of one version in order, as plain values (no ORM objects: they may outlive the session)."""
    return tuple(SectionText(*row) for row in session.execute(_sections(), {"version_id": version_id}))


@built_once
def _sections() -> Select[int, int, str, str, str, int | None]:
    return (
        select(
            ModuleSection.id,
            ModuleSection.position,
            ModuleSection.anchor,
            ModuleSection.title,
            ModuleSection.html,
            ModuleSection.duration_minutes,
        )
        .where(ModuleSection.module_version_id == bindparam("version_id"))
        .order_by(ModuleSection.position)
    )


def all_modules(session: Session) -> list[Module]:
    """Every module and workshop script, retired ones included, with their versions (one more query for all)."""
    return list(
        session.scalars(
            select(Module).options(selectinload(Module.versions)).order_by(Module.kind.desc(), Module.slug)
        )
    )


def module_by_slug(session: Session, slug: str) -> Module | None:
    """Any module or workshop script, retired ones included (for the people who manage content)."""
    return session.scalar(select(Module).where(Module.slug == slug))


def open_drafts(session: Session) -> list[Draft]:
    """Every unpublished draft, most recently saved first."""
    return list(session.scalars(select(Draft).order_by(Draft.updated_at.desc(), Draft.id.desc())))


def user_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """Display names of the people who published or saved something, for history lists (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def media_files(session: Session) -> list[MediaFile]:
    """Every uploaded image, newest first (without loading the image bytes)."""
    return list(
        session.scalars(
            select(MediaFile).options(defer(MediaFile.data)).order_by(MediaFile.uploaded_at.desc())
        )
    )


#: Actions of authoring: publishing, retiring, uploads, drafts thrown away, images.
