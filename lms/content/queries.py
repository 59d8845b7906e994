"""Which modules a person may see, their current versions, and the authoring history, as SQL."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer

from lms.auth.models import Role, User
from lms.content.models import Draft, MediaFile, Module, ModuleKind, ModuleVersion


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


def catalogue(session: Session, user: User, kind: str | None = None) -> list[tuple[Module, ModuleVersion]]:
    """The modules in the catalogue for this person with their current versions, in title order.

    The ECCAR modules are offered to every model municipality, so the catalogue is programme-wide;
    what a municipality rolls out to whom is a training plan on top of it.
    """
    current = current_version_ids().subquery()
    kinds = visible_kinds(user) if kind is None else tuple(k for k in visible_kinds(user) if k == kind)
    rows = session.execute(
        select(Module, ModuleVersion)
        .join(current, current.c.module_id == Module.id)
        .join(ModuleVersion, ModuleVersion.id == current.c.version_id)
        .where(Module.retired_at.is_(None), Module.kind.in_(kinds))
        .order_by(Module.kind.desc(), ModuleVersion.title)
    ).all()
    return [(m, v) for m, v in rows]


def visible_module(session: Session, user: User, slug: str) -> tuple[Module, ModuleVersion] | None:
    """One module of the catalogue with its current version, or None if this person may not see it."""
    current = current_version_ids().subquery()
    row = session.execute(
        select(Module, ModuleVersion)
        .join(current, current.c.module_id == Module.id)
        .join(ModuleVersion, ModuleVersion.id == current.c.version_id)
        .where(Module.slug == slug, Module.retired_at.is_(None), Module.kind.in_(visible_kinds(user)))
    ).first()
    return (row[0], row[1]) if row else None


def all_modules(session: Session) -> list[Module]:
    """Every module and workshop script, retired ones included, for the people who manage content."""
    return list(session.scalars(select(Module).order_by(Module.kind.desc(), Module.slug)))


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
