"""Changes of roles follow one set of rules (lms.orgs.role_changes): who may change which role, a reason, never on
oneself, the last programme office account keeps its role, separation of duties, and an audit entry for each."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import LoginSession, Role, User
from lms.auth.sessions import key_hash, new_key
from lms.orgs.models import OrgUnit, UnitManager
from lms.orgs.role_changes import RoleChangeError, grant_role, revoke_role
from lms.scope import COMMAND_LINE, OutOfScope
from tests import factories as f


def _units(db: Session, town_id: int, *names: str) -> list[OrgUnit]:
    units = [OrgUnit(municipality_id=town_id, name=name) for name in names]
    db.add_all(units)
    db.flush()
    return units


def _events(db: Session, person: User) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(person.id), AuditEvent.action.like("role.%"))
            .order_by(AuditEvent.id)
        )
    )


def test_the_coordination_appoints_heads_of_its_own_units_and_nothing_else(db: Session) -> None:
    town, other = f.municipality(db), f.municipality(db)
    building, social = _units(db, town.id, "Bauamt", "Sozialamt")
    [foreign] = _units(db, other.id, "Bauamt")
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    head = f.staff_member(db, town.id, name="Leitung Bau")
    stranger = f.staff_member(db, other.id)

    grant_role(db, coordinator, head, Role.UNIT_MANAGER, "Leitet das Bauamt seit März", units=[building])
    assert head.has_role(Role.UNIT_MANAGER) and head.managed_unit_ids == {building.id}
    # Other roles, other municipalities' staff and other municipalities' units are out of the coordination's scope.
    for role in (Role.COORDINATOR, Role.FACILITATOR, Role.TRAINER, Role.ADMIN, Role.ADVISORY_BOARD):
        with pytest.raises(OutOfScope):
            grant_role(db, coordinator, head, role, "Bitte")
    with pytest.raises(OutOfScope):
        grant_role(db, coordinator, stranger, Role.UNIT_MANAGER, "Bitte", units=[foreign])
    with pytest.raises(OutOfScope):
        grant_role(
            db, coordinator, head, Role.UNIT_MANAGER, "Auch das andere Bauamt", units=[building, foreign]
        )
    with pytest.raises(RoleChangeError, match="mindestens eine Organisationseinheit"):
        grant_role(db, coordinator, f.staff_member(db, town.id), Role.UNIT_MANAGER, "Leitung", units=[])
    # Granting again with other units changes the units (audited as such); the same units are refused.
    grant_role(db, coordinator, head, Role.UNIT_MANAGER, "Übernimmt auch Soziales", units=[building, social])
    assert head.managed_unit_ids == {building.id, social.id}
    with pytest.raises(RoleChangeError, match="bereits"):
        grant_role(db, coordinator, head, Role.UNIT_MANAGER, "noch einmal", units=[social, building])
    revoke_role(db, coordinator, head, Role.UNIT_MANAGER, "Ruhestand")
    assert not head.has_role(Role.UNIT_MANAGER) and head.managed_unit_ids == frozenset()
    assert db.scalar(select(UnitManager).where(UnitManager.user_id == head.id)) is None

    events = _events(db, head)
    assert [
        (e.action, e.actor_id, e.detail["role"], e.detail["reason"], e.detail["units"]) for e in events
    ] == [
        (
            "role.unit_manager_grant",
            coordinator.id,
            "unit_manager",
            "Leitet das Bauamt seit März",
            ["Bauamt"],
        ),
        (
            "role.unit_manager_units",
            coordinator.id,
            "unit_manager",
            "Übernimmt auch Soziales",
            ["Bauamt", "Sozialamt"],
        ),
        ("role.unit_manager_revoke", coordinator.id, "unit_manager", "Ruhestand", ["Bauamt", "Sozialamt"]),
    ]
    assert all(e.detail["municipality_id"] == town.id for e in events)


def test_the_programme_office_changes_every_role_with_a_reason_and_an_audit_entry(db: Session) -> None:
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    person = f.staff_member(db, town.id, name="Mira Schulz")
    with pytest.raises(RoleChangeError, match="Grund"):
        grant_role(db, admin, person, Role.COORDINATOR, "  ")
    grant_role(db, admin, person, Role.COORDINATOR, "Neue Koordinatorin laut Schreiben vom 2. März")
    grant_role(db, admin, person, Role.TRAINER, "Leitet Präsenzschulungen")
    grant_role(db, admin, person, Role.ADVISORY_BOARD, "Vom Beirat benannt", board=town)
    assert person.board_municipality_id == town.id
    with pytest.raises(RoleChangeError, match="bereits"):
        grant_role(db, admin, person, Role.TRAINER, "doppelt")
    revoke_role(db, admin, person, Role.ADVISORY_BOARD, "Beirat verlassen")
    revoke_role(db, admin, person, Role.COORDINATOR, "Wechsel ins Bauamt")
    assert person.roles == {Role.LEARNER, Role.TRAINER} and person.board_municipality_id is None
    with pytest.raises(RoleChangeError, match="nicht"):
        revoke_role(db, admin, person, Role.COORDINATOR, "noch einmal")
    assert [(e.action, e.actor_id, e.detail["reason"]) for e in _events(db, person)] == [
        ("role.coordinator_grant", admin.id, "Neue Koordinatorin laut Schreiben vom 2. März"),
        ("role.trainer_grant", admin.id, "Leitet Präsenzschulungen"),
        ("role.advisory_board_grant", admin.id, "Vom Beirat benannt"),
        ("role.advisory_board_revoke", admin.id, "Beirat verlassen"),
        ("role.coordinator_revoke", admin.id, "Wechsel ins Bauamt"),
    ]
    # Learners, trainers and coordinators change no role of anyone (the coordination: only heads of units).
    for outsider in (f.user(db, Role.LEARNER, municipality_id=town.id), f.user(db, Role.TRAINER)):
        with pytest.raises(OutOfScope):
            grant_role(db, outsider, person, Role.COORDINATOR, "Bitte")


def test_nobody_changes_their_own_roles_and_the_last_programme_office_keeps_its_role(db: Session) -> None:
    first, second = f.user(db, Role.ADMIN), f.user(db, Role.ADMIN)
    with pytest.raises(RoleChangeError, match="sich selbst"):
        revoke_role(db, first, first, Role.ADMIN, "Ich höre auf")
    with pytest.raises(RoleChangeError, match="sich selbst"):
        grant_role(db, first, first, Role.TRAINER, "Ich schule auch")
    # A deactivated account does not count as the programme office.
    retired = f.user(db, Role.ADMIN)
    retired.is_active = False
    revoke_role(db, first, second, Role.ADMIN, "Wechsel in ein Ministerium")
    assert not second.has_role(Role.ADMIN)
    # Now `first` is the last active account of the programme office: not even the command line demotes it.
    with pytest.raises(RoleChangeError, match="letzte aktive Konto"):
        revoke_role(db, COMMAND_LINE, first, Role.ADMIN, "Aufräumen")
    assert first.has_role(Role.ADMIN)
    grant_role(db, first, second, Role.ADMIN, "Zurück aus dem Ministerium")
    revoke_role(db, second, first, Role.ADMIN, "Übergabe an die Nachfolge")
    assert not first.has_role(Role.ADMIN)


def test_separation_of_duties_between_overseeing_staff_and_the_network(db: Session) -> None:
    town = f.municipality(db)
    [building] = _units(db, town.id, "Bauamt")
    admin = f.user(db, Role.ADMIN)
    head = f.staff_member(db, town.id)
    grant_role(db, admin, head, Role.UNIT_MANAGER, "Leitung Bauamt", units=[building])
    with pytest.raises(RoleChangeError, match="Funktionstrennung"):
        grant_role(db, admin, head, Role.FACILITATOR, "Moderiert gern")
    facilitator = f.staff_member(db, town.id)
    grant_role(db, admin, facilitator, Role.FACILITATOR, "Vom Netzwerk benannt")
    for role, units in ((Role.UNIT_MANAGER, [building]), (Role.COORDINATOR, [])):
        with pytest.raises(RoleChangeError, match="Funktionstrennung"):
            grant_role(db, admin, facilitator, role, "Beförderung", units=units)
    programme_wide = f.user(db, Role.TRAINER)
    with pytest.raises(RoleChangeError, match="keiner Kommune"):
        grant_role(db, admin, programme_wide, Role.UNIT_MANAGER, "Leitung", units=[building])
    gone = f.staff_member(db, town.id)
    gone.is_active = False
    with pytest.raises(RoleChangeError, match="Deaktivierte"):
        grant_role(db, admin, gone, Role.COORDINATOR, "Rückkehr")


def test_a_change_of_roles_ends_the_persons_sessions(db: Session) -> None:
    town = f.municipality(db)
    [building] = _units(db, town.id, "Bauamt")
    admin = f.user(db, Role.ADMIN)
    head = f.staff_member(db, town.id)
    grant_role(db, admin, head, Role.UNIT_MANAGER, "Leitung Bauamt", units=[building])
    db.add(
        LoginSession(
            user_id=head.id, key_hash=key_hash(new_key()), user_agent="Firefox", last_seen_at=clock.now()
        )
    )
    db.flush()
    revoke_role(db, admin, head, Role.UNIT_MANAGER, "Leitung abgegeben")
    db.flush()
    assert db.scalar(select(LoginSession).where(LoginSession.user_id == head.id)) is None
