"""Participants are told by email when an in-person day still to come moves or is cancelled.

The day-before reminder describes the day as it is by then; without this, a change made a week
ahead would reach people only the evening before, and a cancelled day never.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select

from lms.auth.models import User
from lms.courses.models import Unit
from lms.extensions import db
from lms.mail import services as mail
from lms.progress.editions import to_local
from lms.progress.models import (
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
    SessionReminder,
)
from lms.urls import public_url


@dataclass(frozen=True)
class DayPlan:
    """What participants are told of a day: when it starts and ends, and where."""

    starts_at: datetime
    ends_at: datetime
    venue: str


def day_plan(session: InPersonSession, edition: Edition) -> DayPlan:
    return DayPlan(session.starts_at, session.ends_at, session.venue or edition.venue or "")


def expected_people(edition_id: int) -> Select[User]:
    """The people expected on the edition's days: active enrolments of active accounts."""
    return (select(User).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.edition_id == edition_id, Enrolment.status == EnrolmentStatus.ACTIVE,
                   User.is_active_account.is_(True))
            .order_by(User.id))


def tell_of_move(edition: Edition, unit: Unit, session: InPersonSession, before: DayPlan,
                 now: datetime) -> int:
    """Mail the participants what changed about a day, if it was or now is still to come.

    Returns how many were told. A day moved to another start also loses its record of
    reminders sent, so the reminder goes out again the day before its new date.
    """
    after = day_plan(session, edition)
    if after == before or max(before.starts_at, after.starts_at) <= now:
        return 0
    if after.starts_at != before.starts_at:
        db.session.execute(delete(SessionReminder).where(
            SessionReminder.session_id == session.id))
    zone = edition.timezone
    people = db.session.scalars(expected_people(edition.id)).all()
    for user in people:
        mail.send(user.email, "session_moved", user.preferred_language, user=user, unit=unit,
                  edition=edition, was_starts=to_local(zone, before.starts_at),
                  was_ends=to_local(zone, before.ends_at), was_venue=before.venue,
                  starts=to_local(zone, after.starts_at), ends=to_local(zone, after.ends_at),
                  venue=after.venue, calendar=public_url("participation.calendar"))
    return len(people)


def tell_of_cancellation(edition: Edition, unit: Unit, before: DayPlan, now: datetime) -> int:
    """Mail the participants that a day still to come will not take place; how many."""
    if before.starts_at <= now:
        return 0
    zone = edition.timezone
    people = db.session.scalars(expected_people(edition.id)).all()
    for user in people:
        mail.send(user.email, "session_cancelled", user.preferred_language, user=user,
                  unit=unit, edition=edition, starts=to_local(zone, before.starts_at),
                  ends=to_local(zone, before.ends_at), venue=before.venue)
    return len(people)
