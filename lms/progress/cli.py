"""The progress feature's commands: daily reminders and synthetic editions for measuring."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.courses.models import Programme
from lms.database import refresh_planner_statistics
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail import services as mail
from lms.progress.reminders import send_reminders
from lms.progress.synthetic import create_synthetic_edition


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Email participants whose in-person day is tomorrow (run daily, for example from cron).

    The reminders are recorded before they are mailed, so one the mail server does not take is
    reported here and kept in the outbox, and neither it nor any other is written twice.
    """
    messages = send_reminders(utcnow())
    db.session.commit()
    unsent = mail.not_sent(messages)
    click.echo(f"Sent {len(messages) - unsent} reminder(s).")
    if unsent:
        click.echo(f"{unsent} reminder(s) could not be sent: they are kept in the outbox "
                   "(/admin/outbox) with the reason; `flask lms send-mail` sends them once the "
                   "mail server works.", err=True)


@click.command("synthetic-edition")
@click.argument("participants", type=click.IntRange(1, 100_000))
@click.option("--programme", "programme_slug", default="local", show_default=True)
@click.option("--seed", default=2016, show_default=True)
@with_appcontext
def synthetic_edition_command(participants: int, programme_slug: str, seed: int) -> None:
    """Create an edition of PARTICIPANTS synthetic people with attendance and attempts."""
    programme = db.session.scalar(select(Programme).filter_by(slug=programme_slug,
                                                              is_retired=False))
    if programme is None:
        raise click.ClickException(f"no programme '{programme_slug}': load a course package")
    edition = create_synthetic_edition(programme, participants, utcnow(), seed)
    db.session.commit()
    refresh_planner_statistics(db.engine)
    click.echo(f"Created edition {edition.id} ({edition.name}).")


COMMANDS = (send_reminders_command, synthetic_edition_command)
