"""Fixtures: an app on a fresh database per test, clients, the CLI runner, logins, counting."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event

from lms import create_app
from lms.auth.models import Role, User
from lms.courses.loader import load_package
from lms.extensions import db
from tests import factories

FIXTURE_PACKAGE = Path(__file__).parent / "fixtures" / "package"
COURSE_PACKAGE = Path(__file__).parent.parent / "course_content" / "migration-governance"
TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "sqlite://")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = TEST_DATABASE_URL.startswith("postgres")
    skip = pytest.mark.skip(reason="needs PostgreSQL (set LMS_TEST_DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip)


class FreshClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    Tests keep an app context open so they can use the database between requests, and Flask
    reuses that context for each request; without this, per-request caches kept in ``g`` (the
    logged-in user, the chosen locale) would leak from one request into the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "STORAGE_DIR": str(tmp_path / "storage"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "WORKERS": 1,  # one process serves the suite, so production may count in memory
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshClient
    return app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A writable copy of the small test package, for tests that break or edit it."""
    target = tmp_path / "package"
    shutil.copytree(FIXTURE_PACKAGE, target)
    return target


@pytest.fixture
def loaded(app: Flask) -> Path:
    """The small test package loaded into the database."""
    load_package(FIXTURE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    return FIXTURE_PACKAGE


class Auth:
    """Log a test client in as a given user."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User, password: str = factories.PASSWORD) -> Any:
        return self.client.post("/login", data={"email": user.email, "password": password})

    def login_as(self, role: Role, **kwargs: Any) -> User:
        user = factories.make_user(role=role, **kwargs)
        db.session.commit()
        response = self.login(user)
        assert response.status_code == 302, response.text
        return user

    def logout(self) -> Any:
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):  # type: ignore[no-untyped-def]
    """``with count_queries() as counter:`` counts the SQL statements run inside the block."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
