"""A participant's lesson completions: recording them, and counting lessons per programme.

Whether a unit or a programme is complete is decided by ``lms.progress.completion`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Module, Programme, Topic, Unit, UnitTopic
from lms.extensions import db
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, LessonCompletion


@dataclass
class TopicProgress:
    slug: str
    title_en: str
    title_ar: str
    lesson_done: bool

    def title(self, language: str) -> str:
        return self.title_ar if language == "ar" else self.title_en


@dataclass
class UnitProgress:
    unit: Unit
    module: Module | None
    topics: list[TopicProgress] = field(default_factory=list)

    @property
    def lessons_done(self) -> int:
        return sum(t.lesson_done for t in self.topics)

    def title(self, language: str) -> str:
        own = self.unit.title_ar if language == "ar" else self.unit.title_en
        if own:
            return own
        return self.module.title(language) if self.module else self.unit.slug


@dataclass
class EditionProgress:
    edition: Edition
    programme: Programme
    units: list[UnitProgress] = field(default_factory=list)

    @property
    def lessons_done(self) -> int:
        return sum(u.lessons_done for u in self.units)

    @property
    def lessons_total(self) -> int:
        return sum(len(u.topics) for u in self.units)


def active_enrolments(user_id: int) -> list[tuple[Enrolment, Edition, Programme]]:
    """The user's active enrolments with their editions and programmes, newest first."""
    rows = db.session.execute(
        select(Enrolment, Edition, Programme)
        .join(Enrolment.edition)
        .join(Edition.programme)
        .where(Enrolment.user_id == user_id, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Edition.starts_on.desc())
    )
    return [(row[0], row[1], row[2]) for row in rows]


def completed_topic_ids(user_id: int) -> set[int]:
    """Topics whose lesson the user has marked complete."""
    return set(db.session.scalars(
        select(LessonCompletion.topic_id).where(LessonCompletion.user_id == user_id)))


def lesson_progress(user_id: int) -> list[EditionProgress]:
    """Each active edition of the participant with its units, topics and lessons done.

    Three queries whatever the size of the programme.
    """
    enrolments = active_enrolments(user_id)
    programme_ids = {programme.id for _e, _ed, programme in enrolments}
    rows = db.session.execute(
        select(Unit, Module, Topic)
        .join(UnitTopic, UnitTopic.unit_id == Unit.id)
        .join(Topic, Topic.id == UnitTopic.topic_id)
        .outerjoin(Module, Module.id == Unit.module_id)
        .where(Unit.programme_id.in_(programme_ids), Unit.is_retired.is_(False),
               Topic.is_retired.is_(False))
        .order_by(Unit.position, UnitTopic.position)
    ).all()
    done = completed_topic_ids(user_id)
    by_programme: dict[int, dict[int, UnitProgress]] = {}
    for unit, module, topic in rows:
        units = by_programme.setdefault(unit.programme_id, {})
        progress = units.setdefault(unit.id, UnitProgress(unit, module))
        progress.topics.append(TopicProgress(topic.slug, topic.title_en, topic.title_ar,
                                             topic.id in done))
    return [
        EditionProgress(edition, programme, list(by_programme.get(programme.id, {}).values()))
        for _enrolment, edition, programme in enrolments
    ]


def is_lesson_complete(user_id: int, topic_id: int) -> bool:
    return db.session.scalar(
        select(LessonCompletion.id).filter_by(user_id=user_id, topic_id=topic_id)
    ) is not None


def mark_lesson_complete(user_id: int, topic_id: int, now: datetime) -> None:
    """Record that the user finished the lesson; marking it twice keeps one record."""
    if is_lesson_complete(user_id, topic_id):
        return
    try:
        with db.session.begin_nested():
            db.session.add(LessonCompletion(user_id=user_id, topic_id=topic_id, completed_at=now))
    except IntegrityError:
        pass  # a concurrent request recorded it first: the record exists, which is the goal


def mark_lesson_incomplete(user_id: int, topic_id: int) -> None:
    """Withdraw the user's completion mark for the lesson."""
    db.session.execute(
        delete(LessonCompletion).where(LessonCompletion.user_id == user_id,
                                       LessonCompletion.topic_id == topic_id))
