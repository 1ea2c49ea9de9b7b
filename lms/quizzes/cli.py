"""The quiz commands of `flask lms`: importing a quiz file, closing attempts past their time."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.attempts import close_overdue
from lms.quizzes.importing import (
    FORMATS,
    ImportInvalid,
    import_quiz,
    package_images,
    read_quiz_file,
)


@click.command("import-quiz")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--topic", "slug", required=True, help="Slug of the topic the quiz belongs to.")
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMATS]), default="auto",
              show_default=True, help="The file's format; auto tells from the name and text.")
@click.option("--add", "add", is_flag=True,
              help="Add the questions to the topic's quiz instead of replacing its questions.")
@with_appcontext
def import_quiz_command(file: Path, slug: str, fmt: str, add: bool) -> None:
    """Import a GIFT, Aiken or .quiz.yaml file as a topic's quiz; all of it or nothing."""
    topic = db.session.scalar(select(Topic).filter_by(slug=slug, is_retired=False))
    if topic is None:
        raise click.ClickException(f"no topic '{slug}'")
    try:
        imported = read_quiz_file(file.read_bytes(), file.name, fmt, package_images(topic))
        quiz, summary = import_quiz(topic, imported, None, file.name, replace=not add,
                                    now=utcnow())
    except ImportInvalid as invalid:
        db.session.rollback()
        for problem in invalid.problems:
            where = f"{file}:{problem.line}" if problem.line else str(file)
            click.echo(f"{where}: {problem.message}", err=True)
        raise click.ClickException(
            f"{len(invalid.problems)} problem(s) found; nothing was imported") from None
    db.session.commit()
    click.echo(f"Imported {len(imported.spec.questions)} questions ({imported.format}) into the "
               f"quiz of '{slug}': {summary.created['questions']} new, "
               f"{summary.updated['questions']} updated, {summary.retired['questions']} "
               "retired.")


@click.command("close-overdue-attempts")
@with_appcontext
def close_overdue_command() -> None:
    """Grade timed attempts whose time has run out (run it every few minutes from cron)."""
    closed = close_overdue(utcnow())
    db.session.commit()
    click.echo(f"Closed {closed} attempt(s) past their time limit.")


COMMANDS = (import_quiz_command, close_overdue_command)
