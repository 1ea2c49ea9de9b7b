"""`flask lms purge`: attendance notes, audit entries and finished mail older than the retention
periods."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import MessageStatus, OutboxMessage
from lms.progress.models import Apology, Attendance, AttendanceSource, AttendanceStatus
from tests import factories
from tests.accounts.records import session_of


def setup_records() -> None:
    edition = factories.make_edition()
    teacher = factories.make_user(role=Role.INSTRUCTOR)
    now = utcnow()
    for days, marker in ((400, "old"), (10, "recent")):
        person = factories.make_user()
        session = session_of(edition, date(2026, 1, 1) + timedelta(days=days))
        db.session.add(Attendance(session_id=session.id, user_id=person.id,
                                  status=AttendanceStatus.LATE, note=f"{marker} note",
                                  source=AttendanceSource.ROSTER, marked_by_id=teacher.id,
                                  marked_at=now - timedelta(days=days)))
        db.session.add(Apology(session_id=session.id, user_id=person.id,
                               reason=f"{marker} reason", sent_at=now - timedelta(days=days)))
        # Written as an event recorded that long ago would have been.
        db.session.add(AuditEvent(at=now - timedelta(days=days * 2), action="test.event",
                                  actor_label=marker, outcome="success", details={}))
    db.session.commit()


def setup_mail() -> None:
    """Mail of every status written long ago, and mail sent and failed lately."""
    now = utcnow()
    for days, status in ((200, MessageStatus.SENT), (200, MessageStatus.FAILED),
                         (200, MessageStatus.PENDING), (200, MessageStatus.SENDING),
                         (200, MessageStatus.KEPT), (10, MessageStatus.SENT),
                         (10, MessageStatus.FAILED)):
        db.session.add(OutboxMessage(
            created_at=now - timedelta(days=days), recipient=f"{status}-{days}@example.org",
            template="invitation", language="en", subject="Your account", body_text="",
            status=status))
    db.session.commit()


def mail_left() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(OutboxMessage.recipient)))


ALL_MAIL = sorted(f"{status}-{days}@example.org" for days, status in (
    (200, "sent"), (200, "failed"), (200, "pending"), (200, "sending"), (200, "kept"),
    (10, "sent"), (10, "failed")))


def notes() -> list[str]:
    return sorted(db.session.scalars(select(Attendance.note)))


def test_dry_run_counts_and_changes_nothing(app: Flask, runner: FlaskCliRunner,
                                            loaded: object) -> None:
    """--dry-run reports what would go and leaves everything in place."""
    setup_records()
    result = runner.invoke(args=["lms", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "attendance notes before" in result.output
    assert notes() == ["old note", "recent note"]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_purge_clears_old_notes_and_deletes_old_audit_entries(
        app: Flask, runner: FlaskCliRunner, loaded: object) -> None:
    """Old notes and reasons are cleared (the marks stay); old audit entries are deleted; the
    purge itself is recorded."""
    setup_records()
    result = runner.invoke(args=["lms", "purge"])
    assert result.exit_code == 0, result.output
    assert notes() == ["", "recent note"]
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2
    assert sorted(db.session.scalars(select(Apology.reason))) == ["", "recent reason"]
    labels = sorted(db.session.scalars(select(AuditEvent.actor_label)))
    assert labels == ["flask lms purge", "recent"]
    purge = db.session.scalar(select(AuditEvent).filter_by(action="retention.purge"))
    assert purge is not None and purge.details["audit_events"] == "1"


def test_periods_are_configurable(app: Flask, runner: FlaskCliRunner, loaded: object) -> None:
    """A shorter period clears more; a period under one day is refused."""
    setup_records()
    app.config["RETENTION_ATTENDANCE_NOTES_DAYS"] = 5
    app.config["RETENTION_AUDIT_DAYS"] = 5
    assert runner.invoke(args=["lms", "purge"]).exit_code == 0
    assert notes() == ["", ""]
    app.config["RETENTION_AUDIT_DAYS"] = 0
    result = runner.invoke(args=["lms", "purge"])
    assert result.exit_code == 1 and "at least one day" in result.output


def test_purge_deletes_old_finished_mail_only(app: Flask, runner: FlaskCliRunner,
                                              loaded: object) -> None:
    """Mail the server took or gave up on, and mail kept for reading without a server, goes
    after the period (180 days unless set); mail still to be sent and recent mail stay; the
    count is recorded."""
    setup_mail()
    result = runner.invoke(args=["lms", "purge"])
    assert result.exit_code == 0, result.output
    assert "sent, failed or kept mail before" in result.output
    assert mail_left() == sorted(["pending-200@example.org", "sending-200@example.org",
                                  "sent-10@example.org", "failed-10@example.org"])
    purge = db.session.scalar(select(AuditEvent).filter_by(action="retention.purge"))
    assert purge is not None
    assert purge.details["outbox_messages"] == "3" and purge.details["outbox_days"] == "180"


def test_dry_run_counts_old_mail_and_deletes_none(app: Flask, runner: FlaskCliRunner,
                                                  loaded: object) -> None:
    """--dry-run says how many mail records would go and keeps every one."""
    setup_mail()
    result = runner.invoke(args=["lms", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "or kept mail" in line)
    assert line.endswith(": 3")
    assert mail_left() == ALL_MAIL


def test_mail_period_is_configurable(app: Flask, runner: FlaskCliRunner,
                                     loaded: object) -> None:
    """A shorter period takes the recent finished mail too; under one day is refused and
    deletes nothing."""
    setup_mail()
    app.config["RETENTION_OUTBOX_DAYS"] = 0
    result = runner.invoke(args=["lms", "purge"])
    assert result.exit_code == 1 and "at least one day" in result.output
    assert mail_left() == ALL_MAIL
    app.config["RETENTION_OUTBOX_DAYS"] = 5
    assert runner.invoke(args=["lms", "purge"]).exit_code == 0
    assert mail_left() == sorted(["pending-200@example.org", "sending-200@example.org"])


def test_no_route_deletes_audit_entries(app: Flask) -> None:
    """The purge is a command only: no URL of the platform mentions it."""
    assert not [rule for rule in app.url_map.iter_rules() if "purge" in rule.rule]
