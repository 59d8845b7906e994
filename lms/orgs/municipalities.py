"""The programme office creates model municipalities and changes their name and federal state.

The slug (Kürzel) is fixed once the municipality exists: it is part of every coordination URL that people bookmark
and mail around (/kommunen/<slug>/…), of the file names of exports and certificate archives, and of scripts that call
``lms staff import --municipality SLUG``. Changing it would break all of those silently; a municipality whose name
changes keeps its slug.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lms.audit.services import record_event
from lms.auth.models import Role, User, UserRole
from lms.errors import Characters, ServiceError
from lms.orgs.models import Municipality
from lms.orgs.states import find_state
from lms.scope import Actor, OutOfScope
from lms.text import CONTROL_CHARACTERS, normalised_name, unprintable_characters

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,79}$")
#: The length of ``municipalities.name``.
MAX_NAME = 200
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class MunicipalityError(ServiceError, ValueError):
    """A municipality could not be created or changed; the message is for people."""


def slug_for(name: str) -> str:
    """A URL slug from a name: „Landkreis Darmstadt-Dieburg“ → ``landkreis-darmstadt-dieburg``."""
    text = unicodedata.normalize("NFKD", name.strip().lower().translate(_UMLAUTS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-")


def _require_office(actor: Actor) -> None:
    if not actor.has_role(Role.ADMIN):
        raise OutOfScope


def _clean_name(session: Session, name: str, own_id: int | None) -> str:
    if CONTROL_CHARACTERS.search(name):  # before split(), which would turn some of them into spaces
        raise MunicipalityError("municipality.name_control_characters")
    name = normalised_name(name)
    if unprintable := unprintable_characters(name):  # the name is printed on its people's certificates
        raise MunicipalityError("municipality.name_unprintable", characters=Characters(tuple(unprintable)))
    if not name:
        raise MunicipalityError("municipality.name_missing")
    if len(name) > MAX_NAME:  # it used to be cut off without a word
        raise MunicipalityError("municipality.name_too_long", max=MAX_NAME)
    clash = session.scalar(
        select(Municipality.id).where(
            func.lower(Municipality.name) == name.lower(), Municipality.id != (own_id or 0)
        )
    )
    if clash is not None:
        raise MunicipalityError("municipality.name_taken", name=name)
    return name


def _state(state: str) -> str:
    official = find_state(state)
    if official is None:
        raise MunicipalityError("municipality.state_unknown", state=state)
    return official


def create_municipality(session: Session, actor: Actor, *, name: str, slug: str, state: str) -> Municipality:
    """A new municipality; the slug is derived from the name when left empty (programme office, audited)."""
    _require_office(actor)
    name = _clean_name(session, name, None)
    slug = slug.strip().lower() or slug_for(name)
    if not SLUG.match(slug) or slug.endswith("-"):
        raise MunicipalityError("municipality.slug_invalid", slug=slug)
    if session.scalar(select(Municipality.id).where(Municipality.slug == slug)) is not None:
        raise MunicipalityError("municipality.slug_taken", slug=slug)
    municipality = Municipality(slug=slug, name=name, federal_state=_state(state))
    session.add(municipality)
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="municipality.create",
        object_type="municipality",
        object_id=municipality.id,
        slug=slug,
        name=name,
        state=municipality.federal_state,
    )
    return municipality


def update_municipality(
    session: Session, actor: Actor, municipality: Municipality, *, name: str, state: str
) -> bool:
    """Change name and federal state (the slug stays, see the module text); returns whether anything changed."""
    _require_office(actor)
    name, official = _clean_name(session, name, municipality.id), _state(state)
    before = {"name": municipality.name, "state": municipality.federal_state}
    after = {"name": name, "state": official}
    if before == after:
        return False
    municipality.name, municipality.federal_state = name, official
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="municipality.update",
        object_type="municipality",
        object_id=municipality.id,
        before=before,
        after=after,
    )
    return True


@dataclass(frozen=True)
class MunicipalityRow:
    """A line of the programme office's list."""

    municipality: Municipality
    active_staff: int
    coordinators: list[str]


def municipality_rows(session: Session, actor: Actor) -> list[MunicipalityRow]:
    """Every municipality with its active staff count and its coordinators' names (programme office only)."""
    _require_office(actor)
    towns = list(session.scalars(select(Municipality).order_by(Municipality.name)))
    staff = dict(
        session.execute(
            select(User.municipality_id, func.count())
            .where(User.is_active.is_(True), User.municipality_id.is_not(None))
            .group_by(User.municipality_id)
        ).all()
    )
    coordinators: dict[int, list[str]] = {}
    for town_id, name in session.execute(
        select(User.municipality_id, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.COORDINATOR.value, User.is_active.is_(True))
        .order_by(User.display_name)
    ):
        if town_id is not None:
            coordinators.setdefault(town_id, []).append(name)
    return [MunicipalityRow(t, staff.get(t.id, 0), coordinators.get(t.id, [])) for t in towns]


def names_by_id_or_slug(session: Session, keys: Iterable[int | str]) -> dict[int | str, str]:
    """The names of the municipalities given by id or slug (as audit events name them), in one query."""
    wanted = set(keys)
    ids = {k for k in wanted if isinstance(k, int)}
    slugs = {k for k in wanted if isinstance(k, str)}
    if not wanted:
        return {}
    rows = session.execute(
        select(Municipality.id, Municipality.slug, Municipality.name).where(
            or_(Municipality.id.in_(ids), Municipality.slug.in_(slugs))
        )
    )
    names: dict[int | str, str] = {}
    for municipality_id, slug, name in rows:
        names[municipality_id] = names[slug] = name
    return names
