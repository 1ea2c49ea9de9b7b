"""PostgreSQL connections keep their prepared statements from one request to the next, and a
rollback still undoes what the transaction did."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from lms.auth.models import Role, User
from lms.extensions import db
from tests import factories
from tests.conftest import Auth

pytestmark = pytest.mark.postgres


def prepared_statements() -> list[str]:
    return list(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")))


def test_pages_run_prepared_statements_after_a_few_requests(app: Flask, client: FlaskClient,
                                                            auth: Auth) -> None:
    """Each request only reads and ends with a rollback; the statement that finds the login's
    session is prepared after five of them and stays prepared."""
    auth.login_as(Role.PARTICIPANT)
    for _ in range(7):
        assert client.get("/glossary").status_code == 200
    db.session.rollback()
    assert any("user_sessions" in statement for statement in prepared_statements())


def test_a_rollback_still_undoes_the_transaction(app: Flask) -> None:
    for _ in range(6):
        db.session.scalar(select(func.count()).select_from(User))
        db.session.rollback()
    factories.make_user(email="rolled-back@example.org")
    db.session.rollback()
    assert db.session.scalar(select(User).filter_by(email="rolled-back@example.org")) is None
    assert prepared_statements(), "the count was run six times and should be prepared"


def test_a_failed_transaction_rolls_back_and_the_connection_goes_on(app: Flask) -> None:
    for _ in range(6):
        db.session.scalar(select(func.count()).select_from(User))
        db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT 1 / 0"))
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    factories.make_user(email="kept@example.org")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
