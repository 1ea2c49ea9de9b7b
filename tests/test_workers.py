"""gunicorn's master loads the platform once; its workers are forks that serve at once."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from lms.auth.models import Role
from lms.extensions import db
from lms.workers import compile_templates, forget_inherited_connections
from tests import factories
from tests.conftest import TEST_DATABASE_URL, Auth, make_app
from tests.served import Browser, gunicorn


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def test_pages_render_without_compiling_once_templates_are_compiled(
        app: Flask, auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    assert compile_templates(app) >= 100
    compiled: list[str | None] = []
    original = app.jinja_env.compile

    def compile_and_note(source: str, name: str | None = None, *args: object,
                         **kwargs: object) -> object:
        compiled.append(name)
        return original(source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app.jinja_env, "compile", compile_and_note)
    client = auth.client
    auth.login_as(Role.PARTICIPANT)
    for path in ("/", "/account", "/no-such-page"):
        client.get(path)
    assert compiled == []


def test_a_fork_forgets_the_pooled_connections_of_its_parent_without_closing_them(
        tmp_path: Path) -> None:
    # A pooled database: the suite's own in-memory SQLite keeps one fixed connection.
    database = TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgres") else (
        f"sqlite:///{tmp_path / 'pooled.db'}")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database)
    with app.app_context():
        with db.engine.connect() as connection:
            inherited = connection.connection.dbapi_connection
            connection.execute(text("SELECT 1"))
        assert db.engine.pool.checkedin() == 1  # type: ignore[attr-defined]
        forget_inherited_connections(app)
        assert db.engine.pool.checkedin() == 0  # type: ignore[attr-defined]
        # Still open: in a real fork it belongs to the parent, which goes on using it.
        assert inherited is not None
        inherited.cursor().execute("SELECT 1")
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is not inherited
        inherited.close()
        db.engine.dispose()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads workers from /proc")
def test_a_replaced_worker_serves_the_logged_in_participant(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'lms.db'}"
    setup = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=database)
    with setup.app_context():
        db.create_all()
        person = factories.make_user(role=Role.PARTICIPANT)
        db.session.commit()
        email = person.email
        db.session.remove()
        db.engine.dispose()
    env = {"DATABASE_URL": database, "SECRET_KEY": "worker-test-secret-key-0123456789abcdef",
           "STORAGE_DIR": str(tmp_path / "storage"), "ENV_NAME": "development",
           "RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "1"}
    with gunicorn(env, tmp_path) as server:
        browser = Browser(server.base)
        browser.log_in(email, then="/")
        [worker] = _children(server.process.pid)
        os.kill(worker, signal.SIGKILL)  # a worker of the server this test started
        deadline = time.monotonic() + 30
        while not (_children(server.process.pid) - {worker}):
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
        page = browser.request("/")
        assert page.status == 200, server.log.read_text()
        assert "Log out" in page.body
        assert "Traceback" not in server.log.read_text()
