"""Quiz results as the completion rule reads them: batch functions with a fixed query count."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.sql import Executable, Select, Subquery

from lms.database import one_of_ids, plain_connection
from lms.extensions import db
from lms.quizzes.answerable import has_marked_question
from lms.quizzes.models import IN_PROGRESS, PENDING, Quiz, QuizAttempt


class QuizResult(NamedTuple):
    """A (participant, topic) pair's quiz result. A tuple, not a dataclass: a board or an
    export makes tens of thousands of them, and a tuple is several times cheaper to make."""

    passed: bool  # any attempt reached the pass mark (a later, lower one never un-passes it)
    best_percent: float | None  # the highest graded percentage, None before any grade
    attempts: int  # submitted attempts


@cache
def _results_statement(dialect: str) -> Executable:
    # Built once, with parameters: every participant's home page and every board runs it, and
    # building it cost about as much as running it. Grouped by quiz and read from the
    # attempts alone: their results index holds every column named here, so the database
    # answers from the index without reading the attempts' rows (which carry the snapshot)
    # or joining the quizzes; the caller says which quizzes count and for which topic.
    return (select(QuizAttempt.user_id, QuizAttempt.quiz_id,
                   func.max(func.cast(QuizAttempt.passed, db.Integer)),
                   func.max(QuizAttempt.percent), func.count())
            .where(one_of_ids(QuizAttempt.user_id, "user_ids", dialect),
                   QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.quiz_id))


def quiz_results(user_ids: Collection[int],
                 quiz_topics: Mapping[int, int]) -> dict[tuple[int, int], QuizResult]:
    """Each (user, topic) pair's quiz result, for the quizzes of ``quiz_topics`` (quiz id →
    its topic's id) that the users have submitted an attempt of (one query).

    Attempts at other quizzes (a retired one, another programme's) are read and left out:
    a participant has few of them, and naming the quizzes in the statement cost more.
    """
    if not user_ids or not quiz_topics:
        return {}
    connection = plain_connection()
    rows = connection.execute(_results_statement(connection.dialect.name),
                              {"user_ids": list(user_ids)}).all()
    return {(user_id, quiz_topics[quiz_id]): QuizResult(bool(passed), best, count)
            for user_id, quiz_id, passed, best, count in rows if quiz_id in quiz_topics}


@dataclass(frozen=True)
class TopicQuizStatus:
    """What the lesson page says about its topic's quiz, for one participant."""

    quiz_id: int
    pass_mark: int
    passed: bool
    best_percent: float | None
    submitted: int  # submitted attempts
    in_progress: bool
    pending: bool  # a submitted attempt waits for an essay's grade
    answerable: bool = True  # it has a live question worth marks (``lms.quizzes.answerable``)


def topic_quiz_status_subquery(topic_ids: Select[Any]) -> Subquery:
    """The live quizzes of the topics ``topic_ids`` selects, each with the results of the user
    named by the ``user_id`` parameter: one row per quiz, by ``topic_id``.

    The lesson page joins it to the statement that reads the topic, rather than spend a
    statement of its own on it; ``topic_quiz_status`` reads the row back.
    """
    attempt = QuizAttempt
    return (select(Quiz.topic_id, Quiz.id.label("quiz_id"), Quiz.pass_mark.label("pass_mark"),
                   func.max(case((attempt.passed.is_(True), 1), else_=0)).label("passed"),
                   func.max(attempt.percent).label("best_percent"),
                   func.count(attempt.submitted_at).label("submitted"),
                   func.max(case((attempt.status == IN_PROGRESS, 1), else_=0))
                   .label("in_progress"),
                   func.max(case((attempt.status == PENDING, 1), else_=0)).label("pending"),
                   has_marked_question(Quiz.id).label("answerable"))
            .outerjoin(attempt, and_(attempt.quiz_id == Quiz.id,
                                     attempt.user_id == bindparam("user_id")))
            .where(Quiz.topic_id.in_(topic_ids), Quiz.is_retired.is_(False))
            .group_by(Quiz.topic_id, Quiz.id, Quiz.pass_mark)
            .subquery("quiz_status"))


def topic_quiz_status(row: Any) -> TopicQuizStatus | None:
    """The quiz status in a row joined to ``topic_quiz_status_subquery``; None without a quiz."""
    if row.quiz_id is None:
        return None
    return TopicQuizStatus(row.quiz_id, row.pass_mark, bool(row.passed), row.best_percent,
                           row.submitted or 0, bool(row.in_progress), bool(row.pending),
                           bool(row.answerable))
