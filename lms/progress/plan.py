"""What every participant of an edition must do, the same for all of them: its units, their
topics (and which have a quiz), its in-person days and the package's completion settings.

The completion rule (``lms.progress.completion``) applies it to each participant; pages that
only list days or units read it too.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.sql import Executable

from lms.courses.models import CoursePackage, Module, Programme, Topic, Unit, UnitTopic, title_in
from lms.database import plain_connection
from lms.extensions import db
from lms.progress.models import AttendanceStatus, Edition, InPersonSession
from lms.quizzes.answerable import has_marked_question
from lms.quizzes.models import Quiz


@dataclass(frozen=True)
class Rules:
    """The package's completion settings (docs/course-package.md, "completion")."""

    late_counts: bool = True
    excused_counts: bool = False
    unexcused_absences_allowed: int = 0
    requires_quizzes: bool = True

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> Rules:
        settings = settings or {}
        return cls(
            late_counts=bool(settings.get("late_counts", True)),
            excused_counts=bool(settings.get("excused_counts", False)),
            unexcused_absences_allowed=max(0, int(settings.get("unexcused_absences_allowed", 0))),
            requires_quizzes=bool(settings.get("requires_quizzes", True)),
        )

    def counts(self, status: AttendanceStatus | None) -> bool:
        if status == AttendanceStatus.PRESENT:
            return True
        if status == AttendanceStatus.LATE:
            return self.late_counts
        if status == AttendanceStatus.EXCUSED:
            return self.excused_counts
        return False


@dataclass(frozen=True, slots=True)
class UnitRef:
    id: int
    slug: str
    position: int
    days: int
    hours_per_day: int
    title_en: str
    title_ar: str

    def title(self, language: str) -> str:
        return title_in(language, self.title_en, self.title_ar)


@dataclass(frozen=True, slots=True)
class TopicRef:
    id: int
    slug: str
    title_en: str
    title_ar: str
    quiz_id: int | None  # the topic's live quiz, if it has a question worth marks
    is_optional: bool  # published after the unit's last in-person day of this edition

    @property
    def has_quiz(self) -> bool:
        return self.quiz_id is not None

    def title(self, language: str) -> str:
        return title_in(language, self.title_en, self.title_ar)


@dataclass(frozen=True, slots=True)
class SessionRef:
    id: int
    unit_id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    contact_hours: float
    venue: str | None


@dataclass
class EditionPlan:
    """What every participant of an edition must do: the same for all of them."""

    edition: Edition
    rules: Rules
    units: list[UnitRef]
    topics: dict[int, list[TopicRef]]  # unit id → topics in teaching order
    sessions: dict[int, list[SessionRef]]  # unit id → sessions by day

    @property
    def quiz_topics(self) -> dict[int, int]:
        """The live quizzes of the edition's topics: quiz id → topic id."""
        return {topic.quiz_id: topic.id for topics in self.topics.values() for topic in topics
                if topic.quiz_id is not None}


@cache
def _plan_statements() -> tuple[Executable, Executable]:
    # Built once, with parameters: building them cost about as much as running them.
    sessions = (select(InPersonSession.id, InPersonSession.unit_id, InPersonSession.day,
                       InPersonSession.starts_at, InPersonSession.ends_at,
                       InPersonSession.contact_hours, InPersonSession.venue)
                .where(InPersonSession.edition_id == bindparam("edition_id"))
                .order_by(InPersonSession.starts_at, InPersonSession.id))
    # The package's settings ride on every row of the units (a small value, read once by the
    # database) rather than cost a round trip of their own; as text, so that only the first
    # row's copy is decoded.
    settings = (select(cast(CoursePackage.completion, Text))
                .join(Programme, Programme.package_id == CoursePackage.id)
                .where(Programme.id == bindparam("programme_id")).scalar_subquery())
    units = (select(Unit.id, Unit.slug, Unit.position, Unit.days, Unit.hours_per_day,
                    Unit.title_en, Unit.title_ar, Module.title_en, Module.title_ar, Topic.id,
                    Topic.slug, Topic.title_en, Topic.title_ar, Topic.published_at, Quiz.id,
                    settings)
             .outerjoin(Module, Module.id == Unit.module_id)
             .outerjoin(UnitTopic, UnitTopic.unit_id == Unit.id)
             .outerjoin(Topic, (Topic.id == UnitTopic.topic_id) & Topic.is_retired.is_(False))
             .outerjoin(Quiz, (Quiz.topic_id == Topic.id) & Quiz.is_retired.is_(False)
                        & has_marked_question(Quiz.id))
             .where(Unit.programme_id == bindparam("programme_id"), Unit.is_retired.is_(False))
             .order_by(Unit.position, Unit.id, UnitTopic.position))
    return sessions, units


def edition_rules(edition: Edition) -> Rules:
    """The completion settings of the edition's package (one query)."""
    settings = db.session.scalar(
        select(CoursePackage.completion).join(Programme, Programme.package_id == CoursePackage.id)
        .where(Programme.id == edition.programme_id))
    return Rules.from_settings(settings)


def edition_plan(edition: Edition) -> EditionPlan:
    """The edition's units, topics (and which have a live quiz) and sessions, and the package's
    completion settings, in two queries."""
    connection = plain_connection()
    sessions_of, units_of = _plan_statements()
    sessions: dict[int, list[SessionRef]] = defaultdict(list)
    for row in connection.execute(sessions_of, {"edition_id": edition.id}):
        sessions[row.unit_id].append(SessionRef(*row))
    rows = connection.execute(units_of, {"programme_id": edition.programme_id}).all()
    units: dict[int, UnitRef] = {}
    topics: dict[int, list[TopicRef]] = defaultdict(list)
    for (unit_id, slug, position, days, hours, own_en, own_ar, module_en, module_ar,
         topic_id, topic_slug, topic_en, topic_ar, published_at, quiz_id, _settings) in rows:
        if unit_id not in units:
            units[unit_id] = UnitRef(unit_id, slug, position, days, hours,
                                     own_en or module_en or slug, own_ar or module_ar or "")
        if topic_id is None:
            continue
        last_day = sessions[unit_id][-1].ends_at if sessions.get(unit_id) else None
        optional = last_day is not None and published_at > last_day
        topics[unit_id].append(TopicRef(topic_id, topic_slug, topic_en, topic_ar, quiz_id,
                                        optional))
    settings = json.loads(rows[0][-1]) if rows and rows[0][-1] else None
    return EditionPlan(edition, Rules.from_settings(settings), list(units.values()),
                       dict(topics), dict(sessions))
