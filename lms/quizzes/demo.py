"""Demo attempts: one participant has passed the first quiz, another has failed it, and an
essay waits for a grade when the course has an essay question."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Unit, UnitTopic
from lms.extensions import db
from lms.quizzes.attempts import ENDED_BY_PARTICIPANT, finish_attempt, start_attempt
from lms.quizzes.models import Question, Quiz, QuizAttempt
from lms.quizzes.question_types.numeric import number_text

ESSAY = ("In my ministry's work with returnees, the hardest part is telling apart people who "
         "moved for work from people who fled. This lesson showed me why the category decides "
         "which protection applies, and why the label 'illegal' hides that question.")


def demo_response(question: dict[str, Any], right: bool) -> Any:
    """An answer a participant might give: the right one, or a wrong one."""
    options = question["options"]
    kind = question["type"]
    if kind == "single":
        pick = [o for o in options if (o["credit"] == 100) == right]
        return pick[0]["key"] if pick else None
    if kind == "multiple":
        return [o["key"] for o in options if (o["credit"] > 0) == right]
    if kind == "true_false":
        return "true" if question["settings"]["answer"] == right else "false"
    if kind == "short_answer":
        full = [o for o in options if o["credit"] == 100]
        return full[0]["raw"]["en"].replace("*", "") if right and full else "I am not sure"
    if kind == "matching":
        return {o["key"]: o["answer_id"] for o in options if o["kind"] == "pair"} if right else {}
    if kind == "numeric":
        bounds = options[0]["settings"] if options else {"min": 0}
        return number_text(bounds.get("value", bounds["min"])) if right else "0"
    if kind == "essay":
        return ESSAY
    return None


def _attempt(user: User, quiz: Quiz, right: int, now: datetime) -> None:
    """An attempt answering the first ``right`` questions rightly and the rest wrongly."""
    if db.session.scalar(select(QuizAttempt.id).filter_by(quiz_id=quiz.id, user_id=user.id)):
        return
    started = now - timedelta(days=2)
    # A fixed seed, so a refreshed demo shows the same questions in the same order.
    seed = quiz.id * 1000 + user.id
    attempt = start_attempt(user, quiz, started, random.Random(seed))  # noqa: S311
    attempt.responses = {q["key"]: demo_response(q, index < right)
                         for index, q in enumerate(attempt.snapshot)}
    attempt.saved_at = started + timedelta(minutes=12)
    db.session.flush()
    finish_attempt(attempt, user, started + timedelta(minutes=13), ENDED_BY_PARTICIPANT)


def add_demo(passing: User, failing: User, programme_id: int, now: datetime) -> None:
    """Attempts on the programme's first quiz, and an essay to grade if the course has one."""
    topic_ids = list(db.session.scalars(
        select(UnitTopic.topic_id).join(Unit, Unit.id == UnitTopic.unit_id)
        .where(Unit.programme_id == programme_id, Unit.is_retired.is_(False))
        .order_by(Unit.position, UnitTopic.position)))
    quizzes = {q.topic_id: q for q in db.session.scalars(
        select(Quiz).where(Quiz.topic_id.in_(topic_ids), Quiz.is_retired.is_(False)))}
    ordered = [quizzes[t] for t in topic_ids if t in quizzes]
    if not ordered:
        return
    everything = 1000
    _attempt(passing, ordered[0], everything, now)
    _attempt(failing, ordered[0], 4, now)
    with_essay = db.session.scalar(
        select(Question.quiz_id).where(Question.quiz_id.in_([q.id for q in ordered]),
                                       Question.type == "essay",
                                       Question.is_retired.is_(False)))
    if with_essay is not None and with_essay != ordered[0].id:
        _attempt(passing, next(q for q in ordered if q.id == with_essay), everything, now)
