"""Demo evaluation: the shipped self-assessments, synthetic answers and a Beirat per Hessian model municipality.

The answers are made up (seeded, so every demo looks the same) and belong to nobody, exactly as real answers do:
a random pseudonym, the municipality and the period. Offenbach and Darmstadt-Dieburg have answers before and after
two modules; Hofheim, where nobody has finished a module yet, only answers before. Idempotent: a municipality that
already has answers, or a board that already has an assessment in the period, gets nothing more.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import bundled
from lms import time as clock
from lms.auth.models import ROLE_LABELS, Role, User
from lms.auth.services import create_user
from lms.content.models import Module, ModuleVersion
from lms.evaluation.models import BoardAssessment, SurveyAnswer, SurveyResponse, SurveyVersion
from lms.evaluation.parse import load_surveys
from lms.evaluation.pseudonyms import random_token
from lms.evaluation.services import publish_survey, survey_of
from lms.orgs.models import Municipality
from lms.orgs.periods import current_period

#: (e-mail, name, municipality slug) of the demo's board members; the password is the demo's.
BOARD_ACCOUNTS = [
    ("beirat@offenbach.example", "Ayşe Demir", "offenbach"),
    ("beirat@darmstadt-dieburg.example", "Thomas Becker", "darmstadt-dieburg"),
    ("beirat@hofheim.example", "Fatima Haddad", "hofheim"),
]

#: slug → (respondents before, of them answering after as well); Hofheim has no completions yet.
RESPONDENTS = {"offenbach": (12, 10), "darmstadt-dieburg": (8, 6), "hofheim": (6, 0)}
SURVEYED_MODULES = ("grundbegriffe", "rassismus-erkennen")

FREE_TEXTS = [
    "Mehr Fallbeispiele aus dem Bürgeramt wären hilfreich.",
    "Der Abschnitt zu § 3 AGG war sehr klar.",
    "Ich wünsche mir eine Präsenzschulung zum Thema.",
    "Gut, dass die Arbeitsdefinition erklärt wird.",
    "Die Beispiele zur Wohnungsvergabe haben mich nachdenklich gemacht.",
    "Bitte mehr zu Beschwerdewegen.",
    "Kurz und verständlich.",
]

ASSESSMENTS = {
    "offenbach": (
        "Ayşe Demir und Jan Krüger für den Beirat",
        "Der Beirat sieht eine hohe Beteiligung an den Online-Modulen und gute Rückmeldungen. Die "
        "Selbsteinschätzungen zeigen, dass die Beschäftigten mittelbare Diskriminierung nach dem Modul deutlich "
        "sicherer erklären können.\n\nEmpfehlung: Die Beschwerdewege nach § 13 AGG stärker bekannt machen und "
        "das Modul „Strukturen und Routinen prüfen“ in den Ämtern mit viel Publikumsverkehr einplanen.",
    ),
    "darmstadt-dieburg": (
        "Thomas Becker für den Beirat",
        "Die Schulungen laufen an; ein Empowerment-Workshop fehlt noch. Der Beirat bittet die Koordination, den "
        "zweiten Workshop gemeinsam mit den Migrantenorganisationen des Kreises zu planen.",
    ),
    "hofheim": (
        "Fatima Haddad für den Beirat",
        "Die Stadt steht am Anfang: Erste Beschäftigte haben die Selbsteinschätzung vor dem Modul beantwortet. "
        "Der Beirat empfiehlt, im nächsten Quartal das Modul „Grundbegriffe“ für alle Ämter anzusetzen.",
    ),
}


def import_bundled_surveys(session: Session) -> None:
    """Publish the shipped survey files whose module exists (unchanged files change nothing)."""
    documents, problems = load_surveys([str(bundled.folder("surveys"))])
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    for _path, doc in documents:
        if session.scalar(select(Module.id).where(Module.slug == doc.module_slug)) is not None:
            publish_survey(session, doc, actor_id=None)


def _current_version(session: Session, slug: str) -> tuple[ModuleVersion, SurveyVersion] | None:
    module = session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        return None
    version = session.scalar(
        select(ModuleVersion).where(ModuleVersion.module_id == module.id).order_by(ModuleVersion.id.desc())
    )
    survey = survey_of(session, module.id)
    if version is None or survey is None or survey.current_version is None:
        return None
    return version, survey.current_version


def _answers(rng: random.Random, survey: SurveyVersion, shift: int, with_text: bool) -> list[SurveyAnswer]:
    """Plausible answers: before around 2–3, after (shift 1) about one point higher."""
    answers = []
    for item in survey.likert_items:
        top = max(item["scale"])
        value = min(top, max(1, rng.choice([1, 2, 2, 3, 3, 3, 4]) + shift + rng.choice([0, 0, 1]) * shift))
        answers.append(SurveyAnswer(item_key=item["key"], value=value))
    if with_text:
        for item in survey.text_items:
            answers.append(SurveyAnswer(item_key=item["key"], text=rng.choice(FREE_TEXTS)))
    return answers


def _demo_answers(session: Session, municipality: Municipality, period_id: int) -> None:
    if session.scalar(select(SurveyResponse.id).where(SurveyResponse.municipality_id == municipality.id)):
        return
    before, after = RESPONDENTS[municipality.slug]
    rng = random.Random(f"demo-evaluation-{municipality.slug}")
    for slug in SURVEYED_MODULES:
        found = _current_version(session, slug)
        if found is None:
            continue
        version, survey = found
        for number in range(before):
            pseudonym = random_token()
            for phase, shift in (("pre", 0), ("post", 1)):
                if phase == "post" and number >= after:
                    break
                session.add(
                    SurveyResponse(
                        id=random_token(),
                        pseudonym=pseudonym,
                        survey_version_id=survey.id,
                        module_version_id=version.id,
                        municipality_id=municipality.id,
                        period_id=period_id,
                        phase=phase,
                        answers=_answers(rng, survey, shift, with_text=phase == "post" or after == 0),
                    )
                )


def create_evaluation_demo(
    session: Session, by_slug: dict[str, Municipality], password: str
) -> list[tuple[str, str, str]]:
    """Surveys, answers, board members and their assessments; returns (email, role, municipality) of the members."""
    import_bundled_surveys(session)
    today = clock.today()
    period = current_period(session, today)
    listing = []
    for email, name, slug in BOARD_ACCOUNTS:
        municipality = by_slug.get(slug)
        if municipality is None:
            continue
        member = session.scalar(select(User).where(User.email == email))
        if member is None:
            member = create_user(
                session,
                email=email,
                display_name=name,
                password=password,
                roles={Role.ADVISORY_BOARD},
                municipality_id=None,
            )
            member.board_municipality_id = municipality.id
            session.flush()
        listing.append((email, str(ROLE_LABELS[Role.ADVISORY_BOARD]), municipality.name))
        if period is None:
            continue
        _demo_answers(session, municipality, period.id)
        exists = session.scalar(
            select(BoardAssessment.id).where(
                BoardAssessment.municipality_id == municipality.id, BoardAssessment.period_id == period.id
            )
        )
        if exists is None:
            authors, text = ASSESSMENTS[slug]
            session.add(
                BoardAssessment(
                    municipality_id=municipality.id,
                    period_id=period.id,
                    assessed_on=max(period.starts_on, min(today, period.ends_on) - timedelta(days=14)),
                    authors=authors,
                    text=text,
                    recorded_by_id=member.id,
                    recorded_at=clock.now(),
                )
            )
    session.flush()
    return listing
