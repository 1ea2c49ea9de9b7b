"""Editing quizzes on the platform: settings, questions of every type, their order.

Every change marks the quiz as the platform's (``source = browser``), so reloading the course
package no longer replaces it. Changes never touch past attempts, which keep what they showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import User
from lms.courses.fields import Fields
from lms.courses.models import Module, Topic
from lms.courses.problems import Report
from lms.database import savepoint
from lms.extensions import db
from lms.quizzes.messages import _
from lms.quizzes.models import GRADED, SOURCE_BROWSER, AttemptAnswer, Question, Quiz, QuizAttempt
from lms.quizzes.quiz_file import as_line_data, read_question
from lms.quizzes.store import all_questions, free_key, new_quiz, question_spec, sync_question


class QuestionInvalid(ValueError):
    """The question as written cannot be saved; ``problems`` say why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class QuizSettings:
    title: dict[str, str]
    pass_mark: int
    attempts_allowed: int | None
    grading: str
    time_limit_minutes: int | None
    draw_count: int | None
    shuffle_questions: bool
    shuffle_choices: bool
    review_policy: str


def create_quiz(topic: Topic, actor: User) -> Quiz:
    """The topic's quiz: a new empty one, or its retired one brought back.

    Two people creating it at the same moment make one quiz, which both are given.
    """
    quiz = db.session.scalar(select(Quiz).where(Quiz.topic_id == topic.id))
    if quiz is None:
        quiz, new = new_quiz(topic)
        if not new:
            return quiz  # created, and recorded, by the other request
    quiz.is_retired = False
    quiz.source = SOURCE_BROWSER
    record(actor, "quiz.create", quiz, topic=topic.slug)
    db.session.flush()
    return quiz


def update_settings(quiz: Quiz, settings: QuizSettings, actor: User) -> None:
    """Change a quiz's settings; attempts already started keep their questions."""
    changed = {}
    for name, value in vars(settings).items():
        if getattr(quiz, name) != value:
            changed[name] = value
            setattr(quiz, name, value)
    if changed:
        quiz.source = SOURCE_BROWSER
        record(actor, "quiz.settings", quiz, changed=", ".join(sorted(changed)))
        db.session.flush()


def check_question(definition: dict[str, Any]) -> Any:
    """The question spec a definition makes, or the problems its type finds.

    :raises QuestionInvalid: with every problem.
    """
    report = Report(root=Path("."))
    spec = read_question(Fields(as_line_data(definition, 0), Path("form"), report,
                                _("the question")), require_ref=False)
    if not report.ok or spec is None:
        raise QuestionInvalid([p.message for p in report.problems])
    return spec


def new_question_key(quiz: Quiz) -> str:
    taken = set(all_questions(quiz.id))
    number = len(taken) + 1
    while f"q{number}" in taken:
        number += 1
    return free_key(f"q{number}", taken)


def save_question(quiz: Quiz, definition: dict[str, Any], actor: User,
                  question: Question | None = None) -> Question:
    """Add a question at the end of the quiz, or update one in place.

    :raises QuestionInvalid: when the question's type finds problems; nothing is saved.
    """
    spec = check_question(definition)
    if question is None:
        position = (db.session.scalar(select(func.max(Question.position)).where(
            Question.quiz_id == quiz.id, Question.is_retired.is_(False))) or 0) + 1
    else:
        position = question.position
    saved = sync_question(quiz, spec, position, question)
    quiz.source = SOURCE_BROWSER
    record(actor, "quiz.question_added" if question is None else "quiz.question_edited",
           quiz, question=spec.key, type=spec.type)
    db.session.flush()
    return saved


def add_question(quiz: Quiz, definition_for: Callable[[str], dict[str, Any]], actor: User,
                 drawn_key: str | None) -> Question:
    """Add a question at the end of the quiz, once for each new-question form drawn.

    The form carries the key it was drawn with (``drawn_key``): the same form posted again (a
    double click, a page sent again) finds its question there, the same, and adds nothing.
    Two forms drawn with the same key (two tabs) still add two questions, the later with a
    key of its own. ``definition_for`` makes the definition for a key.

    :raises QuestionInvalid: when the question's type finds problems; nothing is saved.
    """
    if drawn_key:
        existing = _question_with_key(quiz, drawn_key)
        if existing is None:
            try:
                with savepoint():
                    return save_question(quiz, definition_for(drawn_key), actor)
            except IntegrityError:
                # The same form posted at the same moment: that request added it first.
                existing = _question_with_key(quiz, drawn_key)
                if existing is None:
                    raise
        spec = check_question(definition_for(drawn_key))
        if not existing.is_retired and question_spec(existing) == replace(spec, line=0):
            return existing
    return save_question(quiz, definition_for(new_question_key(quiz)), actor)


def _question_with_key(quiz: Quiz, key: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.quiz_id == quiz.id,
                                                    Question.key == key))


def live_question_list(quiz_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.quiz_id == quiz_id, Question.is_retired.is_(False))
        .order_by(Question.position, Question.id)))


def move_question(quiz: Quiz, question: Question, step: int, actor: User) -> None:
    """Move a question one place up (``step`` -1) or down (+1)."""
    questions = live_question_list(quiz.id)
    index = next(i for i, q in enumerate(questions) if q.id == question.id)
    target = index + step
    if not 0 <= target < len(questions):
        return
    questions[index], questions[target] = questions[target], questions[index]
    for position, item in enumerate(questions):
        item.position = position
    quiz.source = SOURCE_BROWSER
    record(actor, "quiz.question_moved", quiz, question=question.key, step=step)
    db.session.flush()


def remove_question(quiz: Quiz, question: Question, actor: User) -> None:
    """Take a question out of the quiz; attempts that asked it keep it."""
    question.is_retired = True
    quiz.source = SOURCE_BROWSER
    record(actor, "quiz.question_removed", quiz, question=question.key)
    db.session.flush()


@dataclass
class TopicQuiz:
    topic: Topic
    quiz: Quiz | None
    questions: int = 0
    to_grade: int = 0


@dataclass
class ModuleQuizzes:
    module: Module
    topics: list[TopicQuiz] = field(default_factory=list)


def quizzes_overview(module_ids: set[int] | None) -> list[ModuleQuizzes]:
    """The modules (all, or those given) with each topic's quiz and its numbers.

    Four queries, however many modules, topics and attempts there are.
    """
    modules_query = select(Module).where(Module.is_retired.is_(False)).order_by(
        Module.package_id, Module.position)
    if module_ids is not None:
        modules_query = modules_query.where(Module.id.in_(module_ids))
    modules = list(db.session.scalars(modules_query))
    ids = [m.id for m in modules]
    rows = db.session.execute(
        select(Topic, Quiz).outerjoin(Quiz, Quiz.topic_id == Topic.id)
        .where(Topic.module_id.in_(ids), Topic.is_retired.is_(False))
        .order_by(Topic.position)).all()
    quiz_ids = [quiz.id for _topic, quiz in rows if quiz is not None]
    counts = dict(db.session.execute(
        select(Question.quiz_id, func.count()).where(
            Question.quiz_id.in_(quiz_ids), Question.is_retired.is_(False))
        .group_by(Question.quiz_id)).all())
    waiting = dict(db.session.execute(
        select(QuizAttempt.quiz_id, func.count()).join(
            AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.quiz_id.in_(quiz_ids), AttemptAnswer.marks.is_(None),
               QuizAttempt.status != GRADED, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.quiz_id)).all())
    by_module = {m.id: ModuleQuizzes(m) for m in modules}
    for topic, quiz in rows:
        live = quiz if quiz is not None and not quiz.is_retired else None
        by_module[topic.module_id].topics.append(TopicQuiz(
            topic, live, counts.get(live.id, 0) if live else 0,
            waiting.get(live.id, 0) if live else 0))
    return list(by_module.values())
