"""Question types: how answer lines are read, what the browser may see, and how a response is graded.

Each type is one class in ``REGISTRY``. The quiz parser stays generic: it hands a question's answer
lines to ``type_for_answer_lines`` and lets the claiming type build its JSON ``definition``. A new
type is one new class, passed to ``register`` (also usable as a class decorator).
"""

from lms.quizzes.question_types.base import (
    REGISTRY,
    QuestionType,
    ResponseInvalid,
    get_type,
    register,
    type_for_answer_lines,
    types_for_line,
)
from lms.quizzes.question_types.choice import ChoiceType, MultipleChoice, SingleChoice, TrueFalse
from lms.quizzes.question_types.gap_text import GapText
from lms.quizzes.question_types.matrix import Matrix
from lms.quizzes.question_types.ordering import Ordering
from lms.quizzes.question_types.text_input import TextInput

# Registration order is claim priority (and the order of the trainers' help page): true/false is a special
# single choice, so it claims first; a lone "[[6]]" is a text input, so text input claims before ordering; a
# matrix header and rows claim before the gap text, which takes any line with a gap "[[…]]" left over.
for _question_type in (TrueFalse, SingleChoice, MultipleChoice, TextInput, Ordering, Matrix, GapText):
    register(_question_type)
del _question_type

__all__ = [
    "REGISTRY",
    "ChoiceType",
    "GapText",
    "Matrix",
    "MultipleChoice",
    "Ordering",
    "QuestionType",
    "ResponseInvalid",
    "SingleChoice",
    "TextInput",
    "TrueFalse",
    "get_type",
    "register",
    "type_for_answer_lines",
    "types_for_line",
]
