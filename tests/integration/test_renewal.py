"""Renewal of expiring completions: a new completion row per validity cycle, online and in person."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from time_machine import TimeMachineFixture

from lms import time as clock
from lms.auth.models import Role, User
from lms.certificates import services as certificates
from lms.config import Settings
from lms.content.models import ModuleVersion
from lms.progress.models import Completion
from lms.progress.renewal import needs_completion
from lms.quizzes.models import QuizAttempt
from lms.quizzes.services import QuizUnavailable, quizzes_used_up, standing, start_attempt, submit_attempt
from lms.reminders.mails import reminder_message
from lms.reminders.models import ReminderKind, SentReminder
from lms.reports.compliance import range_of
from lms.reports.queries import Range, coverage_counts, module_counts, trained_staff
from lms.workshops.models import SessionAttendance, SessionKind
from lms.workshops.services import SessionInput, record_training
from tests import factories as f

WRONG = {**f.CORRECT_ANSWERS, "q1": ["a"], "q2": ["a"]}  # 5 of 7 right: failed


def at(day: date) -> object:
    return clock.at_local(day, 10)


@pytest.fixture
def yearly(db: Session, time_machine: TimeMachineFixture):  # type: ignore[no-untyped-def]
    """A module valid for 12 months with its quiz (3 attempts), and a learner of a municipality, all made in
    January 2026 (before the tests' dates: on a suite clock moved to 2028 the learner would not yet be staff)."""
    time_machine.move_to(at(date(2026, 1, 15)), tick=False)
    source = f.module_source().replace("language: de\n", "language: de\nvalid_for_months: 12\n")
    version = f.published_module(db, source)
    quiz = f.published_quiz(db)
    learner = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    return version, quiz, learner


def _pass(db: Session, learner: User, version: ModuleVersion) -> Completion:
    completion = submit_attempt(
        db, learner, start_attempt(db, learner, version.module, version), f.CORRECT_ANSWERS
    )
    assert completion is not None
    return completion


def _rows(db: Session, learner: User) -> list[Completion]:
    return list(
        db.scalars(select(Completion).where(Completion.user_id == learner.id).order_by(Completion.id))
    )


def test_an_expired_completion_is_renewed_online_with_a_new_completion_and_certificate(
    db: Session, time_machine: TimeMachineFixture, yearly
) -> None:  # type: ignore[no-untyped-def]
    version, quiz, learner = yearly
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    first = _pass(db, learner, version)
    first_certificate = certificates.issue_for_completion(db, first, actor_id=None, base_url="https://x")
    assert first.valid_until == date(2027, 2, 2)
    period_2026 = range_of(f.period(db), clock.today())
    town = learner.municipality_id

    time_machine.move_to(at(date(2027, 2, 10)), tick=False)  # expired on 2 February 2027
    in_2027 = Range(date(2027, 1, 1), date(2027, 12, 31), staff_as_of=clock.today())
    [coverage] = coverage_counts(db, in_2027, town)
    assert coverage.at_least_one == 0
    mine = standing(db, learner, quiz, version)
    assert mine.is_renewal and not mine.has_completed and mine.used == 0

    renewal = _pass(db, learner, version)
    assert renewal.id != first.id and renewal.cycle == 2 and first.cycle == 1
    assert renewal.valid_until == date(2028, 2, 10)  # counted from the day it was earned
    db.refresh(first)
    assert first.valid_until == date(2027, 2, 2)  # the old row is untouched
    certificate = certificates.issue_for_completion(db, renewal, actor_id=None, base_url="https://x")
    assert certificate.id != first_certificate.id and certificate.valid_until == date(2028, 2, 10)
    assert first_certificate.valid_until == date(2027, 2, 2)

    [coverage] = coverage_counts(db, in_2027, town)
    assert coverage.at_least_one == 1  # covered again
    # The first completion still counts for 2026, the period it was earned in; the renewal for 2027.
    assert {c.module_id: c.staff for c in module_counts(db, period_2026, town)} == {version.module_id: 1}
    assert {c.module_id: c.staff for c in module_counts(db, in_2027, town)} == {version.module_id: 1}
    # Renewed: the quiz is closed again until the next renewal window.
    with pytest.raises(QuizUnavailable) as refused:
        start_attempt(db, learner, version.module, version)
    assert refused.value.code == "quiz.already_completed"


def test_renewal_opens_30_days_before_the_last_valid_day_not_earlier(
    db: Session, time_machine: TimeMachineFixture, yearly
) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = yearly
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    _pass(db, learner, version)  # valid until 2 February 2027
    time_machine.move_to(at(date(2027, 1, 2)), tick=False)
    with pytest.raises(QuizUnavailable) as refused:
        start_attempt(db, learner, version.module, version)
    assert refused.value.code == "quiz.already_completed"
    assert needs_completion(db, learner.id, version, clock.today()) is None

    time_machine.move_to(at(date(2027, 1, 3)), tick=False)  # 30 days before: the expiry reminder's day
    renewal = _pass(db, learner, version)
    assert renewal.cycle == 2 and renewal.valid_until == date(2028, 1, 3)
    assert len(_rows(db, learner)) == 2


def test_attempt_limits_count_again_from_the_renewal_on(
    db: Session, time_machine: TimeMachineFixture, yearly
) -> None:  # type: ignore[no-untyped-def]
    version, quiz, learner = yearly
    assert quiz.max_attempts == 3
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    for _ in range(2):
        assert submit_attempt(db, learner, start_attempt(db, learner, version.module, version), WRONG) is None
    _pass(db, learner, version)  # the third and last attempt of the first cycle

    time_machine.move_to(at(date(2027, 3, 1)), tick=False)
    assert standing(db, learner, quiz, version).used == 0
    assert (
        quizzes_used_up(db, learner, [version.id]) == {}
    )  # „Meine Module“ counts the cycle as the quiz does
    for _ in range(3):
        assert submit_attempt(db, learner, start_attempt(db, learner, version.module, version), WRONG) is None
    with pytest.raises(QuizUnavailable) as refused:
        start_attempt(db, learner, version.module, version)
    assert refused.value.code == "quiz.no_attempts_left"
    assert quizzes_used_up(db, learner, [version.id]) == {version.id: 3}
    assert len(_rows(db, learner)) == 1


def test_a_renewal_in_the_same_period_counts_the_person_once(
    db: Session, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at(date(2026, 2, 1)), tick=False)
    source = f.module_source().replace("language: de\n", "language: de\nvalid_for_months: 1\n")
    version = f.published_module(db, source)
    f.published_quiz(db)
    learner = f.user(db, Role.LEARNER, municipality_id=f.municipality(db).id)
    _pass(db, learner, version)
    time_machine.move_to(at(date(2026, 3, 5)), tick=False)  # expired on 1 March
    _pass(db, learner, version)
    assert len(_rows(db, learner)) == 2
    period = range_of(f.period(db), clock.today())
    assert {c.module_id: c.staff for c in module_counts(db, period, learner.municipality_id)} == {
        version.module_id: 1
    }
    assert trained_staff(db, period, learner.municipality_id) == {learner.municipality_id: 1}
    [coverage] = coverage_counts(db, period, learner.municipality_id)
    assert (coverage.staff, coverage.at_least_one) == (1, 1)


def test_an_in_person_training_renews_an_expired_completion_only(
    db: Session, time_machine: TimeMachineFixture, yearly
) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, expired = yearly
    town = expired.municipality_id
    still_valid = f.user(db, Role.LEARNER, municipality_id=town, email="gueltig@example.org")
    trainer = f.user(db, Role.TRAINER, municipality_id=town)
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    _pass(db, expired, version)
    time_machine.move_to(at(date(2026, 9, 1)), tick=False)
    _pass(db, still_valid, version)  # valid until 1 September 2027

    time_machine.move_to(at(date(2027, 3, 10)), tick=False)
    result = record_training(
        db,
        trainer,
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=town,
            module_version_id=version.id,
            held_on=date(2027, 3, 9),
            place="Rathaus",
            facilitator_ids=frozenset({trainer.id}),
            attendees=[expired.email, still_valid.email],
        ),
    )
    assert (result.completions_created, result.already_completed) == (1, 1)
    renewed = _rows(db, expired)
    assert [(c.cycle, c.mode) for c in renewed] == [(1, "online"), (2, "in_person")]
    assert renewed[1].valid_until == date(2028, 3, 9)
    assert len(_rows(db, still_valid)) == 1


def test_a_double_submit_in_the_renewal_window_records_one_renewal(
    db: Session, time_machine: TimeMachineFixture, yearly
) -> None:  # type: ignore[no-untyped-def]
    version, quiz, learner = yearly
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    _pass(db, learner, version)
    time_machine.move_to(at(date(2027, 2, 10)), tick=False)
    one = start_attempt(db, learner, version.module, version)
    # A second tab's attempt, open at the same time.
    two = QuizAttempt(user_id=learner.id, quiz_version=quiz, module_version=version, layout=one.layout)
    db.add(two)
    db.flush()
    renewal = submit_attempt(db, learner, one, f.CORRECT_ANSWERS)
    again = submit_attempt(db, learner, two, f.CORRECT_ANSWERS)
    assert renewal is not None and again is not None and again.id == renewal.id
    assert [c.cycle for c in _rows(db, learner)] == [1, 2]
    # Two requests that both saw the expired completion would record the same cycle: the database refuses one.
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            Completion(
                user_id=learner.id,
                module_id=version.module_id,
                module_version_id=version.id,
                mode="online",
                cycle=2,
            )
        )
    assert len(_rows(db, learner)) == 2


def test_the_expiry_reminder_says_how_to_renew_with_a_link_to_the_quiz(db: Session, yearly) -> None:  # type: ignore[no-untyped-def]
    version, _quiz, learner = yearly
    sent = SentReminder(
        user_id=learner.id,
        kind=ReminderKind.EXPIRY.value,
        occasion=f"expiry:{version.module_id}:2027-02-02",
        module_id=version.module_id,
        day=date(2027, 2, 2),
        sent_at=clock.now(),
    )
    db.add(sent)
    db.flush()
    message = reminder_message(Settings(base_url="https://lernen.example"), db, sent)
    assert message is not None
    text = message.get_content()
    assert "bis einschließlich 02.02.2027 gültig" in text
    assert (
        "So erneuern Sie Ihren Abschluss" in text and "https://lernen.example/module/testmodul/quiz" in text
    )
    assert "erfahren Sie bei der Koordination" not in text


def test_an_in_person_record_beside_an_online_pass_of_the_same_moment_keeps_the_attendance(
    db: Session, time_machine: TimeMachineFixture, yearly, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The person passes the quiz online while the trainer records the training: both requests saw the expired
    completion, the online pass wrote cycle 2 first. The record is saved (no database error), counts the person as
    already complete, and their attendance is kept."""
    version, _quiz, learner = yearly
    trainer = f.user(db, Role.TRAINER, municipality_id=learner.municipality_id)
    time_machine.move_to(at(date(2026, 2, 2)), tick=False)
    _pass(db, learner, version)
    time_machine.move_to(at(date(2027, 3, 10)), tick=False)

    import lms.workshops.services as workshop_services

    real_next_cycles = workshop_services.next_cycles

    def online_pass_in_between(*args, **kwargs):  # type: ignore[no-untyped-def]
        cycles = real_next_cycles(*args, **kwargs)
        _pass(db, learner, version)  # the other request, after this one read the cycles
        return cycles

    monkeypatch.setattr(workshop_services, "next_cycles", online_pass_in_between)
    result = record_training(
        db,
        trainer,
        SessionInput(
            kind=SessionKind.TRAINING,
            municipality_id=learner.municipality_id,
            module_version_id=version.id,
            held_on=date(2027, 3, 9),
            place="Rathaus",
            facilitator_ids=frozenset({trainer.id}),
            attendees=[learner.email],
        ),
    )
    assert (result.completions_created, result.already_completed) == (0, 1)
    assert [(c.cycle, c.mode) for c in _rows(db, learner)] == [(1, "online"), (2, "online")]
    attendance = db.scalars(select(SessionAttendance).where(SessionAttendance.user_id == learner.id)).one()
    assert attendance.session_id == result.session.id and attendance.completion_id is None
