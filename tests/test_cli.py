"""The `flask lms` commands: validate, load, create-user and demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.models import Enrolment, Topic
from tests.conftest import FIXTURE_PACKAGE, make_app
from tests.courses.test_loader import other_package
from tests.courses.test_validation import edit


def test_validate_valid_package(runner: FlaskCliRunner) -> None:
    """A valid package exits 0 with a summary."""
    result = runner.invoke(args=["lms", "validate", str(FIXTURE_PACKAGE)])
    assert result.exit_code == 0, result.output
    assert "valid (2 modules, 3 topics, 2 quizzes, 2 glossary terms)" in result.output


def test_validate_reports_every_problem_and_fails(runner: FlaskCliRunner,
                                                  package_copy: Path) -> None:
    """Each problem is printed with file and line; the exit code is non-zero."""
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7", "minutes: seven")
    edit(package_copy / "package.yaml", "topics: [second, third]", "topics: [second, nope]")
    result = runner.invoke(args=["lms", "validate", str(package_copy)])
    assert result.exit_code == 1
    assert "modules/02-beta/01-third.md:3: 'minutes' must be a whole number" in result.output
    assert "package.yaml:17: unit 'day-one' refers to unknown topic 'nope'" in result.output
    assert "2 problem(s) found" in result.output


def test_load_then_reload(app: Flask, runner: FlaskCliRunner) -> None:
    """`load` commits the package; a second load reports nothing new."""
    first = runner.invoke(args=["lms", "load", str(FIXTURE_PACKAGE)])
    assert first.exit_code == 0, first.output
    assert "topics: 3 new" in first.output
    second = runner.invoke(args=["lms", "load", str(FIXTURE_PACKAGE)])
    assert second.exit_code == 0
    assert "new" not in second.output.replace("Loaded", "")
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 3


def test_load_invalid_package_writes_nothing(app: Flask, runner: FlaskCliRunner,
                                             package_copy: Path) -> None:
    """An invalid package is refused whole with its problems listed."""
    (package_copy / "media/pixel.png").unlink()
    result = runner.invoke(args=["lms", "load", str(package_copy)])
    assert result.exit_code == 1
    assert "modules/01-alpha/01-first.md:12:" in result.output
    assert "nothing was loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def test_validate_and_load_report_a_date_that_does_not_exist(runner: FlaskCliRunner,
                                                              package_copy: Path) -> None:
    """A date such as 2026-02-30 is a problem with file and line, not a traceback."""
    edit(package_copy / "modules/02-beta/01-third.md", "minutes: 7",
         "minutes: 7\npublished: 2026-02-30")
    for command in ("validate", "load"):
        result = runner.invoke(args=["lms", command, str(package_copy)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert ("modules/02-beta/01-third.md:4: '2026-02-30' is not a date that exists"
                in result.output)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def test_load_refuses_a_title_longer_than_its_column(runner: FlaskCliRunner,
                                                     package_copy: Path) -> None:
    """A module title PostgreSQL could not store is refused by validate and by load, with its
    file and line, and nothing is loaded."""
    edit(package_copy / "modules/01-alpha/module.yaml", "{en: Alpha module,",
         f"{{en: {'A' * 301},")
    for command in ("validate", "load"):
        result = runner.invoke(args=["lms", command, str(package_copy)])
        assert result.exit_code == 1, result.output
        assert ("modules/01-alpha/module.yaml:1: 'title.en' is longer than 300 characters"
                in result.output)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


def test_validate_names_a_topic_slug_another_loaded_package_uses(
        runner: FlaskCliRunner, loaded: Path, package_copy: Path) -> None:
    """validate checks the package against the packages loaded on the platform."""
    other_package(package_copy, shared={"second"})
    result = runner.invoke(args=["lms", "validate", str(package_copy)])
    assert result.exit_code == 1
    assert ("modules/01-alpha/02-second.md: the topic slug 'second' is already used by the "
            "package 'sample' loaded on the platform" in result.output)


def test_validate_without_the_platforms_database(tmp_path: Path) -> None:
    """Where the platform's database is not set up, validate checks the package alone."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'none.db'}")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["lms", "validate", str(FIXTURE_PACKAGE)])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "valid (2 modules, 3 topics" in result.output
    assert "not checked against loaded packages" in result.output


def test_load_unknown_path(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """A path that does not exist is a clear error."""
    result = runner.invoke(args=["lms", "load", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert "the package folder does not exist" in result.output


def test_create_user(app: Flask, runner: FlaskCliRunner) -> None:
    """create-user makes an account with a hashed password; duplicates are refused."""
    args = ["lms", "create-user", "--email", "Head@Example.org", "--name", "Head Admin",
            "--role", "admin", "--password", "a long admin password"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).filter_by(email="head@example.org"))
    assert user is not None and user.role == Role.ADMIN
    assert user.check_password("a long admin password")
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already exists" in again.output


@pytest.mark.parametrize(("password", "message"), [
    ("short", "Use at least 12 characters. A few words together make a good password."),
    ("QwertY123456", "This password is one of the most commonly used. Please choose another."),
    ("Leave@Example.org", "Do not use your email address as your password."),
])
def test_create_user_applies_the_password_rule(runner: FlaskCliRunner, password: str,
                                               message: str) -> None:
    """A password the account pages would refuse is refused with their message, and no
    account is made."""
    result = runner.invoke(args=["lms", "create-user", "--email", "leave@example.org",
                                 "--name", "A", "--password", password])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_create_user_refuses_names_longer_than_the_forms_allow(runner: FlaskCliRunner) -> None:
    """A name longer than the account forms accept is refused with a message, in either script,
    and no account is made (PostgreSQL would otherwise fail on the insert)."""
    base = ["lms", "create-user", "--email", "long@example.org", "--password",
            "a long enough password"]
    latin = runner.invoke(args=[*base, "--name", "N" * 201])
    assert latin.exit_code == 1
    assert "the full name is longer than 200 characters" in latin.output
    arabic = runner.invoke(args=[*base, "--name", "Name", "--name-ar", "ن" * 201])
    assert arabic.exit_code == 1
    assert "the full name in Arabic script is longer than 200 characters" in arabic.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    fits = runner.invoke(args=[*base, "--name", "N" * 200, "--name-ar", "ن" * 200])
    assert fits.exit_code == 0, fits.output


def test_demo_needs_a_package(runner: FlaskCliRunner) -> None:
    """The demo explains that the package must be loaded first."""
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 1 and "load the course package first" in result.output


def test_demo_creates_accounts_and_edition(app: Flask, runner: FlaskCliRunner,
                                           loaded: object) -> None:
    """The demo prints five working logins and enrols three participants; rerunning is safe."""
    result = runner.invoke(args=["lms", "demo"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()[1:]]
    assert [line[0] for line in lines] == ["admin", "instructor", "participant", "participant",
                                           "participant"]
    client = app.test_client()
    role, email, password = lines[2]
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    users = db.session.scalar(select(func.count()).select_from(User))
    enrolments = db.session.scalar(select(func.count()).select_from(Enrolment))
    assert runner.invoke(args=["lms", "demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == enrolments
