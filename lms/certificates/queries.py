"""The selections certificate exports and pages read; who may see which certificate is decided in lms.scope."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVarTuple

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.orm import Session, defer, lazyload

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.certificates.snapshot import CertificateKind
from lms.content.models import Module, ModuleKind, ModuleVersion
from lms.orgs.models import Municipality, OrgUnit
from lms.progress.models import Completion
from lms.scope import certificates_filter

Ts = TypeVarTuple("Ts")

#: Rows fetched per round trip while streaming an export (memory stays flat however many there are).
STREAM_BATCH = 100


def visible_certificate(session: Session, user: User, certificate_id: int) -> Certificate | None:
    """One certificate if this person may see it."""
    return session.scalar(
        select(Certificate).where(Certificate.id == certificate_id, certificates_filter(user))
    )


def own_completion(session: Session, user: User, completion_id: int) -> Completion | None:
    """A completion of this person (learners download certificates only for their own)."""
    return session.scalar(
        select(Completion).where(Completion.id == completion_id, Completion.user_id == user.id)
    )


@dataclass(frozen=True)
class OwnCertificates:
    """What „Meine Nachweise“ shows besides the completions."""

    #: completion_id -> the person's certificate for it.
    by_completion: dict[int, Certificate]
    #: The person's participation certificates, newest first.
    participations: list[Certificate]
    #: Calendar years with certificates or completions (for the transcript links), newest first.
    years: list[int]


def own_certificates(session: Session, user: User, completions: Iterable[Completion]) -> OwnCertificates:
    """The person's certificates in one query (without the snapshots the page does not show), and the years.

    ``completions`` are the person's completions, already loaded for the page: their years count too.
    """
    certificates = list(
        session.scalars(
            select(Certificate)
            .options(defer(Certificate.snapshot), lazyload(Certificate.holder))
            .where(Certificate.holder_id == user.id)
            .order_by(Certificate.awarded_on.desc(), Certificate.id.desc())
        )
    )
    years = {c.awarded_on.year for c in certificates} | {c.completed_at.year for c in completions}
    return OwnCertificates(
        by_completion={c.completion_id: c for c in certificates if c.completion_id is not None},
        participations=[c for c in certificates if c.kind == CertificateKind.PARTICIPATION.value],
        years=sorted(years, reverse=True),
    )


def holder_certificates(
    session: Session, holder_id: int, starts_on: date, ends_on: date, *, with_participations: bool = False
) -> list[Certificate]:
    """A person's valid certificates of a period, oldest first (for the transcript). Participation certificates
    only when the person asks for them: the transcript is made to be handed on (to the HR file), and a
    participation's day points to an empowerment workshop."""
    query = select(Certificate).where(
        Certificate.holder_id == holder_id,
        Certificate.awarded_on.between(starts_on, ends_on),
        Certificate.revoked_at.is_(None),
    )
    if not with_participations:
        query = query.where(Certificate.kind == CertificateKind.COMPLETION.value)
    return list(session.scalars(query.order_by(Certificate.awarded_on, Certificate.id)))


def export_selection(
    municipality_id: int,
    starts_on: date,
    ends_on: date,
    module_slug: str | None = None,
    org_unit_id: int | None = None,
) -> Select[str, dict[str, Any], datetime | None, str | None, str | None]:
    """(code, snapshot, revoked_at, Personalnummer, org unit) of a municipality's completion certificates in a
    period, in a stable order.

    Only completion certificates: participation certificates belong to their holder alone. The org-unit filter,
    the Personalnummer and the org unit are the holder's current ones (the manifest is for the HR files).
    """
    query = (
        select(
            Certificate.code,
            Certificate.snapshot,
            Certificate.revoked_at,
            User.personnel_number,
            OrgUnit.name,
        )
        .join(User, User.id == Certificate.holder_id)
        .outerjoin(OrgUnit, OrgUnit.id == User.org_unit_id)
        .where(
            Certificate.municipality_id == municipality_id,
            Certificate.kind == CertificateKind.COMPLETION.value,
            Certificate.awarded_on.between(starts_on, ends_on),
        )
    )
    if module_slug:
        query = (
            query.join(Completion, Completion.id == Certificate.completion_id)
            .join(Module, Module.id == Completion.module_id)
            .where(Module.slug == module_slug)
        )
    if org_unit_id is not None:
        query = query.where(User.org_unit_id == org_unit_id)
    return query.order_by(Certificate.awarded_on, Certificate.id)


def only_valid(selection: Select[*Ts]) -> Select[*Ts]:
    """The selection without revoked certificates (what the ZIP's files and the print PDF contain)."""
    return selection.where(Certificate.revoked_at.is_(None))


def org_unit_choices(session: Session, municipality_id: int) -> list[tuple[int, str]]:
    """(id, name) of a municipality's org units, for the export filter."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name)
        .where(OrgUnit.municipality_id == municipality_id)
        .order_by(OrgUnit.name)
    )
    return [(unit_id, name) for unit_id, name in rows]


def stream_rows(session: Session, query: Select[*Ts]) -> Iterator[Row[*Ts]]:
    """Rows of a selection fetched in batches, so a large export never holds all rows at once."""
    yield from session.execute(query.execution_options(yield_per=STREAM_BATCH))


def municipality_by_slug(session: Session, slug: str) -> Municipality | None:
    """A municipality by its slug."""
    return session.scalar(select(Municipality).where(Municipality.slug == slug))


def module_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of training modules, for the export filter."""
    rows = session.execute(
        select(Module.slug, ModuleVersion.title)
        .join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .where(Module.kind == ModuleKind.TRAINING.value)
        .order_by(Module.slug, ModuleVersion.id)
    ).all()
    latest = {slug: title for slug, title in rows}
    return sorted(latest.items(), key=lambda item: item[1])


#: Search results and revoked certificates shown on one page at most.
LIST_LIMIT = 100


def _like(text: str) -> str:
    """A LIKE pattern for ``text`` anywhere, with its own wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_certificates(session: Session, user: User, text: str) -> list[Certificate]:
    """Certificates the person may see whose holder's name or code contains ``text`` (any case), newest first.

    The name is the holder's current one and the one printed on the certificate (a name may have changed).
    """
    pattern = _like(text.strip().lower())
    code = _like(text.strip().upper().replace(" ", ""))
    return list(
        session.scalars(
            select(Certificate)
            .join(User, User.id == Certificate.holder_id)
            .where(
                certificates_filter(user),
                or_(
                    func.lower(User.display_name).like(pattern, escape="\\"),
                    func.lower(Certificate.snapshot["holder_name"].as_string()).like(pattern, escape="\\"),
                    Certificate.code.like(code, escape="\\"),
                ),
            )
            .order_by(Certificate.awarded_on.desc(), Certificate.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def revoked_certificates(session: Session, user: User) -> list[Certificate]:
    """Revoked certificates the person may see, most recently revoked first."""
    return list(
        session.scalars(
            select(Certificate)
            .where(certificates_filter(user), Certificate.revoked_at.is_not(None))
            .order_by(Certificate.revoked_at.desc(), Certificate.id.desc())
            .limit(LIST_LIMIT)
        )
    )
