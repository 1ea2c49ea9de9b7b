"""The `flask lms` commands: thin wrappers over the domain functions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from lms.auth.models import Role
from lms.auth.services import AccountError, create_user
from lms.courses.loader import PackageInvalid, load_package, resolve_package, validate_package
from lms.courses.package import read_package
from lms.extensions import db


@click.group("lms")
def lms_group() -> None:
    """Manage the learning platform."""


@lms_group.command("validate")
@click.argument("package")
def validate_command(package: str) -> None:
    """Check a course package and report every problem with its file and line.

    The package is also checked against the packages loaded on the platform (topic slugs),
    unless the platform's database is not set up yet.
    """
    path = resolve_package(package)
    try:
        spec, report = validate_package(path)
    except SQLAlchemyError:
        # A machine where only packages are written has no database: check the package alone.
        db.session.rollback()
        spec, report = read_package(path)
        click.echo("note: not checked against loaded packages (the platform's database is not "
                   "set up)", err=True)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if not report.ok or spec is None:
        raise click.ClickException(f"{len(report.problems)} problem(s) found in {package}")
    click.echo(f"{package}: valid ({len(spec.modules)} modules, {len(spec.topics)} topics, "
               f"{sum(1 for t in spec.topics.values() if t.quiz)} quizzes, "
               f"{len(spec.glossary)} glossary terms)")


@lms_group.command("load")
@click.argument("package")
@with_appcontext
def load_command(package: str) -> None:
    """Validate a course package, then load it in one transaction (idempotent)."""
    path = resolve_package(package)
    try:
        summary = load_package(path, Path(current_app.config["STORAGE_DIR"]))
    except PackageInvalid as invalid:
        db.session.rollback()
        for problem in invalid.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(invalid.problems)} problem(s) found; nothing was loaded") from None
    db.session.commit()
    click.echo(f"Loaded {summary.package}.")
    for line in summary.lines():
        click.echo(f"  {line}")


@lms_group.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Full name in Latin script.")
@click.option("--name-ar", "full_name_ar", default=None, help="Full name in Arabic script.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="participant")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(email: str, full_name: str, full_name_ar: str | None, role: str,
                        password: str) -> None:
    """Create an account with a password that follows the platform's password rule."""
    try:
        user = create_user(email, full_name, Role(role), password, full_name_ar=full_name_ar)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@lms_group.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create (or refresh) the demo edition and accounts, and print their logins."""
    from lms.demo import create_demo

    try:
        accounts = create_demo()
    except LookupError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("Demo accounts (passwords are new each time this command runs):")
    for role, email, password in accounts:
        click.echo(f"  {role:<12} {email:<32} {password}")
