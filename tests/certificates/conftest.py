"""Helpers that bring a participant to the end of the test package's local programme."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Topic, Unit
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Edition,
    InPersonSession,
    LessonCompletion,
)
from lms.quizzes.models import Quiz, QuizAttempt
from tests import factories


def schedule(edition: Edition) -> list[InPersonSession]:
    """Five past days for each unit of the edition's programme."""
    sessions = []
    units = db.session.scalars(select(Unit).filter_by(programme_id=edition.programme_id)
                               .order_by(Unit.position)).all()
    day = date(2026, 10, 4)
    for unit in units:
        for _ in range(unit.days):
            start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
            session = InPersonSession(edition_id=edition.id, unit_id=unit.id, day=day,
                                      starts_at=start, ends_at=start + timedelta(hours=7),
                                      contact_hours=unit.hours_per_day)
            db.session.add(session)
            sessions.append(session)
            day += timedelta(days=1)
    db.session.flush()
    return sessions


def attend(user: User, sessions: list[InPersonSession]) -> None:
    for session in sessions:
        db.session.add(Attendance(session_id=session.id, user_id=user.id,
                                  status=AttendanceStatus.PRESENT,
                                  source=AttendanceSource.ROSTER))
    db.session.flush()


def study(user: User, slugs: list[str] | None = None) -> None:
    """Complete the lessons and pass the quizzes of the named topics (all by default)."""
    topics = db.session.scalars(select(Topic)).all()
    for topic in topics:
        if slugs is not None and topic.slug not in slugs:
            continue
        db.session.add(LessonCompletion(user_id=user.id, topic_id=topic.id))
        quiz = db.session.scalar(select(Quiz).filter_by(topic_id=topic.id))
        if quiz is not None:
            db.session.add(QuizAttempt(quiz_id=quiz.id, user_id=user.id, number=1,
                                       status="graded", started_at=utcnow(),
                                       submitted_at=utcnow(), score=1, max_score=1,
                                       percent=100.0, passed=True))
    db.session.flush()


@pytest.fixture
def graduate(app: Flask, loaded: object):  # type: ignore[no-untyped-def]
    """(participant, edition, sessions): everything done but the third topic's lesson."""
    # Topics published after a unit's last day would be optional; these were there before.
    for topic in db.session.scalars(select(Topic)):
        topic.published_at = datetime(2020, 1, 1, tzinfo=UTC)
    edition = factories.make_edition(name="Fourth edition")
    sessions = schedule(edition)
    user = factories.make_user(full_name="Salma Farouk", full_name_ar="سلمى فاروق")
    factories.enrol(user, edition)
    attend(user, sessions)
    study(user, ["first", "second"])
    db.session.commit()
    return user, edition, sessions


def finish(user: User) -> None:
    """The last missing item: the third topic's lesson."""
    study(user, ["third"])
    db.session.commit()
