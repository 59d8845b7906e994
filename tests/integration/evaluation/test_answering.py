"""Offering, answering and skipping the self-assessment; the link forgets the pseudonym once the pair is complete."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms import time as clock
from lms.auth.models import Role
from lms.db import ImmutableError
from lms.evaluation.models import Phase, SurveyAnswer, SurveyLink, SurveyResponse
from lms.evaluation.pseudonyms import link_key
from lms.evaluation.services import EvaluationError, skip_survey, submit_answers, survey_offer
from lms.orgs.periods import period_for
from lms.progress.services import record_section_read
from tests import factories as f
from tests.integration.evaluation.conftest import SECRET


def test_pre_then_post_share_a_random_pseudonym_and_the_link_forgets_it(db: Session, surveyed) -> None:  # type: ignore[no-untyped-def]
    version, survey = surveyed
    town = f.municipality(db)
    person = f.staff_member(db, town.id)
    assert survey_offer(db, SECRET, person, version, Phase.PRE) == survey
    assert survey_offer(db, SECRET, person, version, Phase.POST) is None  # not completed yet
    pre = submit_answers(
        db, SECRET, person, version, Phase.PRE, {"i1": "2", "i2": "3", "i3": " "}, clock.today()
    )
    assert survey_offer(db, SECRET, person, version, Phase.PRE) is None  # once
    link = db.get(SurveyLink, link_key(SECRET, person.id, version.id))
    assert link is not None and link.pseudonym == pre.pseudonym and link.pre == "answered"
    f.completion(db, person, version)
    assert survey_offer(db, SECRET, person, version, Phase.POST) == survey
    post = submit_answers(
        db, SECRET, person, version, Phase.POST, {"i1": "4", "i3": "Mehr Fälle"}, clock.today()
    )
    assert post.pseudonym == pre.pseudonym and post.id != pre.id
    assert (
        link.pseudonym is None and link.post == "answered"
    )  # nobody can find these answers from the person now
    assert survey_offer(db, SECRET, person, version, Phase.POST) is None
    assert {(a.item_key, a.value, a.text) for a in post.answers} == {
        ("i1", 4, None),
        ("i3", None, "Mehr Fälle"),
    }
    running = period_for(db, clock.today())
    assert pre.municipality_id == town.id and pre.period_id == (running.id if running else None)


def test_no_pre_survey_once_reading_began_and_skipping_is_remembered(db: Session, surveyed) -> None:  # type: ignore[no-untyped-def]
    version, _survey = surveyed
    town = f.municipality(db)
    reader, skipper = f.staff_member(db, town.id), f.staff_member(db, town.id)
    record_section_read(db, reader, version.sections[0].id, {})
    assert survey_offer(db, SECRET, reader, version, Phase.PRE) is None
    skip_survey(db, SECRET, skipper, version, Phase.PRE)
    assert survey_offer(db, SECRET, skipper, version, Phase.PRE) is None
    f.completion(db, skipper, version)
    post = submit_answers(db, SECRET, skipper, version, Phase.POST, {"i1": "5"}, clock.today())
    assert (
        db.scalar(
            select(SurveyResponse).where(
                SurveyResponse.pseudonym == post.pseudonym, SurveyResponse.phase == "pre"
            )
        )
        is None
    )


def test_people_without_a_municipality_are_not_asked(db: Session, surveyed) -> None:  # type: ignore[no-untyped-def]
    version, _survey = surveyed
    trainer = f.user(db, Role.TRAINER)
    assert survey_offer(db, SECRET, trainer, version, Phase.PRE) is None


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ({"i1": "6"}, "evaluation.value_invalid"),
        ({"i1": "x"}, "evaluation.value_invalid"),
        ({}, "evaluation.empty"),
    ],
)
def test_bad_answers_are_refused(db: Session, surveyed, given, code) -> None:  # type: ignore[no-untyped-def]
    version, _survey = surveyed
    person = f.staff_member(db, f.municipality(db).id)
    with pytest.raises(EvaluationError) as refused:
        submit_answers(db, SECRET, person, version, Phase.PRE, given, clock.today())
    assert refused.value.code == code


def test_answers_are_never_changed(db: Session, surveyed) -> None:  # type: ignore[no-untyped-def]
    version, _survey = surveyed
    person = f.staff_member(db, f.municipality(db).id)
    response = submit_answers(db, SECRET, person, version, Phase.PRE, {"i1": "2"}, clock.today())
    answer = db.scalar(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    assert answer is not None
    answer.value = 5
    with pytest.raises(ImmutableError):
        db.flush()
