"""Editions, enrolments, in-person sessions, attendance and lesson completion."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship

from lms.courses.models import Programme, Unit
from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db

DEFAULT_TIMEZONE = "Africa/Cairo"
DEFAULT_WEEKEND = "4,5"  # Python weekday numbers: Friday and Saturday, Egypt's weekend


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class EnrolmentStatus(enum.StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    DEFERRED = "deferred"


class OrganisationType(enum.StrEnum):
    GOVERNMENT = "government"
    NGO = "ngo"
    OTHER = "other"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


class AttendanceSource(enum.StrEnum):
    ROSTER = "roster"
    CHECK_IN = "check_in"
    IMPORT = "import"
    APOLOGY = "apology"


class ApologyDecision(enum.StrEnum):
    PENDING = "pending"
    EXCUSED = "excused"
    DECLINED = "declined"


class Edition(db.Model):  # type: ignore[name-defined,misc]
    """A cohort of a programme, such as the fourth local edition."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(300))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # The server default gives editions made before the column existed Egypt's weekend.
    weekend_days: Mapped[str] = mapped_column(String(20), default=DEFAULT_WEEKEND,
                                              server_default=DEFAULT_WEEKEND)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived editions are read-only: their records stay for certificates and reports.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped[Programme] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Enrolment(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("edition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(_enum(EnrolmentStatus),
                                                    default=EnrolmentStatus.ACTIVE)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Kept per enrolment because sponsors report on the cohort as it was enrolled.
    organisation_type: Mapped[OrganisationType | None] = mapped_column(_enum(OrganisationType))
    gender: Mapped[str | None] = mapped_column(String(30))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))

    edition: Mapped[Edition] = relationship(foreign_keys=[edition_id])


class LessonCompletion(db.Model):  # type: ignore[name-defined,misc]
    """A participant has marked a topic's lesson complete (in whichever language they read)."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("user_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitInstructor(db.Model):  # type: ignore[name-defined,misc]
    """An instructor teaches a unit in an edition: takes its attendance, sees its people."""

    __tablename__ = "unit_instructors"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class InPersonSession(db.Model):  # type: ignore[name-defined,misc]
    """One in-person day of a unit in an edition; ``day`` is the date in the edition's zone."""

    __tablename__ = "in_person_sessions"
    __table_args__ = (UniqueConstraint("edition_id", "unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_hours: Mapped[float] = mapped_column(Float, default=0.0)
    venue: Mapped[str | None] = mapped_column(String(300))
    # Counts the changes to when and where the day is (SEQUENCE in the calendar file): a
    # calendar app replaces an event it imported only with a higher one.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    edition: Mapped[Edition] = relationship()
    unit: Mapped[Unit] = relationship()


_WHEN_AND_WHERE = ("day", "starts_at", "ends_at", "venue")


@event.listens_for(InPersonSession, "before_update")
def _count_revision(_mapper: Any, _connection: Any, session: InPersonSession) -> None:
    # Here rather than in each function that moves a day: any change to these is a new
    # version of the event, whoever makes it.
    state: InstanceState[InPersonSession] = inspect(session)
    if any(state.attrs[name].history.has_changes() for name in _WHEN_AND_WHERE):
        session.revision += 1


class Attendance(db.Model):  # type: ignore[name-defined,misc]
    """The current mark of one participant for one session; every change is in the history."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("in_person_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[AttendanceSource] = mapped_column(_enum(AttendanceSource))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttendanceChange(db.Model):  # type: ignore[name-defined,misc]
    """Append-only history: who set which mark, when, and what it replaced."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("in_person_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    old_status: Mapped[AttendanceStatus | None] = mapped_column(_enum(AttendanceStatus))
    new_status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus))
    old_note: Mapped[str] = mapped_column(String(500), default="")
    new_note: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[AttendanceSource] = mapped_column(_enum(AttendanceSource))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MakeUp(db.Model):  # type: ignore[name-defined,misc]
    """A missed day made up in another edition's session of the same unit."""

    __tablename__ = "make_ups"
    # One make-up per missed day, and one attended day makes up one missed day only.
    __table_args__ = (UniqueConstraint("session_id", "user_id"),
                      UniqueConstraint("user_id", "attended_session_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("in_person_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attended_session_id: Mapped[int] = mapped_column(ForeignKey("in_person_sessions.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(String(500), default="")


class Apology(db.Model):  # type: ignore[name-defined,misc]
    """A participant's apology for an upcoming day, which an instructor excuses or declines."""

    __tablename__ = "apologies"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("in_person_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[ApologyDecision] = mapped_column(_enum(ApologyDecision),
                                                      default=ApologyDecision.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SessionReminder(db.Model):  # type: ignore[name-defined,misc]
    """A day-before reminder already sent, so a repeated daily run sends nothing twice."""

    __tablename__ = "session_reminders"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("in_person_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
