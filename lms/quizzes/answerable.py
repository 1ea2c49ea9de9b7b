"""Whether a quiz has anything to pass: a live question worth marks.

A quiz can be live with no such question: just made in the browser, every question removed,
only a description left, or every question worth no marks. Nobody can take it then, so the
completion rule must not ask anyone to pass it, and starting it is refused; both ask here.
"""

from __future__ import annotations

from sqlalchemy import exists, literal, select
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.quizzes.models import Question
from lms.quizzes.question_types import QUESTION_TYPES

UNMARKED_TYPES = tuple(sorted(name for name, kind in QUESTION_TYPES.items() if not kind.graded))


def has_marked_question(quiz_id: ColumnElement[int] | QueryableAttribute[int]
                        ) -> ColumnElement[bool]:
    """SQL: the quiz has a live question of a type worth marks, with marks above zero."""
    return exists().where(Question.quiz_id == quiz_id, Question.is_retired.is_(False),
                          Question.type.not_in(UNMARKED_TYPES), Question.points > 0)


def is_marked(question: Question) -> bool:
    """The same test for one question loaded already."""
    return (not question.is_retired and question.type not in UNMARKED_TYPES
            and question.points > 0)


def is_answerable(quiz_id: int) -> bool:
    """Whether the quiz has a live question worth marks (one query)."""
    return bool(db.session.scalar(select(has_marked_question(literal(quiz_id)))))
