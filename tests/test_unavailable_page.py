"""While the database cannot be reached, every page answers a plain 503 in the visitor's
language; the connection pool settings that bring it back afterwards."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from lms.auth.models import Role, User
from lms.errors import RETRY_AFTER_SECONDS
from lms.extensions import db
from tests.conftest import Auth, make_app


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable(tmp_path: Path) -> Flask:
    """An app whose PostgreSQL server is not running: every query fails to connect."""
    return make_app(tmp_path, SQLALCHEMY_DATABASE_URI=(
        f"postgresql+psycopg://lms@127.0.0.1:{closed_port()}/lms"))


def signed_in(app: Flask, language: str | None = None) -> FlaskClient:
    """A browser holding a login cookie, as someone mid-session when the database went away."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = "a-session-token"
        if language:
            session["language"] = language
    return client


@pytest.mark.parametrize("path", ["/", "/certificates", "/teaching", "/verify/ABCD"])
def test_pages_answer_a_friendly_503(unreachable: Flask, path: str) -> None:
    """A logged-in page while the database is down: 503, Retry-After, the plain message, and
    no traceback or driver message."""
    response = signed_in(unreachable).get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    text = response.text
    assert "Temporarily unavailable" in text
    assert "cannot reach its database" in text
    for leak in ("Traceback", "psycopg", "OperationalError", "127.0.0.1", "connection"):
        assert leak not in text


def test_the_503_page_speaks_arabic(unreachable: Flask) -> None:
    """Someone who reads the platform in Arabic gets the 503 page in Arabic, right to left."""
    response = signed_in(unreachable, "ar").get("/")
    assert response.status_code == 503
    assert 'lang="ar" dir="rtl"' in response.text
    assert "الخدمة غير متاحة مؤقتًا" in response.text


def test_health_says_unavailable(unreachable: Flask) -> None:
    """The load balancer's check reports the database as failing with a 503."""
    response = unreachable.test_client().get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable",
                             "checks": {"database": "failing", "storage": "ok"}}


def test_a_missing_table_is_a_bug_not_an_outage(tmp_path: Path) -> None:
    """SQLite calls a missing table an OperationalError too; that stays a 500 with a
    reference to quote, so a forgotten migration is not mistaken for an outage."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")  # no tables created
    response = signed_in(app).get("/")
    assert response.status_code == 500
    assert "quote this reference" in response.text
    with app.app_context():
        db.engine.dispose()


def test_language_is_remembered_for_pages_without_the_database(client: FlaskClient,
                                                               auth: Auth) -> None:
    """A user's saved language is copied into the session cookie, which is all the 503 page
    can read."""
    auth.login_as(Role.PARTICIPANT, preferred_language="ar")
    client.get("/")
    with client.session_transaction() as session:
        assert session["language"] == "ar"


def test_postgresql_gets_a_checked_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL connections are pinged before use and pooled with the configured sizes and
    timeouts; the environment can change them."""
    monkeypatch.setenv("LMS_DATABASE_POOL_SIZE", "8")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://lms@db.invalid/lms")
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["pool_size"] == 8
    assert options["pool_timeout"] == 10 and options["pool_recycle"] == 1800
    assert options["connect_args"] == {"connect_timeout": 5}
    with app.app_context():
        assert db.engine.pool.size() == 8  # type: ignore[attr-defined]


def test_sqlite_keeps_its_own_pool(tmp_path: Path) -> None:
    """SQLite has no server to pool connections to: only the ping applies."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_an_error_page_that_loses_the_database_becomes_the_503_page(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the database fails while an error page is being made (its menu needs the user),
    the visitor gets the 503 page rather than the server's bare error."""
    from sqlalchemy.exc import OperationalError

    from lms import errors

    real_render = errors.render_template

    def render(template: str, **context: object) -> str:
        if template == "errors/error.html":
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        return real_render(template, **context)

    monkeypatch.setattr(errors, "render_template", render)
    response = client.get("/no-such-page")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.text


def test_a_connection_lost_after_the_last_statement_does_not_fail_the_request(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Ending a request whose connection died after its last statement (the rollback fails)
    throws the connection away with a warning instead of raising; the next request gets a
    working one."""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
    assert "connection was lost at the end of a request" in caplog.text
    with app.app_context():
        assert db.session.scalar(select(1)) == 1


@pytest.mark.postgres
def test_a_statement_timeout_is_a_500_not_an_outage(tmp_path: Path) -> None:
    """A query cancelled by its time limit is an OperationalError, like a lost connection,
    but the database is there: the visitor gets the 500 page with a reference to quote (and
    the log a traceback), not "the platform cannot reach its database"."""
    app = make_app(tmp_path)

    def slow() -> str:
        db.session.execute(text("SET LOCAL statement_timeout = 10"))
        db.session.execute(text("SELECT pg_sleep(1)"))
        return "never"

    app.add_url_rule("/slow-for-the-test", view_func=slow)
    response = app.test_client().get("/slow-for-the-test")
    assert response.status_code == 500
    assert "quote this reference" in response.text
    with app.app_context():
        db.engine.dispose()
