"""A new question's form sent twice at the same moment (a double click on "Save") adds one
question, and neither request shows an error."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.extensions import db
from lms.quizzes.models import Question
from tests import factories
from tests.concurrency.helpers import (
    assert_no_error_page,
    at_once,
    client_of,
    count,
    no_errors_flashed,
    writes_held,
)
from tests.quizzes.conftest import quiz_of
from tests.quizzes.test_authoring import NEW_QUESTIONS
from tests.quizzes.test_authoring_twice import drawn_key

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("loaded")]


def test_new_question_saved_twice_at_once(app: Flask) -> None:
    admin = factories.make_user(role=Role.ADMIN)
    quiz = quiz_of("first")
    before = count(Question, quiz_id=quiz.id)
    db.session.commit()
    clients = [client_of(app, admin) for _ in range(2)]
    data = {"type": "single", "new_key": drawn_key(clients[0], quiz, "single"),
            **NEW_QUESTIONS["single"]}
    url = f"/author/quizzes/{quiz.id}/questions/new"

    with writes_held(Question, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        assert response.headers["Location"].endswith(f"/author/quizzes/{quiz.id}")
        no_errors_flashed(client)
    assert count(Question, quiz_id=quiz.id) == before + 1
    assert count(Question, quiz_id=quiz.id, key=data["new_key"]) == 1
    assert count(AuditEvent, action="quiz.question_added") == 1
