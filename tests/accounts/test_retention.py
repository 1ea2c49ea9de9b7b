"""`flask lms purge`: attendance notes and audit entries older than the retention period."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.audit.services import record
from lms.auth.models import Role
from lms.db_types import utcnow
from lms.extensions import db
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
        event = record(None, "test.event", None, actor_label=marker)
        event.at = now - timedelta(days=days * 2)
    db.session.commit()


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


def test_no_route_deletes_audit_entries(app: Flask) -> None:
    """The purge is a command only: no URL of the platform mentions it."""
    assert not [rule for rule in app.url_map.iter_rules() if "purge" in rule.rule]
