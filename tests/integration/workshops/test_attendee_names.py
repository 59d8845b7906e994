"""Names of a workshop's participants: only the facilitators recorded for that workshop see them, and they are
deleted after the retention period, on withdrawal and on request — audited without the names."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import migrate
from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.auth.services import create_user
from lms.cli import main
from lms.content.models import ModuleVersion
from lms.db import make_engine
from lms.orgs.facilitators import grant_facilitator, revoke_facilitator
from lms.orgs.models import Municipality
from lms.scope import OutOfScope, may_see_attendee_names, may_see_exact_participant_count
from lms.workshops.models import LiveSession, SessionKind
from lms.workshops.names import delete_attendee_names, purge_expired_attendee_names
from lms.workshops.services import SessionInput, SessionInputError, record_workshop, withdraw_session
from tests import factories as f

NAMES = "Deniz Arslan\nMinh Nguyen"


def _workshop(db: Session, facilitator: User, *, days_ago: int = 1, names: str = NAMES) -> LiveSession:
    if "script" not in db.info:  # one published script per session (publishing it twice is refused)
        db.info["script"] = f.workshop_script(db)
    script: ModuleVersion = db.info["script"]
    return record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=facilitator.municipality_id,  # type: ignore[arg-type]
            module_version_id=script.id,
            held_on=clock.today() - timedelta(days=days_ago),
            place="Stadthaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=3,
            attendee_names=names,
        ),
    ).session


def _name_free(db: Session, live: LiveSession) -> list[AuditEvent]:
    events = list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "session.names_delete", AuditEvent.object_id == str(live.id)
            )
        )
    )
    for event in events:
        assert "Deniz" not in str(event.detail) and "Minh" not in str(event.detail)
    return events


def test_only_the_facilitators_recorded_for_the_workshop_see_names_and_exact_count(db: Session) -> None:
    town = f.municipality(db)
    admin = f.user(db, Role.ADMIN)
    ran = f.staff_member(db, town.id, name="Aylin Kaya")
    grant_facilitator(db, admin, ran, "Netzwerk")
    other = f.staff_member(db, town.id, name="Other Facilitator")
    grant_facilitator(db, admin, other, "Netzwerk")
    live = _workshop(db, ran)
    later = f.staff_member(db, town.id, name="Joined Later")
    grant_facilitator(db, admin, later, "Neu im Netzwerk")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    trainer = f.user(db, Role.TRAINER)
    assert may_see_attendee_names(ran, live) and may_see_exact_participant_count(ran, live)
    for person in (other, later, coordinator, admin, trainer):
        assert not may_see_attendee_names(person, live)
        assert not may_see_exact_participant_count(person, live)
    # The role can be removed: then the names are gone for that person, too.
    revoke_facilitator(db, admin, ran, "Netzwerk verlassen")
    assert not may_see_attendee_names(ran, live)


def test_names_are_kept_only_when_the_recorder_is_among_the_facilitators(db: Session) -> None:
    town = f.municipality(db)
    facilitator = create_user(
        db,
        email="mod@kommune.example",
        display_name="Mod",
        password=None,
        roles={Role.FACILITATOR},
        municipality_id=town.id,
    )
    script = f.workshop_script(db)
    data = SessionInput(
        kind=SessionKind.WORKSHOP,
        municipality_id=town.id,
        module_version_id=script.id,
        held_on=clock.today(),
        place="Stadthaus",
        external_facilitators="Extern",
        participant_count=3,
        attendee_names=NAMES,
    )
    with pytest.raises(SessionInputError, match="selbst als Moderation"):
        record_workshop(db, facilitator, data)


def test_names_are_purged_after_the_retention_period_and_the_deletion_is_audited_without_them(
    db: Session,
) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    old = _workshop(db, facilitator, days_ago=91)
    recent = _workshop(db, facilitator, days_ago=90)
    assert purge_expired_attendee_names(db, clock.today()) == 1
    assert old.attendee_names is None and old.names_deleted_at is not None
    assert recent.attendee_names == NAMES
    [event] = _name_free(db, old)
    assert event.detail == {"reason": "retention"} and event.actor_id is None
    assert purge_expired_attendee_names(db, clock.today()) == 0  # nothing twice
    assert purge_expired_attendee_names(db, clock.today(), retention_days=30) == 1
    assert recent.attendee_names is None


def test_names_go_at_once_on_withdrawal_and_on_request(db: Session) -> None:
    town = f.municipality(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    withdrawn = _workshop(db, facilitator)
    withdraw_session(db, facilitator, withdrawn, "Doppelt erfasst")
    assert withdrawn.attendee_names is None
    assert [e.detail for e in _name_free(db, withdrawn)] == [{"reason": "withdrawn"}]

    asked = _workshop(db, facilitator)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    with pytest.raises(OutOfScope):
        delete_attendee_names(db, coordinator, asked)
    assert asked.attendee_names == NAMES
    assert delete_attendee_names(db, facilitator, asked) is True
    assert asked.attendee_names is None
    assert [e.detail for e in _name_free(db, asked)] == [{"reason": "request"}]


def test_the_daily_command_purges_expired_names(tmp_path: Path) -> None:
    url = "sqlite:///" + str(tmp_path / "cli.sqlite3")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        town = Municipality(slug="kreis", name="Kreis")
        session.add(town)
        session.flush()
        facilitator = f.user(session, Role.FACILITATOR, municipality_id=town.id)
        live = _workshop(session, facilitator, days_ago=40)
        session.commit()
        live_id = live.id
    env = {"LMS_DATABASE_URL": url, "LMS_TEST_DATABASE_URL": "", "LMS_WORKSHOP_NAMES_RETENTION_DAYS": "30"}
    result = CliRunner().invoke(main, ["workshops", "purge-names"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "Namen von 1 Workshop(s) gelöscht" in result.output
    with Session(engine) as session:
        assert session.get(LiveSession, live_id).attendee_names is None  # type: ignore[union-attr]
    engine.dispose()
