"""Demo municipalities and accounts for trying the platform locally (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.auth.models import ROLE_LABELS, Role, User
from lms.auth.services import create_user
from lms.config import Settings
from lms.demo_evaluation import create_evaluation_demo
from lms.demo_programme import (
    create_funding_demo,
    create_practice_demo,
    create_programme_demo,
    facilitator_account,
)
from lms.documents.demo import create_documents_demo
from lms.orgs.models import Municipality, OrgUnit
from lms.orgs.role_changes import grant_role
from lms.scope import COMMAND_LINE

#: Shown in the README and printed by `lms demo`. Demo data only: never run `lms demo` on a production database.
DEMO_PASSWORD = "Vielfalt-im-Rathaus-2026"

DEMO_MUNICIPALITIES = [
    ("darmstadt-dieburg", "Landkreis Darmstadt-Dieburg"),
    ("offenbach", "Stadt Offenbach am Main"),
    ("hofheim", "Stadt Hofheim am Taunus"),
]

# (email, display name, roles, municipality slug or None for programme-wide staff)
DEMO_ACCOUNTS: list[tuple[str, str, set[Role], str | None]] = [
    ("programmbuero@eccar.example", "Programmbüro ECCAR", {Role.ADMIN}, None),
    ("trainerin@eccar.example", "Miriam Okafor", {Role.TRAINER}, None),
    (
        "koordination@darmstadt-dieburg.example",
        "Jonas Weber",
        {Role.COORDINATOR, Role.LEARNER},
        "darmstadt-dieburg",
    ),
    ("lernende@darmstadt-dieburg.example", "Lea Schneider", {Role.LEARNER}, "darmstadt-dieburg"),
    ("lernende@offenbach.example", "Deniz Arslan", {Role.LEARNER}, "offenbach"),
    ("lernende@hofheim.example", "Anna Nowak", {Role.LEARNER}, "hofheim"),
    facilitator_account(),
]

#: The head of one org unit of Darmstadt-Dieburg (issue 14): sees the progress of that unit's staff only.
UNIT_MANAGER = (
    "leitung@darmstadt-dieburg.example",
    "Petra Albers",
    "darmstadt-dieburg",
    "Fachbereich Soziales",
)


def _unit_manager(session: Session, by_slug: dict[str, Municipality]) -> tuple[str, str, str]:
    """The demo's head of an org unit, appointed through the same service (and audit) as on the pages."""
    email, name, slug, unit_name = UNIT_MANAGER
    municipality = by_slug[slug]
    unit = session.scalar(
        select(OrgUnit).where(OrgUnit.municipality_id == municipality.id, OrgUnit.name == unit_name)
    )
    if unit is None:  # the staff import of the demo finds it by its name
        unit = OrgUnit(municipality_id=municipality.id, name=unit_name)
        session.add(unit)
        session.flush()
    person = session.scalar(select(User).where(User.email == email))
    if person is None:
        person = create_user(
            session,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            roles={Role.LEARNER},
            municipality_id=municipality.id,
        )
        person.org_unit_id = unit.id
    if not person.has_role(Role.UNIT_MANAGER):
        grant_role(session, COMMAND_LINE, person, Role.UNIT_MANAGER, "Demodaten", units=[unit])
    role_text = ", ".join(str(ROLE_LABELS[r]) for r in sorted(person.roles))
    return email, role_text, municipality.name


def create_demo_data(session: Session, settings: Settings | None = None) -> list[tuple[str, str, str]]:
    """Create what is missing; return (email, roles, municipality) of every demo account.

    With settings, also the programme's evidence (staff lists, completions, sessions, a training plan), whose
    invitations are written to the outbox (or sent by SMTP) after the commit.
    """
    by_slug = {m.slug: m for m in session.scalars(select(Municipality))}
    for slug, name in DEMO_MUNICIPALITIES:
        if slug not in by_slug:
            by_slug[slug] = Municipality(slug=slug, name=name)
            session.add(by_slug[slug])
    session.flush()
    listing = []
    for email, name, roles, municipality_slug in DEMO_ACCOUNTS:
        municipality = by_slug[municipality_slug] if municipality_slug else None
        if session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(
                session,
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                roles=roles,
                municipality_id=municipality.id if municipality else None,
            )
        role_text = ", ".join(str(ROLE_LABELS[r]) for r in sorted(roles))
        listing.append((email, role_text, municipality.name if municipality else "Programmweit"))
    listing.append(_unit_manager(session, by_slug))
    create_funding_demo(session, by_slug)
    create_practice_demo(session)
    create_documents_demo(session)  # after the accounts: the demo's coordinator and facilitator comment
    listing += create_evaluation_demo(session, by_slug, DEMO_PASSWORD)
    if settings is not None:
        create_programme_demo(session, settings, by_slug)
    return listing
