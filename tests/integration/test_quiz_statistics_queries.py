"""Quiz statistics on real attempts: one quiz version at a time, first or all attempts, one streamed query."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.quizzes.queries import VersionCounts, quiz_of_module, version_counts, version_statistics
from lms.quizzes.services import start_attempt, submit_attempt
from tests import factories as f

WRONG_Q1 = {**f.CORRECT_ANSWERS, "q1": ["a"]}  # 6 of 7 = 85.7 %: passes at 80


def _take(db: Session, learner, version, answers) -> None:  # type: ignore[no-untyped-def]
    submit_attempt(db, learner, start_attempt(db, learner, version.module, version), answers)


@pytest.fixture
def history(db: Session):  # type: ignore[no-untyped-def]
    """Version 1: Ada fails then passes, Ben passes at once, Cem fails, Dana leaves an attempt open.
    Version 2 (pass mark 50): Cem's first attempt on it, and Eva's."""
    module_version = f.published_module(db)
    first = f.published_quiz(db)
    ada, ben, cem, dana, eva = (f.user(db) for _ in range(5))
    _take(db, ada, module_version, {})  # 0 of 7
    _take(db, ada, module_version, f.CORRECT_ANSWERS)
    _take(db, ben, module_version, WRONG_Q1)
    _take(db, cem, module_version, {"q1": ["c"], "q2": ["b"]})  # 1 of 7
    start_attempt(db, dana, module_version.module, module_version)  # open: never counted
    second = f.published_quiz(db, f.quiz_source(pass_mark=50))
    _take(db, cem, module_version, f.CORRECT_ANSWERS)
    _take(db, eva, module_version, {**f.CORRECT_ANSWERS, "q1": ["c"], "q7": ["a"]})  # 5 of 7
    return module_version, first, second


def test_counts_per_version_for_the_selector(db: Session, history) -> None:  # type: ignore[no-untyped-def]
    module_version, first, second = history
    found = quiz_of_module(db, "testmodul")
    assert found is not None and found[0].id == module_version.module_id
    counts = version_counts(db, found[1])
    assert counts == {
        first.id: VersionCounts(attempts=4, people=3),
        second.id: VersionCounts(attempts=2, people=2),
    }
    assert quiz_of_module(db, "gibt-es-nicht") is None


def test_first_attempts_only_by_default_moodle_style(db: Session, history) -> None:  # type: ignore[no-untyped-def]
    _module_version, first, _second = history
    stats = version_statistics(db, first, first_only=True)
    # Ada's failed first attempt counts, her second does not; Dana's open attempt never does.
    assert (stats.attempts, stats.passed) == (3, 1)
    q1 = stats.questions[0]
    assert q1.facility == pytest.approx(0.0)  # Ada (no answer), Ben ("a"), Cem ("c"): all wrong
    assert [(o.key, o.count, o.is_correct) for o in q1.options] == [
        ("a", 1, False),
        ("b", 0, True),
        ("c", 1, False),
    ]
    assert q1.unanswered == 1
    q2 = stats.questions[1]
    assert q2.facility == pytest.approx(200 / 3)  # Ben and Cem
    assert stats.mean == pytest.approx((0 + 6 + 1) / 3 / 7 * 100)


def test_all_attempts_count_each_attempt(db: Session, history) -> None:  # type: ignore[no-untyped-def]
    _module_version, first, _second = history
    stats = version_statistics(db, first, first_only=False)
    assert (stats.attempts, stats.passed) == (4, 2)
    q1 = stats.questions[0]
    assert q1.facility == pytest.approx(25.0)  # only Ada's second attempt
    assert [o.count for o in q1.options] == [1, 1, 1]


def test_versions_are_never_mixed(db: Session, history) -> None:  # type: ignore[no-untyped-def]
    _module_version, _first, second = history
    for first_only in (True, False):
        stats = version_statistics(db, second, first_only=first_only)
        # Cem's attempt on version 1 is not his first on version 2's statistics: they are separate quizzes.
        assert (stats.attempts, stats.passed) == (2, 2)
        q1 = stats.questions[0]
        assert [(o.key, o.count) for o in q1.options] == [("a", 0), ("b", 1), ("c", 1)]
        assert q1.facility == pytest.approx(50.0)
        assert stats.questions[6].facility == pytest.approx(50.0)  # Eva chose only "a" on the multiple choice


def test_attempts_are_read_in_one_query(db: Session, history) -> None:  # type: ignore[no-untyped-def]
    _module_version, first, _second = history
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        version_statistics(db, first, first_only=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    reads = [s for s in statements if "quiz_attempts" in s]
    assert len(reads) == 1, reads
    assert "user_id" not in reads[0].split("FROM")[0]  # no person in what is loaded


MIXED_QUIZ = (
    f.quiz_source()
    + """
## Wofür steht die Abkürzung AGG?

[[Allgemeines Gleichbehandlungsgesetz | AGG]]
***
Das Allgemeine Gleichbehandlungsgesetz.
***

## In welcher Reihenfolge prüfen Sie eine Regel auf mittelbare Benachteiligung?

[[2]] Prüfen, ob die Regel bestimmte Gruppen deutlich häufiger oder härter trifft
[[1]] Feststellen, dass die Regel dem Anschein nach neutral ist
[[3]] Prüfen, ob die Regel ein rechtmäßiges Ziel verfolgt
***
Erst die scheinbare Neutralität, dann die Wirkung, dann die Rechtfertigung.
***
"""
)


def test_text_answers_and_orders_are_tallied_with_their_own_labels(db: Session) -> None:
    """Typed answers are counted as text (escaped on the page), every accepted spelling as the correct answer."""
    module_version = f.published_module(db)
    version = f.published_quiz(db, MIXED_QUIZ)
    text_key, order_key = (q["key"] for q in version.questions[-2:])
    steps = {q["key"]: q for q in version.questions}[order_key]["definition"]["steps"]
    by_position = [step["id"] for step in sorted(steps, key=lambda step: step["position"])]
    answers = [
        ("agg", by_position),
        ("Allgemeines  Gleichbehandlungsgesetz", list(reversed(by_position))),
        ("<b>Antidiskriminierung</b>", []),
    ]
    for typed, order in answers:
        _take(db, f.user(db), module_version, {**f.CORRECT_ANSWERS, text_key: typed, order_key: order})
    stats = version_statistics(db, version, first_only=True)
    text_q, order_q = stats.questions[-2:]
    assert text_q.type_label == "Texteingabe" and order_q.type_label == "Reihenfolge"
    assert text_q.facility == pytest.approx(200 / 3)
    correct = [o for o in text_q.options if o.is_correct]
    assert (
        len(correct) == 1
        and correct[0].count == 2
        and "Allgemeines Gleichbehandlungsgesetz" in correct[0].label
    )
    wrong = [o for o in text_q.options if not o.is_correct]
    assert [(o.count, o.label_is_html) for o in wrong] == [(1, False)]  # the typed "<b>" stays text
    assert "<b>" in wrong[0].label
    assert order_q.unanswered == 1
    assert [(o.count, o.is_correct, o.label_is_html) for o in order_q.options] == [
        (1, True, True),
        (1, False, True),
    ]
    assert order_q.options[0].label.startswith("1. Feststellen")
