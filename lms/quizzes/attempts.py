"""Attempts: starting, saving answers page by page, submitting, and closing at the deadline.

Every rule is enforced here on the server: the attempt limit, the time limit (answers saved
after the deadline are refused, and what was saved before it is graded) and one grading per
attempt however many times it is submitted.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lms.audit.services import event_row, record, write_event
from lms.auth.models import User
from lms.database import savepoint
from lms.extensions import db
from lms.quizzes import closing
from lms.quizzes.answerable import is_marked
from lms.quizzes.grading import (
    attempt_totals,
    fixed_pass_mark,
    graded_answers,
    lock_attempt,
    marks_of,
)
from lms.quizzes.messages import _
from lms.quizzes.models import IN_PROGRESS, Quiz, QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.question_types.base import Form
from lms.quizzes.snapshot import build_snapshot, live_questions, page_count, page_of

ENDED_BY_PARTICIPANT = "participant"
ENDED_BY_TIME_LIMIT = "time_limit"


class AttemptError(Exception):
    """What a participant asked for cannot be done; ``str()`` says why, for them to read."""


class NoAttemptsLeft(AttemptError):
    """Every allowed attempt has been used."""


class NoQuestions(AttemptError):
    """The quiz has no question to ask."""


class AttemptClosed(AttemptError):
    """The attempt was already submitted or closed."""


class TimeUp(AttemptError):
    """The attempt's time limit has passed."""


def attempts_of(user_id: int, quiz_id: int) -> list[QuizAttempt]:
    """The user's attempts at the quiz, oldest first (one query)."""
    return list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
        .order_by(QuizAttempt.number)))


def attempts_left(quiz: Quiz, attempts: list[QuizAttempt]) -> int | None:
    """How many more attempts may be started; None without a limit."""
    if quiz.attempts_allowed is None:
        return None
    return max(0, quiz.attempts_allowed - len(attempts))


def is_overdue(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline_at is not None and now >= attempt.deadline_at


def start_attempt(user: User, quiz: Quiz, now: datetime,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Start an attempt, or return the one the participant has open (to resume it).

    :raises NoAttemptsLeft: when every allowed attempt has been used.
    :raises NoQuestions: when the quiz has nothing to answer yet.
    """
    close_overdue(now, user=user, quiz_id=quiz.id)
    attempts = attempts_of(user.id, quiz.id)
    current = next((a for a in attempts if a.is_open), None)
    if current is not None:
        return current
    if attempts_left(quiz, attempts) == 0:
        raise NoAttemptsLeft(_("You have used all %(num)d attempts allowed for this quiz.",
                               num=quiz.attempts_allowed or 0))
    questions = live_questions(quiz.id)
    if not any(is_marked(q) for q in questions):
        # Nothing worth marks: the completion rule does not ask for it either.
        raise NoQuestions(_("This quiz has no questions yet."))
    rng = rng or random.SystemRandom()
    attempt = QuizAttempt(
        quiz_id=quiz.id, user_id=user.id, number=max((a.number for a in attempts), default=0) + 1,
        status=IN_PROGRESS, started_at=now, responses={},
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None,
        snapshot=build_snapshot(quiz, questions, rng))
    try:
        with savepoint():
            db.session.add(attempt)
    except IntegrityError:
        # The same participant started this quiz in another tab at the same moment.
        existing = db.session.scalar(select(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.status == IN_PROGRESS))
        if existing is None:
            raise
        return existing
    record(user, "quiz.start", attempt, quiz=quiz.id, number=attempt.number)
    return attempt


def save_page(attempt: QuizAttempt, form: Form, page: int,
              now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Save the answers posted from one page; returns them, and the problems by question.

    With any problem nothing is saved, so the participant fixes the page and saves it whole.

    :raises AttemptClosed: when the attempt was already submitted.
    :raises TimeUp: when the deadline has passed; the attempt is then graded on what was
        saved before it.
    """
    attempt = _lock_open(attempt, now)
    page = min(max(page, 0), page_count(attempt.snapshot) - 1)
    responses, problems = {}, {}
    for _number, question in page_of(attempt.snapshot, page):
        response, problem = QUESTION_TYPES[question["type"]].read_response(question, form)
        responses[question["key"]] = response
        if problem:
            problems[question["key"]] = problem
    if problems:
        return responses, problems
    # A new dict, so the JSON column sees the change.
    attempt.responses = {**(attempt.responses or {}), **responses}
    attempt.saved_at = now
    attempt.last_page = page
    return responses, {}


def _lock_open(attempt: QuizAttempt, now: datetime) -> QuizAttempt:
    attempt = lock_attempt(attempt.id)
    if not attempt.is_open:
        raise AttemptClosed(_("This attempt has already been submitted."))
    if is_overdue(attempt, now):
        finish_attempt(attempt, None, now, ENDED_BY_TIME_LIMIT)
        raise TimeUp(_("The time for this attempt ran out. The answers saved before the "
                       "deadline have been graded."))
    return attempt


def submit_attempt(attempt: QuizAttempt, user: User, now: datetime) -> bool:
    """Submit and grade the attempt; True if this call did it, False if it was already done.

    Submitting after the deadline grades what was saved before it, as the deadline would have.
    """
    ended_by = ENDED_BY_TIME_LIMIT if is_overdue(attempt, now) else ENDED_BY_PARTICIPANT
    return finish_attempt(attempt, user, now, ended_by)


def finish_attempt(attempt: QuizAttempt, actor: User | None, now: datetime,
                   ended_by: str) -> bool:
    """Close and grade an open attempt exactly once.

    The conditional update is the gate: of two submissions at the same moment only one
    changes the row (PostgreSQL makes the second wait for the first's row lock, then finds the
    status changed), so only one grades and records the answers.
    """
    end = min(now, attempt.deadline_at) if attempt.deadline_at else now
    pass_mark = fixed_pass_mark(attempt)
    # Reading and grading come before the update: on SQLite the update takes the database's
    # one write lock, and every other writer waits until this transaction commits.
    rows = graded_answers(attempt, now)
    values = {"submitted_at": end, "ended_by": ended_by,
              **attempt_totals(marks_of(rows), pass_mark, now)}
    # Answers this transaction saved and has not written yet are written first.
    db.session.flush()
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Closing, the answers and the audit event in one statement, as long as nobody
        # saved answers since the attempt was read; otherwise the steps below sort it out.
        changed = closing.close_as_graded(connection, attempt.id, attempt.responses, values,
                                          rows, _submit_event(attempt, actor, ended_by, values))
        if changed is not None:
            _closed(attempt, values, changed, bool(rows))
            return True
    # The row as the update leaves it comes back with it, so answers saved by a request that
    # committed a moment before are seen without reading the whole attempt again.
    changed = closing.close(connection, attempt.id, values)
    if changed is None:
        db.session.refresh(attempt)
        return False
    if changed.responses != attempt.responses:
        set_committed_value(attempt, "responses", changed.responses)
        rows = graded_answers(attempt, now)
        values.update(attempt_totals(marks_of(rows), pass_mark, now))
        closing.write_totals(connection, attempt.id, values)
    if rows:
        closing.write_answers(connection, rows)
    write_event(_submit_event(attempt, actor, ended_by, values))
    _closed(attempt, values, changed, bool(rows))
    return True


def _submit_event(attempt: QuizAttempt, actor: User | None, ended_by: str,
                  values: dict[str, Any]) -> dict[str, Any]:
    return event_row(actor, "quiz.submit", attempt, actor_label=None if actor else "time limit",
                     quiz=attempt.quiz_id, participant=attempt.user_id, ended_by=ended_by,
                     score=values["score"], status=values["status"])


def _closed(attempt: QuizAttempt, values: dict[str, Any], row: Any, answered: bool) -> None:
    """Bring the session's copy of the attempt up to what was written, without reading it."""
    values.update(saved_at=row.saved_at, last_page=row.last_page, deadline_at=row.deadline_at)
    for key, value in values.items():
        set_committed_value(attempt, key, value)
    if answered:
        db.session.expire(attempt, ["answers"])


def close_overdue(now: datetime, *, user: User | None = None,
                  quiz_id: int | None = None) -> int:
    """Grade the open attempts whose deadline has passed; returns how many were closed.

    Pages close a participant's own overdue attempt when they come back; the
    ``close-overdue-attempts`` command closes the rest, so results never wait for a visit.
    """
    query = select(QuizAttempt).where(QuizAttempt.status == IN_PROGRESS,
                                      QuizAttempt.deadline_at.is_not(None),
                                      QuizAttempt.deadline_at <= now)
    if user is not None:
        query = query.where(QuizAttempt.user_id == user.id)
    if quiz_id is not None:
        query = query.where(QuizAttempt.quiz_id == quiz_id)
    closed = 0
    for attempt in db.session.scalars(query).all():
        closed += finish_attempt(attempt, None, now, ENDED_BY_TIME_LIMIT)
    return closed


def answered_count(attempt: QuizAttempt) -> tuple[int, int]:
    """Questions answered so far and questions to answer."""
    answered = total = 0
    for question in attempt.snapshot:
        kind = QUESTION_TYPES[question["type"]]
        if kind.graded:
            total += 1
            answered += kind.is_answered((attempt.responses or {}).get(question["key"]))
    return answered, total


def open_attempt_count(quiz_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.quiz_id == quiz_id, QuizAttempt.status == IN_PROGRESS)) or 0
