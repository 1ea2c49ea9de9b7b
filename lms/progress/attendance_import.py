"""Attendance recorded on paper, imported from CSV with the same all-or-nothing checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User, normalise_email
from lms.courses.models import Unit
from lms.db_types import column_length
from lms.extensions import db
from lms.progress.attendance import set_mark
from lms.progress.csvfiles import CsvUnreadable, LineError, read_table
from lms.progress.errors import ProgressError, ensure_open
from lms.progress.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
)

COLUMNS = ("email", "unit", "date", "status", "note")
REQUIRED = ("email", "unit", "date", "status")


@dataclass
class MarkLine:
    line: int
    session: InPersonSession
    user: User
    status: AttendanceStatus
    note: str
    replaces: AttendanceStatus | None


@dataclass
class AttendancePlan:
    lines: list[MarkLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)


def plan_attendance(edition: Edition, text: str) -> AttendancePlan:
    """Check every row (participant actively enrolled, day scheduled, known status); writes
    nothing.

    :raises CsvUnreadable: when the file as a whole cannot be read.
    """
    table = read_table(text, REQUIRED, COLUMNS)
    if not table.rows:
        raise CsvUnreadable("empty")
    users = {u.email: (u, status) for u, status in db.session.execute(
        select(User, Enrolment.status).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.edition_id == edition.id))}
    sessions = {(slug, s.day): s for s, slug in db.session.execute(
        select(InPersonSession, Unit.slug).join(Unit, Unit.id == InPersonSession.unit_id)
        .where(InPersonSession.edition_id == edition.id))}
    current = {(a.session_id, a.user_id): a.status for a in db.session.scalars(
        select(Attendance).join(InPersonSession, InPersonSession.id == Attendance.session_id)
        .where(InPersonSession.edition_id == edition.id))}
    plan = AttendancePlan()
    seen: dict[tuple[int, int], int] = {}
    for line, row in table.rows:
        problems = []
        user, enrolment = users.get(normalise_email(row.get("email", "")), (None, None))
        if user is None:
            problems.append(_("%(email)s is not enrolled in this edition",
                              email=row.get("email", "")))
        elif enrolment == EnrolmentStatus.WITHDRAWN:
            # The roster takes marks for active participants only; a file must not do more.
            problems.append(_("%(email)s has withdrawn from this edition: reactivate the "
                              "enrolment first to record their attendance",
                              email=row.get("email", "")))
            user = None
        elif enrolment == EnrolmentStatus.DEFERRED:
            problems.append(_("%(email)s has deferred to a later edition: reactivate the "
                              "enrolment first to record their attendance here",
                              email=row.get("email", "")))
            user = None
        try:
            day: date | None = date.fromisoformat(row.get("date", ""))
        except ValueError:
            day = None
            problems.append(_("'%(value)s' is not a date like 2026-10-04",
                              value=row.get("date", "")))
        session = sessions.get((row.get("unit", ""), day)) if day else None
        if day and session is None:
            problems.append(_("unit '%(unit)s' has no in-person day on %(day)s",
                              unit=row.get("unit", ""), day=day.isoformat()))
        status_text = row.get("status", "").lower()
        if status_text not in AttendanceStatus._value2member_map_:
            problems.append(_("the status must be present, late, excused or absent, not "
                              "'%(value)s'", value=row.get("status", "")))
        if len(row.get("note", "")) > column_length(Attendance.note):
            problems.append(_("the note is longer than %(num)d characters",
                              num=column_length(Attendance.note)))
        if user is not None and session is not None:
            key = (session.id, user.id)
            if key in seen:
                problems.append(_("the same participant and day are also on line %(line)d",
                                  line=seen[key]))
            seen.setdefault(key, line)
        plan.errors.extend(LineError(line, problem) for problem in problems)
        if not problems and user is not None and session is not None:
            plan.lines.append(MarkLine(line, session, user, AttendanceStatus(status_text),
                                       row.get("note", ""), current.get((session.id, user.id))))
    return plan


def import_attendance(edition: Edition, text: str, actor: User, now: datetime) -> AttendancePlan:
    """Record every row's mark, or none when any row has a problem.

    :raises ProgressError: when the plan has errors.
    """
    ensure_open(edition)
    plan = plan_attendance(edition, text)
    if not plan.ok:
        raise ProgressError("attendance_invalid")
    for line in plan.lines:
        set_mark(line.session, line.user.id, line.status, line.note, actor,
                 AttendanceSource.IMPORT, now)
    db.session.flush()
    return plan
