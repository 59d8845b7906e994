"""Review options: what a learner sees of a submitted attempt, and when (like Moodle's review options).

A quiz file may set them in its front matter; they are frozen on the quiz version, so every attempt is reviewed
by the rules of the version it was started on. Three things can be shown — whether each answer was right, the
right answer, the explanation — each ``always``, ``after_pass_or_last_attempt`` (once the module is passed or no
attempt is left) or ``never``. The score and whether the attempt passed are always shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class When(StrEnum):
    """When one part of the review is shown to the learner."""

    ALWAYS = "always"
    #: Once the learner has passed the module (version) or has used up the quiz version's attempts.
    AFTER_PASS_OR_LAST_ATTEMPT = "after_pass_or_last_attempt"
    NEVER = "never"

    @property
    def openness(self) -> int:
        """never < after_pass_or_last_attempt < always: how early the part is shown."""
        return (When.NEVER, When.AFTER_PASS_OR_LAST_ATTEMPT, When.ALWAYS).index(self)


#: The front-matter keys under ``review:``, in the order the help page lists them.
REVIEW_KEYS = ("correctness", "right_answer", "explanation")


@dataclass(frozen=True)
class ReviewOptions:
    """The review options of one quiz version."""

    correctness: When = When.ALWAYS
    right_answer: When = When.AFTER_PASS_OR_LAST_ATTEMPT
    explanation: When = When.ALWAYS

    def reveal(self, *, finished: bool) -> Reveal:
        """What an attempt shows now; ``finished``: the module is passed or no attempt is left."""

        def shown(when: When) -> bool:
            return when is When.ALWAYS or (when is When.AFTER_PASS_OR_LAST_ATTEMPT and finished)

        # The right answer next to the learner's own gives away whether it was right: never one without the other.
        correctness = shown(self.correctness)
        return Reveal(correctness, correctness and shown(self.right_answer), shown(self.explanation))

    def as_dict(self) -> dict[str, str]:
        """{"correctness": "always", …} for the API and the audit."""
        return {key: str(getattr(self, key)) for key in REVIEW_KEYS}


DEFAULT_REVIEW = ReviewOptions()


@dataclass(frozen=True)
class Reveal:
    """What one attempt's review shows right now."""

    correctness: bool
    right_answer: bool
    explanation: bool

    def as_dict(self) -> dict[str, bool]:
        """{"correctness": True, …} for the API."""
        return {key: getattr(self, key) for key in REVIEW_KEYS}


#: Trainers previewing their own quiz (they wrote the answers) and tests of the result partials.
EVERYTHING = Reveal(correctness=True, right_answer=True, explanation=True)
