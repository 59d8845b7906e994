"""The members of a municipality's empowerment network: asked and removed by its facilitators (GDPR Art. 9).

Why the facilitators ask members (and members do not join with a code): the facilitators know the network's
members in person; a join code could be passed on to anyone, and a list of codes would need its own protection. A
facilitator's addition is a request: the person becomes a member only when they agree themselves, under „Termine“,
to a wording kept here by version (``CONSENT_TEXTS``), and the row records when and to which wording (GDPR Art. 7(1)
asks that consent can be shown; Art. 9(2)(a) that it is explicit). Declining deletes the request. A member leaves
on their own (the list of dates offers it: withdrawing consent must be as easy as giving it, GDPR Art. 7(3)) or asks
a facilitator; either deletes the row and the person's open workshop registrations, so nothing remains that says
they were in the network. Leaving is audited without an actor:
an entry with the member as actor would name them.

An account that is deactivated (lms.orgs: the staff page, the staff import) leaves the network the same way and its
registrations for sessions not yet held are cancelled as if the person had cancelled them (withdraw_deactivated), so
neither the coordinator nor the log learns more than from a member leaving on their own. Reactivating the account
does not restore the membership: the facilitators ask for consent again.

Only the municipality's facilitators see the members by name. Coordinators and the programme office see at most the
number, through lms.disclosure.network_count. Audit events name the municipality, never the person.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import SQLColumnExpression, func, select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.auth.models import User
from lms.errors import ServiceError
from lms.jobs.queue import Queue
from lms.scope import OutOfScope, may_see_network_names
from lms.text import N_
from lms.workshops.models import (
    NetworkMember,
    PlannedSession,
    RegistrationStatus,
    SessionKind,
    SessionRegistration,
)
from lms.workshops.planning import cancel_registration, is_member, is_open, move_up, registration_of

#: The wording a person agrees to, by version; the member's row keeps the version. A changed wording gets a new key
#: (the old ones stay: they are what earlier members agreed to).
CONSENT_VERSION = "2026-11"
CONSENT_TEXTS = {
    "2026-11": N_(
        "Ich möchte zum Empowerment-Netzwerk meiner Kommune gehören. Ich willige ein, dass die Lernplattform "
        "dafür speichert, dass ich Mitglied bin, und dass die Moderation des Netzwerks meinen Namen und meine "
        "E-Mail-Adresse in der Liste der Mitglieder und bei meinen Anmeldungen zu Workshops sieht. Die "
        "Mitgliedschaft kann auf eigene Erfahrungen mit Rassismus oder eine Migrationsgeschichte hinweisen und "
        "ist deshalb besonders geschützt (Art. 9 DSGVO): Niemand sonst sieht, dass ich dazugehöre. Ich kann "
        "jederzeit unter „Termine“ austreten; dann werden die Mitgliedschaft und meine offenen Anmeldungen "
        "gelöscht."
    ),
}


def members(session: Session, actor: User, municipality_id: int) -> list[User]:
    """The network's members by name (the municipality's facilitators only)."""
    return _people(session, actor, municipality_id, NetworkMember.has_agreed)


def asked(session: Session, actor: User, municipality_id: int) -> list[User]:
    """The people asked who have not answered yet (the municipality's facilitators only)."""
    return _people(session, actor, municipality_id, ~NetworkMember.has_agreed)


def _people(
    session: Session, actor: User, municipality_id: int, state: SQLColumnExpression[bool]
) -> list[User]:
    if not may_see_network_names(actor, municipality_id):
        raise OutOfScope
    return list(
        session.scalars(
            select(User)
            .join(NetworkMember, NetworkMember.user_id == User.id)
            .where(NetworkMember.municipality_id == municipality_id, state)
            .order_by(User.display_name)
        )
    )


def member_count(session: Session, municipality_id: int) -> int:
    """The exact number of members (show it through lms.disclosure.network_count to anyone but facilitators)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(NetworkMember)
            .where(NetworkMember.municipality_id == municipality_id, NetworkMember.has_agreed)
        )
        or 0
    )


def find_staff(session: Session, municipality_id: int, email: str) -> User | None:
    """An active account of the municipality's staff with this e-mail address."""
    return session.scalar(
        select(User).where(
            func.lower(User.email) == email.strip().lower(),
            User.municipality_id == municipality_id,
            User.is_active.is_(True),
        )
    )


def add_member(session: Session, actor: User, municipality_id: int, email: str) -> User:
    """A facilitator asks a member of the municipality's staff to join: a request the person answers themselves
    (:func:`answer`); until then they are not a member."""
    if not may_see_network_names(actor, municipality_id):
        raise OutOfScope
    person = find_staff(session, municipality_id, email)
    if person is None:
        raise ServiceError("network.unknown_person")
    if is_member(session, person):
        raise ServiceError("network.already_member")
    if _request_of(session, person) is not None:
        raise ServiceError("network.already_asked")
    row = NetworkMember(municipality_id=municipality_id, user_id=person.id)
    session.add(row)
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="network.member_add",
        object_type="municipality",
        object_id=municipality_id,
    )
    return person


def _request_of(session: Session, person: User) -> NetworkMember | None:
    if person.municipality_id is None:
        return None
    return session.scalar(
        select(NetworkMember).where(
            NetworkMember.user_id == person.id,
            NetworkMember.municipality_id == person.municipality_id,
            ~NetworkMember.has_agreed,
        )
    )


def has_open_request(session: Session, person: User) -> bool:
    """Whether the network's facilitators asked the person and the request waits for their answer."""
    return _request_of(session, person) is not None


def answer(session: Session, person: User, *, agrees: bool) -> None:
    """The person's answer to the request: agreeing records when and to which wording (they are a member from
    now on); declining deletes the request, so nothing remains that they were asked. No audit event: it would
    count the network, and the row is the record."""
    row = _request_of(session, person)
    if row is None:
        raise ServiceError("network.no_request")
    if agrees:
        row.consented_at = clock.now()
        row.consent_version = CONSENT_VERSION
    else:
        session.delete(row)
    session.flush()


def remove_member(
    session: Session, actor: User, municipality_id: int, person_id: int, queue: Queue | None = None
) -> bool:
    """A facilitator removes a member (their open registrations for the network's upcoming workshops go too) or
    withdraws an unanswered request. Returns whether the person had been a member."""
    if not may_see_network_names(actor, municipality_id):
        raise OutOfScope
    was_member = _remove(session, municipality_id, person_id, queue)
    record_event(
        session,
        actor_id=actor.id,
        action="network.member_remove",
        object_type="municipality",
        object_id=municipality_id,
    )
    return was_member


def leave(session: Session, person: User, queue: Queue | None = None) -> None:
    """The member leaves the network of their municipality themselves (their open registrations go too)."""
    if person.municipality_id is None:
        raise ServiceError("network.not_member")
    _remove(session, person.municipality_id, person.id, queue)
    # No actor: the member's name in the audit log would say who was in the network.
    record_event(
        session,
        actor_id=None,
        action="network.member_leave",
        object_type="municipality",
        object_id=person.municipality_id,
    )


def withdraw_deactivated(session: Session, user_ids: Iterable[int], queue: Queue | None = None) -> None:
    """Deactivated accounts leave the network and their registrations for sessions not yet held are cancelled.

    Each goes as if the person had left and cancelled themselves (same audit entries without a name, same
    move-ups and mails); attendance of sessions already held stays. Active accounts among the ids are left alone.
    The caller tells nobody what happened: the coordinator who deactivated must not learn of a membership.
    """
    wanted = sorted(set(user_ids))
    if not wanted:
        return
    people = session.scalars(select(User).where(User.id.in_(wanted), User.is_active.is_(False))).all()
    for person in people:
        if is_member(session, person):
            leave(session, person, queue)  # deletes the open workshop registrations too
        elif (request := _request_of(session, person)) is not None:
            session.delete(request)  # an unanswered request goes too (no registrations: it saw no workshop)
        standing = session.scalars(
            select(PlannedSession)
            .join(SessionRegistration, SessionRegistration.planned_session_id == PlannedSession.id)
            .where(
                SessionRegistration.user_id == person.id,
                SessionRegistration.status != RegistrationStatus.CANCELLED.value,
                PlannedSession.held_on >= clock.today(),
            )
            .order_by(PlannedSession.held_on, PlannedSession.id)
        ).all()
        for planned in standing:
            if is_open(planned):  # started, called off or recorded: the registration stays as the record
                cancel_registration(session, person, planned, queue)


def _remove(session: Session, municipality_id: int, person_id: int, queue: Queue | None) -> bool:
    """Delete the membership (or the unanswered request) and the person's registrations for upcoming workshops;
    freed places move people up. Returns whether the row was a membership."""
    row = session.scalar(
        select(NetworkMember).where(
            NetworkMember.municipality_id == municipality_id, NetworkMember.user_id == person_id
        )
    )
    if row is None:
        raise ServiceError("network.not_member")
    upcoming = session.scalars(
        select(PlannedSession).where(
            PlannedSession.municipality_id == municipality_id,
            PlannedSession.kind == SessionKind.WORKSHOP.value,
            PlannedSession.live_session_id.is_(None),
            PlannedSession.held_on >= clock.today(),
        )
    ).all()
    for planned in upcoming:
        registration = registration_of(session, person_id, planned.id)
        if registration is None:
            continue
        held_place = registration.status == RegistrationStatus.REGISTERED.value
        session.delete(registration)
        session.flush()
        if held_place and is_open(planned):
            move_up(session, planned, queue)  # the freed place goes to the first person waiting
    was_member = row.has_agreed
    session.delete(row)
    session.flush()
    return was_member
