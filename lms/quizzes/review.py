"""What a participant may see after an attempt, and the per-question review itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.quizzes.models import AttemptAnswer, Quiz, QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.snapshot import numbered

AFTER_EACH_ATTEMPT = "after_each_attempt"
AFTER_PASS_OR_LAST = "after_pass_or_last"  # noqa: S105  (a policy name)
NEVER = "never"
REVIEW_POLICIES = (AFTER_EACH_ATTEMPT, AFTER_PASS_OR_LAST, NEVER)


def review_allowed(quiz: Quiz, attempt: QuizAttempt, attempts: list[QuizAttempt]) -> bool:
    """Whether the policy lets the participant see answers and feedback for this attempt."""
    if attempt.submitted_at is None or quiz.review_policy == NEVER:
        return False
    if quiz.review_policy == AFTER_EACH_ATTEMPT:
        return True
    if any(a.passed for a in attempts):
        return True
    used_all = quiz.attempts_allowed is not None and len(attempts) >= quiz.attempts_allowed
    return used_all and not any(a.is_open for a in attempts)


@dataclass
class ReviewItem:
    number: int | None
    question: dict[str, Any]
    response: Any
    max_marks: float
    marks: float | None  # None while an essay waits for its grade
    comment: str = ""
    feedback: list[dict[str, str]] = field(default_factory=list)
    answered: bool = False

    @property
    def template(self) -> str:
        return QUESTION_TYPES[self.question["type"]].template

    @property
    def graded(self) -> bool:
        return QUESTION_TYPES[self.question["type"]].graded

    @property
    def outcome(self) -> str:
        """correct, partial, incorrect or pending, shown in words as well as colour."""
        if self.marks is None:
            return "pending"
        if self.max_marks and self.marks >= self.max_marks - 1e-9:
            return "correct"
        return "partial" if self.marks > 0 else "incorrect"


def review_items(attempt: QuizAttempt, answers: list[AttemptAnswer]) -> list[ReviewItem]:
    """Every question of a submitted attempt with its marks, answer and feedback."""
    by_key = {answer.question_key: answer for answer in answers}
    items = []
    for number, question in numbered(attempt.snapshot):
        kind = QUESTION_TYPES[question["type"]]
        answer = by_key.get(question["key"])
        response = (attempt.responses or {}).get(question["key"])
        items.append(ReviewItem(
            number=number, question=question, response=response,
            max_marks=answer.max_marks if answer else 0.0,
            marks=answer.marks if answer else 0.0,
            comment=answer.comment if answer else "",
            feedback=kind.feedback(question, response), answered=kind.is_answered(response)))
    return items


def preview_items(snapshot: list[dict[str, Any]],
                  responses: dict[str, Any]) -> list[ReviewItem]:
    """A review of answers given in a preview, graded but stored nowhere."""
    items = []
    for number, question in numbered(snapshot):
        kind = QUESTION_TYPES[question["type"]]
        response = responses.get(question["key"])
        credit = kind.grade(question, response) if kind.graded else 0.0
        items.append(ReviewItem(
            number=number, question=question, response=response,
            max_marks=question["points"],
            marks=None if credit is None else round(credit * question["points"], 6),
            feedback=kind.feedback(question, response), answered=kind.is_answered(response)))
    return items
