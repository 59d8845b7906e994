"""Publishing survey files, offering a survey before and after a module, storing or skipping the answers.

Services flush, never commit. They take the link secret (lms.evaluation.pseudonyms.link_secret) as an argument, so
the views, the CLI and the tests call the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from lms.auth.models import User
from lms.content.models import Module, ModuleKind, ModuleSection, ModuleVersion
from lms.errors import ServiceError
from lms.evaluation.models import (
    ItemKind,
    LinkState,
    Phase,
    Survey,
    SurveyAnswer,
    SurveyLink,
    SurveyResponse,
    SurveyVersion,
)
from lms.evaluation.parse import SurveyDocument
from lms.evaluation.pseudonyms import link_key, random_token
from lms.markdown.render import RENDERER_VERSION
from lms.orgs.periods import period_for
from lms.progress.models import Completion, SectionRead
from lms.text import lf_line_breaks

#: Longest free-text answer kept.
MAX_TEXT = 2000


class EvaluationError(ServiceError, ValueError):
    """A refused survey action; a code and parameters (lms.errors), translated at the edge."""


# --- publishing ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishResult:
    """What importing one survey file did."""

    module_slug: str
    version: SurveyVersion | None
    published: bool


def survey_of(session: Session, module_id: int) -> Survey | None:
    """The survey of a module, if it has one."""
    return session.scalar(select(Survey).where(Survey.module_id == module_id))


def publish_survey(session: Session, doc: SurveyDocument, *, actor_id: int | None) -> PublishResult:
    """A new immutable version when the file changed; nothing when it equals the current version."""
    module = session.scalar(select(Module).where(Module.slug == doc.module_slug))
    if module is None or module.kind != ModuleKind.TRAINING.value:
        raise EvaluationError("evaluation.module_unknown", module=doc.module_slug)
    survey = survey_of(session, module.id)
    if survey is None:
        survey = Survey(module_id=module.id)
        session.add(survey)
        session.flush()
    current = survey.current_version
    if current is not None and current.content_hash == doc.content_hash:
        return PublishResult(doc.module_slug, current, published=False)
    if any(v.content_hash == doc.content_hash for v in survey.versions):
        raise EvaluationError("evaluation.old_version", module=doc.module_slug)
    version = SurveyVersion(
        survey=survey,
        number=(current.number + 1) if current else 1,
        source=doc.source,
        content_hash=doc.content_hash,
        renderer_version=RENDERER_VERSION,
        intro_html=doc.intro_html,
        items=[{k: v for k, v in item.items() if k != "line"} for item in doc.items],
        published_by_id=actor_id,
    )
    session.add(version)
    session.flush()
    return PublishResult(doc.module_slug, version, published=True)


# --- offering, answering, skipping ----------------------------------------------------------------------------


def _link(session: Session, secret: bytes, user: User, module_version: ModuleVersion) -> SurveyLink | None:
    return session.get(SurveyLink, link_key(secret, user.id, module_version.id))


def _has_started(session: Session, user: User, module_version: ModuleVersion) -> bool:
    """Read a section of this version already (then a „before“ answer would not be one)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    SectionRead.user_id == user.id,
                    SectionRead.section_id == ModuleSection.id,
                    ModuleSection.module_version_id == module_version.id,
                )
            )
        )
    )


def _has_completed(session: Session, user: User, module_version: ModuleVersion) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    Completion.user_id == user.id, Completion.module_version_id == module_version.id
                )
            )
        )
    )


def survey_offer(
    session: Session, secret: bytes, user: User, module_version: ModuleVersion, phase: Phase
) -> SurveyVersion | None:
    """The survey version this person is offered now for the phase, or None (nothing to offer, or done).

    Staff of a municipality only (results are per municipality). Before: not yet started reading this version.
    After: completed this version (passed its quiz). Each phase once per module version, answered or skipped.
    """
    if user.municipality_id is None or module_version.module.kind != ModuleKind.TRAINING.value:
        return None
    survey = survey_of(session, module_version.module_id)
    if survey is None or survey.current_version is None:
        return None
    link = _link(session, secret, user, module_version)
    if phase is Phase.PRE:
        if link is not None or _has_started(session, user, module_version):
            return None
        if _has_completed(session, user, module_version):
            return None
        return survey.current_version
    if link is not None and link.post is not None:
        return None
    if not _has_completed(session, user, module_version):
        return None
    if link is not None and link.pre == LinkState.ANSWERED.value:
        return session.get(SurveyVersion, link.survey_version_id)
    return survey.current_version


def _answers(version: SurveyVersion, raw: Mapping[str, str]) -> list[SurveyAnswer]:
    """The answers given, checked against the items; an item left out is simply not answered."""
    answers = []
    for item in version.items:
        # A line break once, as the textarea's maxlength counted it (a browser sends CRLF): else a text of
        # MAX_TEXT characters with line breaks lost its end to the cut below.
        given = lf_line_breaks(raw.get(item["key"]) or "").strip()
        if not given:
            continue
        if item["kind"] == ItemKind.TEXT.value:
            answers.append(SurveyAnswer(item_key=item["key"], text=given[:MAX_TEXT]))
            continue
        # ASCII digits only: "²".isdigit() is true, but int() refuses it.
        if not (given.isascii() and given.isdigit()) or int(given) not in item["scale"]:
            raise EvaluationError("evaluation.value_invalid", item=item["text"])
        answers.append(SurveyAnswer(item_key=item["key"], value=int(given)))
    if not answers:
        raise EvaluationError("evaluation.empty")
    return answers


def submit_answers(
    session: Session,
    secret: bytes,
    user: User,
    module_version: ModuleVersion,
    phase: Phase,
    raw: Mapping[str, str],
    today: date,
) -> SurveyResponse:
    """Store one phase's answers under a random pseudonym (the pre's, for the post of the same person)."""
    version = survey_offer(session, secret, user, module_version, phase)
    if version is None or user.municipality_id is None:
        raise EvaluationError("evaluation.not_open")
    answers = _answers(version, raw)
    key = link_key(secret, user.id, module_version.id)
    link = session.get(SurveyLink, key)
    pseudonym = link.pseudonym if (phase is Phase.POST and link and link.pseudonym) else random_token()
    period = period_for(session, today)
    response = SurveyResponse(
        id=random_token(),
        pseudonym=pseudonym,
        survey_version_id=version.id,
        module_version_id=module_version.id,
        municipality_id=user.municipality_id,
        period_id=period.id if period else None,
        phase=phase.value,
        answers=answers,
    )
    session.add(response)
    _mark(session, key, link, version, phase, LinkState.ANSWERED, pseudonym)
    session.flush()
    return response


def skip_survey(
    session: Session, secret: bytes, user: User, module_version: ModuleVersion, phase: Phase
) -> None:
    """Record that the person does not want to answer this phase (it is not offered again)."""
    version = survey_offer(session, secret, user, module_version, phase)
    if version is None:
        return  # nothing open: skipping twice, or skipping what was never offered, changes nothing
    key = link_key(secret, user.id, module_version.id)
    _mark(session, key, session.get(SurveyLink, key), version, phase, LinkState.SKIPPED, None)
    session.flush()


def _mark(
    session: Session,
    key: str,
    link: SurveyLink | None,
    version: SurveyVersion,
    phase: Phase,
    state: LinkState,
    pseudonym: str | None,
) -> None:
    if link is None:
        link = SurveyLink(key=key, survey_version_id=version.id)
        session.add(link)
    if phase is Phase.PRE:
        link.pre = state.value
        link.pseudonym = pseudonym if state is LinkState.ANSWERED else None
    else:
        link.post = state.value
        link.pseudonym = None  # the pair is complete (or will never be): forget the bridge to the person
