"""Importing a municipality's staff list: stage the upload, preview what would change, apply it.

Matching is by e-mail address, so importing the same file twice changes nothing. People in the list are created
(as learners, with an invitation), updated or reactivated; with „deactivate missing“ the municipality's active staff
who are not in the list are deactivated (never the importing person or a coordinator, and only if the file has no
faulty rows, so that a typo cannot deactivate anyone). Deactivated people keep their history. Org units are created
from the list. Faulty rows are reported with their line number and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import Invitation, Role, User, UserRole
from lms.errors import ServiceError
from lms.orgs.models import Municipality, OrgUnit, StaffImport
from lms.orgs.staff_csv import RowProblem, StaffList, StaffRow, parse_staff_list
from lms.scope import Actor, OutOfScope, may_manage_municipality

#: Uploads that were previewed but never applied are removed after this time (they hold personal data).
STALE_AFTER = timedelta(days=1)
CHUNK = 500


class ImportRefused(ServiceError, ValueError):
    """The import cannot be applied (already applied, or faulty rows without permission to skip them)."""


@dataclass(frozen=True)
class PersonChange:
    """An existing person the import changes, with what changes in words."""

    line: int
    email: str
    name: str
    changes: list[str]


@dataclass
class ImportPreview:
    """What applying the staff list would do."""

    staff_list: StaffList
    new: list[StaffRow] = field(default_factory=list)
    changed: list[PersonChange] = field(default_factory=list)
    reactivated: list[PersonChange] = field(default_factory=list)
    unchanged: int = 0
    #: (user id, name, e-mail) of active staff missing from the list, to be deactivated.
    deactivate: list[tuple[int, str, str]] = field(default_factory=list)
    #: Rows that are valid CSV but clash with accounts (another municipality, a personnel number in use).
    conflicts: list[RowProblem] = field(default_factory=list)
    new_org_units: list[str] = field(default_factory=list)
    #: True when „deactivate missing“ was asked for but is not done because the file has faulty rows.
    deactivation_blocked: bool = False
    #: Rows that will be applied, with the existing person they update (None = new).
    _actions: list[tuple[StaffRow, User | None]] = field(default_factory=list, repr=False)

    @property
    def problems(self) -> list[RowProblem]:
        """Every faulty row, in file order."""
        return sorted(self.staff_list.problems + self.conflicts, key=lambda p: p.line)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.reactivated or self.deactivate)


def stage_import(
    session: Session,
    actor: Actor,
    municipality: Municipality,
    filename: str,
    content: bytes,
    *,
    deactivate_missing: bool,
    send_invitations: bool,
) -> StaffImport:
    """Keep an uploaded list in the database until it is applied; clears out stale unapplied uploads."""
    if not may_manage_municipality(actor, municipality.id):
        raise OutOfScope
    session.execute(
        delete(StaffImport).where(
            StaffImport.municipality_id == municipality.id,
            StaffImport.applied_at.is_(None),
            StaffImport.created_at < clock.now() - STALE_AFTER,
        )
    )
    staged = StaffImport(
        municipality_id=municipality.id,
        uploaded_by_id=actor.id,
        filename=(filename or "liste.csv")[:255],
        content=content,
        deactivate_missing=deactivate_missing,
        send_invitations=send_invitations,
    )
    session.add(staged)
    session.flush()
    return staged


def _describe(user: User, row: StaffRow, unit_names: dict[int, str], *, numbers: bool) -> list[str]:
    changes = []
    if user.display_name != row.name:
        changes.append(f"Name: {user.display_name} → {row.name}")
    current_unit = unit_names.get(user.org_unit_id or 0, "")
    if current_unit.casefold() != row.org_unit.casefold():
        changes.append(f"Organisationseinheit: {current_unit or '–'} → {row.org_unit}")
    # A file without the column says nothing about numbers: they stay (it used to empty them).
    if numbers and (user.personnel_number or None) != row.personnel_number:
        changes.append(f"Personalnummer: {user.personnel_number or '–'} → {row.personnel_number or '–'}")
    return changes


def _numbers_still_held(
    staff: dict[str, User], rows: list[StaffRow], elsewhere: set[str], with_numbers: bool
) -> dict[str, str]:
    """personnel number → e-mail of whoever still holds it once the list is applied.

    A person whose row gives them another number frees their old one for another row of the same list: correcting a
    mix-up in the HR system swaps two numbers, and both rows used to be refused as taken. A freed number is held
    again if its holder's own row is refused (their number then stays), until nothing changes.
    """
    held = {u.personnel_number: u.email for u in staff.values() if u.personnel_number}
    if not with_numbers:
        return held
    wanted = {row.email: row.personnel_number for row in rows if row.email not in elsewhere}
    freeing = {e for n, e in held.items() if e in wanted and wanted[e] != n}
    while True:
        still = {n: e for n, e in held.items() if e not in freeing}
        refused = {
            row.email
            for row in rows
            if row.email in freeing
            and row.personnel_number
            and still.get(row.personnel_number, row.email) != row.email
        }
        if not refused:
            return still
        freeing -= refused


def preview_import(
    session: Session,
    municipality: Municipality,
    content: bytes,
    *,
    deactivate_missing: bool,
    actor_id: int | None,
    smtputf8: bool = False,
) -> ImportPreview:
    """Parse the list and compare it with the accounts (raises StaffFileError if the file cannot be read)."""
    preview = ImportPreview(parse_staff_list(content, smtputf8=smtputf8))
    rows = preview.staff_list.rows
    staff = {u.email: u for u in session.scalars(select(User).where(User.municipality_id == municipality.id))}
    units = {
        i: n
        for i, n in session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.municipality_id == municipality.id)
        )
    }
    known_units = {n.casefold() for n in units.values()}
    elsewhere: set[str] = set()
    outsiders = [r.email for r in rows if r.email not in staff]
    for start in range(0, len(outsiders), CHUNK):
        elsewhere.update(
            session.scalars(select(User.email).where(User.email.in_(outsiders[start : start + CHUNK])))
        )
    numbers = _numbers_still_held(staff, rows, elsewhere, preview.staff_list.has_personnel_numbers)
    for row in rows:
        if row.email in elsewhere:
            preview.conflicts.append(
                # Neutral on purpose: saying where the account lives would tell one municipality about
                # another's staff (account enumeration across municipalities).
                RowProblem(row.line, ServiceError("staff_row.email_unusable", email=row.email))
            )
            continue
        if row.personnel_number and numbers.get(row.personnel_number, row.email) != row.email:
            preview.conflicts.append(
                RowProblem(row.line, ServiceError("staff_row.number_taken", number=row.personnel_number))
            )
            continue
        if row.org_unit.casefold() not in known_units:
            known_units.add(row.org_unit.casefold())
            preview.new_org_units.append(row.org_unit)
        user = staff.get(row.email)
        if user is None:
            preview.new.append(row)
            preview._actions.append((row, None))
            continue
        change = PersonChange(
            row.line,
            row.email,
            row.name,
            _describe(user, row, units, numbers=preview.staff_list.has_personnel_numbers),
        )
        if not user.is_active:
            preview.reactivated.append(change)
        elif change.changes:
            preview.changed.append(change)
        else:
            preview.unchanged += 1
            continue
        preview._actions.append((row, user))
    if deactivate_missing:
        if preview.problems:
            preview.deactivation_blocked = True
        else:
            listed = {r.email for r in rows}
            preview.deactivate = [
                (u.id, u.display_name, u.email)
                for u in sorted(staff.values(), key=lambda u: u.display_name)
                if u.is_active
                and u.email not in listed
                and u.id != actor_id
                and not u.has_role(Role.COORDINATOR)
            ]
    return preview


@dataclass(frozen=True)
class ImportOutcome:
    """What applying did, and whom to invite (the caller queues the mails: ``lms.jobs``, kind "invitations")."""

    summary: dict[str, Any]
    #: New people to invite, in the order of the list; their links are made when their mail goes out.
    invite_user_ids: list[int]
    #: People the list deactivated (the caller ends what a deactivation ends: lms.workshops.network).
    deactivated_user_ids: list[int] = field(default_factory=list)


def apply_import(
    session: Session, actor: Actor, staged: StaffImport, *, skip_invalid: bool, smtputf8: bool = False
) -> ImportOutcome:
    """Apply a staged list: create, update, reactivate, deactivate; one audit event; invitations for new people."""
    if not may_manage_municipality(actor, staged.municipality_id):
        raise OutOfScope
    if staged.applied_at is not None or staged.content is None:
        raise ImportRefused("import.already_applied")
    municipality = session.get(Municipality, staged.municipality_id)
    assert municipality is not None
    preview = preview_import(
        session,
        municipality,
        staged.content,
        deactivate_missing=staged.deactivate_missing,
        actor_id=actor.id,
        smtputf8=smtputf8,
    )
    if preview.problems and not skip_invalid:
        raise ImportRefused("import.faulty_rows", n=len(preview.problems))
    now = clock.now()
    for name in preview.new_org_units:
        session.add(OrgUnit(municipality_id=municipality.id, name=name))
    session.flush()
    unit_ids = {
        n.casefold(): i
        for i, n in session.execute(
            select(OrgUnit.id, OrgUnit.name).where(OrgUnit.municipality_id == municipality.id)
        )
    }
    if preview.staff_list.has_personnel_numbers:
        # Numbers given up first, all at once: the next loop may hand one to another person (a swap), and the
        # database holds each number of a municipality once at every moment.
        giving_up = [
            user for row, user in preview._actions if user and user.personnel_number != row.personnel_number
        ]
        for holder in giving_up:
            holder.personnel_number = None
        session.flush()
    new_rows = [row for row, user in preview._actions if user is None]
    created: list[tuple[int, str, str]] = []
    for start in range(0, len(new_rows), CHUNK):  # bulk: a large city's list is tens of thousands of rows
        chunk = new_rows[start : start + CHUNK]
        result = session.execute(
            insert(User).returning(User.id, User.email, User.display_name, sort_by_parameter_order=True),
            [
                {
                    "email": r.email,
                    "display_name": r.name,
                    "password_hash": None,
                    "municipality_id": municipality.id,
                    "org_unit_id": unit_ids[r.org_unit.casefold()],
                    "personnel_number": r.personnel_number,
                    "is_active": True,
                    "created_at": now,
                }
                for r in chunk
            ],
        )
        ids = result.all()
        session.execute(insert(UserRole), [{"user_id": i, "role": Role.LEARNER.value} for i, _e, _n in ids])
        created.extend((i, e, n) for i, e, n in ids)
    for row, user in preview._actions:
        if user is None:
            continue
        user.display_name = row.name
        user.org_unit_id = unit_ids[row.org_unit.casefold()]
        if preview.staff_list.has_personnel_numbers:
            user.personnel_number = row.personnel_number
        if not user.is_active:
            user.is_active, user.deactivated_at = True, None
    leaving = [user_id for user_id, _n, _e in preview.deactivate]
    for user in session.scalars(select(User).where(User.id.in_(leaving))) if leaving else []:
        user.is_active, user.deactivated_at = False, now
    invite = [i for i, _e, _n in created] if staged.send_invitations else []
    summary = {
        "new": len(created),
        "changed": len(preview.changed),
        "reactivated": len(preview.reactivated),
        "unchanged": preview.unchanged,
        "deactivated": len(leaving),
        "skipped": len(preview.problems),
        "org_units": len(preview.new_org_units),
        "invited": len(invite),
    }
    staged.applied_at, staged.summary, staged.content = now, summary, None
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="staff.import",
        object_type="municipality",
        object_id=municipality.id,
        file=staged.filename,
        **summary,
    )
    return ImportOutcome(summary, invite, leaving)


def open_invitation_expiry(session: Session, user_ids: list[int]) -> dict[int, Any]:
    """user id → expiry of the person's open invitation link, for the staff list."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(Invitation.user_id, func.max(Invitation.expires_at))
        .where(
            Invitation.user_id.in_(user_ids),
            Invitation.used_at.is_(None),
            Invitation.expires_at > clock.now(),
        )
        .group_by(Invitation.user_id)
    )
    return {u: e for u, e in rows}
