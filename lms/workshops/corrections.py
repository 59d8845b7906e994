"""Correcting a recorded session (date, place, count, facilitators, attendees), audited with old → new values.

The rules mirror the withdrawal (lms.workshops.services.withdraw_session): completions are evidence and never vanish.
So an attendee whose attendance created a completion cannot be removed, and the date of a training that created
completions cannot move (each completion is dated by the day it was held); both are refused with the same advice
(the programme office). Attendees added by a correction get their completion exactly as the recording gives it.

A workshop's facilitators decide who sees its attendee names (lms.scope.may_see_attendee_names): while it holds
names they cannot change (delete the names first). The names themselves never enter the audit log, nor does a
workshop's exact participant count (which only its facilitators see, GDPR Art. 9): a change of either is recorded
as „changed“.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.errors import ServiceError
from lms.scope import (
    OutOfScope,
    may_see_attendee_names,
    may_see_exact_participant_count,
    may_withdraw_session,
)
from lms.workshops.models import LiveSession, SessionAttendance, SessionFacilitator, SessionKind
from lms.workshops.services import (
    MAX_PARTICIPANTS,
    SessionInput,
    SessionInputError,
    attend,
    count_names,
    duplicate_workshop,
    facilitator_choices,
    resolve_attendees,
)


@dataclass(frozen=True)
class Correction:
    """The corrected values; None for what the person does not change (or may not see)."""

    held_on: date
    place: str
    facilitator_ids: frozenset[int]
    external_facilitators: str
    reason: str
    #: Workshops, only from those who see the exact count (lms.scope.may_see_exact_participant_count): the
    #: corrected count (None: unchanged). Everyone else sees it rounded and could not correct it.
    participant_count: int | None = None
    #: Workshops, only from the facilitators who see them: the corrected names (None: unchanged).
    attendee_names: str | None = None
    #: Trainings: e-mail addresses or personnel numbers, one per line (None: unchanged).
    attendees: list[str] | None = None
    confirm_duplicate: bool = False


@dataclass(frozen=True)
class CorrectionResult:
    """What the correction changed (field → [old, new]) and how many completions it created."""

    changes: dict[str, Any]
    completions_created: int = 0


def _problems(session: Session, actor: User, live: LiveSession, data: Correction) -> list[ServiceError]:
    problems: list[ServiceError] = []
    if not data.reason.strip():
        problems.append(ServiceError("session.reason_missing"))
    if data.held_on > clock.today():
        problems.append(ServiceError("session.in_future"))
    if not data.place.strip():
        problems.append(ServiceError("session.place_missing"))
    # Those already named stay allowed: correcting a date does not force a change of who ran it.
    kind = SessionKind(live.kind)
    choices = facilitator_choices(session, actor, kind, {live.municipality_id})
    if not data.facilitator_ids <= {u.id for u in choices} | live.facilitator_ids:
        problems.append(ServiceError("session.facilitator_not_allowed"))
    if not data.facilitator_ids and not data.external_facilitators.strip():
        problems.append(ServiceError("session.facilitator_missing"))
    if live.kind == SessionKind.WORKSHOP.value:
        count = live.participant_count if data.participant_count is None else data.participant_count
        if not 1 <= count <= MAX_PARTICIPANTS:
            problems.append(ServiceError("session.participants_range", max=MAX_PARTICIPANTS))
        if data.participant_count is not None or data.attendee_names is not None:
            if not may_see_attendee_names(actor, live) and not may_see_exact_participant_count(actor, live):
                raise OutOfScope
            names = data.attendee_names if data.attendee_names is not None else (live.attendee_names or "")
            if count_names(names) > count >= 1:
                problems.append(
                    ServiceError("session.names_exceed_count", names=count_names(names), count=count)
                )
        if live.attendee_names and data.facilitator_ids != live.facilitator_ids:
            problems.append(ServiceError("session.names_block_facilitators"))
        probe = SessionInput(
            kind=SessionKind.WORKSHOP, municipality_id=live.municipality_id, module_version_id=0,
            held_on=data.held_on, place=data.place,
        )  # fmt: skip
        if not data.confirm_duplicate and duplicate_workshop(
            session, probe, live.module_id, exclude_id=live.id
        ):
            problems.append(ServiceError("session.duplicate_workshop"))
    return problems


def summarise(changes: dict[str, Any]) -> str:
    """The changes in one line for the audit log („place: A → B; …“); names only as „changed“."""
    parts = []
    for name, value in changes.items():
        if (
            isinstance(value, list)
            and len(value) == 2
            and name not in ("attendees_added", "attendees_removed")
        ):
            parts.append(f"{name}: {value[0]} → {value[1]}")
        elif isinstance(value, list):
            parts.append(f"{name}: {len(value)}")
        else:
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def _attendances(session: Session, live: LiveSession) -> dict[int, SessionAttendance]:
    rows = session.scalars(select(SessionAttendance).where(SessionAttendance.session_id == live.id))
    return {row.user_id: row for row in rows}


def correct_session(session: Session, actor: User, live: LiveSession, data: Correction) -> CorrectionResult:
    """Correct a recorded session; every changed value goes into the audit event (names only as „changed“)."""
    if not may_withdraw_session(actor, live):
        raise OutOfScope
    if live.withdrawn_at is not None:
        raise SessionInputError([ServiceError("session.withdrawn")])
    problems = _problems(session, actor, live, data)
    is_training = live.kind == SessionKind.TRAINING.value
    existing = _attendances(session, live) if is_training else {}
    added: list[User] = []
    removed: list[SessionAttendance] = []
    if is_training and data.attendees is not None:
        people, attendee_problems = resolve_attendees(session, live.municipality_id, data.attendees)
        problems += attendee_problems
        wanted = {p.id for p in people}
        added = [p for p in people if p.id not in existing]
        removed = [row for user_id, row in existing.items() if user_id not in wanted]
        for row in removed:
            if row.completion_id is not None:
                person = session.get(User, row.user_id)
                problems.append(
                    ServiceError(
                        "session.attendee_has_completion", name=person.display_name if person else "?"
                    )
                )
    if is_training and data.held_on != live.held_on and any(r.completion_id for r in existing.values()):
        problems.append(ServiceError("session.date_has_completions"))
    if problems:
        raise SessionInputError(problems)

    changes: dict[str, Any] = {}

    def change(name: str, old: Any, new: Any) -> None:
        if old != new:
            changes[name] = [old, new]

    change("held_on", live.held_on.isoformat(), data.held_on.isoformat())
    change("place", live.place, data.place.strip()[:200])
    change("facilitator_ids", sorted(live.facilitator_ids), sorted(data.facilitator_ids))
    change("external_facilitators", live.external_facilitators, data.external_facilitators.strip()[:300])
    live.held_on = data.held_on
    live.place = data.place.strip()[:200]
    live.external_facilitators = data.external_facilitators.strip()[:300]
    if data.facilitator_ids != live.facilitator_ids:
        live.facilitator_links = [
            link for link in live.facilitator_links if link.user_id in data.facilitator_ids
        ]
        for user_id in sorted(data.facilitator_ids - live.facilitator_ids):
            live.facilitator_links.append(SessionFacilitator(user_id=user_id))
    created = 0
    if is_training:
        for row in removed:
            session.delete(row)
        created = attend(session, live, live.module_version, added, live.held_on)
        if added or removed:
            changes["attendees_added"] = sorted(p.id for p in added)
            changes["attendees_removed"] = sorted(r.user_id for r in removed)
        change("participant_count", live.participant_count, len(existing) - len(removed) + len(added))
        live.participant_count = len(existing) - len(removed) + len(added)
    else:
        if data.participant_count is not None and data.participant_count != live.participant_count:
            # Only the workshop's facilitators see its exact count; the log's readers see that it changed.
            changes["participant_count"] = "changed"
            live.participant_count = data.participant_count
        if data.attendee_names is not None and may_see_attendee_names(actor, live):
            new_names = data.attendee_names.strip() or None
            if new_names != live.attendee_names:
                changes["attendee_names"] = "changed"  # never the names themselves
                live.attendee_names = new_names
    session.flush()
    if changes:
        record_event(
            session,
            actor_id=actor.id,
            action="session.correct",
            object_type="live_session",
            object_id=live.id,
            reason=data.reason.strip()[:300],
            changes=changes,
            summary=summarise(changes),
            completions_created=created,
        )
    return CorrectionResult(changes, created)
