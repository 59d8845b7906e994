"""Recording funding, measures and migrant organisations (the programme office; coordinators for their own MSOs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.services import record_event
from lms.errors import ServiceError
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.orgs.states import find_state
from lms.programme.models import Funding, Measure, MeasureKind, MigrantOrganisation, ParticipationFormat
from lms.programme.money import format_amount
from lms.scope import Actor


class ProgrammeDataError(ServiceError, ValueError):
    """A funding or organisation entry cannot be saved as given."""


def period_of_day(session: Session, day: date) -> ProgrammePeriod | None:
    """The programme year that contains the day, if any."""
    return session.scalar(
        select(ProgrammePeriod).where(ProgrammePeriod.starts_on <= day, ProgrammePeriod.ends_on >= day)
    )


def set_granted(
    session: Session, actor: Actor, municipality: Municipality, period: ProgrammePeriod, cents: int
) -> Funding:
    """Set the funds granted to the municipality for the period (replacing an earlier figure; audited)."""
    funding = session.scalar(
        select(Funding).where(Funding.municipality_id == municipality.id, Funding.period_id == period.id)
    )
    before = funding.granted_cents if funding else None
    if funding is None:
        funding = Funding(municipality_id=municipality.id, period_id=period.id, granted_cents=cents)
        session.add(funding)
    funding.granted_cents = cents
    funding.updated_by_id = actor.id
    funding.updated_at = clock.now()
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="funding.granted",
        object_type="municipality",
        object_id=municipality.id,
        period=period.label,
        before=format_amount(before) if before is not None else None,
        after=format_amount(cents),
    )
    return funding


@dataclass(frozen=True)
class MeasureInput:
    """A measure as entered in the form or read from a file."""

    kind: MeasureKind
    amount_cents: int
    occurred_on: date
    description: str


def add_measure(
    session: Session,
    actor: Actor,
    municipality: Municipality,
    data: MeasureInput,
    import_id: int | None = None,
) -> Measure:
    """Record a measure; its date must lie in a programme year (audited)."""
    description = " ".join(data.description.split())
    if not description:
        raise ProgrammeDataError("funding.description_missing")
    if period_of_day(session, data.occurred_on) is None:
        raise ProgrammeDataError("funding.no_period", date=data.occurred_on)
    measure = Measure(
        municipality_id=municipality.id,
        kind=data.kind.value,
        amount_cents=data.amount_cents,
        occurred_on=data.occurred_on,
        description=description,
        import_id=import_id,
        created_by_id=actor.id,
    )
    session.add(measure)
    session.flush()
    if import_id is None:  # an import records one event for all its rows
        record_event(
            session,
            actor_id=actor.id,
            action="funding.measure_added",
            object_type="measure",
            object_id=measure.id,
            municipality=municipality.slug,
            kind=measure.kind,
            amount=format_amount(measure.amount_cents),
        )
    return measure


def is_recorded(session: Session, municipality_id: int, data: MeasureInput) -> bool:
    """True if the same measure (kind, amount, date, text) is already recorded for the municipality."""
    return (
        session.scalar(
            select(Measure.id).where(
                Measure.municipality_id == municipality_id,
                Measure.kind == data.kind.value,
                Measure.amount_cents == data.amount_cents,
                Measure.occurred_on == data.occurred_on,
                Measure.description == " ".join(data.description.split()),
            )
        )
        is not None
    )


def delete_measure(session: Session, actor: Actor, measure: Measure) -> None:
    """Remove a wrongly entered measure; the audit log keeps what it was."""
    record_event(
        session,
        actor_id=actor.id,
        action="funding.measure_deleted",
        object_type="measure",
        object_id=measure.id,
        municipality_id=measure.municipality_id,
        kind=measure.kind,
        amount=format_amount(measure.amount_cents),
        occurred_on=measure.occurred_on.isoformat(),
        description=measure.description,
    )
    session.delete(measure)
    session.flush()


@dataclass(frozen=True)
class OrganisationInput:
    """A migrant organisation's participation as entered in the form."""

    name: str
    seat: str
    participation: ParticipationFormat
    period_id: int
    may_be_named: bool


def save_organisation(
    session: Session,
    actor: Actor,
    municipality: Municipality,
    data: OrganisationInput,
    organisation: MigrantOrganisation | None = None,
) -> MigrantOrganisation:
    """Record a migrant organisation's participation, or change one (audited)."""
    name, seat = " ".join(data.name.split()), " ".join(data.seat.split())
    if not name:
        raise ProgrammeDataError("organisation.name_missing")
    if not seat:
        raise ProgrammeDataError("organisation.seat_missing")
    if organisation is None:
        organisation = MigrantOrganisation(municipality_id=municipality.id, created_by_id=actor.id)
        session.add(organisation)
    organisation.name = name
    organisation.seat = seat
    organisation.participation = data.participation.value
    organisation.period_id = data.period_id
    organisation.may_be_named = data.may_be_named
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="organisation.saved",
        object_type="migrant_organisation",
        object_id=organisation.id,
        municipality=municipality.slug,
        may_be_named=data.may_be_named,
    )
    return organisation


def delete_organisation(session: Session, actor: Actor, organisation: MigrantOrganisation) -> None:
    """Remove an organisation's entry (audited without its name, which may not be published)."""
    record_event(
        session,
        actor_id=actor.id,
        action="organisation.deleted",
        object_type="migrant_organisation",
        object_id=organisation.id,
        municipality_id=organisation.municipality_id,
    )
    session.delete(organisation)
    session.flush()


def set_federal_state(session: Session, actor: Actor, municipality: Municipality, state: str) -> None:
    """Set the municipality's federal state (one of the sixteen; audited)."""
    official = find_state(state)
    if official is None:
        raise ProgrammeDataError("municipality.state_unknown", state=state)
    before = municipality.federal_state
    municipality.federal_state = official
    session.flush()
    record_event(
        session,
        actor_id=actor.id,
        action="municipality.state_set",
        object_type="municipality",
        object_id=municipality.id,
        before=before,
        after=official,
    )
