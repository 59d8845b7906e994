"""Aggregates with numbers worked out by hand: means, paired change, the „< 5“ rule, free text from five on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from lms import time as clock
from lms.evaluation.indicators import indicators_for
from lms.evaluation.models import Phase
from lms.evaluation.queries import survey_results
from lms.evaluation.services import submit_answers
from lms.orgs.periods import period_for
from lms.progress.services import record_section_read
from lms.quizzes.models import QuizAttempt
from tests import factories as f
from tests.integration.evaluation.conftest import SECRET

TODAY = date(2026, 6, 15)

#: Six people of one town: (pre i1, pre i2, post i1, post i2, post text).
ANSWERS = [
    ("1", "2", "3", "3", "Mehr Beispiele aus dem Bürgeramt"),
    ("2", "2", "4", "3", "Gut verständlich"),
    ("2", "3", "4", "4", "Bitte ein Modul zu Sprache"),
    ("3", "3", "4", "4", "Zu lang"),
    ("3", "", "5", "5", ""),
    ("4", "", "5", "", ""),
]


@pytest.fixture
def answered(db: Session, surveyed, time_machine):  # type: ignore[no-untyped-def]
    time_machine.move_to(clock.at_local(TODAY, 12), tick=False)
    version, _survey = surveyed
    town, other = f.municipality(db, "Kommune A"), f.municipality(db, "Kommune B")
    people = [f.staff_member(db, town.id) for _ in ANSWERS]
    for person, (pre1, pre2, post1, post2, text) in zip(people, ANSWERS, strict=True):
        submit_answers(db, SECRET, person, version, Phase.PRE, {"i1": pre1, "i2": pre2}, TODAY)
        f.completion(db, person, version)
        submit_answers(db, SECRET, person, version, Phase.POST, {"i1": post1, "i2": post2, "i3": text}, TODAY)
    stranger = f.staff_member(db, other.id)
    submit_answers(db, SECRET, stranger, version, Phase.PRE, {"i1": "5", "i2": "5"}, TODAY)
    period = period_for(db, TODAY)
    assert period is not None
    return town, other, people, version, period


def test_means_and_paired_change_by_hand(db: Session, answered) -> None:  # type: ignore[no-untyped-def]
    town, _other, _people, version, period = answered
    [group] = survey_results(db, town.id, period.id)
    assert group.module_version.id == version.id
    assert (group.respondents_pre, group.respondents_post) == (6, 6)
    i1, i2 = group.items
    # i1 before: 1+2+2+3+3+4 = 15 / 6 = 2.5; after: 3+4+4+4+5+5 = 25 / 6 = 4.17; pairs: 2+2+2+1+2+1 = 10 / 6 = 1.67
    assert (i1.pre_count, i1.pre_mean, i1.post_count, i1.post_mean) == (6, Decimal("2.5"), 6, Decimal("4.2"))
    assert (i1.pairs, i1.change) == (6, Decimal("1.7"))
    # i2: four answers before (hidden), after 3+3+4+4+5 = 19 / 5 = 3.8, four pairs (hidden)
    assert (i2.pre_count, i2.pre_mean) == ("< 5", None)
    assert (i2.post_count, i2.post_mean) == (5, Decimal("3.8"))
    assert (i2.pairs, i2.change) == ("< 5", None)
    [text] = group.texts
    assert (text.count, text.texts) == ("< 5", None)  # four texts are never shown


def test_free_text_from_five_on_sorted_without_anything_else(db: Session, answered) -> None:  # type: ignore[no-untyped-def]
    town, _other, _people, version, period = answered
    late = f.staff_member(db, town.id)
    f.completion(db, late, version)
    submit_answers(db, SECRET, late, version, Phase.POST, {"i3": "Anregend"}, TODAY)
    [text] = survey_results(db, town.id, period.id)[0].texts
    assert text.count == 5
    assert text.texts == [
        "Anregend",
        "Bitte ein Modul zu Sprache",
        "Gut verständlich",
        "Mehr Beispiele aus dem Bürgeramt",
        "Zu lang",
    ]


def test_another_municipality_sees_only_its_own(db: Session, answered) -> None:  # type: ignore[no-untyped-def]
    _town, other, _people, _version, period = answered
    [group] = survey_results(db, other.id, period.id)
    assert (group.respondents_pre, group.respondents_post) == ("< 5", 0)
    assert all(item.pre_mean is None for item in group.items)


def test_indicators_by_hand(db: Session, answered) -> None:  # type: ignore[no-untyped-def]
    town, other, people, version, period = answered
    staff = [*people, *(f.staff_member(db, town.id) for _ in range(4))]  # 10 counted staff
    for person in staff[:6]:
        record_section_read(db, person, version.sections[0].id, {})
    quiz = f.published_quiz(db)
    # Best score per person and quiz: 80, 90, 100, 70 (after 50), 60 → mean 80.0 over five people.
    for person, scores in zip(staff, [[80], [90], [100], [50, 70], [60]], strict=False):
        for score in scores:
            db.add(
                QuizAttempt(
                    user_id=person.id,
                    quiz_version_id=quiz.id,
                    module_version_id=version.id,
                    layout=[],
                    score_percent=Decimal(score),
                    is_passed=score >= 80,
                    submitted_at=clock.now(),
                )
            )
    db.flush()
    shown = {
        i.german_name: {mid: str(value) for mid, value in i.values.items()}
        for i in indicators_for(db, period, [town, other], TODAY)
    }
    # Active: the six readers (the six who completed are among them) of ten staff; completed: six of ten.
    assert shown["Teilnahmequote"] == {town.id: "60,0 %", other.id: "–"}
    assert shown["Abschlussquote"] == {town.id: "60,0 %", other.id: "–"}
    assert shown["Mittlere Quizpunktzahl"] == {town.id: "80,0 %", other.id: "–"}
    change = next(v for name, v in shown.items() if "mittelbare Diskriminierung" in name)
    assert change == {town.id: "+1,7 (6 Paare)", other.id: "–"}
    second = next(v for name, v in shown.items() if "Beschwerdeweg" in name)
    assert second == {town.id: "– (< 5 Paare)", other.id: "–"}


def test_the_indicators_read_in_the_readers_language(db: Session, answered, client) -> None:  # type: ignore[no-untyped-def]
    """The programme office's evaluation page formats the same values in German and in English (a QA sweep found
    „60,0 %“ and „Paare“ on the English page: the values were finished German strings)."""
    from lms.auth.models import Role

    town, _other, _people, _version, period = answered
    for _ in range(4):  # ten counted staff, six of them completed: 60 %
        f.staff_member(db, town.id)
    f.login(client, f.user(db, Role.ADMIN).email)
    german = client.get(f"/programmbuero/evaluation?zeitraum={period.id}").text
    english = client.get(
        f"/programmbuero/evaluation?zeitraum={period.id}", headers={"Accept-Language": "en"}
    ).text
    assert "60,0 %" in german and "+1,7 (6 Paare)" in german and "– (&lt; 5 Paare)" in german
    assert "Selbsteinschätzung: „" in german
    assert "60.0%" in english and "+1.7 (6 pairs)" in english and "– (&lt; 5 pairs)" in english
    assert 'Self-assessment: “<span lang="de">' in english  # the German statement marked as such
    assert "60,0" not in english and "Paare" not in english
