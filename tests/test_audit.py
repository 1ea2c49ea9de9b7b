"""The audit log: who did what, when and from where; readable and exportable, never editable."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.audit.services import record
from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).filter_by(action=action)
                                   .order_by(AuditEvent.id)))


def test_login_success_failure_and_logout_are_recorded(client: FlaskClient, auth: Auth) -> None:
    """Each login attempt and each logout leaves an event with time, address and request id."""
    user = factories.make_user(email="who@example.org")
    db.session.commit()
    client.post("/login", data={"email": "who@example.org", "password": "wrong password!"})
    auth.login(user)
    auth.logout()
    failure, success = events("login")
    assert failure.outcome == "failure" and failure.actor_id is None
    assert failure.actor_label == "who@example.org"
    assert success.outcome == "success" and success.actor_id == user.id
    assert success.ip == "127.0.0.1" and len(success.request_id) == 16
    assert success.at.tzinfo is not None
    assert events("logout")[0].actor_id == user.id


def test_denied_access_is_recorded(client: FlaskClient, auth: Auth) -> None:
    """A 403 is an audit event with the path that was refused."""
    user = auth.login_as(Role.PARTICIPANT)
    assert client.get("/admin/audit").status_code == 403
    denied = events("access.denied")
    assert denied[0].actor_id == user.id and denied[0].target_id == "/admin/audit"
    assert denied[0].outcome == "denied"


def test_control_characters_cannot_forge_entries(app: Flask) -> None:
    """Newlines and other control characters in names are neutralised before storing."""
    record(None, "login", None, "failure",
           actor_label="eve@example.org\n2026-01-01 admin login success\r")
    db.session.commit()
    [event] = events("login")
    assert event.actor_label == "eve@example.org?2026-01-01 admin login success?"


def test_admin_reads_filters_and_exports(client: FlaskClient, auth: Auth) -> None:
    """Admins filter the log and download it as CSV; filters apply to both."""
    admin = auth.login_as(Role.ADMIN, email="boss@example.org")
    record(admin, "user.invite", "42")
    record(None, "login", None, "failure", actor_label="=HYPERLINK(\"x\")")
    db.session.commit()
    page = client.get("/admin/audit?action=user.invite").text
    assert "user.invite" in page and "HYPERLINK" not in page
    failures = client.get("/admin/audit?outcome=failure").text
    assert "HYPERLINK" in failures
    export = client.get("/admin/audit/export.csv?outcome=failure")
    assert export.mimetype == "text/csv"
    text = export.get_data(as_text=True)
    assert text.startswith("\ufeffTime (UTC),Actor ID,")
    assert "'=HYPERLINK" in text  # formula neutralised
    assert "user.invite" not in text


def test_actor_filter_finds_an_address_typed_in_capitals(client: FlaskClient,
                                                         auth: Auth) -> None:
    """A failed login keeps the address as typed: the filter finds it whatever the case, on
    PostgreSQL as on SQLite."""
    auth.login_as(Role.ADMIN)
    record(None, "login", None, "failure", actor_label="Mona@Example.org")
    db.session.commit()
    for typed in ("Mona@Example.org", "mona@example.org"):
        assert "Mona@Example.org" in client.get("/admin/audit", query_string={
            "actor": typed}).text


def test_odd_query_arguments_do_not_break_the_log_page(client: FlaskClient,
                                                       auth: Auth) -> None:
    """The page's links repeat its query; arguments that name the link builder's own options
    (endpoint, _method) are dropped instead of failing the page."""
    auth.login_as(Role.ADMIN)
    for query in ("endpoint=x", "_method=POST", "_external=1&action=login"):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 200, query
        assert "/admin/audit/export.csv" in response.text


def test_no_route_changes_the_log(app: Flask) -> None:
    """Every audit route answers GET only: nothing edits or deletes events."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule


def test_participant_cannot_read_the_log(client: FlaskClient, auth: Auth) -> None:
    """The log and its export are for admins."""
    auth.login_as(Role.INSTRUCTOR)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
