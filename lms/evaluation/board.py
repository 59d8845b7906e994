"""The local advisory board (Beirat) of a municipality: its members and its assessments per period.

Members are appointed by the programme office only, with a reason, and every appointment and removal is an audit
event. Most members are not staff of the municipality (civil society, migrant organisations), so the board's
municipality is stored apart from the employer (``User.board_municipality_id``): a member never counts as staff.
An assessment is the board's text for one period with the date and its authors as the board names them; it is
never edited (a correction is a new assessment), and the coordinator and the programme office read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, User
from lms.auth.services import AccountError, checked_name, create_user, normalise_email
from lms.evaluation.models import BoardAssessment
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.orgs.role_changes import (
    RoleChangeError,
    audit_change,
    checked_reason,
    grant_action,
    grant_role,
    revoke_role,
    role_holders,
)
from lms.scope import OutOfScope, may_record_board_assessment, may_view_municipality

MAX_AUTHORS = 300
MAX_TEXT = 10_000


#: Refusals come from the one role-change service (lms.orgs.role_changes) or carry a ``board.*`` code.
BoardError = RoleChangeError


@dataclass(frozen=True)
class Appointment:
    """What appointing did: the member, and whether the account is new (it then needs an invitation)."""

    person: User
    is_new: bool


def appoint_member(
    session: Session, actor: User, municipality: Municipality, email: str, name: str, reason: str
) -> Appointment:
    """Make a person a member of the municipality's advisory board; creates the account if there is none."""
    if not actor.has_role(Role.ADMIN):
        raise OutOfScope
    why = checked_reason(reason)  # before an account is created
    address = normalise_email(email)
    if "@" not in address or len(address) > 254:
        raise BoardError("board.email_invalid")
    person = session.scalar(select(User).where(User.email == address))
    is_new = person is None
    if person is None:
        if not name.strip():
            raise BoardError("board.name_missing")
        try:
            display_name = checked_name(name.strip()[:200])
        except AccountError as refused:
            raise BoardError(refused.code, **refused.params) from None
        person = create_user(
            session,
            email=address,
            display_name=display_name,
            password=None,
            roles={Role.ADVISORY_BOARD},
            municipality_id=None,
            actor_id=actor.id,
        )
        person.board_municipality_id = municipality.id
        audit_change(
            session,
            actor,
            person,
            grant_action(Role.ADVISORY_BOARD),
            Role.ADVISORY_BOARD,
            why,
            municipality.id,
        )
        return Appointment(person, is_new)
    if person.has_role(Role.ADVISORY_BOARD) and person.board_municipality_id is not None:
        current = session.get(Municipality, person.board_municipality_id)
        raise BoardError("board.already_member", municipality=current.name if current else "")
    grant_role(session, actor, person, Role.ADVISORY_BOARD, reason, board=municipality)
    return Appointment(person, is_new)


def remove_member(session: Session, actor: User, person: User, reason: str) -> None:
    """End a person's membership of an advisory board (programme office only)."""
    revoke_role(session, actor, person, Role.ADVISORY_BOARD, reason)


def board_members(session: Session, municipality_id: int | None = None) -> list[User]:
    """The members of every board (or of one), by municipality and name (programme office's page)."""
    return role_holders(session, Role.ADVISORY_BOARD, User.board_municipality_id, municipality_id)


@dataclass(frozen=True)
class AssessmentInput:
    """What the board's form asks for."""

    period_id: int
    assessed_on: date
    authors: str
    text: str


def record_assessment(
    session: Session,
    actor: User,
    municipality: Municipality,
    wanted: AssessmentInput,
    now: datetime | None = None,
) -> BoardAssessment:
    """The board's assessment of its municipality for a period (members of that board only)."""
    if not may_record_board_assessment(actor, municipality.id):
        raise OutOfScope
    period = session.get(ProgrammePeriod, wanted.period_id)
    if period is None:
        raise OutOfScope
    if not wanted.text.strip():
        raise BoardError("board.text_missing")
    if not wanted.authors.strip():
        raise BoardError("board.authors_missing")
    if wanted.assessed_on > clock.today():
        raise BoardError("board.date_future")
    row = BoardAssessment(
        municipality_id=municipality.id,
        period_id=period.id,
        assessed_on=wanted.assessed_on,
        authors=wanted.authors.strip()[:MAX_AUTHORS],
        text=wanted.text.strip()[:MAX_TEXT],
        recorded_by_id=actor.id,
        recorded_at=now or clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def assessments(
    session: Session, actor: User, municipality: Municipality, period_id: int
) -> list[BoardAssessment]:
    """The board's assessments of a period, newest first (its board, its coordinators, the programme office)."""
    if not may_view_municipality(actor, municipality.id):
        raise OutOfScope
    return list(
        session.scalars(
            select(BoardAssessment)
            .where(BoardAssessment.municipality_id == municipality.id, BoardAssessment.period_id == period_id)
            .order_by(BoardAssessment.assessed_on.desc(), BoardAssessment.recorded_at.desc())
        )
    )


def find_member(session: Session, email: str) -> User | None:
    """The account with this e-mail address, if it sits on a board."""
    person = session.scalar(select(User).where(User.email == normalise_email(email)))
    return person if person is not None and person.has_role(Role.ADVISORY_BOARD) else None
