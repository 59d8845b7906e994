"""JSON shapes of the API, built from models (no answers ever leave before a submit)."""

from __future__ import annotations

from typing import Any

from lms.content.models import Module, ModuleVersion
from lms.progress.models import Completion
from lms.quizzes.models import QuizAttempt
from lms.quizzes.review import Reveal
from lms.quizzes.services import presented_questions, result_details


def module_summary(module: Module, version: ModuleVersion) -> dict[str, Any]:
    """A module in a list."""
    return {
        "slug": module.slug,
        "kind": module.kind,
        "title": version.title,
        "version": version.version_label,
        "summary": version.summary,
        "duration_minutes": version.duration_minutes,
        "language": version.language,
        "content_hash": version.content_hash,
        "published_at": version.published_at.isoformat(),
    }


def module_detail(module: Module, version: ModuleVersion, has_quiz: bool) -> dict[str, Any]:
    """A module with its sections as sanitised HTML."""
    return {
        **module_summary(module, version),
        "audience": version.audience,
        "objectives": version.objectives,
        "intro_html": version.intro_html,
        "has_quiz": has_quiz,
        "sections": [
            {"position": s.position, "anchor": s.anchor, "title": s.title, "html": s.html}
            for s in version.sections
        ],
    }


def attempt_state(attempt: QuizAttempt, reveal: Reveal | None = None) -> dict[str, Any]:
    """An attempt: open ones with their questions (public part only), submitted ones with their result.

    A submitted attempt needs ``reveal``: what its quiz version's review options show now (withheld parts are null).
    """
    data: dict[str, Any] = {
        "id": attempt.id,
        "module": attempt.module_version.module.slug,
        "module_version": attempt.module_version.version_label,
        "quiz_version": attempt.quiz_version.number,
        "pass_mark": attempt.quiz_version.pass_mark,
        "started_at": attempt.started_at.isoformat(),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
    }
    if not attempt.is_submitted:
        data["questions"] = [
            {
                "key": q["key"],
                "type": q["type"],
                "title": q["title"],
                "stem_html": q["stem_html"],
                **q["definition"],
            }
            for q in presented_questions(attempt)
        ]
        data["responses"] = attempt.draft_responses or {}
        data["responses_saved_at"] = attempt.draft_saved_at.isoformat() if attempt.draft_saved_at else None
        return data
    if reveal is None:
        raise ValueError("a submitted attempt is serialised only with what its review options reveal")
    data["score_percent"] = float(attempt.score_percent or 0)
    data["passed"] = bool(attempt.is_passed)
    data["review_options"] = attempt.quiz_version.review_options.as_dict()
    data["revealed"] = reveal.as_dict()
    data["questions"] = [
        {
            "key": d["key"],
            "type": d["type"],
            "title": d["title"],
            "response": d["response"],
            "is_correct": d["is_correct"],
            "correct_response": d["correct_response"],
            "review": d["review"],
            "explanation_html": d["explanation_html"],
        }
        for d in result_details(attempt, reveal)
    ]
    return data


def completion(c: Completion) -> dict[str, Any]:
    """One completion record."""
    return {
        "id": c.id,
        "module": c.module.slug,
        "title": c.module_version.title,
        "module_version": c.module_version.version_label,
        "content_hash": c.module_version.content_hash,
        "completed_at": c.completed_at.isoformat(),
        "score_percent": float(c.score_percent) if c.score_percent is not None else None,
        "mode": c.mode,
    }
