"""Quiz statistics per quiz version, computed the way Moodle's quiz statistics report does; pure, no database.

Notation (Moodle, "Quiz statistics calculations", docs.moodle.org/dev/Quiz_statistics_calculations, and
``question/classes/statistics/questions/calculator.php``): attempt ``s`` scores ``x_i(s)`` on question ``i``.
Every question here is worth one point (``grading.py``), so ``T(s) = Σ x_i(s)`` out of ``k`` questions, and
``X_i(s) = T(s) - x_i(s)`` is the score on the *rest* of the quiz. Variances and covariances are sample ones
(divided by ``n - 1``), as in Moodle.

- facility index ``F_i = 100 · mean(x_i) / max(x_i)``: how much of the question was solved on average;
- discrimination index ``D_i = 100 · r(x_i, X_i)``, Pearson's correlation with the rest of the quiz: do people
  who do well on the other questions also solve this one? Undefined for fewer than two attempts or when
  either side has no variance (everyone scored the same);
- discriminative efficiency ``DE_i = 100 · C(x_i, X_i) / C_max``, where ``C_max`` pairs both score lists sorted:
  the discrimination the question reaches relative to the most its facility allows;
- coefficient of internal consistency (Cronbach's alpha; KR-20 for right/wrong questions)
  ``CIC = 100 · k / (k - 1) · (1 - Σ V(x_i) / V(T))``.

The thresholds that flag a question follow Moodle's guidance ("Quiz report statistics",
docs.moodle.org/dev/Quiz_report_statistics).
"""

from __future__ import annotations

import math
import statistics as stats
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from lms.quizzes.question_types import QuestionType, get_type

#: Moodle: facility 11–20 % is "difficult", 5 % or less "extremely difficult or something wrong with the question".
HARD_AT_MOST = 20.0
#: Moodle: facility 95–100 % is "extremely easy": the question tells nobody anything.
EASY_AT_LEAST = 95.0
#: Moodle: discrimination 0–19 is "very weak", negative means "question probably invalid".
WEAK_BELOW = 20.0
#: Moodle: a coefficient of internal consistency above 75 % is satisfactory, below 64 % unsatisfactory.
CONSISTENT_AT_LEAST = 75.0
INCONSISTENT_BELOW = 64.0
#: Below this many attempts one person more or less moves every figure a lot; the page says so.
FEW_ATTEMPTS = 20


class Flag(StrEnum):
    """Why a question deserves a second look (the web layer words it)."""

    HARD = "hard"
    EASY = "easy"
    NEGATIVE = "negative"
    WEAK = "weak"


class Missing(StrEnum):
    """Why a figure cannot be computed (shown as „–“ with this reason, never as NaN)."""

    NO_ATTEMPTS = "no_attempts"
    ONE_ATTEMPT = "one_attempt"
    SAME_SCORE = "same_score"  # everyone scored the same on this question
    REST_SAME = "rest_same"  # everyone scored the same on the other questions together
    ONE_QUESTION = "one_question"  # internal consistency needs at least two questions
    TOTAL_SAME = "total_same"  # everyone has the same total
    POOLED = "pooled"  # attempts drew different questions (draw:), so their totals do not add up alike


class Consistency(StrEnum):
    """Moodle's reading of the coefficient of internal consistency."""

    GOOD = "good"
    BORDERLINE = "borderline"
    LOW = "low"


class AttemptRecord(NamedTuple):
    """The stored parts of one submitted attempt that the statistics read (no person, no time)."""

    #: QuizAttempt.results: [{"key", "score", "is_correct"}]
    results: Sequence[Mapping[str, Any]] | None
    #: QuizAttempt.responses: question key → normalised response (lists where the response was a tuple)
    responses: Mapping[str, Any] | None
    is_passed: bool | None


@dataclass(frozen=True)
class OptionFrequency:
    """How often one answer (an option, or a distinct response) was given."""

    key: str
    label: str
    #: True only for HTML that went through the publish-time sanitiser (an option's stored HTML).
    label_is_html: bool
    is_correct: bool
    count: int
    #: Percent of the counted attempts (for multiple choice the shares add up to more than 100).
    share: float | None


@dataclass(frozen=True)
class QuestionStatistics:
    """One question of the version: its figures, flags and answer frequencies."""

    number: int
    key: str
    title: str
    type_name: str
    type_label: str
    facility: float | None
    #: Standard deviation of the question's score, percent of its maximum.
    sd: float | None
    discrimination: float | None
    discriminative_efficiency: float | None
    #: Why discrimination (and efficiency) are missing, if they are.
    missing: Missing | None
    flags: tuple[Flag, ...]
    options: tuple[OptionFrequency, ...]
    unanswered: int
    unanswered_share: float | None


@dataclass(frozen=True)
class QuizStatistics:
    """The whole version: attempts counted, score distribution, reliability, and every question."""

    attempts: int
    passed: int
    pass_rate: float | None
    #: Mean, median and standard deviation of the total score, percent of the maximum.
    mean: float | None
    median: float | None
    sd: float | None
    sd_missing: Missing | None
    #: Coefficient of internal consistency (Cronbach's alpha) in percent.
    alpha: float | None
    alpha_missing: Missing | None
    consistency: Consistency | None
    questions: tuple[QuestionStatistics, ...]

    @property
    def few_attempts(self) -> bool:
        """Too few attempts for stable figures (but more than none)."""
        return 0 < self.attempts < FEW_ATTEMPTS


def quiz_statistics(
    questions: Sequence[Mapping[str, Any]], attempts: Iterable[AttemptRecord]
) -> QuizStatistics:
    """Statistics of one quiz version from its frozen questions and its counted attempts (read once, in order)."""
    k = len(questions)
    definitions = [q["definition"] for q in questions]
    types = [get_type(q["type"]) for q in questions]
    keys = [str(q["key"]) for q in questions]
    # Per question only the attempts that drew it (a pool draws some questions per attempt; without a pool every
    # attempt has every question): its scores and, beside each, the rest of that attempt's total.
    columns: list[list[float]] = [[] for _ in questions]
    rests: list[list[float]] = [[] for _ in questions]
    tallies: list[Counter[str]] = [Counter() for _ in questions]
    unanswered = [0] * k
    totals: list[float] = []
    maxima: list[int] = []
    passed = 0
    for attempt in attempts:
        scores = {str(r["key"]): float(r["score"]) for r in attempt.results or ()}
        responses = attempt.responses or {}
        drawn = [i for i, key in enumerate(keys) if key in scores] if scores else list(range(k))
        total = math.fsum(scores.get(keys[i], 0.0) for i in drawn)
        for i in drawn:
            columns[i].append(scores.get(keys[i], 0.0))
            rests[i].append(total - columns[i][-1])
            chosen = _tally_keys(types[i], definitions[i], responses.get(keys[i]))
            if chosen:
                tallies[i].update(chosen)
            else:
                unanswered[i] += 1
        totals.append(total)
        maxima.append(len(drawn))
        passed += bool(attempt.is_passed)
    n = len(totals)
    pooled = any(m != k for m in maxima)
    if pooled:  # totals of different questions: compare them as percentages, alpha is not defined
        percents = [100 * t / m if m else 0.0 for t, m in zip(totals, maxima, strict=True)]
        mean = stats.fmean(percents) if n else None
        median = stats.median(percents) if n else None
        sd = stats.stdev(percents) if n > 1 else None
        alpha, alpha_missing = (None, Missing.POOLED) if n > 1 else (None, _too_few(n))
    else:
        mean = _percent_of(stats.fmean(totals), k) if n else None
        median = _percent_of(stats.median(totals), k) if n else None
        sd = _percent_of(stats.stdev(totals), k) if n > 1 else None
        alpha, alpha_missing = _alpha(columns, totals)
    return QuizStatistics(
        attempts=n,
        passed=passed,
        pass_rate=_share(passed, n),
        mean=mean,
        median=median,
        sd=sd,
        sd_missing=_too_few(n),
        alpha=alpha,
        alpha_missing=alpha_missing,
        consistency=None if alpha is None else _consistency(alpha),
        questions=tuple(
            _question(
                number=i + 1,
                question=questions[i],
                scores=columns[i],
                rest=rests[i],
                options=_frequencies(types[i], definitions[i], tallies[i], len(columns[i])),
                unanswered=unanswered[i],
            )
            for i in range(k)
        ),
    )


def _question(
    *,
    number: int,
    question: Mapping[str, Any],
    scores: list[float],
    rest: list[float],
    options: tuple[OptionFrequency, ...],
    unanswered: int,
) -> QuestionStatistics:
    """Facility, spread and discrimination of one question, and the flags they raise."""
    n = len(scores)
    facility = 100 * stats.fmean(scores) if n else None  # max score is 1 for every question
    discrimination = efficiency = None
    missing = _why_no_correlation(scores, rest)
    if missing is None:
        discrimination = _clamp(100 * stats.correlation(scores, rest))
        # Moodle's C_max: the covariance if the question's scores lined up perfectly with the rest's.
        most = stats.covariance(sorted(scores), sorted(rest))
        efficiency = 100 * stats.covariance(scores, rest) / most if most else None
    return QuestionStatistics(
        number=number,
        key=str(question["key"]),
        title=str(question["title"]),
        type_name=str(question["type"]),
        type_label=get_type(question["type"]).label,
        facility=facility,
        sd=100 * stats.stdev(scores) if n > 1 else None,
        discrimination=discrimination,
        discriminative_efficiency=efficiency,
        missing=missing,
        flags=_flags(facility, discrimination),
        options=options,
        unanswered=unanswered,
        unanswered_share=_share(unanswered, n),
    )


def _too_few(attempts: int) -> Missing | None:
    """Spread, correlation and consistency need at least two attempts."""
    if attempts == 0:
        return Missing.NO_ATTEMPTS
    return Missing.ONE_ATTEMPT if attempts == 1 else None


def _why_no_correlation(scores: list[float], rest: list[float]) -> Missing | None:
    """The reason a correlation is undefined; compared exactly so rounding never fakes a tiny variance."""
    if (too_few := _too_few(len(scores))) is not None:
        return too_few
    if min(scores) == max(scores):
        return Missing.SAME_SCORE
    if min(rest) == max(rest):
        return Missing.REST_SAME
    return None


def _alpha(columns: list[list[float]], totals: list[float]) -> tuple[float | None, Missing | None]:
    """Cronbach's alpha in percent, or why it cannot be computed."""
    if (too_few := _too_few(len(totals))) is not None:
        return None, too_few
    if len(columns) < 2:
        return None, Missing.ONE_QUESTION
    if min(totals) == max(totals):
        return None, Missing.TOTAL_SAME
    k = len(columns)
    item_variance = math.fsum(stats.variance(column) for column in columns)
    return 100 * k / (k - 1) * (1 - item_variance / stats.variance(totals)), None


def _flags(facility: float | None, discrimination: float | None) -> tuple[Flag, ...]:
    """Moodle's warning signs, most serious first."""
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append(Flag.NEGATIVE)
    elif discrimination is not None and discrimination < WEAK_BELOW:
        flags.append(Flag.WEAK)
    if facility is not None and facility <= HARD_AT_MOST:
        flags.append(Flag.HARD)
    if facility is not None and facility >= EASY_AT_LEAST:
        flags.append(Flag.EASY)
    return tuple(flags)


def _consistency(alpha: float) -> Consistency:
    if alpha >= CONSISTENT_AT_LEAST:
        return Consistency.GOOD
    return Consistency.LOW if alpha < INCONSISTENT_BELOW else Consistency.BORDERLINE


def _tally_keys(question_type: type[QuestionType], definition: dict[str, Any], stored: Any) -> list[str]:
    """The question type's tally keys for a stored response, each counted once per attempt."""
    return list(dict.fromkeys(question_type.tally_keys(definition, _as_normalised(stored))))


def _as_normalised(value: Any) -> Any:
    """Undo the JSON round trip: normalised responses are tuples, stored JSON gives lists back."""
    if isinstance(value, list | tuple):
        return tuple(_as_normalised(item) for item in value)
    return value


def _frequencies(
    question_type: type[QuestionType], definition: dict[str, Any], tally: Counter[str], attempts: int
) -> tuple[OptionFrequency, ...]:
    """Every option in the order the author wrote them and the correct answer (unchosen ones as 0), then any other
    answers, most frequent first."""
    correct = _tally_keys(question_type, definition, question_type.correct_response(definition))
    option_html = {
        str(o["id"]): o["html"] for o in definition.get("options", ()) if "id" in o and "html" in o
    }
    listed = list(dict.fromkeys([*option_html, *question_type.listed_keys(definition), *correct]))
    others = sorted((key for key in tally if key not in listed), key=lambda key: (-tally[key], key))
    rows = []
    for key in [*listed, *others]:
        label = question_type.describe_tally_key(definition, key)
        trusted = hasattr(label, "__html__") or (key in option_html and label == option_html[key])
        rows.append(
            OptionFrequency(
                key=key,
                label=str(label),
                label_is_html=trusted,
                is_correct=key in correct,
                count=tally[key],
                share=_share(tally[key], attempts),
            )
        )
    return tuple(rows)


def _share(count: int, of: int) -> float | None:
    return 100 * count / of if of else None


def _percent_of(points: float, max_points: int) -> float | None:
    return 100 * points / max_points if max_points else None


def _clamp(value: float) -> float:
    """Rounding can push a perfect correlation a hair past ±100."""
    return max(-100.0, min(100.0, value))
