"""The progress feature's part of the demo: a schedule, a unit instructor, attendance, and a
participant (the second) one quiz away from completing the first module."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Topic, UnitTopic
from lms.extensions import db
from lms.progress.attendance import send_apology, set_mark
from lms.progress.editions import local_today, programme_units, schedule_units, working_days
from lms.progress.models import (
    Apology,
    AttendanceSource,
    AttendanceStatus,
    Edition,
    InPersonSession,
    UnitInstructor,
)
from lms.progress.services import mark_lesson_complete
from lms.quizzes.models import Quiz, QuizAttempt

P, L, A = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT
# Module 1 days by participant: the first two attended every day; the third was late once and
# missed a day, so needs a make-up.
MODULE_ONE = {0: (P, P, P, P, P), 1: (P, P, P, P, P), 2: (P, L, A, P, P)}
# Who is one quiz away from completing module 1 (the others' progress comes from other demos).
ONE_STEP = 1


def add_demo(edition: Edition, instructor: User, participants: list[User],
             now: datetime) -> None:
    """Schedule the demo edition, assign the instructor to every unit, and record progress."""
    units = programme_units(edition.programme_id)
    if not units:
        return
    today = local_today(edition.timezone, now)
    weekend = {4, 5}
    starts = [working_days(today - timedelta(days=28), 1, weekend)[0],
              working_days(today, 1, weekend)[0]]
    starts += [today + timedelta(days=30 * n) for n in range(1, len(units) - 1)]
    for unit, first in zip(units, starts, strict=False):
        if db.session.scalar(select(func.count()).select_from(InPersonSession).filter_by(
                edition_id=edition.id, unit_id=unit.id)) == 0:
            schedule_units(edition, [unit], first, time(9), time(16), None)
        if db.session.get(UnitInstructor, (edition.id, unit.id, instructor.id)) is None:
            db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit.id,
                                          user_id=instructor.id))
    db.session.flush()
    _module_one(edition, units[0].id, instructor, participants, now)
    _apology(edition, units[1].id if len(units) > 1 else units[0].id, participants[-1], now)


def _module_one(edition: Edition, unit_id: int, instructor: User, participants: list[User],
                now: datetime) -> None:
    sessions = db.session.scalars(select(InPersonSession).filter_by(
        edition_id=edition.id, unit_id=unit_id).order_by(InPersonSession.day)).all()
    for index, statuses in MODULE_ONE.items():
        if index >= len(participants):
            continue
        for session, status in zip(sessions, statuses, strict=False):
            set_mark(session, participants[index].id, status, "", instructor,
                     AttendanceSource.ROSTER, session.ends_at)
    topics = db.session.scalars(select(UnitTopic.topic_id).filter_by(unit_id=unit_id)
                                .order_by(UnitTopic.position)).all()
    first = participants[min(ONE_STEP, len(participants) - 1)]
    for topic_id in topics:
        mark_lesson_complete(first.id, topic_id, now)
    quizzes = db.session.scalars(select(Quiz).where(Quiz.topic_id.in_(topics[:-1]),
                                                    Quiz.is_retired.is_(False))).all()
    for quiz in quizzes:
        if db.session.scalar(select(QuizAttempt.id).filter_by(quiz_id=quiz.id,
                                                              user_id=first.id)) is None:
            db.session.add(QuizAttempt(
                quiz_id=quiz.id, user_id=first.id, number=1, status="graded",
                started_at=now - timedelta(days=3), submitted_at=now - timedelta(days=3),
                score=90.0, max_score=100.0, percent=90.0, passed=True, snapshot=[],
                responses={}))
    # Published long before the first module's days, so no lesson is optional by accident.
    for topic in db.session.scalars(select(Topic).where(Topic.id.in_(topics))):
        topic.published_at = min(topic.published_at, datetime.combine(
            edition.starts_on - timedelta(days=1), time(0), tzinfo=now.tzinfo))
    db.session.flush()


def _apology(edition: Edition, unit_id: int, person: User, now: datetime) -> None:
    upcoming = db.session.scalars(select(InPersonSession).filter_by(
        edition_id=edition.id, unit_id=unit_id).where(InPersonSession.starts_at > now)
        .order_by(InPersonSession.day)).all()
    if len(upcoming) < 2 or db.session.scalar(select(Apology.id).filter_by(
            session_id=upcoming[1].id, user_id=person.id)) is not None:
        return
    send_apology(person, upcoming[1], "A family wedding in Aswan; I will catch up on the "
                 "lessons online.", now)

