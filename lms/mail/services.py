"""Mail in the recipient's language, sent only when the work that wrote it is committed.

``send`` records every message in the current transaction. Without ``MAIL_SERVER`` it stays in
the outbox, where admins read it. With one, the message is handed to the mail server once its
transaction has committed, by the request or command that committed it; a rollback discards
it with the rest of the work. A mail server that fails never undoes or fails that work: the
message stays in the outbox as not sent, with the reason, until `flask lms send-mail` sends it.
"""

from __future__ import annotations

import dataclasses
import logging
import smtplib
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from flask import after_this_request, current_app, g, has_request_context, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import ColumnElement, and_, event, func, inspect, or_, select, update
from sqlalchemy.orm import InstanceState, Session, SessionTransaction
from werkzeug.wrappers import Response

from lms.auth.models import User
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import UNSENT, MessageStatus, OutboxMessage
from lms.mail.out_of_date import Recipient, out_of_date

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 30
# A delivery still marked as under way after this long was cut off (its worker or command
# stopped): no request or command takes that long, so `flask lms send-mail` tries it again.
INTERRUPTED_AFTER = timedelta(hours=1)
# On ``Session.info``: the messages of the open transaction, and those whose transaction has
# committed, to hand over once the session has let go of its connection.
_AWAITING_COMMIT = "lms.mail.awaiting_commit"
_COMMITTED = "lms.mail.committed"


@dataclass(frozen=True)
class Outgoing:
    """A message as the mail server gets it; ``id`` is its outbox row."""

    id: int
    to: str
    template: str
    subject: str
    text: str
    html: str | None
    after_response: bool = False  # handed over once the page has gone out (``send``)


@dataclass
class Delivery:
    """How many messages of one hand-over the mail server took and how many it did not."""

    sent: int = 0
    failed: int = 0
    withdrawn: int = 0  # out of date by the time they could be sent again


def send(to: str, template: str, language: str, after_response: bool = False,
         **context: Any) -> OutboxMessage:
    """Render ``mail/<template>`` in ``language`` and record it in the current transaction.

    With ``MAIL_SERVER`` the message goes to the mail server once the transaction commits and
    never if it rolls back; should the server fail, the work stands and the message waits in
    the outbox as not sent. Without ``MAIL_SERVER`` the message stays in the outbox, where
    admins read it, and a line goes to the log; so every flow works without a mail server.

    ``after_response`` hands the message over only once the page has been sent, for a page
    whose answer must take as long whether or not it mails anyone (the password reset: how
    long the mail server takes would tell which addresses have accounts).
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
    # An address under .invalid (anonymised and synthetic accounts) can never be delivered
    # (RFC 6761): kept, never handed to the server, where it would only fail on every run.
    to_server = bool(current_app.config.get("MAIL_SERVER")) and not to.endswith(".invalid")
    person = context.get("user")  # every message about a person passes them as ``user``
    message = OutboxMessage(created_at=utcnow(), recipient=to, template=template,
                            user_id=getattr(person, "id", None),
                            language=language, subject=subject, body_text=text, body_html=html,
                            status=MessageStatus.PENDING if to_server else MessageStatus.KEPT)
    db.session.add(message)
    if to_server:
        # Kept as written: after the commit the row's attributes cannot be read back without
        # a query, and the commit's own hooks may not run one.
        draft = Outgoing(0, to, template, subject, text, html, after_response)
        db.session.info.setdefault(_AWAITING_COMMIT, []).append((message, draft))
        log.info("mail %r for %r, to be sent once committed", template, to)
    else:
        log.info("mail to the outbox: %r for %r", template, to)
    return message


@event.listens_for(Session, "after_commit")
def _messages_committed(orm_session: Session) -> None:
    # A savepoint's release is not the commit: the transaction around it can still roll back.
    if orm_session.in_nested_transaction():
        return
    waiting = orm_session.info.pop(_AWAITING_COMMIT, None)
    if not waiting:
        return
    committed = orm_session.info.setdefault(_COMMITTED, [])
    for message, draft in waiting:
        # A message written in a savepoint that rolled back has left the session with it.
        message_id = _row_id(message)
        if message_id is not None:
            committed.append(dataclasses.replace(draft, id=message_id))


@event.listens_for(Session, "after_transaction_end")
def _hand_over_committed(orm_session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    # Whatever still awaits a commit was rolled back or thrown away with the session.
    orm_session.info.pop(_AWAITING_COMMIT, None)
    committed = orm_session.info.pop(_COMMITTED, None)
    if not committed:
        return
    later = [message for message in committed if message.after_response]
    if later and has_request_context():
        _deliver_after_response(later)
        committed = [message for message in committed if not message.after_response]
    _deliver_committed(committed)


def _deliver_committed(messages: Sequence[Outgoing]) -> None:
    # The work is committed and its page or command must succeed whatever happens here; what
    # is not handed over stays in the outbox for `flask lms send-mail`.
    if not messages:
        return
    try:
        _deliver(messages, utcnow())
    except Exception:
        log.exception("handing mail to the mail server stopped; `flask lms send-mail` sends "
                      "what is left")


def _deliver_after_response(messages: Sequence[Outgoing]) -> None:
    """Hand the messages over once the response has been sent (when the server closes it).

    Should that never happen (the worker stops first), they wait in the outbox for
    `flask lms send-mail`, as after any failure.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def deliver() -> None:
        with app.app_context():
            _deliver_committed(messages)

    @after_this_request
    def when_sent(response: Response) -> Response:
        response.call_on_close(deliver)
        return response


def send_unsent(now: datetime) -> Delivery:
    """Hand to the mail server every message it has not taken: those that failed, those left
    waiting by a request or command that stopped before sending them, and those whose sending
    was cut off over an hour ago (which may have gone out: a second copy is better than none).

    A message that is out of date by now (``out_of_date``) is withdrawn instead, with the
    reason, and never sent. Reads on a connection of its own, so the caller's transaction is
    left alone.
    """
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage.id, OutboxMessage.recipient, OutboxMessage.template,
                   OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html,
                   OutboxMessage.created_at, User.email, User.is_active_account,
                   User.anonymised_at.is_not(None))
            .outerjoin(User, User.id == OutboxMessage.user_id)
            .where(_claimable(now)).order_by(OutboxMessage.id)).all()
    outgoing: list[Outgoing] = []
    withdrawn = 0
    for *fields, created_at, email, active, anonymised in rows:
        message = Outgoing(*fields)
        person = None if email is None else Recipient(email, bool(active) and not anonymised)
        reason = out_of_date(message.template, message.to, created_at, person, now)
        if reason is None:
            outgoing.append(message)
        elif _update(message.id, _claimable(now), status=MessageStatus.WITHDRAWN, error=reason):
            log.info("mail %r for %r withdrawn: %s", message.template, message.to, reason)
            withdrawn += 1
    done = _deliver(outgoing, now)
    done.withdrawn = withdrawn
    return done


def not_sent(messages: Iterable[OutboxMessage]) -> int:
    """How many of these messages, once committed, the mail server has not taken."""
    ids = [message_id for message in messages if (message_id := _row_id(message)) is not None]
    if not ids:
        return 0
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.id.in_(ids), OutboxMessage.status.in_(UNSENT))) or 0


def _row_id(message: OutboxMessage) -> int | None:
    """The id of the message's row, read without a query; None if it was never written or
    was rolled back (the session forgets the id then)."""
    state: InstanceState[OutboxMessage] = inspect(message)
    return int(state.identity[0]) if state.identity else None


def _deliver(messages: Sequence[Outgoing], now: datetime) -> Delivery:
    """Hand the messages to the mail server over one connection and record how each went.

    Each row is claimed first, so a message that another worker or command is sending is
    left to it and none goes out twice. After a failure the next message opens a new
    connection; but when the server cannot be reached at all, the remaining messages are
    recorded as failed without trying, so a server that is down costs one timeout, not one
    per message. Rows are written on connections of their own, outside any session.
    """
    done = Delivery()
    smtp: smtplib.SMTP | None = None
    try:
        for index, message in enumerate(messages):
            if not _update(message.id, _claimable(now), status=MessageStatus.SENDING,
                           attempted_at=now):
                continue
            if smtp is None:
                try:
                    smtp = _connect()
                except (smtplib.SMTPException, OSError) as error:
                    _failed(message, error)
                    done.failed += 1 + sum(_failed(rest, error, unclaimed_at=now)
                                           for rest in messages[index + 1:])
                    break
            try:
                smtp.send_message(_email(message))
            except (smtplib.SMTPException, OSError) as error:
                _failed(message, error)
                done.failed += 1
                _hang_up(smtp)  # the connection may be broken; the next message opens another
                smtp = None
            else:
                _update(message.id, OutboxMessage.status == MessageStatus.SENDING,
                        status=MessageStatus.SENT, error=None, body_text="", body_html=None)
                log.info("mail %r sent to %r", message.template, message.to)
                done.sent += 1
    finally:
        if smtp is not None:
            _hang_up(smtp)
    return done


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Messages no one is sending: waiting, failed, or cut off in the middle of sending."""
    return or_(OutboxMessage.status.in_((MessageStatus.PENDING, MessageStatus.FAILED)),
               and_(OutboxMessage.status == MessageStatus.SENDING,
                    OutboxMessage.attempted_at < now - INTERRUPTED_AFTER))


def _update(message_id: int, condition: ColumnElement[bool], **values: Any) -> bool:
    """Change a message's row in a transaction of its own, if it still meets ``condition``."""
    with db.engine.begin() as connection:
        result = connection.execute(update(OutboxMessage).where(
            OutboxMessage.id == message_id, condition).values(**values))
    return bool(result.rowcount == 1)


def _failed(message: Outgoing, error: Exception, unclaimed_at: datetime | None = None) -> int:
    """Record that the mail server did not take the message, and log it; 1 if recorded.

    ``unclaimed_at``: the message was not claimed (the server could not be reached for an
    earlier one), so it is recorded only if no one else has taken it since.
    """
    reason = _reason(error)
    if unclaimed_at is None:
        condition = OutboxMessage.status == MessageStatus.SENDING
        values: dict[str, Any] = {}
    else:
        condition, values = _claimable(unclaimed_at), {"attempted_at": unclaimed_at}
    if not _update(message.id, condition, status=MessageStatus.FAILED, error=reason, **values):
        return 0
    log.warning("mail %r for %r not sent: %s", message.template, message.to, reason)
    return 1


def _reason(error: Exception) -> str:
    """The error on one line, for admins and the log: the server's reply when it gave one."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        if isinstance(reply, bytes):
            reply = reply.decode(errors="replace")
        text = f"{error.smtp_code} {reply}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {reply.decode(errors='replace')}"
                         for code, reply in error.recipients.values())
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:500]


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                        timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _hang_up(smtp: smtplib.SMTP) -> None:
    with suppress(smtplib.SMTPException, OSError):
        smtp.quit()
    smtp.close()


def _email(message: Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


OUTBOX_PAGE = 50


def outbox(page: int, per_page: int = OUTBOX_PAGE,
           unsent_only: bool = False) -> tuple[list[OutboxMessage], int]:
    """One page of messages, newest first, and how many there are in all; with
    ``unsent_only``, only those the mail server has not taken."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    total = select(func.count()).select_from(OutboxMessage)
    if unsent_only:
        query = query.where(OutboxMessage.status.in_(UNSENT))
        total = total.where(OutboxMessage.status.in_(UNSENT))
    messages = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return messages, db.session.scalar(total) or 0


def unsent_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status.in_(UNSENT))) or 0


def outbox_message(message_id: int) -> OutboxMessage | None:
    return db.session.get(OutboxMessage, message_id)
