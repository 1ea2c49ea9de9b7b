"""Grading on the server: automatic grading at submission, instructors' grades for essays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import func, select

from lms.audit.services import record
from lms.auth.models import User
from lms.courses.models import Topic
from lms.extensions import db
from lms.progress.services import topic_zone
from lms.quizzes.models import GRADED, PENDING, AttemptAnswer, Quiz, QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES

MAX_COMMENT = 5000


class GradeError(ValueError):
    """A grade that cannot be recorded; the message says why."""


def lock_attempt(attempt_id: int) -> QuizAttempt:
    """The attempt, re-read and locked for this transaction (a row lock on PostgreSQL)."""
    attempt = db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update()
        .execution_options(populate_existing=True))
    if attempt is None:
        raise LookupError(attempt_id)
    return attempt


class _Marks(NamedTuple):
    max_marks: float
    marks: float | None


class _HasMarks(Protocol):
    @property
    def max_marks(self) -> float: ...

    @property
    def marks(self) -> float | None: ...


def graded_answers(attempt: QuizAttempt, now: datetime) -> list[dict[str, Any]]:
    """The attempt's answers graded, as rows for ``attempt_answers``; nothing is written.

    Essays with text stay ungraded (``marks`` empty).
    """
    rows: list[dict[str, Any]] = []
    responses = attempt.responses or {}
    for position, question in enumerate(attempt.snapshot):
        kind = QUESTION_TYPES[question["type"]]
        if not kind.graded:
            continue
        response = responses.get(question["key"])
        credit = kind.grade(question, response)
        marks = None if credit is None else round(credit * question["points"], 6)
        rows.append({"attempt_id": attempt.id, "question_key": question["key"],
                     "question_type": question["type"], "position": position,
                     "response": response, "max_marks": question["points"], "marks": marks,
                     "comment": "", "graded_at": None if marks is None else now})
    return rows


def fixed_pass_mark(attempt: QuizAttempt) -> int:
    """The pass mark an attempt is judged by: the one fixed at its submission, else its quiz's."""
    return attempt.pass_mark if attempt.pass_mark is not None else attempt.quiz.pass_mark


def attempt_totals(answers: Sequence[_HasMarks], pass_mark: int,
                   now: datetime) -> dict[str, Any]:
    """An attempt's score, percent, status and outcome from its graded answers.

    An essay waiting for its grade keeps the attempt pending. ``pass_mark`` is the one fixed
    when the attempt was submitted, so an essay graded after the quiz's pass mark changed is
    judged as its attempt was submitted.
    """
    max_score = round(sum(a.max_marks for a in answers), 6)
    score = round(sum(a.marks for a in answers if a.marks is not None), 6)
    if any(a.marks is None for a in answers):
        return {"status": PENDING, "score": score, "max_score": max_score, "percent": None,
                "passed": False, "pass_mark": pass_mark, "graded_at": None}
    # No marks to earn is no pass: start_attempt refuses such a quiz, so this is only an
    # attempt begun before its questions were removed or set to no marks.
    percent = round(100 * score / max_score, 2) if max_score else 0.0
    return {"status": GRADED, "score": score, "max_score": max_score, "percent": percent,
            "passed": percent + 1e-9 >= pass_mark, "pass_mark": pass_mark, "graded_at": now}


def marks_of(rows: Sequence[dict[str, Any]]) -> list[_Marks]:
    """The marks of answers graded by ``graded_answers``, for ``attempt_totals``."""
    return [_Marks(row["max_marks"], row["marks"]) for row in rows]


def grade_answer(answer: AttemptAnswer, grader: User, marks: float, comment: str,
                 now: datetime) -> QuizAttempt:
    """Record an instructor's marks and comment for an essay; re-total its attempt.

    Grading again replaces the earlier grade, and the audit log keeps both.

    :raises GradeError: for marks outside 0 to the question's marks, or an attempt not yet
        submitted.
    """
    if not 0 <= marks <= answer.max_marks:
        raise GradeError(answer.max_marks)
    attempt = lock_attempt(answer.attempt_id)
    if attempt.submitted_at is None:
        raise GradeError(answer.max_marks)
    previous = answer.marks
    answer.marks = round(marks, 6)
    answer.comment = comment.strip()[:MAX_COMMENT]
    answer.graded_by_id = grader.id
    answer.graded_at = now
    db.session.flush()
    answers = db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    for key, value in attempt_totals(answers, fixed_pass_mark(attempt), now).items():
        setattr(attempt, key, value)
    record(grader, "quiz.grade", attempt, question=answer.question_key, marks=answer.marks,
           previous="" if previous is None else previous, participant=attempt.user_id)
    db.session.flush()
    return attempt


def recorded_grade(quiz: Quiz, attempts: Sequence[QuizAttempt]) -> float | None:
    """The participant's grade for the quiz: the highest or the last graded attempt's."""
    graded = [a for a in attempts if a.percent is not None]
    if not graded:
        return None
    if quiz.grading == "last":
        return max(graded, key=lambda a: a.number).percent
    return max(a.percent or 0.0 for a in graded)


@dataclass
class WaitingAnswer:
    answer: AttemptAnswer
    attempt: QuizAttempt
    topic: Topic
    participant: User
    zone: str  # of the edition through which the participant takes the topic


GRADING_PAGE_SIZE = 50


@dataclass
class GradingQueue:
    """One page of the essays waiting for a grade, and how many wait in all."""

    waiting: list[WaitingAnswer]
    total: int
    page: int
    pages: int


def grading_queue(module_ids: set[int] | None, page: int = 1,
                  per_page: int = GRADING_PAGE_SIZE) -> GradingQueue:
    """Essays waiting for a grade in the given modules (all for None), oldest first, a page
    at a time; a page past the end shows the last one. Each comes with the zone its
    submission time is written in (``topic_zone``).

    Two queries at most (the count, then the page if anything waits), however long the
    queue.
    """
    waiting = (AttemptAnswer.marks.is_(None), QuizAttempt.submitted_at.is_not(None))
    scope = () if module_ids is None else (Topic.module_id.in_(module_ids),)
    total = db.session.scalar(
        select(func.count(AttemptAnswer.id))
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Topic, Topic.id == Quiz.topic_id)
        .where(*waiting, *scope)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    query = (
        select(AttemptAnswer, QuizAttempt, Topic, User,
               topic_zone(QuizAttempt.user_id, Topic.id))
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Topic, Topic.id == Quiz.topic_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(*waiting, *scope)
        # The answer's id breaks ties, so that pages neither repeat nor skip an essay.
        .order_by(QuizAttempt.submitted_at, AttemptAnswer.position, AttemptAnswer.id)
        .limit(per_page).offset((page - 1) * per_page))
    rows = [WaitingAnswer(*row) for row in db.session.execute(query)] if total else []
    return GradingQueue(rows, total, page, pages)
