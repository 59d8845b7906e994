"""Everything the platform keeps about one person, gathered for that person alone (GDPR Art. 15 and 20).

It sits above the features it reads (nothing below imports it). What it leaves out, and why, is said in the file
itself (``NOT_INCLUDED``), so that the person does not have to ask: secrets (password hashes, keys), survey answers
(stored without a person; nobody can find them, not even for their author), and who redeemed a participation code
(not stored).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.audit.describe import describe, render
from lms.audit.models import AuditEvent
from lms.auth.models import ApiToken, LoginSession, TotpFactor, User, WebAuthnCredential
from lms.certificates.models import Certificate
from lms.content.models import ModuleSection, ModuleVersion
from lms.documents.models import ConsultationComment, DocumentSection, DocumentVersion
from lms.evaluation.models import BoardAssessment
from lms.orgs.models import Municipality, OrgUnit
from lms.practice.models import PracticeExample
from lms.progress.models import Completion, SectionRead
from lms.quizzes.models import QuizAttempt
from lms.text import N_
from lms.workshops.models import NetworkMember, PlannedSession, SessionRegistration

#: What the file does not hold, in the words the person reads (translated where the file is made).
NOT_INCLUDED = [
    N_(
        "Passwort, Schlüssel von Passkeys und der Authenticator-App sowie API-Token selbst: gespeichert sind nur "
        "Prüfwerte, die niemandem nützen; hier steht, dass es sie gibt."
    ),
    N_(
        "Antworten auf die freiwillige Selbsteinschätzung: Sie sind ohne Person gespeichert (ein Zufallspseudonym, "
        "das sich keinem Konto zuordnen lässt) und können deshalb auch für Sie nicht gefunden werden."
    ),
    N_(
        "Eingelöste Teilnahmecodes: Wer einen Code eingelöst hat, wird nicht gespeichert; Ihre "
        "Teilnahmebescheinigungen stehen in dieser Datei unter „zertifikate“."
    ),
    N_("Namenslisten, die die Moderation bei einem Workshop notiert hat (freier Text der Moderation)."),
]


def _moment(value: datetime | None) -> str | None:
    """A moment in German local time, ISO 8601 with its offset (2026-03-15T14:05:00+01:00)."""
    return None if value is None else value.astimezone(clock.BERLIN).isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def personal_data(session: Session, person: User, translate: Callable[[str], str]) -> dict[str, Any]:
    """The person's data as one JSON document: account, sign-in, learning, certificates, dates, network, what they
    wrote, log. Keys stay German (a stable format); the sentences are in the person's language (``translate``)."""
    municipality = session.get(Municipality, person.municipality_id) if person.municipality_id else None
    unit = session.get(OrgUnit, person.org_unit_id) if person.org_unit_id else None
    return {
        "erstellt": _moment(clock.now()),
        "konto": {
            "name": person.display_name,
            "e_mail": person.email,
            "kommune": municipality.name if municipality else None,
            "organisationseinheit": unit.name if unit else None,
            "personalnummer": person.personnel_number,
            "rollen": sorted(role.value for role in person.roles),
            "aktiv": person.is_active,
            "angelegt": _moment(person.created_at),
            "sprache": person.locale,
            "erinnerungen": person.has_reminders,
            "wochenuebersicht": person.has_weekly_digest,
        },
        "anmeldung": _sign_in(session, person),
        "gelesene_abschnitte": _reads(session, person),
        "quizversuche": _attempts(session, person),
        "abschluesse": _completions(session, person),
        "zertifikate": _certificates(session, person),
        "termine": _registrations(session, person),
        "empowerment_netzwerk": _network(session, person),
        "kommentare_zu_dokumenten": _comments(session, person),
        "beiratseinschaetzungen_erfasst": _assessments(session, person),
        "praxisbeispiele_angelegt": _examples(session, person),
        "eigene_aktionen_im_protokoll": _actions(session, person, translate),
        "nicht_enthalten": [translate(text) for text in NOT_INCLUDED],
    }


def _sign_in(session: Session, person: User) -> dict[str, Any]:
    factor = session.get(TotpFactor, person.id)
    return {
        "passwort_gesetzt": person.password_hash is not None,
        "authenticator_app_eingerichtet": _moment(factor.confirmed_at) if factor else None,
        "passkeys": [
            {"name": c.name, "angelegt": _moment(c.created_at)}
            for c in session.scalars(
                select(WebAuthnCredential).where(WebAuthnCredential.user_id == person.id)
            )
        ],
        "geraete": [
            {"browser": s.user_agent, "angemeldet": _moment(s.created_at), "zuletzt": _moment(s.last_seen_at)}
            for s in session.scalars(select(LoginSession).where(LoginSession.user_id == person.id))
        ],
        "api_token": [
            {
                "bezeichnung": t.name,
                "angelegt": _moment(t.created_at),
                "gueltig_bis": _moment(t.expires_at),
                "zuletzt_benutzt": _moment(t.last_used_at),
                "widerrufen": _moment(t.revoked_at),
            }
            for t in session.scalars(select(ApiToken).where(ApiToken.user_id == person.id))
        ],
    }


def _reads(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.execute(
        select(ModuleVersion.title, ModuleVersion.version_label, ModuleSection.title, SectionRead)
        .join(ModuleSection, ModuleSection.id == SectionRead.section_id)
        .join(ModuleVersion, ModuleVersion.id == ModuleSection.module_version_id)
        .where(SectionRead.user_id == person.id)
        .order_by(SectionRead.first_read_at)
    )
    return [
        {
            "modul": module,
            "version": version,
            "abschnitt": section,
            "zuerst": _moment(read.first_read_at),
            "zuletzt": _moment(read.last_read_at),
        }
        for module, version, section, read in rows
    ]


def _attempts(session: Session, person: User) -> list[dict[str, Any]]:
    attempts = session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == person.id).order_by(QuizAttempt.started_at)
    )
    return [
        {
            "modul": a.module_version.title,
            "version": a.module_version.version_label,
            "begonnen": _moment(a.started_at),
            "abgegeben": _moment(a.submitted_at),
            "punktzahl_prozent": _number(a.score_percent),
            "bestanden": a.is_passed,
            "antworten": a.responses if a.responses is not None else a.draft_responses,
        }
        for a in attempts
    ]


def _completions(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Completion).where(Completion.user_id == person.id).order_by(Completion.completed_at)
    )
    return [
        {
            "modul": c.module_version.title,
            "version": c.module_version.version_label,
            "art": c.mode,
            "abgeschlossen": _moment(c.completed_at),
            "punktzahl_prozent": _number(c.score_percent),
            "gueltig_bis": _day(c.valid_until),
        }
        for c in rows
    ]


def _certificates(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Certificate).where(Certificate.holder_id == person.id).order_by(Certificate.awarded_on)
    )
    return [
        {
            "pruefcode": c.code,
            "art": c.kind,
            "datum": _day(c.awarded_on),
            "ausgestellt": _moment(c.issued_at),
            "widerrufen": _moment(c.revoked_at),
        }
        for c in rows
    ]


def _registrations(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.execute(
        select(PlannedSession, SessionRegistration)
        .join(SessionRegistration, SessionRegistration.planned_session_id == PlannedSession.id)
        .where(SessionRegistration.user_id == person.id)
        .order_by(PlannedSession.held_on)
    )
    return [
        {
            "art": planned.kind,
            "datum": _day(planned.held_on),
            "ort": planned.place,
            "status": registration.status,
            "angemeldet": _moment(registration.registered_at),
            "abgesagt": _moment(registration.cancelled_at),
        }
        for planned, registration in rows
    ]


def _network(session: Session, person: User) -> dict[str, Any] | None:
    row = session.scalar(select(NetworkMember).where(NetworkMember.user_id == person.id))
    if row is None:
        return None
    return {
        "angefragt": _moment(row.added_at),
        "eingewilligt": _moment(row.consented_at),
        "fassung_der_einwilligung": row.consent_version,
    }


def _comments(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.execute(
        select(DocumentVersion.title, DocumentSection.title, ConsultationComment)
        .join(DocumentSection, DocumentSection.id == ConsultationComment.section_id)
        .join(DocumentVersion, DocumentVersion.id == DocumentSection.version_id)
        .where(ConsultationComment.author_id == person.id)
        .order_by(ConsultationComment.created_at)
    )
    return [
        {
            "dokument": document,
            "abschnitt": section,
            "geschrieben": _moment(comment.created_at),
            "mit_namen_gezeigt": comment.shown_name,
            "text": comment.body,
        }
        for document, section, comment in rows
    ]


def _assessments(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.scalars(select(BoardAssessment).where(BoardAssessment.recorded_by_id == person.id))
    return [
        {
            "datum": _day(a.assessed_on),
            "verfasst_von": a.authors,
            "text": a.text,
            "erfasst": _moment(a.recorded_at),
        }
        for a in rows
    ]


def _examples(session: Session, person: User) -> list[dict[str, Any]]:
    rows = session.scalars(select(PracticeExample).where(PracticeExample.created_by_id == person.id))
    return [{"titel": e.title, "text": e.body, "datei": e.file_name} for e in rows]


def _actions(session: Session, person: User, translate: Callable[[str], str]) -> list[dict[str, Any]]:
    """What the person did that the audit log holds, in the sentences the log reads."""
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == person.id).order_by(AuditEvent.id)
    )
    return [{"zeit": _moment(e.at), "aktion": render(describe(e), translate)} for e in events]
