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
    outbox with the reason, and the command exits with an error. A message out of date by then
    (an expired link, a reminder of a day that has begun, a person whose address changed or
    whose account was closed) is withdrawn, not sent; the outbox says why.
    """
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("no MAIL_SERVER is configured: messages stay in the outbox")
    delivery = mail.send_unsent(utcnow())
    click.echo(f"Sent {delivery.sent} message(s).")
    if delivery.withdrawn:
        click.echo(f"Withdrew {delivery.withdrawn} message(s) that were out of date (expired "
                   "links, days passed, changed addresses or closed accounts): the outbox "
                   "(/admin/outbox) gives the reason for each.")
    if delivery.failed:
        raise click.ClickException(
            f"{delivery.failed} message(s) could not be sent: the reasons are in the outbox "
            "(/admin/outbox) and the log")
