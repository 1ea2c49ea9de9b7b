"""A new question's form posted twice (a double click, a page sent again) adds one question;
two forms opened side by side still add one each."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.extensions import db
from lms.quizzes.models import Question, Quiz
from tests.conftest import Auth
from tests.quizzes.conftest import quiz_of
from tests.quizzes.test_authoring import NEW_QUESTIONS

pytestmark = pytest.mark.usefixtures("loaded")


def drawn_key(client: FlaskClient, quiz: Quiz, type_name: str) -> str:
    """The key the new-question form was drawn with, as a browser would send it back."""
    page = client.get(f"/author/quizzes/{quiz.id}/questions/new?type={type_name}").text
    match = re.search(r'name="new_key"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="new_key"', page)
    assert match is not None, "the form carries no key"
    return match.group(1)


def questions_in(quiz: Quiz) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.quiz_id == quiz.id, Question.is_retired.is_(False)).order_by(Question.position)))


def added_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(
        action="quiz.question_added")) or 0


def test_the_same_form_posted_twice_adds_one_question(client: FlaskClient, auth: Auth) -> None:
    auth.login_as(Role.ADMIN)
    quiz = quiz_of("first")
    before = len(questions_in(quiz))
    data = {"type": "single", "new_key": drawn_key(client, quiz, "single"),
            **NEW_QUESTIONS["single"]}
    for _ in range(2):
        response = client.post(f"/author/quizzes/{quiz.id}/questions/new", data=data)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/author/quizzes/{quiz.id}")
    db.session.expire_all()
    questions = questions_in(quiz)
    assert len(questions) == before + 1
    assert questions[-1].key == data["new_key"] and questions[-1].text["en"] == data["text"]
    assert added_events() == 1


def test_two_forms_drawn_alike_add_a_question_each(client: FlaskClient, auth: Auth) -> None:
    """Two tabs opened on "new question" get the same key; each question is kept."""
    auth.login_as(Role.ADMIN)
    quiz = quiz_of("first")
    before = len(questions_in(quiz))
    first, second = drawn_key(client, quiz, "single"), drawn_key(client, quiz, "true_false")
    assert first == second
    for type_name, key in (("single", first), ("true_false", second)):
        response = client.post(f"/author/quizzes/{quiz.id}/questions/new",
                               data={"type": type_name, "new_key": key,
                                     **NEW_QUESTIONS[type_name]})
        assert response.status_code == 302
    db.session.expire_all()
    questions = questions_in(quiz)
    assert len(questions) == before + 2
    assert [q.type for q in questions[-2:]] == ["single", "true_false"]
    assert len({q.key for q in questions}) == len(questions)
    assert added_events() == 2


def test_a_form_without_its_key_still_adds_the_question(client: FlaskClient,
                                                        auth: Auth) -> None:
    """A form drawn before the key was carried, or by a script, adds its question as before."""
    auth.login_as(Role.ADMIN)
    quiz = quiz_of("first")
    before = len(questions_in(quiz))
    response = client.post(f"/author/quizzes/{quiz.id}/questions/new",
                           data={"type": "essay", **NEW_QUESTIONS["essay"]})
    assert response.status_code == 302
    db.session.expire_all()
    assert len(questions_in(quiz)) == before + 1
