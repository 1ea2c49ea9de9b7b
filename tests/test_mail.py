"""Mail leaves only with the work that wrote it, after that work is committed, and a mail
server that fails never undoes or fails the work: the message waits in the outbox."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, func, select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.mail import services as mail
from lms.mail.models import MessageStatus, OutboxMessage
from lms.progress.models import Enrolment, SessionReminder
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import participant, scheduled_edition
from tests.served import free_port
from tests.smtp import MailServer, mail_server

# The evening before the first in-person day of ``scheduled_edition`` (6 September 2026, Cairo).
EVENING_BEFORE = datetime(2026, 9, 5, 17, 0, tzinfo=UTC)
LAILA = {"full_name": "Laila Nabil", "email": "laila@example.org", "organisation_type": "ngo",
         "language": "en"}
ROSTER = ("name,name_ar,email,organisation,organisation_type,country,gender\n"
          "Hana Mostafa,,hana@example.org,Ministry,government,Egypt,\n"
          "Youssef Samir,,youssef@example.org,Caritas,ngo,Egypt,\n"
          "Mona Adel,,mona@example.org,IOM,other,Egypt,\n")


def use_mail_server(app: Flask, port: int) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)


@contextmanager
def serving(app: Flask, **options: Any) -> Iterator[MailServer]:
    """A mail server the platform sends to, for the length of the block."""
    with mail_server(**options) as server:
        use_mail_server(app, server.port)
        yield server


def rows(**filters: object) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).filter_by(**filters)
                                   .order_by(OutboxMessage.id)))


def statuses() -> dict[str, MessageStatus]:
    return {m.recipient: m.status for m in rows()}


def notify(user: User) -> OutboxMessage:
    return mail.send(user.email, "password_changed", "en", user=user, link="http://x.invalid/")


def test_rolled_back_work_mails_nothing(app: Flask) -> None:
    """Mail written by work that is rolled back, whole or in a savepoint, never leaves; mail of
    committed work leaves once, and the platform keeps no copy of its text."""
    user = factories.make_user(email="amira@example.org")
    db.session.commit()
    with serving(app) as server:
        notify(user)
        db.session.rollback()
        db.session.commit()
        with suppress(LookupError), db.session.begin_nested():
            notify(user)
            raise LookupError("the work failed after writing its mail")
        db.session.commit()
        assert server.messages == [] and rows() == []

        notify(user)
        assert server.messages == []  # nothing leaves before the commit
        db.session.commit()
    assert server.recipients == ["amira@example.org"]
    assert "password" in str(server.messages[0]["Subject"]).lower()
    [row] = rows()
    assert row.status == MessageStatus.SENT and row.attempted_at is not None
    # The text may hold a password link, which the platform otherwise keeps only hashed.
    assert (row.body_text, row.body_html, row.error) == ("", None, None)


def test_invitation_leaves_only_after_the_enrolment_is_committed(
        app: Flask, client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Enrolling a new person mails the invitation after the enrolment is committed, with a
    link that works; an enrolment that fails after writing its invitation mails nothing."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    events: list[str] = []

    def committed(_connection: object) -> None:
        events.append("commit")

    event.listen(db.engine, "commit", committed)
    try:
        with serving(app, on_message=lambda message: events.append(f"mail {message['To']}")
                     ) as server:
            with mock.patch("lms.progress.enrolment_views.record",
                            side_effect=RuntimeError("audit failed")):
                failed = client.post(f"/admin/editions/{edition.id}/enrol", data=LAILA)
            assert failed.status_code == 500
            assert "mail laila@example.org" not in events
            assert db.session.scalar(select(User).filter_by(email=LAILA["email"])) is None

            events.clear()
            response = client.post(f"/admin/editions/{edition.id}/enrol", data=LAILA)
            assert response.status_code == 302
    finally:
        event.remove(db.engine, "commit", committed)
    assert "mail laila@example.org" in events
    assert events.index("commit") < events.index("mail laila@example.org")
    user = db.session.scalar(select(User).filter_by(email=LAILA["email"]))
    assert user is not None
    assert db.session.scalar(select(Enrolment).filter_by(user_id=user.id)) is not None
    assert statuses() == {"laila@example.org": MessageStatus.SENT}
    [message] = server.messages
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"/password/set\?token=[\w-]+", text)
    assert found, text
    auth.logout()
    assert client.get(found.group(0)).status_code == 200


def test_a_mail_server_failure_never_fails_an_enrolment(
        app: Flask, client: FlaskClient, auth: Auth, loaded: object,
        caplog: pytest.LogCaptureFixture) -> None:
    """With the mail server down, enrolling succeeds; the invitation waits in the outbox as
    not sent, with the reason, the log names it, and its link is not shown to admins."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    use_mail_server(app, free_port())  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="lms.mail.services"):
        response = client.post(f"/admin/editions/{edition.id}/enrol", data=LAILA)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
    [row] = rows()
    assert row.status == MessageStatus.FAILED and row.error
    assert "/password/set?token=" in row.body_text  # kept, to be sent again
    assert any("laila@example.org" in r.getMessage() and "invitation" in r.getMessage()
               for r in caplog.records)

    listing = client.get("/admin/outbox").text
    assert "Not sent" in listing and "1 message has not been sent" in listing
    assert "flask lms send-mail" in listing and row.error in listing
    page = client.get(f"/admin/outbox/{row.id}").text
    assert "Not sent" in page and row.error in page
    assert "token=" not in page


def test_one_transaction_sends_its_messages_over_one_connection(
        app: Flask, client: FlaskClient, auth: Auth, loaded: object) -> None:
    """A roster import mails every invitation after its commit over one connection; when the
    server drops one of them, the others still go and the import stands."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    with serving(app, drop_on={2}) as server:
        response = client.post(f"/admin/editions/{edition.id}/roster",
                               data={"text": ROSTER, "confirm": "1"})
        assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 3
    assert statuses() == {"hana@example.org": MessageStatus.SENT,
                          "youssef@example.org": MessageStatus.FAILED,
                          "mona@example.org": MessageStatus.SENT}
    assert server.recipients == ["hana@example.org", "mona@example.org"]
    # One connection for the batch, and a new one after the server dropped the first.
    assert server.connections == 2


def test_reminders_are_recorded_whatever_the_mail_server_does(
        app: Flask, runner: FlaskCliRunner, loaded: object) -> None:
    """A mail server that fails on one reminder leaves every reminder recorded and the command
    ends cleanly saying so; running it again mails no one twice, and `flask lms send-mail`
    sends what failed."""
    edition = scheduled_edition()
    people = [participant(edition, email=f"p{n}@example.org") for n in (1, 2, 3)]
    db.session.commit()
    with serving(app, drop_on={2}) as server, \
            mock.patch("lms.progress.cli.utcnow", return_value=EVENING_BEFORE):
        result = runner.invoke(args=["lms", "send-reminders"])
        assert result.exit_code == 0, result.output
        assert "Sent 2 reminder(s)." in result.output
        assert "1 reminder(s) could not be sent" in result.output
        assert db.session.scalar(select(func.count()).select_from(SessionReminder)) == 3
        assert len(server.messages) == 2

        again = runner.invoke(args=["lms", "send-reminders"])
        assert again.exit_code == 0 and "Sent 0 reminder(s)." in again.output
        assert len(server.messages) == 2

        failed = [m.recipient for m in rows(status=MessageStatus.FAILED)]
        assert len(failed) == 1
        retry = runner.invoke(args=["lms", "send-mail"])
        assert retry.exit_code == 0 and "Sent 1 message(s)." in retry.output
        assert sorted(server.recipients) == sorted(p.email for p in people)
        assert server.recipients[-1] == failed[0]
        db.session.expire_all()
        assert set(statuses().values()) == {MessageStatus.SENT}

        nothing = runner.invoke(args=["lms", "send-mail"])
        assert nothing.exit_code == 0 and "Sent 0 message(s)." in nothing.output
    assert len(server.messages) == 3


def test_send_mail_takes_up_interrupted_deliveries_and_reports_failures(
        app: Flask, runner: FlaskCliRunner) -> None:
    """`flask lms send-mail` sends messages left waiting, or left mid-delivery an hour ago;
    a message being sent right now is left to its sender; a failure ends the command with an
    error."""
    now = datetime.now(UTC)
    for email, status, attempted in (
            ("waiting@example.org", MessageStatus.PENDING, None),
            ("cut-off@example.org", MessageStatus.SENDING, now - timedelta(hours=2)),
            ("in-flight@example.org", MessageStatus.SENDING, now - timedelta(seconds=5)),
            ("done@example.org", MessageStatus.SENT, now),
            ("dev@example.org", MessageStatus.KEPT, None)):
        db.session.add(OutboxMessage(recipient=email, template="password_changed",
                                     language="en", subject="Hello", body_text="Text",
                                     status=status, attempted_at=attempted))
    db.session.commit()
    with serving(app) as server:
        result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 0 and "Sent 2 message(s)." in result.output
    assert sorted(server.recipients) == ["cut-off@example.org", "waiting@example.org"]
    assert statuses()["in-flight@example.org"] == MessageStatus.SENDING

    db.session.add(OutboxMessage(recipient="late@example.org", template="password_changed",
                                 language="en", subject="Hello", body_text="Text",
                                 status=MessageStatus.FAILED, error="421 try later"))
    db.session.commit()
    use_mail_server(app, free_port())
    down = runner.invoke(args=["lms", "send-mail"])
    assert down.exit_code != 0 and "1 message(s) could not be sent" in down.output
    db.session.expire_all()
    assert statuses()["late@example.org"] == MessageStatus.FAILED


def test_without_a_mail_server_the_outbox_keeps_every_message(
        app: Flask, client: FlaskClient, auth: Auth, runner: FlaskCliRunner,
        loaded: object) -> None:
    """Without MAIL_SERVER nothing is sent: each message is kept whole in the outbox, where
    admins read it, and `flask lms send-mail` says there is no server to send to."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    with mock.patch("smtplib.SMTP", side_effect=AssertionError("no mail server is set")):
        response = client.post(f"/admin/editions/{edition.id}/enrol", data=LAILA)
        assert response.status_code == 302
        [row] = rows()
        assert row.status == MessageStatus.KEPT and "/password/set?token=" in row.body_text
        listing = client.get("/admin/outbox").text
        assert "No mail server is configured" in listing and "Kept here" in listing
        page = client.get(f"/admin/outbox/{row.id}").text
        assert "/password/set?token=" in page
        result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code != 0 and "MAIL_SERVER" in result.output
    db.session.expire_all()
    assert rows()[0].status == MessageStatus.KEPT


def test_addresses_that_cannot_exist_are_kept_not_sent(app: Flask) -> None:
    """Anonymised and synthetic accounts have addresses under .invalid, which no server can
    deliver: their mail stays in the outbox, is never handed to the server, and so never
    makes `send-mail` report a failure."""
    nobody = factories.make_user(email="synthetic-1-7@example.invalid")
    someone = factories.make_user(email="someone@example.org")
    with serving(app) as server:
        notify(nobody)
        notify(someone)
        db.session.commit()
    assert statuses() == {"synthetic-1-7@example.invalid": MessageStatus.KEPT,
                          "someone@example.org": MessageStatus.SENT}
    assert server.recipients == ["someone@example.org"]


def test_send_mail_withdraws_messages_that_are_out_of_date(
        app: Flask, client: FlaskClient, auth: Auth, runner: FlaskCliRunner) -> None:
    """Retried later, a message whose link has expired, a reminder of a day that has begun,
    or a message about a person whose address changed or whose account was closed is not
    sent: it is withdrawn with the reason, and the outbox stops counting it as waiting. The
    notice of an address change still goes to the former address, and a fresh reset link
    still goes out."""
    now = datetime.now(UTC)
    moved = factories.make_user(email="moved@example.org")
    closed = factories.make_user(email="closed@example.org")
    kept = factories.make_user(email="kept@example.org")
    closed.is_active_account = False
    db.session.flush()

    def failed(user: User | None, to: str, template: str, age: timedelta) -> None:
        db.session.add(OutboxMessage(
            recipient=to, template=template, user_id=user.id if user else None, language="en",
            subject="Hello", body_text="Text", status=MessageStatus.FAILED,
            error="421 try later", created_at=now - age))

    failed(kept, "kept@example.org", "password_reset", timedelta(hours=2))
    failed(kept, "kept@example.org", "session_reminder", timedelta(days=2))
    failed(moved, "old-address@example.org", "certificate_issued", timedelta(minutes=5))
    failed(closed, "closed@example.org", "password_changed", timedelta(minutes=5))
    failed(moved, "old-address@example.org", "email_changed", timedelta(minutes=5))
    failed(kept, "kept@example.org", "invitation", timedelta(hours=1))
    failed(None, "someone@example.org", "password_changed", timedelta(days=3))
    db.session.commit()
    with serving(app) as server:
        result = runner.invoke(args=["lms", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 3 message(s)." in result.output and "Withdrew 4 message(s)" in result.output
    assert sorted(server.recipients) == ["kept@example.org", "old-address@example.org",
                                         "someone@example.org"]
    db.session.expire_all()
    by_template = {(m.recipient, m.template): m for m in rows()}
    assert by_template[("kept@example.org", "invitation")].status == MessageStatus.SENT
    assert by_template[("old-address@example.org", "email_changed")].status == MessageStatus.SENT
    withdrawn = [m for m in rows() if m.status == MessageStatus.WITHDRAWN]
    assert {m.template for m in withdrawn} == {"password_reset", "session_reminder",
                                               "certificate_issued", "password_changed"}
    assert all(m.error and m.error.startswith("out of date") for m in withdrawn)

    auth.login_as(Role.ADMIN)
    listing = client.get("/admin/outbox").text
    assert "Not sent: out of date" in listing and "has not been sent" not in listing
    assert "out of date: the person&#39;s address has changed" in listing
    with serving(app) as server:
        again = runner.invoke(args=["lms", "send-mail"])
    assert "Sent 0 message(s)." in again.output and server.recipients == []


def test_a_reset_link_goes_out_after_the_answer(app: Flask, client: FlaskClient) -> None:
    """The password reset page answers before its mail is handed to the mail server, so
    how long the server takes cannot tell anyone which addresses have accounts; the mail
    goes out once the answer has been sent."""
    factories.make_user(email="known@example.org")
    db.session.commit()
    with serving(app) as server:
        response = client.post("/password/forgot", data={"email": "known@example.org"})
        assert response.status_code == 302
        assert server.recipients == [] and statuses()["known@example.org"] == (
            MessageStatus.PENDING)
        response.close()  # what the server does once the answer is out
        assert server.recipients == ["known@example.org"]
    db.session.expire_all()
    assert statuses()["known@example.org"] == MessageStatus.SENT


def test_the_outbox_pages_by_its_count(client: FlaskClient, auth: Auth) -> None:
    """Fifty messages fill one page with no link to an empty second one; the fifty-first
    makes a second page that shows it. A page past the end says so, not that the outbox is
    empty, and the unsent list with nothing in it says every message was taken."""
    auth.login_as(Role.ADMIN)

    def add(count: int, start: int = 0) -> None:
        for n in range(start, start + count):
            db.session.add(OutboxMessage(recipient=f"p{n}@example.org", template="invitation",
                                         language="en", subject=f"Message {n}",
                                         body_text="x", status=MessageStatus.SENT))
        db.session.commit()

    add(50)
    first = client.get("/admin/outbox").text
    assert 'rel="next"' not in first and "Page 1 of" not in first
    beyond = client.get("/admin/outbox?page=2").text
    assert "There are no messages on this page." in beyond
    assert "The outbox is empty." not in beyond
    assert "The mail server has taken every message." in client.get(
        "/admin/outbox?show=unsent").text
    add(1, 50)
    assert 'rel="next"' in client.get("/admin/outbox").text
    second = client.get("/admin/outbox?page=2").text
    assert "Page 2 of 2" in second and "Message 0" in second
