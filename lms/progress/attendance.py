"""Taking attendance: marks with their full history, "mark all present", and apologies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Executable

from lms.auth.models import User
from lms.database import lock_row, plain_connection, savepoint
from lms.extensions import db
from lms.progress.errors import ProgressError, ensure_open
from lms.progress.models import (
    Apology,
    ApologyDecision,
    Attendance,
    AttendanceChange,
    AttendanceSource,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
)


@dataclass
class RosterEntry:
    user: User
    mark: Attendance | None
    apology: Apology | None


def lock_day(session: InPersonSession) -> None:
    """Hold the day until this transaction ends, so people marking it take turns.

    Without it, two instructors (or an instructor and a check-in) marking one participant at
    the same moment both find no mark and both insert one; the second would fail on the
    unique constraint.
    """
    lock_row(InPersonSession, session.id)


# The marks of a participant who was there.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def current_mark(session: InPersonSession, user_id: int) -> Attendance | None:
    """The participant's mark for the day as the database has it now (after ``lock_day``)."""
    return db.session.scalar(select(Attendance).filter_by(session_id=session.id, user_id=user_id)
                             .execution_options(populate_existing=True))


def set_mark(session: InPersonSession, user_id: int, status: AttendanceStatus, note: str,
             actor: User | None, source: AttendanceSource, now: datetime,
             current: Attendance | None = None, *, known: bool = False) -> bool:
    """Set one participant's mark for the day, keeping what it replaced; False if unchanged.

    ``known`` says the caller locked the day and already looked up ``current`` (saves a query
    per participant).
    """
    ensure_open(session.edition)
    note = note.strip()[:500]
    if not known:
        lock_day(session)
        current = current_mark(session, user_id)
    if current is not None and current.status == status and current.note == note:
        return False
    db.session.add(AttendanceChange(
        session_id=session.id, user_id=user_id,
        old_status=current.status if current else None, new_status=status,
        old_note=current.note if current else "", new_note=note, source=source,
        changed_by_id=actor.id if actor else None, changed_at=now))
    if current is None:
        db.session.add(Attendance(session_id=session.id, user_id=user_id, status=status,
                                  note=note, source=source,
                                  marked_by_id=actor.id if actor else None, marked_at=now))
    else:
        current.status, current.note, current.source = status, note, source
        current.marked_by_id, current.marked_at = (actor.id if actor else None), now
    return True


def session_roster(session: InPersonSession) -> list[RosterEntry]:
    """The edition's active participants with their mark and apology for the day (one query)."""
    apology = aliased(Apology)
    rows = db.session.execute(
        select(User, Attendance, apology)
        .join(Enrolment, Enrolment.user_id == User.id)
        .outerjoin(Attendance, (Attendance.user_id == User.id)
                   & (Attendance.session_id == session.id))
        .outerjoin(apology, (apology.user_id == User.id) & (apology.session_id == session.id))
        .where(Enrolment.edition_id == session.edition_id,
               Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(User.full_name, User.id))
    return [RosterEntry(user, mark, apol) for user, mark, apol in rows]


def mark_version(mark: Attendance | None) -> str:
    """What the roster page remembers of a mark it showed, to tell later whether it changed."""
    return mark.marked_at.isoformat() if mark is not None else ""


def save_roster(session: InPersonSession, marks: dict[int, tuple[AttendanceStatus, str]],
                actor: User, now: datetime,
                shown: dict[int, str] | None = None) -> tuple[int, int]:
    """Apply the instructor's marks for the day; how many changed, and how many were kept.

    The page posts every mark it shows, changed or not. A mark that changed after the page
    was drawn (``shown`` holds each mark's ``mark_version`` then: a check-in, another
    instructor) is kept as it is now, unless the page asks for exactly that mark anyway:
    saving a page opened before a participant checked in must not mark them absent again.

    :raises ProgressError: when a mark names someone not on the day's roster.
    """
    lock_day(session)
    entries = {entry.user.id: entry for entry in session_roster(session)}
    unknown = set(marks) - set(entries)
    if unknown:
        raise ProgressError("not_on_roster")
    changed = kept = 0
    for user_id, (status, note) in marks.items():
        current = entries[user_id].mark
        if shown is not None and user_id in shown and shown[user_id] != mark_version(current):
            kept += current is None or (current.status, current.note) != (status, note.strip())
            continue
        changed += set_mark(session, user_id, status, note, actor, AttendanceSource.ROSTER, now,
                            current, known=True)
    db.session.flush()
    return changed, kept


def mark_all_present(session: InPersonSession, actor: User, now: datetime) -> int:
    """Mark everyone not yet marked present, so the instructor only adjusts the exceptions."""
    lock_day(session)
    changed = 0
    for entry in session_roster(session):
        if entry.mark is None:
            changed += set_mark(session, entry.user.id, AttendanceStatus.PRESENT, "", actor,
                                AttendanceSource.ROSTER, now, None, known=True)
    db.session.flush()
    return changed


def history(session: InPersonSession) -> list[tuple[AttendanceChange, User, User | None]]:
    """Every change to the day's marks, newest first, with the participant and who changed it."""
    changer = aliased(User)
    rows = db.session.execute(
        select(AttendanceChange, User, changer)
        .join(User, User.id == AttendanceChange.user_id)
        .outerjoin(changer, changer.id == AttendanceChange.changed_by_id)
        .where(AttendanceChange.session_id == session.id)
        .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc()))
    return [(change, user, by) for change, user, by in rows]


def send_apology(user: User, session: InPersonSession, reason: str, now: datetime) -> Apology:
    """Record (or update, while undecided) the participant's apology for an upcoming day.

    :raises ProgressError: for a day that has started, a decided apology, or someone not
        actively enrolled in the day's edition.
    """
    ensure_open(session.edition)
    if session.starts_at <= now:
        raise ProgressError("day_started")
    if db.session.scalar(select(Enrolment.id).filter_by(
            edition_id=session.edition_id, user_id=user.id,
            status=EnrolmentStatus.ACTIVE)) is None:
        raise ProgressError("not_enrolled")
    reason = reason.strip()[:1000]
    if not reason:
        raise ProgressError("no_reason")
    apology = _apology_of(session.id, user.id)
    if apology is None:
        apology = Apology(session_id=session.id, user_id=user.id, reason=reason, sent_at=now)
        try:
            with savepoint():
                db.session.add(apology)
            return apology
        except IntegrityError:
            # The same participant sent it from another tab at the same moment: that one
            # is the apology, and this reason, sent last, replaces its reason below.
            apology = _apology_of(session.id, user.id)
            if apology is None:
                raise
    if apology.decision != ApologyDecision.PENDING:
        raise ProgressError("already_decided")
    apology.reason, apology.sent_at = reason, now
    db.session.flush()
    return apology


def _apology_of(session_id: int, user_id: int) -> Apology | None:
    return db.session.scalar(select(Apology).filter_by(session_id=session_id, user_id=user_id))


def decide_apology(apology: Apology, session: InPersonSession, excused: bool, actor: User,
                   now: datetime) -> None:
    """Excuse the day (the mark becomes "excused") or decline the apology.

    A participant who came after all (marked present or late, or checked in) keeps that mark:
    the apology is excused, but the day was attended, and attended days count.
    """
    ensure_open(session.edition)
    # Against a check-in, and another instructor deciding, at the same moment: the decision
    # is read again once the day is ours, so the second of two decisions finds the first.
    lock_day(session)
    db.session.refresh(apology)
    if apology.decision != ApologyDecision.PENDING:
        raise ProgressError("already_decided")
    apology.decision = ApologyDecision.EXCUSED if excused else ApologyDecision.DECLINED
    apology.decided_by_id, apology.decided_at = actor.id, now
    current = current_mark(session, apology.user_id)
    came = current is not None and current.status in ATTENDED
    if excused and not came:
        set_mark(session, apology.user_id, AttendanceStatus.EXCUSED, apology.reason[:500],
                 actor, AttendanceSource.APOLOGY, now, current, known=True)
    db.session.flush()


@cache
def _own_apologies_statement() -> Executable:
    # Built once, with parameters: every participant's home page runs it.
    return select(Apology.session_id, Apology.decision).where(
        Apology.user_id == bindparam("user_id"),
        Apology.session_id.in_(bindparam("session_ids", expanding=True)))


def own_apologies(user_id: int, session_ids: list[int]) -> dict[int, ApologyDecision]:
    """The decision on each of the user's apologies for these days (one query)."""
    if not session_ids:
        return {}
    rows = plain_connection().execute(_own_apologies_statement(),
                                      {"user_id": user_id, "session_ids": session_ids})
    return {session_id: decision for session_id, decision in rows}
