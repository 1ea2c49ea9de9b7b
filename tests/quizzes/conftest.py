"""Helpers for the quiz tests: participants in the sample edition, quizzes, answer forms."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.models import Module, Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts
from lms.quizzes.models import Question, Quiz, QuizAttempt
from lms.quizzes.question_types.numeric import number_text
from tests import factories
from tests.conftest import Auth


def enrolled(**fields: Any) -> User:
    """A participant of a new edition of the local programme (which teaches every topic)."""
    user = factories.make_user(**fields)
    factories.enrol(user, factories.make_edition())
    db.session.commit()
    return user


def log_in_participant(auth: Auth, **fields: Any) -> User:
    user = enrolled(**fields)
    auth.login(user)
    return user


def module_instructor(module_slug: str = "alpha", **fields: Any) -> User:
    user = factories.make_user(role=Role.INSTRUCTOR, **fields)
    module = db.session.scalar(select(Module).filter_by(slug=module_slug))
    assert module is not None
    db.session.add(ModuleInstructor(module_id=module.id, user_id=user.id))
    db.session.commit()
    return user


def quiz_of(slug: str) -> Quiz:
    quiz = db.session.scalar(select(Quiz).join(Topic, Topic.id == Quiz.topic_id)
                             .where(Topic.slug == slug))
    assert quiz is not None
    return quiz


def question_of(quiz: Quiz, key: str) -> Question:
    question = db.session.scalar(select(Question).filter_by(quiz_id=quiz.id, key=key))
    assert question is not None
    return question


def latest_attempt(user: User, quiz: Quiz) -> QuizAttempt:
    attempt = db.session.scalar(select(QuizAttempt).filter_by(user_id=user.id, quiz_id=quiz.id)
                                .order_by(QuizAttempt.number.desc()))
    assert attempt is not None
    db.session.refresh(attempt)
    return attempt


def right_response(question: dict[str, Any]) -> Any:
    """The full-marks answer to a question of an attempt's snapshot, as stored."""
    options, kind = question["options"], question["type"]
    if kind == "single":
        return next(o["key"] for o in options if o["credit"] == 100)
    if kind == "multiple":
        return [o["key"] for o in options if o["credit"] > 0]
    if kind == "true_false":
        return "true" if question["settings"]["answer"] else "false"
    if kind == "short_answer":
        return next(o["raw"]["en"] for o in options if o["credit"] == 100)
    if kind == "matching":
        return {o["key"]: o["answer_id"] for o in options if o["kind"] == "pair"}
    if kind == "numeric":
        bounds = next(o["settings"] for o in options if o["credit"] == 100)
        return number_text(bounds.get("value", bounds["min"]))
    if kind == "essay":
        return "A reflection " * 60
    return None


def wrong_response(question: dict[str, Any]) -> Any:
    options, kind = question["options"], question["type"]
    if kind == "single":
        return next(o["key"] for o in options if o["credit"] < 100)
    if kind == "multiple":
        return [o["key"] for o in options if o["credit"] < 0]
    if kind == "true_false":
        return "false" if question["settings"]["answer"] else "true"
    if kind in ("short_answer", "numeric"):
        return "-12345"
    if kind == "matching":
        pairs = [o for o in options if o["kind"] == "pair"]
        return {p["key"]: pairs[(i + 1) % len(pairs)]["answer_id"] for i, p in enumerate(pairs)}
    if kind == "essay":
        return ""
    return None


def form_fields(question: dict[str, Any], response: Any) -> dict[str, Any]:
    """The form fields a browser posts for this answer (options by their place on the page)."""
    name = f"q-{question['key']}"
    keys = [o["key"] for o in question["options"]]
    kind = question["type"]
    if response is None:
        return {}
    if kind == "single":
        return {name: str(keys.index(response) + 1)}
    if kind == "multiple":
        return {name: [str(keys.index(k) + 1) for k in response]}
    if kind == "matching":
        return {f"{name}-{pair}": choice for pair, choice in response.items()}
    return {name: response}


def page_form(attempt: QuizAttempt, page: int, answer: Any = right_response,
              **extra: Any) -> dict[str, Any]:
    """Everything a participant posts from one page (counted from 1)."""
    from lms.quizzes.snapshot import page_of

    if answer == "wrong":
        answer = wrong_response
    data: dict[str, Any] = {"page": str(page), **extra}
    for _number, question in page_of(attempt.snapshot, page - 1):
        data.update(form_fields(question, answer(question)))
    return data


def submitted(quiz: Quiz, right: int) -> None:
    """A new participant's submitted attempt answering the first ``right`` questions rightly."""
    user = enrolled()
    attempt = attempts.start_attempt(user, quiz, utcnow(), random.Random(1))
    attempt.responses = {q["key"]: (right_response if i < right else wrong_response)(q)
                         for i, q in enumerate(attempt.snapshot)}
    attempts.submit_attempt(attempt, user, utcnow())


def answer_all(attempt: QuizAttempt,
               answer: Callable[[dict[str, Any]], Any] = right_response,
               when: datetime | None = None) -> None:
    """Save every page of the attempt, each question answered by ``answer``."""
    form: dict[str, list[str]] = {}
    for question in attempt.snapshot:
        for name, value in form_fields(question, answer(question)).items():
            form[name] = value if isinstance(value, list) else [value]
    for page in range(attempts.page_count(attempt.snapshot)):
        _responses, problems = attempts.save_page(attempt, form, page, when or utcnow())
        assert problems == {}


def start(client: FlaskClient, slug: str = "first") -> str:
    """Start (or resume) the topic's quiz through its page; the address of the first page."""
    response = client.post(f"/topics/{slug}/quiz/start")
    assert response.status_code == 302, response.text
    return response.headers["Location"]
