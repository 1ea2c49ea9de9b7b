"""A participant's enrolments and lesson completions, and recording them.

Whether a unit or a programme is complete is decided by ``lms.progress.completion`` alone.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, bindparam, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import Executable

from lms.courses.models import Programme, Unit, UnitTopic
from lms.database import plain_connection, savepoint
from lms.extensions import db
from lms.progress.models import (
    DEFAULT_TIMEZONE,
    Edition,
    Enrolment,
    EnrolmentStatus,
    LessonCompletion,
)


# The two statements below run on most pages a participant opens, so each is built once
# (with parameters to fill in) instead of on every call.
@cache
def _active_enrolments_statement() -> Executable:
    return (select(Enrolment, Edition, Programme)
            .join(Enrolment.edition)
            .join(Edition.programme)
            .where(Enrolment.user_id == bindparam("user_id"),
                   Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(Edition.starts_on.desc()))


@cache
def _completion_statement() -> Executable:
    return select(LessonCompletion.id).where(LessonCompletion.user_id == bindparam("user_id"),
                                             LessonCompletion.topic_id == bindparam("topic_id"))


def active_enrolments(user_id: int) -> list[tuple[Enrolment, Edition, Programme]]:
    """The user's active enrolments with their editions and programmes, newest first."""
    rows = db.session.execute(_active_enrolments_statement(), {"user_id": user_id})
    return [(row[0], row[1], row[2]) for row in rows]


def topic_zone(user_id: QueryableAttribute[int] | int,
               topic_id: QueryableAttribute[int] | int) -> ColumnElement[str]:
    """The zone a participant's times in a topic are written in, as a column for a query.

    It is the zone of the edition through which they take the topic, the one whose programme
    teaches it: an active enrolment before a withdrawn or deferred one, then the newest
    edition. Without such an edition it is their newest active edition's zone, and without an
    active enrolment the programme's usual one (Cairo's). Given columns of the enclosing query,
    a page of many participants reads every zone in its one statement.
    """
    # The topic is looked for in an outer join rather than an EXISTS: SQLite cannot see a
    # column of the query two levels out from an EXISTS in the ORDER BY of a subquery.
    teaches = UnitTopic.topic_id.is_not(None)
    active = Enrolment.status == EnrolmentStatus.ACTIVE
    zone = (select(Edition.timezone).join(Enrolment, Enrolment.edition_id == Edition.id)
            .outerjoin(Unit, Unit.programme_id == Edition.programme_id)
            .outerjoin(UnitTopic, (UnitTopic.unit_id == Unit.id) & (UnitTopic.topic_id == topic_id))
            .where(Enrolment.user_id == user_id, teaches | active)
            .order_by(case((teaches, 0), else_=1), case((active, 0), else_=1),
                      Edition.starts_on.desc(), Edition.id.desc())
            .limit(1).correlate_except(Edition, Enrolment, Unit, UnitTopic).scalar_subquery())
    return func.coalesce(zone, DEFAULT_TIMEZONE)


def topic_timezone(user_id: int, topic_id: int) -> str:
    """The zone of one participant's times in one topic (``topic_zone``)."""
    return db.session.scalar(select(topic_zone(user_id, topic_id))) or DEFAULT_TIMEZONE


def is_lesson_complete(user_id: int, topic_id: int) -> bool:
    return plain_connection().execute(
        _completion_statement(), {"user_id": user_id, "topic_id": topic_id}).first() is not None


def mark_lesson_complete(user_id: int, topic_id: int, now: datetime) -> None:
    """Record that the user finished the lesson; marking it twice keeps one record."""
    if is_lesson_complete(user_id, topic_id):
        return
    try:
        with savepoint():
            db.session.add(LessonCompletion(user_id=user_id, topic_id=topic_id, completed_at=now))
    except IntegrityError:
        pass  # a concurrent request recorded it first: the record exists, which is the goal


def mark_lesson_incomplete(user_id: int, topic_id: int) -> None:
    """Withdraw the user's completion mark for the lesson."""
    db.session.execute(
        delete(LessonCompletion).where(LessonCompletion.user_id == user_id,
                                       LessonCompletion.topic_id == topic_id))
