"""Writing a stored quiz back in the `.quiz.yaml` format the package reader understands.

Each question type writes its own keys (``QuestionType.definition``, the inverse of reading);
this module adds the quiz's title, settings and the keys every question shares.
"""

from __future__ import annotations

from typing import Any

from lms.quizzes.models import Question, Quiz
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.question_types.base import text_value
from lms.quizzes.store import question_spec

SETTING_DEFAULTS: dict[str, Any] = {
    "pass_mark": 70, "attempts": None, "grading": "highest", "shuffle_questions": False,
    "shuffle_choices": False, "time_limit_minutes": None, "draw": None,
    "review": "after_each_attempt",
}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def quiz_document(quiz: Quiz, topic_title: dict[str, str]) -> dict[str, Any]:
    """The quiz file's content; live questions and options only, in their order."""
    document: dict[str, Any] = {}
    if quiz.title and quiz.title != topic_title:
        document["title"] = {"en": quiz.title.get("en", ""), "ar": quiz.title.get("ar", "")}
    settings = {
        "pass_mark": quiz.pass_mark, "attempts": quiz.attempts_allowed, "grading": quiz.grading,
        "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
        "time_limit_minutes": quiz.time_limit_minutes, "draw": quiz.draw_count,
        "review": quiz.review_policy,
    }
    changed = {k: v for k, v in settings.items() if v != SETTING_DEFAULTS[k]}
    if changed:
        document["settings"] = changed
    document["questions"] = [_question(q) for q in quiz.questions if not q.is_retired]
    return document


def _question(question: Question) -> dict[str, Any]:
    spec = question_spec(question)
    item: dict[str, Any] = {"id": spec.key, "type": spec.type}
    if spec.ref is not None:
        item["ref"] = spec.ref
    default_points = 1.0 if QUESTION_TYPES[spec.type].graded else 0.0
    if spec.points != default_points:
        item["points"] = _number(spec.points)
    item["text"] = text_value(spec.text)
    if spec.feedback:
        item["feedback"] = text_value(spec.feedback)
    item.update(QUESTION_TYPES[spec.type].definition(spec.settings, spec.options))
    return item
