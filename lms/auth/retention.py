"""The retention period, enforced by `flask lms purge`.

Attendance notes (and the reasons given in apologies) are personal and often sensitive; after
``RETENTION_ATTENDANCE_NOTES_DAYS`` their text is cleared while the marks themselves stay for
completion and certificates. Audit entries older than ``RETENTION_AUDIT_DAYS`` are deleted:
this command is the one documented exception to the audit log being append-only, and no route
can do it. Outbox rows of mail older than ``RETENTION_OUTBOX_DAYS`` are deleted too, once the
mail is done with: taken by the mail server, given up on, or kept for reading where there is no
mail server. They still name the recipient and the subject (kept mail holds its whole text,
password links included), and mail that old is no longer worth sending or reading. Mail still
waiting for the server stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update

from lms.audit.models import AuditEvent
from lms.audit.services import record
from lms.extensions import db
from lms.mail.models import MessageStatus, OutboxMessage
from lms.progress.models import Apology, Attendance, AttendanceChange, MakeUp

DEFAULT_AUDIT_DAYS = 730
DEFAULT_NOTES_DAYS = 365
DEFAULT_OUTBOX_DAYS = 180
# The outbox rows the period applies to: mail the server took, mail it refused or could not be
# reached for (which `send-mail` would still retry although by then its news is out of date), and
# mail kept for reading without a mail server, whose links have long expired.
FINISHED_MAIL = (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.KEPT,
                 MessageStatus.WITHDRAWN)


@dataclass
class PurgeResult:
    audit_cutoff: datetime
    notes_cutoff: datetime
    outbox_cutoff: datetime
    audit_events: int = 0
    attendance_notes: int = 0
    attendance_history_notes: int = 0
    make_up_notes: int = 0
    apology_reasons: int = 0
    outbox_messages: int = 0

    def lines(self) -> list[str]:
        return [
            f"audit entries before {self.audit_cutoff:%Y-%m-%d %H:%M} UTC: {self.audit_events}",
            f"attendance notes before {self.notes_cutoff:%Y-%m-%d %H:%M} UTC: "
            f"{self.attendance_notes}",
            f"notes in the attendance history: {self.attendance_history_notes}",
            f"make-up notes: {self.make_up_notes}",
            f"apology reasons: {self.apology_reasons}",
            f"sent, failed or kept mail before {self.outbox_cutoff:%Y-%m-%d %H:%M} UTC: "
            f"{self.outbox_messages}",
        ]


def _count(query: Select[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def purge(now: datetime, audit_days: int, notes_days: int, outbox_days: int, *,
          dry_run: bool) -> PurgeResult:
    """Delete old audit entries and finished mail, clear old attendance notes (or only count).

    :raises ValueError: for a period shorter than one day.
    """
    if audit_days < 1 or notes_days < 1 or outbox_days < 1:
        raise ValueError("retention periods must be at least one day")
    result = PurgeResult(now - timedelta(days=audit_days), now - timedelta(days=notes_days),
                         now - timedelta(days=outbox_days))
    cutoff = result.notes_cutoff
    targets: list[tuple[str, Any, Any, Any, dict[str, str]]] = [
        ("attendance_notes", Attendance, Attendance.marked_at < cutoff, Attendance.note != "",
         {"note": ""}),
        ("attendance_history_notes", AttendanceChange, AttendanceChange.changed_at < cutoff,
         or_(AttendanceChange.old_note != "", AttendanceChange.new_note != ""),
         {"old_note": "", "new_note": ""}),
        ("make_up_notes", MakeUp, MakeUp.recorded_at < cutoff, MakeUp.note != "",
         {"note": ""}),
        ("apology_reasons", Apology, Apology.sent_at < cutoff, Apology.reason != "",
         {"reason": ""}),
    ]
    for name, model, older, has_text, values in targets:
        setattr(result, name, _count(select(model.id).where(older, has_text)))
        if not dry_run:
            db.session.execute(update(model).where(older, has_text).values(**values))
    old_mail = (OutboxMessage.created_at < result.outbox_cutoff,
                OutboxMessage.status.in_(FINISHED_MAIL))
    result.outbox_messages = _count(select(OutboxMessage.id).where(*old_mail))
    old_events = AuditEvent.at < result.audit_cutoff
    result.audit_events = _count(select(AuditEvent.id).where(old_events))
    if not dry_run:
        db.session.execute(delete(OutboxMessage).where(*old_mail))
        db.session.execute(delete(AuditEvent).where(old_events))
        record(None, "retention.purge", None, actor_label="flask lms purge",
               audit_events=result.audit_events, attendance_notes=result.attendance_notes,
               history_notes=result.attendance_history_notes, make_up_notes=result.make_up_notes,
               apology_reasons=result.apology_reasons, outbox_messages=result.outbox_messages,
               audit_days=audit_days, notes_days=notes_days, outbox_days=outbox_days)
    db.session.flush()
    return result
