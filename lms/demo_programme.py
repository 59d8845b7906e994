"""Demo data for the programme's evidence: staff lists, org units, completions, sessions held, a training plan.

Everything goes through the same services as the real thing (staff import, session recording, training plan) and is
idempotent: run again, it adds only what is missing. Dates are placed inside the running period, before today, so
the dashboards show a live programme whenever the demo is started.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role, User
from lms.config import Settings
from lms.content.models import Module, ModuleVersion
from lms.jobs.queue import queue_for
from lms.jobs.tasks import queue_invitations
from lms.orgs.models import Municipality, TrainingAssignment
from lms.orgs.periods import all_periods, current_period
from lms.orgs.plans import add_to_plan
from lms.orgs.staff_import import apply_import, preview_import, stage_import
from lms.practice.models import PracticeExample
from lms.practice.services import ExampleInput, save_example
from lms.programme.models import Funding, MeasureKind, ParticipationFormat
from lms.programme.services import (
    MeasureInput,
    OrganisationInput,
    add_measure,
    save_organisation,
    set_federal_state,
    set_granted,
)
from lms.progress.models import Completion, CompletionMode
from lms.scope import COMMAND_LINE
from lms.workshops import network as network_members
from lms.workshops.models import LiveSession, PlannedSession, SessionKind
from lms.workshops.planning import PlanInput, register, schedule_session
from lms.workshops.services import SessionInput, record_training, record_workshop

# (first name, last name, org unit) per municipality; e-mail addresses are made from the names.
STAFF = {
    "darmstadt-dieburg": [
        ("Ayşe", "Yılmaz", "Fachbereich Soziales"),
        ("Jürgen", "Schmidt", "Fachbereich Soziales"),
        ("Minh", "Nguyen", "Fachbereich Soziales"),
        ("Sabine", "Hoffmann", "Fachbereich Soziales"),
        ("Kemal", "Demir", "Fachbereich Soziales"),
        ("Claudia", "Becker", "Bürgerservice"),
        ("Tobias", "Wagner", "Bürgerservice"),
        ("Fatima", "El-Khatib", "Bürgerservice"),
        ("Olena", "Kovalenko", "Bürgerservice"),
        ("Markus", "Schulz", "Bürgerservice"),
        ("Grace", "Mensah", "Ausländerbehörde"),
        ("Stefan", "Richter", "Ausländerbehörde"),
        ("Julia", "Krüger", "Ausländerbehörde"),
        ("Piotr", "Nowicki", "Ausländerbehörde"),
        ("Hannah", "Wolf", "Ausländerbehörde"),
        ("Thomas", "Neumann", "Personal und Organisation"),
        ("Leyla", "Aydın", "Personal und Organisation"),
        ("Daniel", "Braun", "Bauen und Umwelt"),
    ],
    "offenbach": [
        ("Nadia", "Haddad", "Amt für Arbeitsförderung"),
        ("Frank", "Lehmann", "Amt für Arbeitsförderung"),
        ("Elif", "Şahin", "Amt für Arbeitsförderung"),
        ("Karin", "Vogel", "Amt für Arbeitsförderung"),
        ("Samuel", "Owusu", "Amt für Arbeitsförderung"),
        ("Mehmet", "Kaya", "Bürgerbüro"),
        ("Birgit", "Schäfer", "Bürgerbüro"),
        ("Ivana", "Marković", "Bürgerbüro"),
        ("Lukas", "Fischer", "Bürgerbüro"),
        ("Yasmin", "Ben Ali", "Bürgerbüro"),
    ],
}
FACILITATOR = ("moderation@darmstadt-dieburg.example", "Aylin Kaya")


def _email(first: str, last: str, slug: str) -> str:
    name = f"{first}.{last}".lower().translate(str.maketrans("äöüßışğç ", "aousisgc-"))
    # Other accents (Marković) as the administration writes them: without the mark (a plain ASCII address).
    ascii_name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return f"{ascii_name}@{slug}.example"


def _staff_csv(slug: str) -> bytes:
    lines = ["E-Mail;Vorname;Nachname;Organisationseinheit"]
    lines += [f"{_email(first, last, slug)};{first};{last};{unit}" for first, last, unit in STAFF[slug]]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def _version(session: Session, slug: str) -> ModuleVersion | None:
    module = session.scalar(select(Module).where(Module.slug == slug))
    return module.current_version if module else None


def _day(start: date, today: date, share: float) -> date:
    """A day at ``share`` of the way from the period's start to today."""
    return start + timedelta(days=int((today - start).days * share))


def _complete(session: Session, people: list[User], version: ModuleVersion, day: date) -> None:
    done = set(session.scalars(select(Completion.user_id).where(Completion.module_version_id == version.id)))
    for n, person in enumerate(people):
        if person.id in done:
            continue
        at = datetime.combine(day + timedelta(days=n % 5), time(10, 30), tzinfo=clock.BERLIN)
        session.add(
            Completion(
                user_id=person.id,
                module_id=version.module_id,
                module_version_id=version.id,
                mode=CompletionMode.ONLINE.value,
                score_percent=90,
                completed_at=at,
            )
        )


def create_programme_demo(session: Session, settings: Settings, by_slug: dict[str, Municipality]) -> int:
    """Staff, completions, sessions and a plan for two demo municipalities; returns the invitations written."""
    period = current_period(session)
    today = clock.today()
    if period is None or period.starts_on > today:
        return 0
    trainer = session.scalar(select(User).where(User.email == "trainerin@eccar.example"))
    facilitator = session.scalar(select(User).where(User.email == FACILITATOR[0]))
    invitations = 0
    for slug in STAFF:
        municipality = by_slug[slug]
        preview = preview_import(
            session, municipality, _staff_csv(slug), deactivate_missing=False, actor_id=None
        )
        if not preview.has_changes:
            continue
        staged = stage_import(
            session,
            COMMAND_LINE,
            municipality,
            f"demo-{slug}.csv",
            _staff_csv(slug),
            deactivate_missing=False,
            send_invitations=True,
        )
        outcome = apply_import(session, COMMAND_LINE, staged, skip_invalid=False)
        queue_invitations(
            session,
            queue_for(settings, session),
            settings,
            municipality_id=municipality.id,
            user_ids=outcome.invite_user_ids,
            actor_id=None,
            subject=("staff_import", staged.id),
        )
        invitations += len(outcome.invite_user_ids)
    end = min(today, period.ends_on)
    dadi, offenbach = by_slug["darmstadt-dieburg"], by_slug["offenbach"]
    dadi_staff = list(
        session.scalars(select(User).where(User.municipality_id == dadi.id, User.password_hash.is_(None)))
    )
    of_staff = list(
        session.scalars(
            select(User).where(User.municipality_id == offenbach.id, User.password_hash.is_(None))
        )
    )
    basics, recognise, talk = (
        _version(session, s) for s in ("grundbegriffe", "rassismus-erkennen", "kommunikation-buergerkontakt")
    )
    arrive, resources = (
        _version(session, s) for s in ("empowerment-ankommen-vernetzen", "empowerment-ressourcen-handeln")
    )
    if (
        trainer is None
        or basics is None
        or recognise is None
        or talk is None
        or arrive is None
        or resources is None
    ):
        return invitations
    scripts = [arrive, resources]
    _complete(session, dadi_staff[:14], basics, _day(period.starts_on, end, 0.3))
    _complete(session, of_staff, basics, _day(period.starts_on, end, 0.2))
    _complete(session, of_staff[:6], talk, _day(period.starts_on, end, 0.6))
    trained = select(LiveSession.id).where(
        LiveSession.municipality_id == dadi.id, LiveSession.kind == SessionKind.TRAINING.value
    )
    if session.scalar(trained) is None:
        record_training(
            session,
            trainer,
            SessionInput(
                kind=SessionKind.TRAINING,
                municipality_id=dadi.id,
                module_version_id=recognise.id,
                held_on=_day(period.starts_on, end, 0.55),
                place="Kreishaus Darmstadt, Sitzungssaal 1",
                facilitator_ids=frozenset({trainer.id}),
                attendees=[p.email for p in dadi_staff[5:12]],
            ),
        )
    workshops = [(dadi, scripts[0], 0.45, 11, "Kreishaus Dieburg, Raum 1.12")]
    workshops += [
        (offenbach, scripts[0], 0.35, 14, "Rathaus Offenbach, Raum 304"),
        (offenbach, scripts[1], 0.7, 9, "Haus der Stadtgeschichte, Seminarraum"),
    ]
    for municipality, script, share, count, place in workshops:
        if session.scalar(
            select(LiveSession.id).where(
                LiveSession.municipality_id == municipality.id, LiveSession.place == place
            )
        ):
            continue
        runner = facilitator if municipality is dadi and facilitator is not None else trainer
        record_workshop(
            session,
            runner,
            SessionInput(
                kind=SessionKind.WORKSHOP,
                municipality_id=municipality.id,
                module_version_id=script.id,
                held_on=_day(period.starts_on, end, share),
                place=place,
                facilitator_ids=frozenset({runner.id}),
                external_facilitators="Netzwerk-Tandem ECCAR",
                participant_count=count,
            ),
        )
    if (
        session.scalar(select(TrainingAssignment.id).where(TrainingAssignment.municipality_id == dadi.id))
        is None
    ):
        add_to_plan(
            session, COMMAND_LINE, dadi, period, basics.module_id, [], _day(period.starts_on, end, 0.5)
        )
        unit_ids = [u.org_unit.id for u in dadi_staff if u.org_unit and u.org_unit.name == "Bürgerservice"][
            :1
        ]
        add_to_plan(session, COMMAND_LINE, dadi, period, talk.module_id, unit_ids, period.ends_on)
    session.flush()
    if facilitator is not None:
        _plan_dates(session, dadi, talk, arrive, facilitator, dadi_staff, today)
    return invitations


def _plan_dates(
    session: Session,
    town: Municipality,
    training: ModuleVersion,
    script: ModuleVersion,
    facilitator: User,
    staff: list[User],
    today: date,
) -> None:
    """Upcoming dates of Darmstadt-Dieburg under „Termine“: a training with registrations and a waiting list, and
    a workshop of the empowerment network, whose members the demo's facilitator added (through the services)."""
    if session.scalar(select(PlannedSession.id).where(PlannedSession.municipality_id == town.id)):
        return
    coordinator = session.scalar(select(User).where(User.email == "koordination@darmstadt-dieburg.example"))
    learner = session.scalar(select(User).where(User.email == "lernende@darmstadt-dieburg.example"))
    if coordinator is None or learner is None or len(staff) < 18:
        return
    course = schedule_session(
        session,
        coordinator,
        PlanInput(
            kind=SessionKind.TRAINING,
            municipality_id=town.id,
            module_version_id=training.id,
            held_on=today + timedelta(days=14),
            starts_at=time(9, 0),
            ends_at=time(12, 30),
            place="Kreishaus Darmstadt, Sitzungssaal 2",
            capacity=6,
            facilitator_ids=frozenset({coordinator.id}),
        ),
    )
    for person in [learner, *staff[12:18]]:  # six places: the seventh waits
        register(session, person, course)
    members = staff[:5]
    for person in members:  # asked by the facilitator, and each agreed (as they would under „Termine“)
        network_members.add_member(session, facilitator, town.id, person.email)
        network_members.answer(session, person, agrees=True)
    asked = staff[5]  # one request still waits for its answer
    network_members.add_member(session, facilitator, town.id, asked.email)
    workshop = schedule_session(
        session,
        facilitator,
        PlanInput(
            kind=SessionKind.WORKSHOP,
            municipality_id=town.id,
            module_version_id=script.id,
            held_on=today + timedelta(days=21),
            starts_at=time(14, 0),
            ends_at=time(17, 0),
            place="Kreishaus Dieburg, Raum 1.12",
            capacity=12,
            facilitator_ids=frozenset({facilitator.id}),
            external_facilitators="Netzwerk-Tandem ECCAR",
        ),
    )
    for person in members[:3]:
        register(session, person, workshop)


# Per municipality: grant per programme year in euros, measures (kind, euros, share of the year, description) and
# migrant organisations (name, seat, format, agreed to be named). The organisations are invented for the demo.
FUNDING: dict[
    str,
    tuple[int, list[tuple[MeasureKind, str, float, str]], list[tuple[str, str, ParticipationFormat, bool]]],
] = {
    "darmstadt-dieburg": (
        10_000,
        [
            (
                MeasureKind.PERSONNEL,
                "6000,00",
                0.1,
                "Koordinierungsstelle Antirassismus (Stellenanteil 10 %)",
            ),
            (
                MeasureKind.TRAINING,
                "2400,00",
                0.4,
                "Fortbildungsreihe „Rassismuskritisch beraten“ im Bürgerservice",
            ),
            (MeasureKind.CONSULTING, "1200,00", 0.6, "Prozessbegleitung der Arbeitsdefinition Rassismus"),
        ],
        [
            (
                "Beispielverein Interkulturelle Elternarbeit Dieburg e. V.",
                "Dieburg",
                ParticipationFormat.ADVISORY_BOARD,
                True,
            ),
            (
                "Beispielinitiative Schwarze Menschen im Landkreis",
                "Groß-Umstadt",
                ParticipationFormat.WORKSHOP_PARTNER,
                False,
            ),
        ],
    ),
    "offenbach": (
        10_000,
        [
            (MeasureKind.TRAINING, "4800,00", 0.2, "Schulungen für das Amt für Arbeitsförderung"),
            (MeasureKind.CONSULTING, "3550,00", 0.5, "Externe Evaluation des Beschwerdemanagements"),
            (MeasureKind.OTHER, "2000,00", 0.7, "Übersetzung der Informationsblätter in fünf Sprachen"),
        ],
        [
            (
                "Beispielverband Migrantischer Vereine Offenbach",
                "Offenbach am Main",
                ParticipationFormat.SURVEY,
                True,
            ),
            (
                "Beispielgemeinde Offenbach-Ost",
                "Offenbach am Main",
                ParticipationFormat.TRAINING_DEVELOPMENT,
                True,
            ),
        ],
    ),
    "hofheim": (
        8_000,
        [
            (
                MeasureKind.TRAINING,
                "3200,00",
                0.3,
                "Einführungsschulung Diskriminierungsschutz für Führungskräfte",
            ),
            (MeasureKind.OTHER, "900,00", 0.6, "Dialogveranstaltung mit dem Ausländerbeirat"),
        ],
        [
            (
                "Beispielkulturverein Main-Taunus",
                "Hofheim am Taunus",
                ParticipationFormat.ADVISORY_BOARD,
                False,
            )
        ],
    ),
}


def create_funding_demo(session: Session, by_slug: dict[str, Municipality]) -> None:
    """Federal state, grants, measures and migrant organisations of the three Hessian model municipalities."""
    today = clock.today()
    periods = [p for p in all_periods(session) if p.starts_on <= today]
    for slug, (grant, measures, organisations) in FUNDING.items():
        municipality = by_slug.get(slug)
        if municipality is None or session.scalar(
            select(Funding.id).where(Funding.municipality_id == municipality.id)
        ):
            continue
        if municipality.federal_state is None:
            set_federal_state(session, COMMAND_LINE, municipality, "Hessen")
        for period in periods:
            set_granted(session, COMMAND_LINE, municipality, period, grant * 100)
            end = min(period.ends_on, today)
            for kind, amount, share, text in measures:
                cents = int(amount.replace(",", ""))
                add_measure(
                    session,
                    COMMAND_LINE,
                    municipality,
                    MeasureInput(kind, cents, _day(period.starts_on, end, share), text),
                )
            for name, seat, participation, named in organisations:
                save_organisation(
                    session,
                    COMMAND_LINE,
                    municipality,
                    OrganisationInput(name, seat, participation, period.id, may_be_named=named),
                )


PRACTICE = [
    (
        "koordination@darmstadt-dieburg.example",
        "Hospitation zwischen Bürgerservice und Ausländerbehörde",
        "grundbegriffe",
        "Nach dem Modul „Grundbegriffe“ haben je zwei Beschäftigte aus Bürgerservice und Ausländerbehörde einen "
        "halben Tag im jeweils anderen Bereich verbracht.\n\n"
        "**Was gut funktioniert hat:**\n\n"
        "- ein kurzer Beobachtungsbogen mit drei Fragen (Wartezeit, Sprache, Rückfragen)\n"
        "- eine gemeinsame Auswertung von 45 Minuten mit der Koordinierungsstelle\n\n"
        "**Was wir ändern würden:** die Termine nicht in die Wochen mit Fristabläufen legen.",
    ),
    (
        "trainerin@eccar.example",
        "Fallbesprechung statt Frontalvortrag",
        None,
        "In den Präsenzschulungen hat sich bewährt, nach 20 Minuten Input einen anonymisierten Fall aus der eigenen "
        "Verwaltung zu besprechen. Die Teilnehmenden prüfen ihn mit den Begriffen des AGG (unmittelbare und "
        "mittelbare Benachteiligung, § 3 AGG). Die Fälle sammelt die Koordination vorab ohne Namen.",
    ),
]


def create_practice_demo(session: Session) -> None:
    """Two shared practice examples, if there are none yet."""
    if session.scalar(select(PracticeExample.id)) is not None:
        return
    for email, title, slug, body in PRACTICE:
        author = session.scalar(select(User).where(User.email == email))
        module_id = session.scalar(select(Module.id).where(Module.slug == slug)) if slug else None
        if author is not None:
            save_example(session, author, ExampleInput(title, body, module_id))


def facilitator_account() -> tuple[str, str, set[Role], str]:
    """The demo facilitator of Darmstadt-Dieburg's empowerment network (an entry for DEMO_ACCOUNTS)."""
    return FACILITATOR[0], FACILITATOR[1], {Role.FACILITATOR, Role.LEARNER}, "darmstadt-dieburg"
