"""What closing an attempt writes: its graded answers, its totals and its audit event, from
the answers saved last, on every engine."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from lms.audit.models import AuditEvent
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts as service
from lms.quizzes.grading import graded_answers
from lms.quizzes.models import PENDING, AttemptAnswer, QuizAttempt
from tests.quizzes.conftest import answer_all, enrolled, quiz_of, right_response, wrong_response

pytestmark = pytest.mark.usefixtures("loaded")


def test_the_answers_written_are_the_graded_ones(app: Flask) -> None:
    """Every graded question gets its row as grading worked it out, unanswered ones included
    (their response kept as JSON's null, not as a missing value), on every engine."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt, lambda q: None if q["key"] in ("q1", "q7") else right_response(q))
    now = utcnow()
    expected = graded_answers(attempt, now)
    assert service.submit_attempt(attempt, user, now)
    db.session.commit()
    written = db.session.scalars(select(AttemptAnswer).filter_by(attempt_id=attempt.id)
                                 .order_by(AttemptAnswer.position)).all()
    assert [{key: getattr(answer, key) for key in expected[0]} for answer in written] == expected
    assert {a.question_key: a.response for a in written}["q1"] is None
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer).where(
        AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.response.is_(None))) == 0


def test_answers_saved_since_the_attempt_was_read_are_the_ones_graded(app: Flask) -> None:
    """Another request may save answers between this one reading the attempt and closing it;
    the grade, the answers written and the audit record follow what was saved last."""
    user, quiz = enrolled(), quiz_of("first")
    attempt = service.start_attempt(user, quiz, utcnow())
    answer_all(attempt)
    right = dict(attempt.responses)
    answer_all(attempt, wrong_response)
    db.session.flush()
    # Written past the session, as another worker's save would be: the session's copy of the
    # attempt still holds the wrong answers.
    db.session.connection().execute(update(QuizAttempt.__table__).where(
        QuizAttempt.__table__.c.id == attempt.id).values(responses=right))
    assert service.submit_attempt(attempt, user, utcnow())
    db.session.commit()
    assert attempt.status == PENDING and attempt.score == 6.0 and attempt.max_score == 7.0
    marks = dict(db.session.execute(select(AttemptAnswer.question_key, AttemptAnswer.marks)
                                    .filter_by(attempt_id=attempt.id)).all())
    assert marks["q1"] == 1.0 and marks["q7"] is None and len(marks) == 7
    event = db.session.scalars(select(AuditEvent).filter_by(action="quiz.submit")).one()
    assert event.details["score"] == "6.0" and event.details["status"] == PENDING
