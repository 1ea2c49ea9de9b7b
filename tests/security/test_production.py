"""Production refuses to start with settings that are only safe on a developer's machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.config import ConfigError
from lms.extensions import db
from tests.conftest import FIXTURE_PACKAGE, make_app

SAFE = {"ENV_NAME": "production", "SECRET_KEY": "k" * 48,
        "PUBLIC_BASE_URL": "https://lms.example.org"}


def test_asvs_7_4_1_production_refuses_debug(tmp_path: Path) -> None:
    """DEBUG on (and with it the interactive debugger) stops a production start."""
    with pytest.raises(ConfigError, match="DEBUG"):
        make_app(tmp_path, **SAFE, DEBUG=True)


def test_asvs_7_4_1_production_refuses_debug_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`flask run --debug` and FLASK_DEBUG=1 reach the check too, not just the settings file."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        make_app(tmp_path, **SAFE)
    monkeypatch.delenv("FLASK_DEBUG")
    monkeypatch.setenv("LMS_DEBUG", "true")
    with pytest.raises(ConfigError, match="DEBUG"):
        make_app(tmp_path, **SAFE)


@pytest.mark.parametrize("secret", ["dev-only-not-secret", "", "short-but-not-empty"])
def test_asvs_14_3_2_production_refuses_a_weak_secret(tmp_path: Path, secret: str) -> None:
    """The development key, an empty key and a short key are all refused."""
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(tmp_path, **{**SAFE, "SECRET_KEY": secret})


def test_asvs_14_3_2_production_starts_without_debugger(tmp_path: Path) -> None:
    """With safe settings production starts, debug off, and a crash shows no traceback."""
    app = make_app(tmp_path, **SAFE, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    assert app.debug is False

    @app.get("/crash")
    def crash() -> str:
        raise ValueError("SELECT secret FROM users")

    response = app.test_client().get("/crash")
    assert response.status_code == 500
    for leak in ("Traceback", "SELECT", "Werkzeug", "Python/", "File \"", ".py"):
        assert leak not in response.text, leak


def test_asvs_2_5_4_no_default_accounts(tmp_path: Path) -> None:
    """Loading the course, as a production deploy does, creates no account, so there is no
    admin/admin; demo accounts exist only when `flask lms demo` is run and get fresh random
    passwords each time."""
    app = make_app(tmp_path, **SAFE)
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            runner = app.test_cli_runner()
            assert runner.invoke(args=["lms", "load", str(FIXTURE_PACKAGE)]).exit_code == 0
            assert db.session.scalar(select(func.count()).select_from(User)) == 0
            response = app.test_client().post("/login", data={"email": "admin",
                                                              "password": "admin"})
            assert response.status_code in (400, 401)
            first = runner.invoke(args=["lms", "demo"]).output
            second = runner.invoke(args=["lms", "demo"]).output
            passwords = [line.split()[-1] for line in first.splitlines()[1:]]
            assert len(passwords) == 5 and not set(passwords) & set(second.split())
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def test_asvs_12_4_1_uploads_live_outside_the_code_and_static_folders(tmp_path: Path) -> None:
    """By default uploads go to the instance folder, never under the code or static files."""
    app = make_app(tmp_path, STORAGE_DIR=None)
    storage = Path(app.config["STORAGE_DIR"]).resolve()
    assert storage.is_relative_to(Path(app.instance_path).resolve())
    assert not storage.is_relative_to(Path(app.root_path).resolve())
    assert app.static_folder is not None
    assert not storage.is_relative_to(Path(app.static_folder).resolve())
