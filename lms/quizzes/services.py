"""Quiz attempts: start on the current quiz version, submit once, graded on the server, completion on a pass."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    bindparam,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, contains_eager, object_session

from lms import time as clock
from lms.auth.models import User
from lms.content.models import Module, ModuleSection, ModuleVersion
from lms.db import built_once
from lms.errors import Sample, ServiceError
from lms.progress.models import Completion, CompletionMode
from lms.progress.queries import read_section_ids
from lms.progress.renewal import (
    is_renewable,
    latest_completion_of,
    needs_completion,
    valid_until_is_renewable,
)
from lms.quizzes.models import AttemptClosedError, Quiz, QuizAttempt, QuizVersion
from lms.quizzes.question_types import ResponseInvalid, get_type
from lms.quizzes.question_types.matrix import MAX_COLUMNS as MATRIX_MAX_COLUMNS
from lms.quizzes.question_types.matrix import MAX_ROWS as MATRIX_MAX_ROWS
from lms.quizzes.review import EVERYTHING, Reveal

__all__ = [
    "AttemptClosedError",
    "QuizUnavailable",
    "UnknownQuestions",
    "save_draft",
    "start_attempt",
    "submit_attempt",
]

#: Bounds of a saved draft: values per question and characters per value (a text answer, an ordering slot). The
#: largest answer a form sends is a matrix of multiple choices with every cell ticked (a QA sweep found 50, below a
#: legitimate 20 × 8 matrix, which could then be neither saved nor submitted).
DRAFT_MAX_VALUES = MATRIX_MAX_ROWS * MATRIX_MAX_COLUMNS
DRAFT_MAX_CHARS = 2000


class QuizUnavailable(ServiceError):
    """No attempt can be started; the message says why, for the person."""


class UnknownQuestions(ServiceError):
    """Answers to save or submit for questions the attempt does not have (in a pool: did not draw)."""


def current_quiz_version(session: Session, module: Module) -> QuizVersion | None:
    """The newest version of the module's quiz, if it has one (one query on the (quiz_id, number) index)."""
    return session.scalar(_newest_quiz_version(), {"module_id": module.id})


@built_once
def _newest_quiz_version() -> Select[QuizVersion]:
    return (
        select(QuizVersion)
        .join(Quiz, Quiz.id == QuizVersion.quiz_id)
        .options(contains_eager(QuizVersion.quiz))  # the quiz from this join, not a second one
        .where(Quiz.module_id == bindparam("module_id"))
        .order_by(QuizVersion.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Standing:
    """Where a person stands with a quiz version, for its start page."""

    #: Submitted attempts on this quiz version in the current cycle (since the person's latest completion of the
    #: module version, if any: a renewal starts with all attempts of ``max_attempts`` again).
    used: int
    #: An unsubmitted attempt is waiting to be resumed.
    has_open_attempt: bool
    #: The person completed this module version and the completion is not up for renewal (no attempt is started).
    has_completed: bool
    #: When the person's latest completion of this module version was recorded, if there is one.
    completed_at: datetime | None = None
    #: Its last valid day (None: valid for good, or no completion).
    valid_until: date | None = None
    #: That completion has expired or expires within the renewal window: a passing attempt renews it.
    is_renewal: bool = False


def standing(
    session: Session, user: User, quiz_version: QuizVersion, version: ModuleVersion, today: date | None = None
) -> Standing:
    """Attempts used in the current cycle, an open attempt, the latest completion and whether it may be renewed:
    one query for the start page."""
    return _standing_of(session, user.id, quiz_version, version, today or clock.today())


def _standing_of(
    session: Session, user_id: int, quiz_version: QuizVersion, version: ModuleVersion, today: date
) -> Standing:
    used, open_attempts, completed_at, valid_until = session.execute(
        _standing(), {"user_id": user_id, "quiz_version_id": quiz_version.id, "version_id": version.id}
    ).one()
    renewal = completed_at is not None and valid_until_is_renewable(valid_until, today)
    return Standing(
        used=used or 0,
        has_open_attempt=bool(open_attempts),
        has_completed=completed_at is not None and not renewal,
        completed_at=completed_at,
        valid_until=valid_until,
        is_renewal=renewal,
    )


def _latest_completion(
    person: SQLColumnExpression[int], module_version_id: SQLColumnExpression[int]
) -> Select[Any]:
    """The person's latest completion of the module version (no columns yet): the start of the current cycle."""
    return (
        select()
        .where(Completion.user_id == person, Completion.module_version_id == module_version_id)
        .order_by(Completion.cycle.desc())
        .limit(1)
    )


def _attempts_of(
    person: SQLColumnExpression[int], quiz_version_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    return (QuizAttempt.user_id == person) & (QuizAttempt.quiz_version_id == quiz_version_id)


def _used_in_cycle(
    person: SQLColumnExpression[int],
    quiz_version_id: SQLColumnExpression[int],
    completed_at: ScalarSelect[Any],
) -> Select[Any]:
    """Count of the attempts ``max_attempts`` limits: submitted after the latest completion (all, if there is none).
    One rule for the one person and version (``standing``) and for all of „Meine Module“ (``quizzes_used_up``)."""
    return (
        select(func.count())
        .select_from(QuizAttempt)
        .where(
            _attempts_of(person, quiz_version_id),
            QuizAttempt.submitted_at.is_not(None),
            or_(completed_at.is_(None), QuizAttempt.submitted_at > completed_at),
        )
    )


@built_once
def _standing() -> Select[int, int, datetime | None, date | None]:
    person: BindParameter[int] = bindparam("user_id")
    quiz_version_id: BindParameter[int] = bindparam("quiz_version_id")
    latest = _latest_completion(person, bindparam("version_id"))
    completed_at = latest.add_columns(Completion.completed_at).scalar_subquery()
    return select(
        _used_in_cycle(person, quiz_version_id, completed_at).scalar_subquery(),
        select(func.count())
        .select_from(QuizAttempt)
        .where(_attempts_of(person, quiz_version_id), QuizAttempt.submitted_at.is_(None))
        .scalar_subquery(),
        completed_at,
        latest.add_columns(Completion.valid_until).scalar_subquery(),
    )


def quizzes_used_up(session: Session, user: User, version_ids: list[int]) -> dict[int, int]:
    """Module version id -> the attempts its module's quiz allows, for those of the versions where the person can
    start no attempt any more: every attempt of the current quiz version used in the current cycle and none open
    (what ``start_attempt`` refuses as „quiz.no_attempts_left“). One query for „Meine Module“."""
    if not version_ids:
        return {}
    rows = session.execute(_used_up(), {"user_id": user.id, "version_ids": version_ids})
    return {version_id: limit for version_id, limit in rows}


@built_once
def _used_up() -> Select[int, int]:
    """``standing`` for many module versions at once, reduced to „no attempt left“."""
    person: BindParameter[int] = bindparam("user_id")
    newer = aliased(QuizVersion)
    completed_at = (
        _latest_completion(person, ModuleVersion.id)
        .add_columns(Completion.completed_at)
        .correlate(ModuleVersion)
        .scalar_subquery()
    )
    used = (
        _used_in_cycle(person, QuizVersion.id, completed_at)
        .correlate(QuizVersion, ModuleVersion)
        .scalar_subquery()
    )
    open_attempt = (
        exists()
        .where(_attempts_of(person, QuizVersion.id), QuizAttempt.submitted_at.is_(None))
        .correlate(QuizVersion)
    )
    newer_version = exists().where(newer.quiz_id == QuizVersion.quiz_id, newer.number > QuizVersion.number)
    return (
        select(ModuleVersion.id, QuizVersion.max_attempts)
        .join(Quiz, Quiz.module_id == ModuleVersion.module_id)
        .join(QuizVersion, QuizVersion.quiz_id == Quiz.id)
        .where(
            ModuleVersion.id.in_(bindparam("version_ids", expanding=True)),
            QuizVersion.max_attempts > 0,
            ~newer_version.correlate(QuizVersion),
            ~open_attempt,
            used >= QuizVersion.max_attempts,
        )
    )


def submitted_attempts(session: Session, user: User, quiz_version: QuizVersion) -> int:
    """How many attempts this person has submitted on this quiz version (in all cycles)."""
    return _submitted_count(session, user.id, quiz_version)


def attempts_in_cycle(session: Session, user: User, quiz_version: QuizVersion, version: ModuleVersion) -> int:
    """How many attempts this person has submitted on this quiz version since their latest completion of the module
    version (all of them if they never completed it): what ``max_attempts`` limits."""
    return standing(session, user, quiz_version, version).used


def _submitted_count(session: Session, user_id: int, quiz_version: QuizVersion) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.quiz_version_id == quiz_version.id,
                QuizAttempt.submitted_at.is_not(None),
            )
        )
        or 0
    )


def open_attempt(session: Session, user: User, quiz_version: QuizVersion) -> QuizAttempt | None:
    """The person's unsubmitted attempt on this quiz version, if any (it is resumed, not restarted)."""
    return session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.quiz_version_id == quiz_version.id,
            QuizAttempt.submitted_at.is_(None),
        )
    )


def attempt_history(session: Session, user: User, module: Module) -> list[QuizAttempt]:
    """The person's submitted attempts at the module's quiz, on every quiz version, newest first."""
    return list(
        session.scalars(
            select(QuizAttempt)
            .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
            .join(Quiz, Quiz.id == QuizVersion.quiz_id)
            .where(
                Quiz.module_id == module.id,
                QuizAttempt.user_id == user.id,
                QuizAttempt.submitted_at.is_not(None),
            )
            .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())
        )
    )


def module_passed_since(session: Session, user: User, attempt: QuizAttempt) -> Completion | None:
    """The completion that ends the quiz for the owner of this attempt: of its module version or the current one.

    A failed attempt's page shows it instead of inviting a retake that would be refused as „bereits abgeschlossen“;
    a completion up for renewal ends nothing (None then: a retake renews it).
    """
    module = attempt.module_version.module
    versions = {attempt.module_version_id}
    if module.current_version is not None:
        versions.add(module.current_version.id)
    latest = session.scalar(
        select(Completion)
        .where(Completion.user_id == user.id, Completion.module_version_id.in_(versions))
        .order_by(Completion.completed_at.desc(), Completion.id.desc())
        .limit(1)
    )
    if latest is not None and is_renewable(latest, clock.today()):
        return None
    return latest


def completion_of(session: Session, user: User, version: ModuleVersion) -> Completion | None:
    """The person's latest completion of exactly this module version (renewals included)."""
    return latest_completion_of(session, user.id, version.id)


def start_attempt(
    session: Session, user: User, module: Module, version: ModuleVersion, rng: random.Random | None = None
) -> QuizAttempt:
    """Resume the open attempt or start a new one on the current quiz version, with its own question order."""
    quiz_version = current_quiz_version(session, module)
    if quiz_version is None:
        raise QuizUnavailable("quiz.none")
    mine = standing(session, user, quiz_version, version)
    if mine.has_completed:
        raise QuizUnavailable("quiz.already_completed")
    if mine.has_open_attempt:
        existing = open_attempt(session, user, quiz_version)
        if existing is not None:
            return existing
    if quiz_version.require_reading and unread_sections(session, user, version):
        raise QuizUnavailable("quiz.read_first")
    used = mine.used
    if quiz_version.max_attempts and used >= quiz_version.max_attempts:
        raise QuizUnavailable("quiz.no_attempts_left", n=quiz_version.max_attempts)
    attempt = QuizAttempt(
        user_id=user.id,
        quiz_version=quiz_version,
        module_version=version,
        layout=_layout(quiz_version, rng or random.SystemRandom()),
    )
    session.add(attempt)
    session.flush()
    return attempt


def unread_sections(session: Session, user: User, version: ModuleVersion) -> list[ModuleSection]:
    """The module version's sections the person has not opened yet (the reading rule)."""
    opened = read_section_ids(session, user, version)
    return [section for section in version.sections if section.id not in opened]


def _layout(quiz_version: QuizVersion, rng: random.Random) -> list[dict[str, Any]]:
    """The order of questions and of each question's options or steps this attempt shows, fixed at its start.

    Each type decides how its list is arranged: choices are shuffled if the quiz asks for it, true/false
    keeps „Wahr, Falsch“, ordering steps are always shuffled (their file order may be the solution).
    """
    layout = []
    questions = quiz_version.questions
    if quiz_version.draw and quiz_version.draw < len(questions):
        # A pool: this attempt's questions, drawn once at its start, in file order unless the quiz shuffles.
        drawn = set(rng.sample(range(len(questions)), quiz_version.draw))
        questions = [q for i, q in enumerate(questions) if i in drawn]
    for question in questions:
        question_type = get_type(question["type"])
        slot: dict[str, Any] = {"key": question["key"]}
        if question_type.arranged:
            # LiaScript's "<!-- data-randomize -->" shuffles one question's options even in a quiz without shuffle.
            randomize = bool(question["definition"].get("settings", {}).get("randomize"))
            slot[question_type.arranged] = question_type.arrange(
                question["definition"], rng, quiz_version.is_shuffled or randomize
            )
        layout.append(slot)
    if quiz_version.is_shuffled:
        rng.shuffle(layout)
    return layout


def presented_questions(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """The questions as this attempt shows them: public definitions only, never the answers."""
    presented = []
    for number, slot in enumerate(attempt.layout, start=1):
        question = attempt.quiz_version.question(slot["key"])
        question_type = get_type(question["type"])
        public = question_type.public(question["definition"])
        field = question_type.arranged
        if field and field in slot and field in public:
            by_id = {entry["id"]: entry for entry in public[field]}
            public = {**public, field: [by_id[i] for i in slot[field]]}
        if question["definition"].get("hints"):
            public = {
                **public,
                "hints": question["definition"]["hints"],
            }  # LiaScript "[[?]]": shown on request
        presented.append(
            {
                "number": number,
                "key": question["key"],
                "type": question["type"],
                "label": question_type.label,
                "title": question["title"],
                "stem_html": question["stem_html"],
                "definition": public,
            }
        )
    return presented


def refuse_unknown_questions(raw: Mapping[str, Any], keys: set[str]) -> None:
    """UnknownQuestions naming (the first few of) the keys of ``raw`` that are not among the attempt's ``keys``."""
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise UnknownQuestions("attempt.unknown_questions", n=len(unknown), keys=Sample(tuple(unknown)))


def draft_answers(raw: Mapping[str, Any], keys: set[str]) -> dict[str, list[str]]:
    """Answers given so far as {key: [value, …]} (a text becomes [text], null []); UnknownQuestions for a question
    the attempt does not have, ResponseInvalid naming the question for an answer no form sends (too long, too many
    values).

    Nothing is graded or checked against the options here: a half-placed ordering is a legal draft.
    """
    refuse_unknown_questions(raw, keys)
    answers: dict[str, list[str]] = {}
    for key, value in raw.items():
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        if len(values) > DRAFT_MAX_VALUES or not all(isinstance(item, str) for item in values):
            raise ResponseInvalid("response.shape", key=key)
        if any(len(item) > DRAFT_MAX_CHARS for item in values):
            raise ResponseInvalid("response.too_long", key=key, max=DRAFT_MAX_CHARS)
        answers[key] = values
    return answers


def save_draft(session: Session, user: User, attempt: QuizAttempt, raw: Mapping[str, Any]) -> None:
    """Keep the answers given so far on an open attempt; AttemptClosedError once it is submitted.

    Refused as ``draft_answers`` says, and with ResponseInvalid for a value its question does not have (an unknown
    option: the submit would refuse it too); an unfinished answer is kept.
    """
    if attempt.user_id != user.id:
        raise PermissionError("attempt belongs to someone else")
    answers = draft_answers(raw, {slot["key"] for slot in attempt.layout})
    for key, values in answers.items():
        question = attempt.quiz_version.question(key)
        try:
            get_type(question["type"]).check_draft(question["definition"], values)
        except ResponseInvalid as invalid:
            raise ResponseInvalid(invalid.code, key=key, **invalid.params) from invalid
    attempt.save_draft(answers, at=clock.now())
    session.flush()


def submit_attempt(
    session: Session, user: User, attempt: QuizAttempt, raw_responses: Mapping[str, Any]
) -> Completion | None:
    """Grade and close the attempt; on a pass record the completion. Raises AttemptClosedError on a second submit,
    UnknownQuestions for answers to questions the attempt does not have, ResponseInvalid for one that does not fit."""
    if attempt.user_id != user.id:
        raise PermissionError("attempt belongs to someone else")
    if attempt.is_submitted:
        raise AttemptClosedError(f"attempt {attempt.id} was already submitted")
    refuse_unknown_questions(raw_responses, {slot["key"] for slot in attempt.layout})
    now = clock.now()
    result = attempt.grade(raw_responses, at=now)
    session.flush()
    if not result.passed:
        return None
    cycle = needs_completion(session, user.id, attempt.module_version, clock.local_date(now))
    if cycle is None:
        # Another attempt passed first (a second tab): the module version is complete once per cycle, not twice.
        return completion_of(session, user, attempt.module_version)
    completion = Completion(
        user_id=user.id,
        module_id=attempt.module_version.module_id,
        module_version_id=attempt.module_version_id,
        quiz_attempt_id=attempt.id,
        score_percent=attempt.score_percent,
        mode=CompletionMode.ONLINE.value,
        completed_at=now,
        cycle=cycle,
    )
    try:
        with session.begin_nested():
            session.add(completion)
    except IntegrityError:
        # A parallel attempt passed at the same moment and recorded this cycle's completion first.
        return completion_of(session, user, attempt.module_version)
    return completion


def review_is_final(session: Session, attempt: QuizAttempt) -> bool:
    """Is the quiz over for the attempt's owner: the module version passed, or no attempt left on its quiz version?

    Review options set to ``after_pass_or_last_attempt`` show their part only then (lms/quizzes/review.py).
    """
    if attempt.is_passed:
        return True
    mine = _standing_of(session, attempt.user_id, attempt.quiz_version, attempt.module_version, clock.today())
    if mine.has_completed:
        return True
    limit = attempt.quiz_version.max_attempts
    return bool(limit) and mine.used >= limit


def attempt_reveal(session: Session, attempt: QuizAttempt) -> Reveal:
    """What the owner of this submitted attempt may see of it now, by its quiz version's frozen review options."""
    return attempt.quiz_version.review_options.reveal(finished=review_is_final(session, attempt))


def _trials_used(attempt: QuizAttempt) -> int:
    """Submitted attempts of this attempt's person on its quiz version, counted only if a question sets
    ``data-max-trials`` (and the attempt is stored: the trainer's preview has no session and no person)."""
    questions = attempt.quiz_version.questions
    session = object_session(attempt)
    if session is None or not any(q["definition"].get("settings", {}).get("max_trials") for q in questions):
        return 0
    return _submitted_count(session, attempt.user_id, attempt.quiz_version)


def _shows_solution(settings: Mapping[str, Any], reveal: Reveal, used: int) -> bool:
    """Whether one question's right answer is shown, by the review options and the LiaScript settings comment.

    ``data-solution-button="off"``: never to learners (the trainer's preview shows everything). ``data-max-trials``:
    LiaScript solves a question after that many wrong trials; here a trial is a submitted attempt of the quiz
    version, so from the n-th one on the right answer shows (for every attempt of the version, as soon as whether an
    answer was right is shown), even where ``review: right_answer`` would still hold it back.
    """
    if reveal is EVERYTHING:
        return True
    trials = settings.get("max_trials")
    if trials and reveal.correctness and used >= trials:
        return True
    return reveal.right_answer and bool(settings.get("solution_button", True))


def result_details(attempt: QuizAttempt, reveal: Reveal) -> list[dict[str, Any]]:
    """Per question, in the order shown: the answer given and, as far as ``reveal`` allows, whether it was right,
    the correct answer and the explanation (None where withheld: nothing withheld reaches a template or the API)."""
    results = {r["key"]: r for r in attempt.results or []}
    used = _trials_used(attempt)
    details = []
    for item in presented_questions(attempt):
        question = attempt.quiz_version.question(item["key"])
        question_type = get_type(question["type"])
        chosen = (attempt.responses or {}).get(item["key"])
        is_correct = results.get(item["key"], {}).get("is_correct", False)
        solution = _shows_solution(question["definition"].get("settings", {}), reveal, used)
        details.append(
            {
                **item,
                "response": chosen,
                "is_correct": is_correct if reveal.correctness else None,
                "correct_response": (
                    question_type.correct_response(question["definition"]) if solution else None
                ),
                # Type-specific facts for the result page (accepted spellings, each step right or wrong …):
                # they reveal the solution, so they travel with the right answer.
                "review": question_type.review(question["definition"], chosen) if solution else {},
                "explanation_html": question["explanation_html"] if reveal.explanation else None,
            }
        )
    return details
