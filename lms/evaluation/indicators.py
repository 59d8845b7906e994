"""The evaluation indicators per municipality and programme period: defined here, once, and documented.

``indicators_for`` is what the state report, the programme office's evaluation page and the advisory board's page
show. Every value is already suppressed (a :class:`Value`): counts of people pass through lms.disclosure, shares and
means of fewer than five people are hidden („–“). Values and names are formatted for the reader where they are shown:
the pages in the reader's language (lms.evaluation.views), the state report in German (``str()``).

| indicator | definition |
| --- | --- |
| Teilnahmequote | staff counted on the period's day (as the compliance reports count them) who opened a section of a
|                | training module, started a quiz or completed a training module in the period, as a share of them |
| Abschlussquote | staff counted who completed at least one training module in the period (online or in person) |
| Mittlere Quizpunktzahl | mean over persons and quizzes of the best score of the attempts submitted in the period |
| Selbsteinschätzung (one per item) | mean of (after − before) of the people who answered the item both times |

The docs (docs/evaluation.md) repeat these definitions for readers of the reports; ``METHODS`` is their wording.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from lms import time as clock
from lms.auth.models import User
from lms.content.models import Module, ModuleKind, ModuleSection, ModuleVersion
from lms.disclosure import THRESHOLD, Shown, people_count, share
from lms.evaluation.models import Phase, SurveyAnswer, SurveyResponse, SurveyVersion
from lms.orgs.models import Municipality, ProgrammePeriod
from lms.progress.models import Completion, SectionRead
from lms.quizzes.models import QuizAttempt, QuizVersion
from lms.text import N_

#: Shown where a value is hidden because fewer than five people stand behind it, or nothing was measured.
HIDDEN = "–"

PARTICIPATION = N_("Teilnahmequote")
COMPLETION = N_("Abschlussquote")
QUIZ_SCORE = N_("Mittlere Quizpunktzahl")
SELF_ASSESSMENT = N_("Selbsteinschätzung: „%(item)s“ (%(module)s)")

#: How each indicator is measured, in the words the state report prints (German, like the report).
METHODS = {
    PARTICIPATION: N_(
        "Anteil der Beschäftigten (gezählt am Stichtag: heute im laufenden Zeitraum, sonst am letzten Tag des "
        "Zeitraums), die im Zeitraum mindestens einen Abschnitt eines Schulungsmoduls geöffnet, ein Quiz begonnen "
        "oder ein Schulungsmodul (online oder in Präsenz) abgeschlossen haben. Ausgewiesen ab 5 Personen in Zähler "
        "und Nenner."
    ),
    COMPLETION: N_(
        "Anteil der Beschäftigten (gezählt am Stichtag wie oben), die im Zeitraum mindestens ein Schulungsmodul "
        "online oder in Präsenz abgeschlossen haben. Ausgewiesen ab 5 Personen in Zähler und Nenner."
    ),
    QUIZ_SCORE: N_(
        "Mittelwert der besten Punktzahl je Person und Quiz über alle im Zeitraum abgegebenen Quizversuche "
        "(bestanden oder nicht), in Prozent der erreichbaren Punkte. Ausgewiesen ab 5 Personen."
    ),
    SELF_ASSESSMENT: N_(
        "Mittlere Veränderung (nachher − vorher) auf der Skala der Aussage bei den Beschäftigten, die die "
        "freiwillige Selbsteinschätzung vor dem Modul und nach dem bestandenen Quiz beantwortet haben (gepaart "
        "über ein Zufallspseudonym; gezählt im Zeitraum der Antwort nachher). Ausgewiesen ab 5 Paaren."
    ),
}


@dataclass(frozen=True)
class Value:
    """One indicator's value for one municipality, as far as it may be shown.

    ``number`` is a percentage (the rates and the quiz score) or, with ``pairs``, the mean change of a statement;
    None where it is hidden. ``pairs`` is how many before/after pairs stand behind a change, as shown („< 5“ or
    the count); None for the percentages.
    """

    number: Decimal | None
    pairs: Shown | None = None

    def __str__(self) -> str:
        """The German text (the state report's): 63,6 %, +1,7 (6 Paare), – (< 5 Paare), –."""
        if self.pairs is None:
            return HIDDEN if self.number is None else f"{german_decimal(self.number)} %"
        if self.number is None:
            return HIDDEN if self.pairs == 0 else f"{HIDDEN} ({self.pairs} Paare)"
        return f"{german_decimal(self.number, signed=True)} ({self.pairs} Paare)"


@dataclass(frozen=True)
class Indicator:
    """An evaluation indicator: its name (a label, for self-assessments with the statement and the module's
    title), how it is measured, and its value per municipality id."""

    name: str
    method: str
    values: dict[int, Value]
    item: str = ""
    module: str = ""

    @property
    def german_name(self) -> str:
        """The name as the German state report prints it."""
        return self.name % {"item": self.item, "module": self.module} if self.item else self.name


def staff_day(period: ProgrammePeriod, today: date) -> date:
    """The day staff are counted on: today while the period runs, else its last (or, before it, first) day."""
    return min(max(today, period.starts_on), period.ends_on)


def counted_staff(day: date) -> ColumnElement[bool]:
    """Accounts that existed on ``day`` and were not deactivated by its end (lms.reports.queries.staff_on's rule;
    a test holds the two together — this feature sits below the reports and cannot import them)."""
    end = clock.day_start(day + timedelta(days=1))
    return and_(User.created_at < end, or_(User.is_active.is_(True), User.deactivated_at >= end))


def german_decimal(value: Decimal, signed: bool = False) -> str:
    """3,4 or +0,8 (one decimal, German comma)."""
    text = f"{value:+.1f}" if signed else f"{value:.1f}"
    return text.replace(".", ",")


def _active_people(start: Any, end: Any) -> Any:
    """Subquery of user ids who did anything in a training module within [start, end)."""
    reads = (
        select(SectionRead.user_id.label("user_id"))
        .join(ModuleSection, ModuleSection.id == SectionRead.section_id)
        .join(ModuleVersion, ModuleVersion.id == ModuleSection.module_version_id)
        .join(Module, Module.id == ModuleVersion.module_id)
        .where(
            Module.kind == ModuleKind.TRAINING.value,
            or_(
                and_(SectionRead.first_read_at >= start, SectionRead.first_read_at < end),
                and_(SectionRead.last_read_at >= start, SectionRead.last_read_at < end),
            ),
        )
    )
    attempts = select(QuizAttempt.user_id).where(
        QuizAttempt.started_at >= start, QuizAttempt.started_at < end
    )
    return union(reads, attempts, _completers(start, end)).subquery("active")


def _completers(start: Any, end: Any) -> Any:
    return (
        select(Completion.user_id.label("user_id"))
        .join(Module, Module.id == Completion.module_id)
        .where(
            Module.kind == ModuleKind.TRAINING.value,
            Completion.completed_at >= start,
            Completion.completed_at < end,
        )
    )


def _rates(
    session: Session, period: ProgrammePeriod, ids: list[int], today: date
) -> dict[int, tuple[int, int, int]]:
    """municipality id → (staff counted, of them active in the period, of them with a completion)."""
    start, end = clock.day_bounds(period.starts_on, period.ends_on)
    active = _active_people(start, end)
    done = _completers(start, end).distinct().subquery("done")
    rows = session.execute(
        select(
            User.municipality_id,
            func.count(User.id),
            func.count(active.c.user_id),
            func.count(done.c.user_id),
        )
        .outerjoin(active, active.c.user_id == User.id)
        .outerjoin(done, done.c.user_id == User.id)
        .where(User.municipality_id.in_(ids), counted_staff(staff_day(period, today)))
        .group_by(User.municipality_id)
    ).all()
    return {mid: (staff, act, comp) for mid, staff, act, comp in rows if mid is not None}


def _quiz_scores(session: Session, period: ProgrammePeriod, ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """municipality id → (persons, mean of each person's best score per quiz) over the period's attempts."""
    start, end = clock.day_bounds(period.starts_on, period.ends_on)
    best = (
        select(
            User.municipality_id.label("municipality_id"),
            QuizAttempt.user_id.label("user_id"),
            func.max(QuizAttempt.score_percent).label("best"),
        )
        .join(User, User.id == QuizAttempt.user_id)
        .join(QuizVersion, QuizVersion.id == QuizAttempt.quiz_version_id)
        .where(
            User.municipality_id.in_(ids),
            QuizAttempt.submitted_at >= start,
            QuizAttempt.submitted_at < end,
            QuizAttempt.score_percent.is_not(None),
        )
        .group_by(User.municipality_id, QuizAttempt.user_id, QuizVersion.quiz_id)
        .subquery("best")
    )
    rows = session.execute(
        select(
            best.c.municipality_id,
            func.count(func.distinct(best.c.user_id)),
            func.count(),
            func.sum(best.c.best),
        ).group_by(best.c.municipality_id)
    ).all()
    return {
        mid: (people, Decimal(str(total)) / Decimal(scores)) for mid, people, scores, total in rows if scores
    }


def _changes(
    session: Session, period: ProgrammePeriod, ids: list[int]
) -> dict[tuple[int, int, str], dict[int, tuple[int, int]]]:
    """(survey version, module id, item key) → municipality id → (pairs, sum of after − before)."""
    pre, post = aliased(SurveyResponse), aliased(SurveyResponse)
    pre_answer, post_answer = aliased(SurveyAnswer), aliased(SurveyAnswer)
    rows = session.execute(
        select(
            post.survey_version_id,
            ModuleVersion.module_id,
            post_answer.item_key,
            post.municipality_id,
            func.count(),
            func.sum(post_answer.value - pre_answer.value),
        )
        .select_from(post)
        .join(pre, and_(pre.pseudonym == post.pseudonym, pre.phase == Phase.PRE.value))
        .join(ModuleVersion, ModuleVersion.id == post.module_version_id)
        .join(post_answer, post_answer.response_id == post.id)
        .join(pre_answer, and_(pre_answer.response_id == pre.id, pre_answer.item_key == post_answer.item_key))
        .where(
            post.phase == Phase.POST.value,
            post.period_id == period.id,
            post.municipality_id.in_(ids),
            post_answer.value.is_not(None),
            pre_answer.value.is_not(None),
        )
        .group_by(post.survey_version_id, ModuleVersion.module_id, post_answer.item_key, post.municipality_id)
    ).all()
    found: dict[tuple[int, int, str], dict[int, tuple[int, int]]] = defaultdict(dict)
    for survey_version_id, module_id, item_key, mid, count, total in rows:
        found[(survey_version_id, module_id, item_key)][mid] = (count, int(total or 0))
    return found


def _change_value(pairs: int, total: int) -> Value:
    if pairs < THRESHOLD:
        return Value(None, people_count(pairs))
    change = (Decimal(total) / Decimal(pairs)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Value(change, pairs)


def self_assessment_indicators(session: Session, period: ProgrammePeriod, ids: list[int]) -> list[Indicator]:
    """One indicator per surveyed statement (same module, same wording pooled across versions)."""
    pooled: dict[tuple[str, str], dict[int, tuple[int, int]]] = {}
    position: dict[tuple[str, str], int] = {}
    for (survey_version_id, _module_id, item_key), by_town in _changes(session, period, ids).items():
        version = session.get_one(SurveyVersion, survey_version_id)
        item = version.item(item_key)
        if item is None:
            continue
        key = (version.survey.module.slug, item["text"])
        target = pooled.setdefault(key, {})
        position[key] = min(position.get(key, 999), version.items.index(item))
        for mid, (count, total) in by_town.items():
            old = target.get(mid, (0, 0))
            target[mid] = (old[0] + count, old[1] + total)  # exact sums, suppressed once below
    titles = _module_titles(session)
    indicators = []
    # By module, then in the order the survey asks (the newest wording of an item sits where it was asked).
    for (slug, text), by_town in sorted(pooled.items(), key=lambda entry: (entry[0][0], position[entry[0]])):
        indicators.append(
            Indicator(
                name=SELF_ASSESSMENT,
                method=METHODS[SELF_ASSESSMENT],
                values={mid: _change_value(*by_town.get(mid, (0, 0))) for mid in ids},
                item=text,
                module=titles.get(slug, slug),
            )
        )
    return indicators


def _module_titles(session: Session) -> dict[str, str]:
    """slug → title of the newest version."""
    rows = session.execute(
        select(Module.slug, ModuleVersion.title)
        .join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .order_by(ModuleVersion.id)
    ).all()
    return dict(rows)


def indicators_for(
    session: Session, period: ProgrammePeriod, municipalities: list[Municipality], today: date
) -> list[Indicator]:
    """The evaluation indicators of the municipalities for one period, every value suppressed where it must be."""
    ids = [m.id for m in municipalities]
    rates = _rates(session, period, ids, today)
    scores = _quiz_scores(session, period, ids)

    def score(mid: int) -> Value:
        people, value = scores.get(mid, (0, Decimal(0)))
        if people < THRESHOLD:
            return Value(None)
        return Value(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    indicators = [
        Indicator(
            PARTICIPATION,
            METHODS[PARTICIPATION],
            {mid: Value(share(rates.get(mid, (0, 0, 0))[1], rates.get(mid, (0, 0, 0))[0])) for mid in ids},
        ),
        Indicator(
            COMPLETION,
            METHODS[COMPLETION],
            {mid: Value(share(rates.get(mid, (0, 0, 0))[2], rates.get(mid, (0, 0, 0))[0])) for mid in ids},
        ),
        Indicator(QUIZ_SCORE, METHODS[QUIZ_SCORE], {mid: score(mid) for mid in ids}),
    ]
    return indicators + self_assessment_indicators(session, period, ids)
