"""The question types: one class each, registered in ``QUESTION_TYPES`` by the type's name.

Each class reads its definition from a quiz file (``parse``, every problem reported with its
line), reads a participant's answer from a form, grades it, gives its feedback, names its
template and writes its definition back. Adding a type means adding one class and its template.
"""

from __future__ import annotations

from lms.quizzes.question_types.base import COMMON_KEYS, QuestionType, is_mapping
from lms.quizzes.question_types.choice import MultipleChoice, SingleChoice, TrueFalse
from lms.quizzes.question_types.matching import Matching
from lms.quizzes.question_types.numeric import Numeric
from lms.quizzes.question_types.text import Description, Essay, ShortAnswer

QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (SingleChoice(), MultipleChoice(), TrueFalse(), ShortAnswer(), Matching(),
              Numeric(), Essay(), Description())
}


def question_keys(type_name: str) -> tuple[str, ...]:
    """Every key a question of this type may have."""
    return COMMON_KEYS + QUESTION_TYPES[type_name].keys


__all__ = ["COMMON_KEYS", "QUESTION_TYPES", "QuestionType", "is_mapping", "question_keys"]
