"""What submitting a quiz costs the database: a fixed handful of statements in one transaction,
however many questions the attempt has."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes import attempts as service
from lms.quizzes.models import IN_PROGRESS, AttemptAnswer, QuizAttempt
from lms.quizzes.question_types import QUESTION_TYPES
from tests.conftest import Auth
from tests.quizzes.conftest import form_fields, log_in_participant, quiz_of, right_response

pytestmark = pytest.mark.usefixtures("loaded")


def test_submission_takes_few_statements_in_one_transaction(
        client: FlaskClient, auth: Auth, count_queries) -> None:  # type: ignore[no-untyped-def]
    """Submitting an answered attempt runs five SQL statements in one transaction (the login,
    the attempt, closing and totalling it, its answers, the audit row; eight are allowed), and
    every answer is recorded and scored."""
    user = log_in_participant(auth)
    attempt = service.start_attempt(user, quiz_of("first"), utcnow())
    form: dict[str, list[str]] = {}
    for question in attempt.snapshot:
        for name, value in form_fields(question, right_response(question)).items():
            form[name] = value if isinstance(value, list) else [value]
    for page in range(service.page_count(attempt.snapshot)):
        assert service.save_page(attempt, form, page, utcnow())[1] == {}
    attempt_id = attempt.id
    questions = sum(1 for q in attempt.snapshot if QUESTION_TYPES[q["type"]].graded)
    # Nothing is read after the commit, so the request starts the next transaction itself,
    # and with nothing loaded, as a served request's session does.
    db.session.commit()
    db.session.expunge_all()
    assert questions >= 2  # otherwise one INSERT per answer would go unnoticed
    transactions: list[object] = []

    def on_begin(_session: object, transaction: object, _connection: object) -> None:
        transactions.append(transaction)

    event.listen(Session, "after_begin", on_begin)
    try:
        with count_queries() as counter:
            response = client.post(f"/attempts/{attempt_id}/submit")
    finally:
        event.remove(Session, "after_begin", on_begin)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/attempts/{attempt_id}/result?submitted=1")
    assert counter.count <= 5, counter.statements
    # The attempt is read with its quiz, not the quiz on its own afterwards.
    assert not any(" ".join(s.split()).startswith("SELECT quizzes.")
                   for s in counter.statements), counter.statements
    assert len(transactions) == 1
    db.session.expire_all()
    submitted = db.session.get(QuizAttempt, attempt_id)
    assert submitted is not None and submitted.status != IN_PROGRESS
    assert submitted.score is not None and submitted.score > 0
    recorded = db.session.scalar(select(func.count()).select_from(AttemptAnswer)
                                 .where(AttemptAnswer.attempt_id == attempt_id))
    assert recorded == questions
