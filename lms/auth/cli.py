"""`flask lms purge`: enforce the retention periods for attendance notes, audit entries and
sent mail."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.auth.retention import DEFAULT_AUDIT_DAYS, DEFAULT_NOTES_DAYS, DEFAULT_OUTBOX_DAYS, purge
from lms.db_types import utcnow
from lms.extensions import db


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would go, change nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Clear old attendance notes; delete old audit entries and old finished mail.

    The periods are RETENTION_ATTENDANCE_NOTES_DAYS, RETENTION_AUDIT_DAYS and
    RETENTION_OUTBOX_DAYS (in days).
    """
    config = current_app.config
    try:
        result = purge(utcnow(), int(config.get("RETENTION_AUDIT_DAYS", DEFAULT_AUDIT_DAYS)),
                       int(config.get("RETENTION_ATTENDANCE_NOTES_DAYS", DEFAULT_NOTES_DAYS)),
                       int(config.get("RETENTION_OUTBOX_DAYS", DEFAULT_OUTBOX_DAYS)),
                       dry_run=dry_run)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    if dry_run:
        db.session.rollback()
        click.echo("Nothing changed (dry run). Would remove or clear:")
    else:
        db.session.commit()
        click.echo("Removed or cleared:")
    for line in result.lines():
        click.echo(f"  {line}")
