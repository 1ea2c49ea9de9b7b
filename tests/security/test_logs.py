"""Logs and audit rows never hold passwords, link tokens, session cookies or answer keys."""

from __future__ import annotations

import logging
import re
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Role, User
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests import factories
from tests.conftest import Auth
from tests.quizzes.conftest import latest_attempt, page_form, quiz_of

GUNICORN_CONF = Path(__file__).parents[2] / "gunicorn.conf.py"
INVITED_PASSWORD = "lantern orchard 4417 quietly"
RESET_PASSWORD = "copper kettle harbour 9021"
WRONG_PASSWORD = "not my password at all 77"
# What a participant must not learn from a log: the right answers and their feedback.
ANSWER_KEYS = ("non-refoulement", "non refoulement", "1951", "Claim pending",
               "Protected from return", "the claim of an asylum-seeker is still pending")


def _token_from_mail(recipient: str) -> str:
    message = db.session.scalar(select(OutboxMessage).filter_by(recipient=recipient)
                                .order_by(OutboxMessage.id.desc()))
    assert message is not None
    found = re.search(r"/password/set\?token=([\w-]+)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def _set_password(client: FlaskClient, token: str, password: str) -> None:
    assert client.get(f"/password/set?token={token}").status_code == 200
    response = client.post("/password/set", data={"token": token, "password": password,
                                                  "confirm": password})
    assert response.status_code == 302, response.text


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.value
    return cookie.value


def _take_quiz(client: FlaskClient, user: User) -> None:
    response = client.post("/topics/first/quiz/start")
    assert response.status_code == 302, response.text
    attempt = latest_attempt(user, quiz_of("first"))
    for page, action in ((1, "next"), (2, "summary")):
        response = client.post(f"/attempts/{attempt.id}",
                               data=page_form(attempt, page, action=action))
        assert response.status_code == 302, response.text
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 302
    assert latest_attempt(user, quiz_of("first")).submitted_at is not None


def _logged_text(records: list[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        if record.exc_info or record.exc_text:
            parts.append(logging.Formatter().formatException(record.exc_info)
                         if record.exc_info else record.exc_text or "")
    return "\n".join(parts)


def _audit_text() -> str:
    rows = db.session.scalars(select(AuditEvent)).all()
    return "\n".join(f"{r.actor_label} {r.target_type} {r.target_id} {r.details!r}" for r in rows)


@pytest.mark.usefixtures("loaded")
def test_asvs_7_1_1_logs_hold_no_secrets(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """Invite, set a password by link, log in right and wrong, reset, take a quiz: neither the
    log records nor the audit rows ever hold a password, a token, a cookie or an answer key."""
    caplog.set_level(logging.DEBUG)
    edition = factories.make_edition()
    admin = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    admin_client, visitor = app.test_client(), app.test_client()
    assert Auth(admin_client).login(admin).status_code == 302
    secrets = [factories.PASSWORD, INVITED_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD,
               _session_cookie(admin_client), *ANSWER_KEYS]

    response = admin_client.post("/admin/users/invite", data={
        "full_name": "Hala Mansour", "full_name_ar": "هالة منصور", "email": "hala@example.org",
        "role": "participant", "language": "en", "edition": str(edition.id)})
    assert response.status_code == 302, response.text
    invitation = _token_from_mail("hala@example.org")
    _set_password(visitor, invitation, INVITED_PASSWORD)

    assert visitor.post("/login", data={"email": "hala@example.org",
                                        "password": WRONG_PASSWORD}).status_code == 401
    assert visitor.post("/login", data={"email": "hala@example.org",
                                        "password": INVITED_PASSWORD}).status_code == 302
    secrets.append(_session_cookie(visitor))
    visitor.post("/logout")

    assert visitor.post("/password/forgot", data={"email": "hala@example.org"}
                        ).status_code == 302
    reset = _token_from_mail("hala@example.org")
    assert reset != invitation
    _set_password(visitor, reset, RESET_PASSWORD)
    assert visitor.post("/login", data={"email": "hala@example.org",
                                        "password": RESET_PASSWORD}).status_code == 302
    secrets.append(_session_cookie(visitor))
    user = db.session.scalar(select(User).filter_by(email="hala@example.org"))
    assert user is not None
    _take_quiz(visitor, user)
    secrets += [invitation, reset]

    logged, audited = _logged_text(caplog.records), _audit_text()
    assert "hala@example.org" in audited  # the rows were read, so their absence means something
    assert caplog.records, "the flow logs something (mail to the outbox at least)"
    for secret in secrets:
        assert secret.casefold() not in logged.casefold(), secret
        assert secret.casefold() not in audited.casefold(), secret


def test_asvs_7_1_1_access_log_leaves_out_query_strings() -> None:
    """Gunicorn's access log, as configured, writes the path without the query string, so a
    password link's token never reaches it; the session cookie and referrer are not logged."""
    settings = runpy.run_path(str(GUNICORN_CONF))
    log_format = settings["access_log_format"]
    config = GunicornConfig()
    config.set("access_log_format", log_format)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/password/set?token=SECRET-TOKEN",
               "PATH_INFO": "/password/set", "QUERY_STRING": "token=SECRET-TOKEN",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9",
               "HTTP_REFERER": "https://lms.example.org/password/set?token=SECRET-TOKEN",
               "HTTP_USER_AGENT": "Phone"}
    request = SimpleNamespace(headers=[("COOKIE", "session=SECRET-COOKIE"),
                                       ("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = GunicornLogger(config).atoms(response, request, environ, timedelta(seconds=1))
    line = log_format % atoms
    assert "/password/set" in line and "203.0.113.9" in line
    assert "SECRET" not in line
