"""Sending mail in the recipient's language, by SMTP or into the development outbox."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from flask import current_app, g, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import select

from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage

log = logging.getLogger(__name__)


def send(to: str, template: str, language: str, **context: Any) -> OutboxMessage | None:
    """Render ``mail/<template>`` in ``language`` and send it.

    Without ``MAIL_SERVER`` the message goes to the outbox (returned), where admins read it, and
    a line to the log; so every flow works without a mail server.
    """
    language = language if language in current_app.config["LANGUAGES"] else "en"
    # Flask-Babel forces a locale only once ``g`` holds something (as in commands it may not).
    g.setdefault("request_id", "")
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        try:
            html: str | None = render_template(f"mail/{template}.html", lang=language,
                                               **context)
        except TemplateNotFound:
            html = None
    if current_app.config.get("MAIL_SERVER"):
        _send_smtp(to, subject, text, html)
        return None
    message = OutboxMessage(created_at=utcnow(), recipient=to, template=template,
                            language=language, subject=subject, body_text=text, body_html=html)
    db.session.add(message)
    log.info("mail to the outbox: %r for %r", template, to)
    return message


def _send_smtp(to: str, subject: str, text: str, html: str | None) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def outbox(page: int, per_page: int = 50) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))


def outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)
