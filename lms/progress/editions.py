"""Editions and their schedules: creating, scheduling in-person days, instructors, archiving."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Role, User
from lms.courses.models import Programme, Unit
from lms.database import lock_row, savepoint
from lms.extensions import db
from lms.progress.errors import ProgressError, ensure_open
from lms.progress.models import (
    DEFAULT_TIMEZONE,
    DEFAULT_WEEKEND,
    Attendance,
    Edition,
    InPersonSession,
    MakeUp,
    UnitInstructor,
)

MAX_DAYS_PER_RUN = 60


def is_known_timezone(name: str) -> bool:
    return name in available_timezones()


def local_to_utc(zone: str, day: date, at: time) -> datetime:
    """A wall-clock time in the edition's zone as UTC (summer time included)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(zone: str, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


def local_today(zone: str, now: datetime) -> date:
    return to_local(zone, now).date()


def weekend_of(edition: Edition) -> set[int]:
    return {int(d) for d in (edition.weekend_days or "").split(",") if d.strip().isdigit()}


def create_edition(programme: Programme, name: str, starts_on: date, ends_on: date,
                   venue: str | None, timezone: str = DEFAULT_TIMEZONE) -> Edition:
    """Add an edition; :raises ProgressError: for bad dates or an unknown time zone."""
    _check_edition_fields(name, starts_on, ends_on, timezone)
    edition = Edition(programme_id=programme.id, name=name.strip(), starts_on=starts_on,
                      ends_on=ends_on, venue=(venue or "").strip() or None, timezone=timezone,
                      weekend_days=DEFAULT_WEEKEND)
    db.session.add(edition)
    db.session.flush()
    return edition


def update_edition(edition: Edition, name: str, starts_on: date, ends_on: date,
                   venue: str | None, timezone: str) -> None:
    """Change an open edition's details.

    A new time zone keeps each in-person day's local times (9:00 to 16:00 stays 9:00 to
    16:00, now in the new zone): a zone is changed because it was wrong, not because the
    programme moved by some hours.

    :raises ProgressError: for a scheduled day outside the new dates (it would still count
        towards completion as part of the edition).
    """
    ensure_open(edition)
    _check_edition_fields(name, starts_on, ends_on, timezone)
    sessions = db.session.scalars(select(InPersonSession).filter_by(edition_id=edition.id)
                                  .order_by(InPersonSession.day)).all()
    if any(not starts_on <= s.day <= ends_on for s in sessions):
        raise ProgressError("days_outside_dates")
    if timezone != edition.timezone:
        old, new = ZoneInfo(edition.timezone), ZoneInfo(timezone)
        for session in sessions:
            session.starts_at = _same_wall_time(session.starts_at, old, new)
            session.ends_at = _same_wall_time(session.ends_at, old, new)
    venue = (venue or "").strip() or None
    if venue != edition.venue:
        for session in sessions:
            if session.venue is None:
                # The day is held at the edition's venue: where it is has changed.
                session.revision += 1
    edition.name, edition.starts_on, edition.ends_on = name.strip(), starts_on, ends_on
    edition.venue, edition.timezone = venue, timezone
    db.session.flush()


def _same_wall_time(moment: datetime, old: ZoneInfo, new: ZoneInfo) -> datetime:
    return moment.astimezone(old).replace(tzinfo=new).astimezone(UTC)


def _check_edition_fields(name: str, starts_on: date, ends_on: date, timezone: str) -> None:
    if not name.strip():
        raise ProgressError("name")
    if ends_on < starts_on:
        raise ProgressError("dates")
    if not is_known_timezone(timezone):
        raise ProgressError("timezone")


def working_days(first: date, count: int, weekend: set[int],
                 last: date | None = None) -> list[date]:
    """``count`` consecutive days from ``first`` on, skipping the weekend days.

    :raises ProgressError: when they would run past ``last`` (the edition's last day).
    """
    days: list[date] = []
    day = first
    while len(days) < count:
        if last is not None and day > last:
            raise ProgressError("outside_edition")
        if day.weekday() not in weekend:
            days.append(day)
        day += timedelta(days=1)
    return days


def schedule_units(edition: Edition, units: Sequence[Unit], first_day: date, starts: time,
                   ends: time, contact_hours: float | None,
                   include_weekend: bool = False) -> list[InPersonSession]:
    """Give each unit, in order, its number of consecutive working days from ``first_day``.

    A local module gets its five days; the regional programme's eight one-day units get eight
    consecutive days. All or nothing. When the units already have exactly these days (the
    same form sent twice, or by two admins at the same moment) nothing is added and the list
    is empty.

    :raises ProgressError: when a unit already has other days, or the times are impossible.
    """
    ensure_open(edition)
    if ends <= starts:
        raise ProgressError("times")
    lock_edition(edition)
    existing = list(db.session.scalars(select(InPersonSession).where(
        InPersonSession.edition_id == edition.id,
        InPersonSession.unit_id.in_([u.id for u in units]))))
    total = sum(unit.days for unit in units)
    if total == 0:
        # Units taught online only (``days: 0``) have no day to hold.
        raise ProgressError("no_days_to_schedule")
    if existing:
        if total <= MAX_DAYS_PER_RUN and _same_days(existing, _plan_days(
                edition, units, first_day, starts, ends, contact_hours, include_weekend)):
            return []
        raise ProgressError("already_scheduled")
    if total > MAX_DAYS_PER_RUN:
        raise ProgressError("too_many_days")
    created = _plan_days(edition, units, first_day, starts, ends, contact_hours,
                         include_weekend)
    for session in created[:1] + created[-1:]:
        _ensure_within(edition, session.day)
    db.session.add_all(created)
    db.session.flush()
    return created


def _plan_days(edition: Edition, units: Sequence[Unit], first_day: date, starts: time,
               ends: time, contact_hours: float | None,
               include_weekend: bool) -> list[InPersonSession]:
    """The days ``schedule_units`` gives the units, not yet added to the session."""
    weekend = set() if include_weekend else weekend_of(edition)
    _ensure_within(edition, first_day)
    days = iter(working_days(first_day, sum(unit.days for unit in units), weekend,
                             last=edition.ends_on))
    planned = []
    for unit in units:
        for _ in range(unit.days):
            day = next(days)
            planned.append(InPersonSession(
                edition_id=edition.id, unit_id=unit.id, day=day,
                starts_at=local_to_utc(edition.timezone, day, starts),
                ends_at=local_to_utc(edition.timezone, day, ends),
                contact_hours=unit.hours_per_day if contact_hours is None else contact_hours))
    return planned


def _same_days(existing: Sequence[InPersonSession], planned: Sequence[InPersonSession]) -> bool:
    def key(session: InPersonSession) -> tuple[object, ...]:
        return (session.unit_id, session.day, session.starts_at, session.ends_at,
                float(session.contact_hours), session.venue or None)

    return set(map(key, existing)) == set(map(key, planned))


def add_session(edition: Edition, unit: Unit, day: date, starts: time, ends: time,
                contact_hours: float, venue: str | None) -> tuple[InPersonSession, bool]:
    """Add a day by hand; returns it and whether it is new.

    Two admins adding the same day at the same moment add it once: the second is given the
    first's day, and False.

    :raises ProgressError: for impossible times or a unit that already meets that day.
    """
    already = _day_of(edition.id, unit.id, day)
    try:
        return save_session(edition, unit, day, starts, ends, contact_hours, venue), True
    except ProgressError as error:
        if already is not None or str(error) != "same_day":
            raise
        # The day was added after the look above, by a request at the same moment.
        same = _day_of(edition.id, unit.id, day)
        asked = InPersonSession(unit_id=unit.id, day=day, contact_hours=contact_hours,
                                starts_at=local_to_utc(edition.timezone, day, starts),
                                ends_at=local_to_utc(edition.timezone, day, ends),
                                venue=(venue or "").strip() or None)
        if same is None or not _same_days([same], [asked]):
            raise
        return same, False


def _day_of(edition_id: int, unit_id: int, day: date) -> InPersonSession | None:
    return db.session.scalar(select(InPersonSession).where(
        InPersonSession.edition_id == edition_id, InPersonSession.unit_id == unit_id,
        InPersonSession.day == day))


def _ensure_within(edition: Edition, day: date) -> None:
    """A day outside the edition's dates would count towards completion and "at risk" as if
    it were part of it."""
    if not edition.starts_on <= day <= edition.ends_on:
        raise ProgressError("outside_edition")


def save_session(edition: Edition, unit: Unit, day: date, starts: time, ends: time,
                 contact_hours: float, venue: str | None,
                 session: InPersonSession | None = None) -> InPersonSession:
    """Add a day by hand, or move an existing one to another date or times.

    :raises ProgressError: for impossible times or a unit that already meets that day (also
        when another admin placed a day of the unit on that date at the same moment).
    """
    ensure_open(edition)
    if ends <= starts:
        raise ProgressError("times")
    if not 0 <= contact_hours <= 24:
        raise ProgressError("hours")
    _ensure_within(edition, day)
    clash = _day_of(edition.id, unit.id, day)
    if clash is not None and (session is None or clash.id != session.id):
        raise ProgressError("same_day")
    try:
        with savepoint():
            if session is None:
                session = InPersonSession(edition_id=edition.id, unit_id=unit.id)
                db.session.add(session)
            session.day = day
            session.starts_at = local_to_utc(edition.timezone, day, starts)
            session.ends_at = local_to_utc(edition.timezone, day, ends)
            session.contact_hours = contact_hours
            session.venue = (venue or "").strip() or None
    except IntegrityError:
        raise ProgressError("same_day") from None
    return session


def delete_session(session: InPersonSession) -> None:
    """Remove a day that has no attendance or make-up recorded.

    :raises ProgressError: when records refer to it (move it instead).
    """
    ensure_open(session.edition)
    used = db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.session_id == session.id)) or 0
    used += db.session.scalar(select(func.count()).select_from(MakeUp).where(
        (MakeUp.session_id == session.id) | (MakeUp.attended_session_id == session.id))) or 0
    if used:
        raise ProgressError("has_records")
    db.session.delete(session)
    db.session.flush()


def assign_instructor(edition: Edition, unit: Unit, instructor: User) -> bool:
    """Make the instructor a unit instructor; False when they already were (also when another
    admin assigned them at the same moment)."""
    ensure_open(edition)
    if instructor.role != Role.INSTRUCTOR:
        raise ProgressError("not_instructor")
    if db.session.get(UnitInstructor, (edition.id, unit.id, instructor.id)) is not None:
        return False
    try:
        with savepoint():
            db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit.id,
                                          user_id=instructor.id))
    except IntegrityError:
        # Another admin assigned them at the same moment.
        if db.session.get(UnitInstructor, (edition.id, unit.id, instructor.id)) is None:
            raise
        return False
    return True


def remove_instructor(edition: Edition, unit_id: int, user_id: int) -> bool:
    ensure_open(edition)
    link = db.session.get(UnitInstructor, (edition.id, unit_id, user_id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True


def lock_edition(edition: Edition) -> None:
    """Hold the edition until this transaction ends, so two imports into it, or two changes
    to its schedule, take turns.

    The second then plans against what the first wrote instead of creating the same accounts,
    enrolments or days again. Enrolling one person or marking a day is not blocked by it.
    """
    lock_row(Edition, edition.id)


def archive_edition(edition: Edition, now: datetime) -> None:
    """Close the edition: from now on its records are read-only."""
    ensure_open(edition)
    edition.archived_at = now
    db.session.flush()


def programme_units(programme_id: int) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(
        Unit.programme_id == programme_id, Unit.is_retired.is_(False)).order_by(Unit.position)))


def edition_sessions(edition_id: int) -> list[InPersonSession]:
    return list(db.session.scalars(select(InPersonSession).where(
        InPersonSession.edition_id == edition_id).order_by(InPersonSession.starts_at)))


def unit_instructors(edition_id: int) -> list[tuple[int, User]]:
    """(unit id, instructor) pairs of the edition (one query)."""
    rows = db.session.execute(select(UnitInstructor.unit_id, User).join(
        User, User.id == UnitInstructor.user_id).where(UnitInstructor.edition_id == edition_id)
        .order_by(User.full_name))
    return [(unit_id, user) for unit_id, user in rows]
