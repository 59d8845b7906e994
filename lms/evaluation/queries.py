"""Survey results as SQL aggregates per module version, municipality and period, through lms.disclosure.

Nothing here returns a single response: every figure is a COUNT or SUM over a group, and the result objects hold
only what may be shown (a mean only from 5 answers on, a change only from 5 pairs, free text only from 5 texts).

Definitions (docs/evaluation.md):

* *mean before / after*: the mean value of all answers of the phase to the item in the period;
* *change*: the mean of (after − before) over the people who answered the item in both phases (paired through the
  pseudonym). A pair belongs to the period of its post answer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session, aliased

from lms.content.models import ModuleVersion
from lms.disclosure import THRESHOLD, Shown, people_count
from lms.evaluation.models import Phase, SurveyAnswer, SurveyResponse, SurveyVersion


def mean(total: int, count: int) -> Decimal | None:
    """total / count with one decimal, or None below the threshold (a small group's mean gives answers away)."""
    if count < THRESHOLD:
        return None
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemResult:
    """One Likert item of a group: answers and mean per phase, and the paired change."""

    key: str
    text: str
    scale_max: int
    pre_count: Shown
    pre_mean: Decimal | None
    post_count: Shown
    post_mean: Decimal | None
    pairs: Shown
    change: Decimal | None


@dataclass(frozen=True)
class TextResult:
    """One free-text item: the texts (sorted, without phase, pseudonym or date) only from 5 texts on."""

    key: str
    question: str
    count: Shown
    texts: list[str] | None


@dataclass
class SurveyGroup:
    """The results of one module version and survey version in one municipality and period."""

    module_version: ModuleVersion
    survey_version: SurveyVersion
    respondents_pre: Shown = 0
    respondents_post: Shown = 0
    items: list[ItemResult] = field(default_factory=list)
    texts: list[TextResult] = field(default_factory=list)


def _in_group(response: Any, municipality_id: int, period_id: int) -> Any:
    return and_(response.municipality_id == municipality_id, response.period_id == period_id)


def survey_results(session: Session, municipality_id: int, period_id: int) -> list[SurveyGroup]:
    """Every group with answers in the municipality and period: a handful of grouped queries, no loop over people."""
    r = SurveyResponse
    respondents = session.execute(
        select(r.module_version_id, r.survey_version_id, r.phase, func.count(distinct(r.id)))
        .where(_in_group(r, municipality_id, period_id))
        .group_by(r.module_version_id, r.survey_version_id, r.phase)
    ).all()
    if not respondents:
        return []
    per_phase = session.execute(
        select(
            r.module_version_id,
            r.survey_version_id,
            r.phase,
            SurveyAnswer.item_key,
            func.count(SurveyAnswer.value),
            func.coalesce(func.sum(SurveyAnswer.value), 0),
        )
        .join(SurveyAnswer, SurveyAnswer.response_id == r.id)
        .where(_in_group(r, municipality_id, period_id), SurveyAnswer.value.is_not(None))
        .group_by(r.module_version_id, r.survey_version_id, r.phase, SurveyAnswer.item_key)
    ).all()
    pre, post = aliased(SurveyResponse), aliased(SurveyResponse)
    pre_answer, post_answer = aliased(SurveyAnswer), aliased(SurveyAnswer)
    paired = session.execute(
        select(
            post.module_version_id,
            post.survey_version_id,
            post_answer.item_key,
            func.count(),
            func.coalesce(func.sum(post_answer.value - pre_answer.value), 0),
        )
        .select_from(post)
        .join(pre, and_(pre.pseudonym == post.pseudonym, pre.phase == Phase.PRE.value))
        .join(post_answer, post_answer.response_id == post.id)
        .join(
            pre_answer,
            and_(pre_answer.response_id == pre.id, pre_answer.item_key == post_answer.item_key),
        )
        .where(
            post.phase == Phase.POST.value,
            _in_group(post, municipality_id, period_id),
            post_answer.value.is_not(None),
            pre_answer.value.is_not(None),
        )
        .group_by(post.module_version_id, post.survey_version_id, post_answer.item_key)
    ).all()
    texts = session.execute(
        select(r.module_version_id, r.survey_version_id, SurveyAnswer.item_key, SurveyAnswer.text)
        .join(SurveyAnswer, SurveyAnswer.response_id == r.id)
        .where(_in_group(r, municipality_id, period_id), SurveyAnswer.text.is_not(None))
    ).all()
    return _assemble(session, respondents, per_phase, paired, texts)


def _assemble(
    session: Session, respondents: Any, per_phase: Any, paired: Any, texts: Any
) -> list[SurveyGroup]:
    groups: dict[tuple[int, int], SurveyGroup] = {}
    for module_version_id, survey_version_id, phase, count in respondents:
        key = (module_version_id, survey_version_id)
        if key not in groups:
            groups[key] = SurveyGroup(
                session.get_one(ModuleVersion, module_version_id),
                session.get_one(SurveyVersion, survey_version_id),
            )
        if phase == Phase.PRE.value:
            groups[key].respondents_pre = people_count(count)
        else:
            groups[key].respondents_post = people_count(count)
    stats: dict[tuple[int, int, str, str], tuple[int, int]] = {
        (mv, sv, phase, item): (count, total) for mv, sv, phase, item, count, total in per_phase
    }
    pairs = {(mv, sv, item): (count, total) for mv, sv, item, count, total in paired}
    written: dict[tuple[int, int, str], list[str]] = defaultdict(list)
    for mv, sv, item, text in texts:
        written[(mv, sv, item)].append(text)
    for (mv, sv), group in groups.items():
        for item in group.survey_version.likert_items:
            pre_count, pre_total = stats.get((mv, sv, Phase.PRE.value, item["key"]), (0, 0))
            post_count, post_total = stats.get((mv, sv, Phase.POST.value, item["key"]), (0, 0))
            pair_count, pair_total = pairs.get((mv, sv, item["key"]), (0, 0))
            group.items.append(
                ItemResult(
                    key=item["key"],
                    text=item["text"],
                    scale_max=max(item["scale"]),
                    pre_count=people_count(pre_count),
                    pre_mean=mean(pre_total, pre_count),
                    post_count=people_count(post_count),
                    post_mean=mean(post_total, post_count),
                    pairs=people_count(pair_count),
                    change=mean(pair_total, pair_count),
                )
            )
        for item in group.survey_version.text_items:
            given = written.get((mv, sv, item["key"]), [])
            group.texts.append(
                TextResult(
                    key=item["key"],
                    question=item["text"],
                    count=people_count(len(given)),
                    texts=sorted(given, key=str.casefold) if len(given) >= THRESHOLD else None,
                )
            )
    return sorted(
        groups.values(),
        key=lambda g: (g.module_version.title, g.module_version.id, g.survey_version.number),
    )
