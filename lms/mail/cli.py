"""`flask lms send-mail`: send the messages the mail server has not taken."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.db_types import utcnow
from lms.mail import services as mail


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the mail the mail server has not taken: messages that failed (listed as not sent
    at /admin/outbox), and those a stopped request or command left waiting.

    Run it once the mail server works again; a message the server still refuses stays in the
    outbox with the reason, and the command exits with an error.
    """
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("no MAIL_SERVER is configured: messages stay in the outbox")
    delivery = mail.send_unsent(utcnow())
    click.echo(f"Sent {delivery.sent} message(s).")
    if delivery.failed:
        raise click.ClickException(
            f"{delivery.failed} message(s) could not be sent: the reasons are in the outbox "
            "(/admin/outbox) and the log")
