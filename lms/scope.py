"""Who may see which people, municipalities and sessions: the one place that scopes every query and check.

* The programme office (admin) sees every municipality, its staff and sessions, never workshop attendee names.
* A coordinator sees their own municipality: its staff, reports and sessions, never workshop attendee names.
* A trainer or facilitator sees the sessions they ran or recorded. The optional attendee names of a workshop are
  seen only by the facilitators recorded for that workshop (not by the network's other facilitators, not by one
  added later, not by its coordinator or the programme office); they alone see its exact participant count.
* A learner sees only their own records (the progress feature's queries filter by the person's id).
* Certificates: everyone their own; a coordinator also their municipality's completion certificates.
* Background jobs (an import's invitations, a certificate archive): who started them, their municipality's
  coordination, the programme office.
* Documents in consultation: every signed-in person reads the published versions and what changed and why;
  coordinators and facilitators comment; during the window each commenter sees only their own comments, after it
  everyone taking part sees all of them, attributed to the municipality; the programme office runs the window.
* A member of a local advisory board (Beirat) reads its municipality's aggregates and evaluation (never a name,
  never a workshop's details, never an export with people) and records the board's assessment; nothing of another
  municipality. Their board's municipality is ``User.board_municipality_id``, apart from any employer.
* A head of org units (unit manager) sees the training progress of the staff of the units they lead, in their own
  municipality: their units' coverage and completions, who has not yet completed a planned module (page and
  exports), those people's pages. Nothing of the empowerment network: no workshop, no count of its participants,
  no facilitator; not the municipality's dashboard, staff list or other units.
* Roles: the programme office grants and removes every role; a municipality's coordination appoints and removes
  the heads of its own org units (lms.orgs.role_changes holds the rules every change follows).

Views call these functions instead of writing their own conditions, and the access-matrix test checks every route.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from lms.auth.models import Role, User
from lms.certificates.models import Certificate
from lms.certificates.snapshot import CertificateKind
from lms.documents.models import ConsultationComment
from lms.jobs.models import Job
from lms.orgs.models import Municipality
from lms.workshops.models import (
    LiveSession,
    NetworkMember,
    PlannedSession,
    PlannedSessionFacilitator,
    SessionFacilitator,
    SessionKind,
)


class Actor(Protocol):
    """Who acts in the services that the command line may call too: a signed-in person or the command line."""

    @property
    def id(self) -> int | None: ...

    @property
    def municipality_id(self) -> int | None: ...

    def has_role(self, *roles: Role) -> bool: ...


class CommandLineActor:
    """Who acts in `lms` commands: an administrator at the server, with the programme office's rights, no account."""

    id = None
    municipality_id = None
    display_name = "Kommandozeile"

    def has_role(self, *roles: Role) -> bool:
        return Role.ADMIN in roles


COMMAND_LINE: Actor = CommandLineActor()


class OutOfScope(Exception):
    """The acting person may not see or change this; views answer 404 so that nothing is revealed."""


def may_manage_municipality(user: Actor, municipality_id: int) -> bool:
    """Staff lists, imports, training plan, dashboard and exports of a municipality."""
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.COORDINATOR) and user.municipality_id == municipality_id


def may_view_municipality(user: User, municipality_id: int) -> bool:
    """Aggregates of a municipality (evaluation, indicators, the board's assessments): its managers and its board."""
    if may_manage_municipality(user, municipality_id):
        return True
    return user.has_role(Role.ADVISORY_BOARD) and user.board_municipality_id == municipality_id


def may_record_board_assessment(user: User, municipality_id: int) -> bool:
    """Only the members of the municipality's own advisory board write its assessment."""
    return user.has_role(Role.ADVISORY_BOARD) and user.board_municipality_id == municipality_id


def require_municipality(user: User, municipality: Municipality | None) -> Municipality:
    """The municipality if the person may manage it; raises OutOfScope otherwise."""
    if municipality is None or not may_manage_municipality(user, municipality.id):
        raise OutOfScope
    return municipality


def may_change_role(actor: Actor, person: User, role: Role) -> bool:
    """The programme office changes every role; a coordination the unit managers among its municipality's staff."""
    if actor.has_role(Role.ADMIN):
        return True
    return (
        role is Role.UNIT_MANAGER
        and actor.has_role(Role.COORDINATOR)
        and actor.municipality_id is not None
        and person.municipality_id == actor.municipality_id
    )


def may_view_progress(user: User, municipality_id: int) -> bool:
    """Training progress of (some of) a municipality's staff: its managers, and the heads of its org units."""
    return may_manage_municipality(user, municipality_id) or bool(progress_units(user, municipality_id))


def progress_units(user: User, municipality_id: int) -> frozenset[int] | None:
    """The org units whose staff's progress this person sees in the municipality: None means all of them.

    Empty for anyone who sees none (a head of org units of another municipality included).
    """
    if may_manage_municipality(user, municipality_id):
        return None
    if user.has_role(Role.UNIT_MANAGER) and user.municipality_id == municipality_id:
        return user.managed_unit_ids
    return frozenset()


def may_see_quiz_scores(user: User, municipality_id: int) -> bool:
    """Quiz results of named staff (the completion list's „Ergebnis (%)“): the programme's coordination and office, not
    a head of org units. For a line manager a colleague's score is performance data (the staff council's
    co-determination over monitoring performance, GDPR Art. 5(1)(c)); the evidence they need is that, and when, a
    module was completed."""
    return progress_units(user, municipality_id) is None


def progress_filter(user: User, municipality_id: int) -> ColumnElement[bool]:
    """Condition on User for the staff of the municipality whose progress this person sees (names included)."""
    units = progress_units(user, municipality_id)
    if units is None:
        return User.municipality_id == municipality_id
    if not units:
        return false()
    return (User.municipality_id == municipality_id) & User.org_unit_id.in_(sorted(units))


def staff_filter(user: User) -> ColumnElement[bool]:
    """Condition on User for the people this person may list."""
    if user.has_role(Role.ADMIN):
        return true()
    if user.has_role(Role.COORDINATOR) and user.municipality_id is not None:
        return User.municipality_id == user.municipality_id
    return User.id == user.id


def may_record_session(user: User, kind: str, municipality_id: int) -> bool:
    """Trainers and the programme office record for any municipality; coordinators and facilitators for their own.

    Facilitators record empowerment workshops only; in-person trainings are recorded by trainers and coordinators.
    """
    if user.has_role(Role.ADMIN, Role.TRAINER):
        return True
    own = user.municipality_id == municipality_id
    if user.has_role(Role.COORDINATOR) and own:
        return True
    return user.has_role(Role.FACILITATOR) and own and kind == SessionKind.WORKSHOP.value


def may_record_kind(user: User, kind: SessionKind) -> bool:
    """Empowerment workshops are recorded by every recorder; in-person trainings not by facilitators."""
    if kind is SessionKind.TRAINING:
        return user.has_role(Role.ADMIN, Role.TRAINER, Role.COORDINATOR)
    return may_record_any_session(user)


def may_name_attendees(user: User, kind: SessionKind) -> bool:
    """Names are asked only of the network's own facilitators: nobody else may see them afterwards either."""
    return kind is SessionKind.WORKSHOP and user.has_role(Role.FACILITATOR)


def may_record_any_session(user: User) -> bool:
    """Whether the „record a session“ pages are open to this person at all."""
    return user.has_role(Role.ADMIN, Role.TRAINER, Role.COORDINATOR, Role.FACILITATOR)


def recordable_municipality_ids(user: User) -> set[int] | None:
    """Municipalities this person may record sessions for; None means all."""
    if user.has_role(Role.ADMIN, Role.TRAINER):
        return None
    if user.has_role(Role.COORDINATOR, Role.FACILITATOR) and user.municipality_id is not None:
        return {user.municipality_id}
    return set()


def _runs(user: User) -> ColumnElement[bool]:
    ran = exists(
        select(SessionFacilitator.session_id).where(
            SessionFacilitator.session_id == LiveSession.id, SessionFacilitator.user_id == user.id
        )
    )
    return or_(ran, LiveSession.recorded_by_id == user.id)


def sessions_filter(user: User) -> ColumnElement[bool]:
    """Condition on LiveSession for the sessions this person may see."""
    if user.has_role(Role.ADMIN):
        return true()
    conditions = []
    if user.has_role(Role.COORDINATOR) and user.municipality_id is not None:
        conditions.append(LiveSession.municipality_id == user.municipality_id)
    if user.has_role(Role.TRAINER, Role.FACILITATOR):
        conditions.append(_runs(user))
    return or_(*conditions) if conditions else false()


def may_see_attendee_names(user: User, session: LiveSession) -> bool:
    """Only the facilitators recorded for this workshop (when it was recorded) see who attended it.

    The facilitator links are written once, when the workshop is recorded, and never changed: a facilitator who
    joins the network later is not among them. They must still hold the role (it can be removed).
    """
    return (
        session.kind == SessionKind.WORKSHOP.value
        and user.has_role(Role.FACILITATOR)
        and user.id is not None
        and user.id in session.facilitator_ids
    )


def may_see_exact_participant_count(user: User, session: LiveSession) -> bool:
    """The exact count of a workshop for its own facilitators; everyone else sees it through lms.disclosure."""
    return session.kind != SessionKind.WORKSHOP.value or may_see_attendee_names(user, session)


def may_withdraw_session(user: User, session: LiveSession) -> bool:
    """The person who recorded it, its facilitators, the municipality's coordinators and the programme office."""
    if user.has_role(Role.ADMIN):
        return True
    if user.has_role(Role.COORDINATOR) and user.municipality_id == session.municipality_id:
        return True
    return session.recorded_by_id == user.id or user.id in session.facilitator_ids


# --- planned sessions and the empowerment network ----------------------------------------------------------------


def may_plan_session(user: Actor, kind: SessionKind, municipality_id: int) -> bool:
    """The coordinator schedules trainings and workshops of their municipality; its facilitators workshops."""
    if user.municipality_id != municipality_id or user.id is None:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return kind is SessionKind.WORKSHOP and user.has_role(Role.FACILITATOR)


def plannable_kinds(user: User) -> list[SessionKind]:
    """The kinds of session this person may schedule (for their own municipality)."""
    if user.municipality_id is None:
        return []
    return [
        k
        for k in (SessionKind.TRAINING, SessionKind.WORKSHOP)
        if may_plan_session(user, k, user.municipality_id)
    ]


def may_see_network_names(user: Actor, municipality_id: int) -> bool:
    """Who is in a municipality's empowerment network, and who registered for its workshops: its facilitators only.

    Not the coordinator, not the programme office (they see at most counts, through lms.disclosure).
    """
    return user.has_role(Role.FACILITATOR) and user.id is not None and user.municipality_id == municipality_id


def is_network_member(user: User) -> ColumnElement[bool]:
    """Condition: this person belongs to the empowerment network of the planned session's municipality."""
    return exists(
        select(NetworkMember.id).where(
            NetworkMember.user_id == user.id,
            NetworkMember.municipality_id == PlannedSession.municipality_id,
            NetworkMember.has_agreed,
        )
    )


def planned_filter(user: User) -> ColumnElement[bool]:
    """Condition on PlannedSession for the planned sessions this person may see.

    Trainings: the municipality's staff (and the programme office). Workshops: only the members of that
    municipality's network, its facilitators and its coordinator (who schedules them but sees no names).
    """
    if user.has_role(Role.ADMIN):
        return PlannedSession.kind == SessionKind.TRAINING.value
    if user.municipality_id is None:
        return false()
    own = PlannedSession.municipality_id == user.municipality_id
    training = own & (PlannedSession.kind == SessionKind.TRAINING.value)
    if user.has_role(Role.COORDINATOR, Role.FACILITATOR):
        workshop: ColumnElement[bool] = own
    else:
        workshop = own & is_network_member(user)
    runs = exists(
        select(PlannedSessionFacilitator.user_id).where(
            PlannedSessionFacilitator.planned_session_id == PlannedSession.id,
            PlannedSessionFacilitator.user_id == user.id,
        )
    )
    return or_(training, workshop & (PlannedSession.kind == SessionKind.WORKSHOP.value), runs)


def may_manage_planned(user: Actor, planned: PlannedSession) -> bool:
    """Change, call off and record a planned session: whoever may schedule one like it."""
    return may_plan_session(user, SessionKind(planned.kind), planned.municipality_id)


def may_see_registrations(user: Actor, planned: PlannedSession) -> bool:
    """The registrations by name (and the attendance list): a workshop's only for the network's facilitators."""
    if planned.kind == SessionKind.WORKSHOP.value:
        return may_see_network_names(user, planned.municipality_id)
    return may_manage_planned(user, planned) or (user.id is not None and user.id in planned.facilitator_ids)


def certificates_filter(user: User) -> ColumnElement[bool]:
    """Certificates this person may open: their own; a coordinator also their municipality's completion
    certificates, the programme office every completion certificate. A participation certificate belongs to its
    holder alone: its date points to an empowerment workshop (GDPR Art. 9). The office revokes one only by the
    code the holder gives it (``certificates.manage_one``, which shows what the public verification shows)."""
    own = Certificate.holder_id == user.id
    if user.has_role(Role.ADMIN):
        return or_(own, Certificate.kind == CertificateKind.COMPLETION.value)
    if user.has_role(Role.COORDINATOR) and user.municipality_id is not None:
        return or_(
            own,
            (Certificate.municipality_id == user.municipality_id)
            & (Certificate.kind == CertificateKind.COMPLETION.value),
        )
    return own


def may_follow_job(user: Actor, job: Job) -> bool:
    """A background job's progress, errors and file: who started it, the coordination of its municipality, the
    programme office."""
    if user.has_role(Role.ADMIN) or (user.id is not None and user.id == job.created_by_id):
        return True
    return job.municipality_id is not None and may_manage_municipality(user, job.municipality_id)


# --- documents in consultation (the working definition, the recommendations) -----------------------------------

#: Who comments on documents in consultation, for their municipality. The advisory boards (Beiräte) join here.
DOCUMENT_COMMENTERS = (Role.COORDINATOR, Role.FACILITATOR, Role.ADVISORY_BOARD)
#: Who takes part in consultations: reads every comment once the window has closed.
CONSULTATION_PARTICIPANTS = (Role.ADMIN, Role.TRAINER, *DOCUMENT_COMMENTERS)


def may_read_documents(user: Actor) -> bool:
    """Published versions, their sections and what changed and why (with the answers): every signed-in person.

    The working definition and the recommendations are written for the whole administration, and a published
    version holds no personal data (comments in its answer table speak for a municipality, or a person who chose
    to be named).
    """
    return user.id is not None or user.has_role(Role.ADMIN)  # every account; the command line as the office


def commenting_municipality(user: Actor) -> int | None:
    """The municipality a comment speaks for: the employer of coordinators and facilitators, the board's
    municipality of an advisory board member (who is not staff of it)."""
    if user.has_role(Role.COORDINATOR, Role.FACILITATOR) and user.municipality_id is not None:
        return user.municipality_id
    if user.has_role(Role.ADVISORY_BOARD):
        board: int | None = getattr(user, "board_municipality_id", None)
        return board
    return None


def may_comment_on_documents(user: Actor) -> bool:
    """Coordinators, facilitators and advisory boards of a model municipality comment (for the municipality)."""
    return user.has_role(*DOCUMENT_COMMENTERS) and commenting_municipality(user) is not None


def may_follow_consultations(user: Actor) -> bool:
    """Everyone who takes part in consultations: reads all comments once the window has closed."""
    return user.has_role(*CONSULTATION_PARTICIPANTS)


def may_run_consultations(user: Actor) -> bool:
    """The programme office opens and closes windows, answers comments and publishes the next version."""
    return user.has_role(Role.ADMIN)


def comments_filter(user: Actor, *, window_has_ended: bool) -> ColumnElement[bool]:
    """Condition on ConsultationComment for the comments of one consultation this person may read.

    During the window each commenter sees only their own (the programme office sees all, to prepare its answers);
    once it has ended, everyone taking part sees all of them. Learners read the answers with the next version.
    """
    if may_run_consultations(user) or (window_has_ended and may_follow_consultations(user)):
        return true()
    if user.id is None:
        return false()
    return ConsultationComment.author_id == user.id
