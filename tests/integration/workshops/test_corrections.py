"""Correcting a recorded session: audited with old → new values; completions never vanish; names never in the log."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.progress.models import Completion
from lms.scope import OutOfScope
from lms.workshops.corrections import Correction, correct_session
from lms.workshops.models import SessionAttendance, SessionKind
from lms.workshops.services import SessionInput, SessionInputError, record_training, record_workshop
from tests import factories as f


def _event(db: Session, live_id: int) -> AuditEvent:
    return db.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "session.correct", AuditEvent.object_id == str(live_id))
        .order_by(AuditEvent.id.desc())
    ).first()  # type: ignore[return-value]


def test_a_training_correction_adds_attendees_and_never_drops_a_completion(db: Session) -> None:
    town = f.municipality(db)
    module = f.training_module(db, "korrektur-test", "Korrektur")
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    a, b, c = (f.staff_member(db, town.id, name=n) for n in ("Anna", "Berk", "Chiara"))
    f.completion(db, b, module)  # b had completed the module before: their attendance creates nothing
    held_on = clock.today() - timedelta(days=2)
    live = record_training(
        db,
        coordinator,
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=module.id,
            held_on=held_on,
            place="Kreishaus",
            facilitator_ids=frozenset({coordinator.id}),
            attendees=[a.email, b.email],
        ),
    ).session

    def correction(**changes: object) -> Correction:
        fields: dict[str, object] = {
            "held_on": held_on,
            "place": "Kreishaus, Saal 2",
            "facilitator_ids": frozenset({coordinator.id}),
            "external_facilitators": "",
            "reason": "Saal verwechselt",
            "attendees": [a.email, c.email],
            **changes,
        }
        return Correction(**fields)  # type: ignore[arg-type]

    result = correct_session(db, coordinator, live, correction())
    assert result.completions_created == 1
    event = _event(db, live.id)
    assert event.detail["changes"] == {  # the count stays 2: one in, one out
        "place": ["Kreishaus", "Kreishaus, Saal 2"],
        "attendees_added": [c.id],
        "attendees_removed": [b.id],
    }
    assert event.detail["reason"] == "Saal verwechselt"
    attending = set(
        db.scalars(select(SessionAttendance.user_id).where(SessionAttendance.session_id == live.id))
    )
    assert attending == {a.id, c.id}
    assert db.scalar(select(Completion.mode).where(Completion.user_id == c.id)) == "in_person"

    # Removing a, whose attendance created a completion, or moving the date, is refused; nothing changes.
    with pytest.raises(SessionInputError) as refused:
        correct_session(
            db, coordinator, live, correction(attendees=[c.email], held_on=held_on - timedelta(days=1))
        )
    assert {p.code for p in refused.value.problems} == {
        "session.attendee_has_completion",
        "session.date_has_completions",
    }
    assert db.scalar(select(Completion.id).where(Completion.user_id == a.id)) is not None
    with pytest.raises(SessionInputError) as no_reason:
        correct_session(db, coordinator, live, correction(reason=" "))
    assert [p.code for p in no_reason.value.problems] == ["session.reason_missing"]
    stranger = f.user(db, Role.COORDINATOR, municipality_id=f.municipality(db).id)
    with pytest.raises(OutOfScope):
        correct_session(db, stranger, live, correction())


def test_a_workshop_correction_is_audited_without_names_and_the_count_is_the_facilitators(
    db: Session,
) -> None:
    town = f.municipality(db)
    script = f.workshop_script(db)
    facilitator = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    other = f.user(db, Role.FACILITATOR, municipality_id=town.id)
    coordinator = f.user(db, Role.COORDINATOR, municipality_id=town.id)
    held_on = clock.today() - timedelta(days=1)
    live = record_workshop(
        db,
        facilitator,
        SessionInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=held_on,
            place="Stadthaus",
            facilitator_ids=frozenset({facilitator.id}),
            participant_count=7,
            attendee_names="Deniz Arslan\nMinh Nguyen",
        ),
    ).session
    base = {
        "held_on": held_on,
        "place": "Stadthaus, Raum 3",
        "facilitator_ids": frozenset({facilitator.id}),
        "external_facilitators": "",
        "reason": "nachgezählt",
    }
    correct_session(
        db,
        facilitator,
        live,
        Correction(**base, participant_count=9, attendee_names="Deniz Arslan\nSara K."),  # type: ignore[arg-type]
    )
    event = _event(db, live.id)
    # Only the facilitators see a workshop's exact count (GDPR Art. 9); the log's readers see that it changed.
    assert event.detail["changes"]["participant_count"] == "changed"
    assert "7" not in event.detail["summary"] and "9" not in event.detail["summary"]
    assert event.detail["changes"]["attendee_names"] == "changed"
    assert "Sara" not in json.dumps(event.detail) and "Deniz" not in json.dumps(event.detail)
    assert live.attendee_names == "Deniz Arslan\nSara K."

    with pytest.raises(SessionInputError) as too_many:
        correct_session(db, facilitator, live, Correction(**base, participant_count=1))  # type: ignore[arg-type]
    assert [p.code for p in too_many.value.problems] == ["session.names_exceed_count"]
    with pytest.raises(SessionInputError) as locked:
        correct_session(
            db,
            facilitator,
            live,
            Correction(**{**base, "facilitator_ids": frozenset({facilitator.id, other.id})}),  # type: ignore[arg-type]
        )
    assert [p.code for p in locked.value.problems] == ["session.names_block_facilitators"]
    # The coordinator sees the count only rounded: they correct the place, not the count.
    with pytest.raises(OutOfScope):
        correct_session(db, coordinator, live, Correction(**base, participant_count=10))  # type: ignore[arg-type]
    correct_session(db, coordinator, live, Correction(**{**base, "place": "Bürgerhaus"}))  # type: ignore[arg-type]
    assert live.place == "Bürgerhaus" and live.participant_count == 9
