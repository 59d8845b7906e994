"""One way to change a person's roles: who may change which role, the trust rules, and the audit of every change.

Every grant and removal of a role — on the programme office's account page, the facilitator page, the advisory
board page, the coordinator's page for the heads of org units — goes through ``grant_role`` / ``revoke_role``:

* Who: the programme office changes every role; a municipality's coordination appoints and removes the heads of
  its own org units (``lms.scope.may_change_role``). Anyone else is out of scope.
* Always with a reason, never on oneself (so nobody removes their own programme office role), never a new role for
  a deactivated account; the last active programme office account keeps its role.
* Separation of duties in one municipality: whoever oversees its staff (coordination, head of an org unit) does not
  facilitate its empowerment network, whose members' names are Art. 9 data.
* Every change is an audit event ``role.<role>_grant`` / ``role.<role>_revoke`` with who, whom, the role and the
  reason. A change of roles ends all of the person's sessions (lms.auth.sessions), so a removed role stops working
  with the next request, and a new role that requires a second factor leads to its set-up at the next login.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lms.audit.models import AuditEvent
from lms.audit.services import record_event
from lms.auth.models import ROLE_LABELS, Role, User, UserRole
from lms.errors import ServiceError, Term
from lms.orgs.models import Municipality, OrgUnit
from lms.scope import Actor, OutOfScope, may_change_role

#: Longest reason kept (the audit detail is a small JSON document).
MAX_REASON = 300
#: The roles that can be granted and removed (learning is what every account does; it is never removed here).
CHANGEABLE = (
    Role.COORDINATOR,
    Role.UNIT_MANAGER,
    Role.FACILITATOR,
    Role.TRAINER,
    Role.ADVISORY_BOARD,
    Role.ADMIN,
)
#: Roles that belong to the municipality the person works for.
LOCAL_ROLES = frozenset({Role.COORDINATOR, Role.UNIT_MANAGER, Role.FACILITATOR})
#: Roles nobody holds together (in their one municipality): who oversees staff does not see the network's names.
SEPARATED: dict[Role, frozenset[Role]] = {
    Role.FACILITATOR: frozenset({Role.COORDINATOR, Role.UNIT_MANAGER}),
    Role.COORDINATOR: frozenset({Role.FACILITATOR}),
    Role.UNIT_MANAGER: frozenset({Role.FACILITATOR}),
}


class RoleChangeError(ServiceError, ValueError):
    """The change was refused; a code and parameters (lms.errors), translated at the edge."""


def grant_action(role: Role) -> str:
    """The audit action of a grant (``role.facilitator_grant``, ``role.advisory_board_grant`` …)."""
    return f"role.{role.value}_grant"


def revoke_action(role: Role) -> str:
    """The audit action of a removal."""
    return f"role.{role.value}_revoke"


def _label(role: Role) -> Term:
    return Term(ROLE_LABELS[role])


def checked_reason(reason: str) -> str:
    """The reason as it is recorded; refused when empty."""
    if not reason.strip():
        raise RoleChangeError("role.reason_missing")
    return reason.strip()[:MAX_REASON]


def _check(actor: Actor, person: User, role: Role, reason: str) -> str:
    """The rules every change shares; returns the reason as it is recorded."""
    if role not in CHANGEABLE or not may_change_role(actor, person, role):
        raise OutOfScope
    why = checked_reason(reason)
    if actor.id is not None and person.id == actor.id:
        raise RoleChangeError("role.self", role=_label(role))
    return why


def audit_change(
    session: Session,
    actor: Actor,
    person: User,
    action: str,
    role: Role,
    reason: str,
    municipality_id: int | None,
    **detail: object,
) -> None:
    """Record one change of roles (who, whom, the role, the reason); also for a role given with a new account."""
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action=action,
        object_type="user",
        object_id=person.id,
        role=role.value,
        municipality_id=municipality_id,
        reason=reason,
        **detail,
    )


def _units_of(person: User, units: Sequence[OrgUnit]) -> list[OrgUnit]:
    if not units:
        raise RoleChangeError("role.units_missing")
    if any(unit.municipality_id != person.municipality_id for unit in units):
        raise OutOfScope  # a unit of another municipality: nothing is revealed about it
    return sorted({unit.id: unit for unit in units}.values(), key=lambda unit: unit.name)


def grant_role(
    session: Session,
    actor: Actor,
    person: User,
    role: Role,
    reason: str,
    *,
    units: Sequence[OrgUnit] = (),
    board: Municipality | None = None,
) -> None:
    """Give a person a role (with the org units a unit manager leads, the municipality of an advisory board).

    For a person who already leads org units, granting the role again with other units changes the units.
    """
    why = _check(actor, person, role, reason)
    if not person.is_active:
        raise RoleChangeError("role.deactivated")
    if role in LOCAL_ROLES and person.municipality_id is None:
        raise RoleChangeError("role.no_municipality", role=_label(role))
    for other in SEPARATED.get(role, frozenset()):
        if person.has_role(other):
            raise RoleChangeError("role.separation_of_duties", role=_label(role), other=_label(other))
    if role is Role.UNIT_MANAGER:
        chosen = _units_of(person, units)
        action = "role.unit_manager_units" if person.has_role(role) else grant_action(role)
        if action != grant_action(role) and {u.id for u in person.managed_units} == {u.id for u in chosen}:
            raise RoleChangeError("role.already", role=_label(role))
        person.grant(role)
        person.managed_units = chosen
        audit_change(
            session,
            actor,
            person,
            action,
            role,
            why,
            person.municipality_id,
            units=[unit.name for unit in chosen],
        )
        return
    if person.has_role(role):
        raise RoleChangeError("role.already", role=_label(role))
    if role is Role.ADVISORY_BOARD:
        if board is None:
            raise RoleChangeError("role.board_missing")
        person.board_municipality_id = board.id
    person.grant(role)
    town = board.id if board is not None else person.municipality_id
    audit_change(session, actor, person, grant_action(role), role, why, town)


def revoke_role(session: Session, actor: Actor, person: User, role: Role, reason: str) -> None:
    """Take a role from a person; the last active programme office account keeps its role."""
    why = _check(actor, person, role, reason)
    if not person.has_role(role):
        raise RoleChangeError("role.not_held", role=_label(role))
    if role is Role.ADMIN and other_active_admins(session, person) == 0:
        raise RoleChangeError("role.last_admin")
    town = person.board_municipality_id if role is Role.ADVISORY_BOARD else person.municipality_id
    detail: dict[str, object] = {}
    if role is Role.UNIT_MANAGER:
        detail["units"] = [unit.name for unit in person.managed_units]
        person.managed_units = []
    if role is Role.ADVISORY_BOARD:
        person.board_municipality_id = None
    person.role_rows = [row for row in person.role_rows if row.role != role.value]
    audit_change(session, actor, person, revoke_action(role), role, why, town, **detail)


def other_active_admins(session: Session, person: User) -> int:
    """How many active accounts other than this one hold the programme office role."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN.value, User.is_active.is_(True), User.id != person.id)
        )
        or 0
    )


def units_of_municipality(session: Session, municipality_id: int | None) -> list[OrgUnit]:
    """The org units a head can be appointed for: those of the person's municipality, by name."""
    if municipality_id is None:
        return []
    return list(
        session.scalars(
            select(OrgUnit).where(OrgUnit.municipality_id == municipality_id).order_by(OrgUnit.name)
        )
    )


def role_history(session: Session, actor: Actor, person: User, limit: int = 100) -> list[AuditEvent]:
    """The changes of this person's roles the actor may read, newest first (the account's roles page).

    The programme office reads all of them; a coordination only those of the roles it changes itself (the heads of
    its org units), not the reasons the programme office gave for other roles.
    """
    query = select(AuditEvent).where(AuditEvent.object_type == "user", AuditEvent.object_id == str(person.id))
    if actor.has_role(Role.ADMIN):
        query = query.where(
            AuditEvent.action.like("role.%")
            | AuditEvent.action.in_(["user.facilitator", "user.not_facilitator"])
        )
    else:
        changed = [role for role in CHANGEABLE if may_change_role(actor, person, role)]
        actions = [a for role in changed for a in (grant_action(role), revoke_action(role))]
        if Role.UNIT_MANAGER in changed:
            actions.append("role.unit_manager_units")
        query = query.where(AuditEvent.action.in_(actions))
    return list(session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


def role_holders(
    session: Session,
    role: Role,
    municipality: InstrumentedAttribute[int | None],
    municipality_id: int | None = None,
) -> list[User]:
    """Everyone who holds ``role`` now, by municipality and name; with ``municipality_id`` those of one only.

    ``municipality`` is the column that places the role: the employer (``User.municipality_id``) for facilitators,
    the board's municipality (``User.board_municipality_id``) for advisory board members, who are mostly not staff.
    """
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == role.value)
        .order_by(municipality, User.display_name)
    )
    if municipality_id is not None:
        query = query.where(municipality == municipality_id)
    return list(session.scalars(query))
