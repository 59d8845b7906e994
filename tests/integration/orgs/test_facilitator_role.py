"""The facilitator role: only the programme office grants or removes it, with a reason, never to itself or to
the coordination of the same municipality; every change is audited and listed with filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.auth.services import AccountError, create_user
from lms.orgs.facilitators import (
    EventFilter,
    FacilitatorRoleError,
    RoleChange,
    grant_facilitator,
    revoke_facilitator,
    role_events,
)
from lms.scope import OutOfScope
from tests import factories as f


def test_only_the_programme_office_grants_and_removes_the_role_with_a_reason(db: Session) -> None:
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    person = f.staff_member(db, town.id, name="Aylin Kaya")
    for outsider in (coordinator, f.user(db, Role.TRAINER), person):
        with pytest.raises(OutOfScope):
            grant_facilitator(db, outsider, person, "Benannt vom Netzwerk")
    with pytest.raises(FacilitatorRoleError, match="Grund"):
        grant_facilitator(db, admin, person, "   ")
    assert not person.has_role(Role.FACILITATOR)

    grant_facilitator(db, admin, person, "Benannt vom Netzwerk am 3. März")
    assert person.has_role(Role.FACILITATOR)
    with pytest.raises(FacilitatorRoleError, match="bereits"):
        grant_facilitator(db, admin, person, "noch einmal")
    with pytest.raises(OutOfScope):
        revoke_facilitator(db, coordinator, person, "Ende")
    revoke_facilitator(db, admin, person, "Netzwerk verlassen")
    assert not person.has_role(Role.FACILITATOR)

    events = db.query(AuditEvent).filter(AuditEvent.object_id == str(person.id)).order_by(AuditEvent.id).all()
    assert [(e.action, e.actor_id, e.detail["reason"], e.detail["municipality_id"]) for e in events[-2:]] == [
        (RoleChange.GRANT.value, admin.id, "Benannt vom Netzwerk am 3. März", town.id),
        (RoleChange.REVOKE.value, admin.id, "Netzwerk verlassen", town.id),
    ]


def test_never_to_oneself_and_never_to_the_coordination_of_the_same_municipality(db: Session) -> None:
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    with pytest.raises(FacilitatorRoleError, match="sich selbst"):
        grant_facilitator(db, admin, admin, "Ich moderiere selbst")
    coordinator = f.user(db, Role.COORDINATOR, Role.LEARNER, municipality_id=town.id)
    with pytest.raises(FacilitatorRoleError, match="Funktionstrennung"):
        grant_facilitator(db, admin, coordinator, "Sie möchte gern")
    assert not coordinator.has_role(Role.FACILITATOR)
    # The other way round: no account is created that coordinates and facilitates.
    with pytest.raises(AccountError, match="getrennt"):
        create_user(
            db,
            email="beides@kommune.example",
            display_name="Beides",
            password=None,
            roles={Role.COORDINATOR, Role.FACILITATOR},
            municipality_id=town.id,
        )
    programme_wide = f.user(db, Role.LEARNER)
    with pytest.raises(FacilitatorRoleError, match="keiner Kommune"):
        grant_facilitator(db, admin, programme_wide, "Netzwerk")


def test_the_audit_list_filters_by_municipality_person_kind_and_dates(db: Session, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(clock.at_local(clock.today(), 12), tick=False)
    town_a, town_b = f.municipality(db, "Kommune A"), f.municipality(db, "Kommune B")
    admin = f.user(db, Role.ADMIN, name="Programmbüro")
    aylin = f.staff_member(db, town_a.id, name="Aylin Kaya")
    minh = f.staff_member(db, town_b.id, name="Minh Nguyen")
    grant_facilitator(db, admin, aylin, "Benannt")
    db.flush()  # the event's time is taken when it is written
    time_machine.shift(timedelta(days=3))
    grant_facilitator(db, admin, minh, "Benannt")
    revoke_facilitator(db, admin, aylin, "Umgezogen")
    db.flush()

    def names(**wanted: object) -> list[tuple[str, RoleChange]]:
        return [(e.person.display_name, e.change) for e in role_events(db, admin, EventFilter(**wanted))]  # type: ignore[arg-type, union-attr]

    assert names() == [
        ("Aylin Kaya", RoleChange.REVOKE),
        ("Minh Nguyen", RoleChange.GRANT),
        ("Aylin Kaya", RoleChange.GRANT),
    ]
    assert names(municipality_id=town_b.id) == [("Minh Nguyen", RoleChange.GRANT)]
    assert names(person="aylin") == [("Aylin Kaya", RoleChange.REVOKE), ("Aylin Kaya", RoleChange.GRANT)]
    assert names(change=RoleChange.REVOKE) == [("Aylin Kaya", RoleChange.REVOKE)]
    today = clock.today()
    assert names(date_to=today - timedelta(days=1)) == [("Aylin Kaya", RoleChange.GRANT)]
    assert names(date_from=today) == [("Aylin Kaya", RoleChange.REVOKE), ("Minh Nguyen", RoleChange.GRANT)]
    event = role_events(db, admin, EventFilter(change=RoleChange.REVOKE))[0]
    assert (event.reason, event.actor.display_name, event.municipality.name) == (  # type: ignore[union-attr]
        "Umgezogen",
        "Programmbüro",
        "Kommune A",
    )
    with pytest.raises(OutOfScope):
        role_events(db, f.user(db, Role.COORDINATOR, municipality_id=town_a.id), EventFilter())
