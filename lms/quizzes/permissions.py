"""Who may take, see and edit which quiz; each lookup answers "not found" for anything else.

A participant reaches the quizzes of topics in their programmes and only their own attempts;
module instructors reach the quizzes of the modules they teach, admins every quiz. An object
out of reach looks exactly like one that does not exist.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.models import Module, Topic
from lms.courses.permissions import can_edit_module, can_read_topic
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, Quiz, QuizAttempt


class NotFound(LookupError):
    """The object does not exist or is out of this user's reach (the same answer for both)."""


def quiz_to_take(user: User, slug: str) -> tuple[Topic, Quiz]:
    """The live quiz of a live topic the participant follows.

    :raises NotFound: otherwise.
    """
    row = db.session.execute(
        select(Topic, Quiz).join(Quiz, Quiz.topic_id == Topic.id)
        .where(Topic.slug == slug, Topic.is_retired.is_(False), Quiz.is_retired.is_(False))
    ).first()
    if row is None or not can_read_topic(user, row[0]):
        raise NotFound(slug)
    return row[0], row[1]


@cache
def _own_attempt_statement() -> Select[QuizAttempt]:
    # With its quiz, which every page of an attempt reads: one statement instead of two. Built
    # once, as every page of an attempt runs it and building it costs about what running it
    # does.
    return (select(QuizAttempt).options(joinedload(QuizAttempt.quiz))
            .where(QuizAttempt.id == bindparam("attempt_id")))


def own_attempt(user: User, attempt_id: int) -> QuizAttempt:
    """One of the user's own attempts.

    :raises NotFound: for another person's attempt or an unknown id alike.
    """
    attempt = db.session.execute(_own_attempt_statement(), {"attempt_id": attempt_id}).scalar()
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(attempt_id)
    return attempt


def editable_module_ids(user: User) -> set[int] | None:
    """The modules whose quizzes the user may edit; None means every module (admins)."""
    if user.role == Role.ADMIN:
        return None
    if user.role != Role.INSTRUCTOR:
        return set()
    return set(db.session.scalars(
        select(ModuleInstructor.module_id).where(ModuleInstructor.user_id == user.id)))


def quiz_to_edit(user: User, quiz_id: int) -> tuple[Quiz, Topic, Module]:
    """A quiz of a module the user may edit, with its topic and module.

    :raises NotFound: otherwise.
    """
    row = db.session.execute(
        select(Quiz, Topic, Module).join(Topic, Topic.id == Quiz.topic_id)
        .join(Module, Module.id == Topic.module_id).where(Quiz.id == quiz_id)).first()
    if row is None or not can_edit_module(user, row[2]):
        raise NotFound(quiz_id)
    return row[0], row[1], row[2]


def topic_to_edit(user: User, slug: str) -> tuple[Topic, Module, Quiz | None]:
    """A live topic of a module the user may edit, with its quiz if it has one.

    :raises NotFound: otherwise.
    """
    row = db.session.execute(
        select(Topic, Module, Quiz).join(Module, Module.id == Topic.module_id)
        .outerjoin(Quiz, Quiz.topic_id == Topic.id)
        .where(Topic.slug == slug, Topic.is_retired.is_(False))).first()
    if row is None or not can_edit_module(user, row[1]):
        raise NotFound(slug)
    return row[0], row[1], row[2]


def answer_to_grade(user: User,
                    answer_id: int) -> tuple[AttemptAnswer, QuizAttempt, Quiz, Topic, User]:
    """A submitted essay answer of a quiz the user may edit, with what the grading page shows.

    Only essays are graded by hand: the other types are graded by the rules of their options.

    :raises NotFound: otherwise.
    """
    row = db.session.execute(
        select(AttemptAnswer, QuizAttempt, Quiz, Topic, Module, User)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(Topic, Topic.id == Quiz.topic_id)
        .join(Module, Module.id == Topic.module_id)
        .join(User, User.id == QuizAttempt.user_id)
        .where(AttemptAnswer.id == answer_id, AttemptAnswer.question_type == "essay")).first()
    if row is None or row[1].submitted_at is None or not can_edit_module(user, row[4]):
        raise NotFound(answer_id)
    return row[0], row[1], row[2], row[3], row[5]
