"""What the attendance and check-in tests share: the clock, the key, an instructor."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.extensions import db
from lms.progress.checkin import current_code
from lms.progress.models import (
    Attendance,
    Edition,
    InPersonSession,
    UnitInstructor,
)
from tests import factories
from tests.conftest import Auth
from tests.progress.helpers import participant, scheduled_edition, sessions_of, unit

SECRET = "test-secret-key-that-is-long-enough-000"


def teacher_of(edition: Edition, unit_slug: str = "alpha") -> User:
    instructor = factories.make_user(role=Role.INSTRUCTOR)
    db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit(unit_slug).id,
                                  user_id=instructor.id))
    return instructor


def status_of(session: InPersonSession, user: User) -> str | None:
    row = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                         user_id=user.id))
    return row.status.value if row else None


def at(moment):  # type: ignore[no-untyped-def]
    """Freeze the platform's clock for the views."""
    return mock.patch.multiple("lms.progress.participant_views", utcnow=lambda: moment)


def logged_in_during_first_day(auth: Auth) -> tuple[Edition, User, InPersonSession, datetime,
                                                      str]:
    """A participant logged in, the first day of alpha, a moment during it and its code."""
    edition = scheduled_edition()
    user = participant(edition)
    db.session.commit()
    auth.login(user)
    session = sessions_of(edition, "alpha")[0]
    during = session.starts_at + timedelta(minutes=5)
    return edition, user, session, during, current_code(SECRET, session, during).code
