"""Builders for the progress tests: a scheduled edition, marks, lessons and quiz attempts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Programme, Topic, Unit
from lms.extensions import db
from lms.progress.attendance import set_mark
from lms.progress.editions import create_edition, programme_units, schedule_units
from lms.progress.models import (
    AttendanceSource,
    AttendanceStatus,
    Edition,
    InPersonSession,
    LessonCompletion,
)
from lms.quizzes.models import Quiz, QuizAttempt
from tests import factories

# Thursday 1 October 2026, in the middle of the test editions.
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def scheduled_edition(programme_slug: str = "local", first_day: date = date(2026, 9, 6),
                      **fields: object) -> Edition:
    """An edition whose every unit has its days, each unit a week after the previous one."""
    programme = db.session.scalar(select(Programme).filter_by(slug=programme_slug))
    assert programme is not None, "load the test package first"
    # Topics count as published long before these days, so none is optional by accident.
    for topic in db.session.scalars(select(Topic)):
        topic.published_at = datetime(2026, 1, 1, tzinfo=UTC)
    edition = create_edition(programme, str(fields.get("name", "Edition under test")),
                             date(2026, 9, 1), date(2027, 3, 31), "AUC New Cairo")
    for index, unit in enumerate(programme_units(programme.id)):
        schedule_units(edition, [unit], first_day + timedelta(days=7 * index), time(9),
                       time(16), None)
    return edition


def unit(slug: str, programme_slug: str = "local") -> Unit:
    found = db.session.scalar(select(Unit).join(Programme).where(
        Unit.slug == slug, Programme.slug == programme_slug))
    assert found is not None
    return found


def sessions_of(edition: Edition, unit_slug: str) -> list[InPersonSession]:
    return list(db.session.scalars(select(InPersonSession).join(Unit).where(
        InPersonSession.edition_id == edition.id, Unit.slug == unit_slug)
        .order_by(InPersonSession.day)))


def participant(edition: Edition, **fields: object) -> User:
    user = factories.make_user(**fields)
    factories.enrol(user, edition)
    return user


def mark(session: InPersonSession, user: User, status: AttendanceStatus,
         at: datetime = NOW) -> None:
    set_mark(session, user.id, status, "", None, AttendanceSource.ROSTER, at)
    db.session.flush()


def complete_lesson(user: User, slug: str) -> None:
    topic = db.session.scalar(select(Topic).filter_by(slug=slug))
    assert topic is not None
    db.session.add(LessonCompletion(user_id=user.id, topic_id=topic.id, completed_at=NOW))
    db.session.flush()


def attempt(user: User, slug: str, percent: float, number: int = 1) -> None:
    quiz = db.session.scalar(select(Quiz).join(Topic).where(Topic.slug == slug))
    assert quiz is not None, f"{slug} has no quiz"
    db.session.add(QuizAttempt(quiz_id=quiz.id, user_id=user.id, number=number,
                               status="graded", started_at=NOW, submitted_at=NOW,
                               score=percent, max_score=100.0, percent=percent,
                               passed=percent >= quiz.pass_mark, snapshot=[], responses={}))
    db.session.flush()


def finish_unit_online(user: User, slugs: tuple[str, ...] = ("first", "second")) -> None:
    for slug in slugs:
        complete_lesson(user, slug)
        if db.session.scalar(select(Quiz.id).join(Topic).where(Topic.slug == slug)):
            attempt(user, slug, 100.0)
