"""The completion rule: the one place that decides what a participant has done in an edition.

``completion_for_edition`` computes every unit's state for many participants in a fixed number
of queries; ``completion_for`` is the same function for one participant. Dashboards, the board,
exports, instructor views and certificates all read these results and never count on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.sql import Executable

from lms.auth.models import User
from lms.courses.models import CoursePackage, Module, Programme, Topic, Unit, UnitTopic
from lms.extensions import db
from lms.progress.models import (
    Attendance,
    AttendanceStatus,
    Edition,
    Enrolment,
    InPersonSession,
    LessonCompletion,
    MakeUp,
)
from lms.quizzes.results import QuizResult, quiz_results, topics_with_quiz


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
        return self.title_ar if language == "ar" and self.title_ar else self.title_en


@dataclass(frozen=True, slots=True)
class TopicRef:
    id: int
    slug: str
    title_en: str
    title_ar: str
    has_quiz: bool
    is_optional: bool  # published after the unit's last in-person day of this edition

    def title(self, language: str) -> str:
        return self.title_ar if language == "ar" and self.title_ar else self.title_en


@dataclass(frozen=True, slots=True)
class SessionRef:
    id: int
    unit_id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    contact_hours: float
    venue: str | None


class DayState(NamedTuple):
    session: SessionRef
    status: AttendanceStatus | None
    made_up: bool
    counts: bool


class TopicState(NamedTuple):
    topic: TopicRef
    lesson_done: bool
    quiz: QuizResult | None

    @property
    def quiz_passed(self) -> bool:
        return self.quiz is not None and self.quiz.passed


@dataclass(slots=True)
class Missing:
    """One thing still to do: ``days`` (attend ``count`` more of ``sessions``), ``schedule``
    (days not scheduled yet), ``lesson`` or ``quiz`` (of ``topic``)."""

    kind: str
    count: int = 0
    sessions: tuple[SessionRef, ...] = ()
    topic: TopicRef | None = None


@dataclass(slots=True, eq=False)
class UnitState:
    """One participant's state in one unit. The counts are worked out at once; what is missing,
    item by item, and ``days`` and ``topics`` (the detail behind the counts) are built when
    first read: a board needs the counts of thousands of people but the detail of few."""

    unit: UnitRef
    days_required: int
    days_attended: int
    lessons_total: int
    lessons_done: int
    quizzes_total: int
    quizzes_passed: int
    missing_count: int
    at_risk: bool
    _missing: Callable[[], list[Missing]] = field(repr=False)
    _detail: Callable[[], tuple[list[DayState], list[TopicState]]] = field(repr=False)
    _missing_built: list[Missing] | None = field(default=None, repr=False)
    _built: tuple[list[DayState], list[TopicState]] | None = field(default=None, repr=False)

    @property
    def missing(self) -> list[Missing]:
        """What is still to do, in order: days (or their schedule), then lessons, then quizzes."""
        if self._missing_built is None:
            self._missing_built = self._missing()
        return self._missing_built

    @property
    def days(self) -> list[DayState]:
        return self._details()[0]

    @property
    def topics(self) -> list[TopicState]:
        return self._details()[1]

    def _details(self) -> tuple[list[DayState], list[TopicState]]:
        if self._built is None:
            self._built = self._detail()
        return self._built

    def _key(self) -> tuple[object, ...]:
        return (self.unit, self.days, self.topics, self.days_required, self.days_attended,
                self.lessons_total, self.lessons_done, self.quizzes_total, self.quizzes_passed,
                self.missing, self.at_risk)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnitState) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    @property
    def is_complete(self) -> bool:
        return not self.missing_count

    @property
    def attendance_ok(self) -> bool:
        return not any(m.kind in ("days", "schedule") for m in self.missing)

    @property
    def online_done(self) -> int:
        return self.lessons_done + self.quizzes_passed

    @property
    def online_total(self) -> int:
        return self.lessons_total + self.quizzes_total


@dataclass(slots=True)
class ParticipantCompletion:
    user_id: int
    edition_id: int
    units: list[UnitState] = field(default_factory=list)

    @property
    def units_complete(self) -> int:
        return sum(1 for unit in self.units if unit.is_complete)

    @property
    def is_complete(self) -> bool:
        """Every unit of the programme complete: the certificate unlocks."""
        return bool(self.units) and all(unit.is_complete for unit in self.units)

    @property
    def at_risk(self) -> bool:
        return any(unit.at_risk for unit in self.units)

    @property
    def status(self) -> str:
        if self.is_complete:
            return "complete"
        return "at_risk" if self.at_risk else "in_progress"


@dataclass
class EditionPlan:
    """What every participant of an edition must do: the same for all of them."""

    edition: Edition
    rules: Rules
    units: list[UnitRef]
    topics: dict[int, list[TopicRef]]  # unit id → topics in teaching order
    sessions: dict[int, list[SessionRef]]  # unit id → sessions by day

    @property
    def topic_ids(self) -> set[int]:
        return {topic.id for topics in self.topics.values() for topic in topics}

    @property
    def session_ids(self) -> list[int]:
        return [s.id for sessions in self.sessions.values() for s in sessions]


@cache
def _plan_statements() -> tuple[Executable, Executable, Executable]:
    # Built once, with parameters: building them cost about as much as running them.
    settings = (select(CoursePackage.completion)
                .join(Programme, Programme.package_id == CoursePackage.id)
                .where(Programme.id == bindparam("programme_id")))
    sessions = (select(InPersonSession.id, InPersonSession.unit_id, InPersonSession.day,
                       InPersonSession.starts_at, InPersonSession.ends_at,
                       InPersonSession.contact_hours, InPersonSession.venue)
                .where(InPersonSession.edition_id == bindparam("edition_id"))
                .order_by(InPersonSession.starts_at, InPersonSession.id))
    units = (select(Unit.id, Unit.slug, Unit.position, Unit.days, Unit.hours_per_day,
                    Unit.title_en, Unit.title_ar, Module.title_en, Module.title_ar, Topic.id,
                    Topic.slug, Topic.title_en, Topic.title_ar, Topic.published_at)
             .outerjoin(Module, Module.id == Unit.module_id)
             .outerjoin(UnitTopic, UnitTopic.unit_id == Unit.id)
             .outerjoin(Topic, (Topic.id == UnitTopic.topic_id) & Topic.is_retired.is_(False))
             .where(Unit.programme_id == bindparam("programme_id"), Unit.is_retired.is_(False))
             .order_by(Unit.position, Unit.id, UnitTopic.position))
    return settings, sessions, units


def edition_plan(edition: Edition) -> EditionPlan:
    """The edition's units, topics, quizzes and sessions, in four queries."""
    # Plain rows straight from the connection (every participant's home page asks for the
    # plan); the connection does not flush by itself, so pending changes go first.
    db.session.flush()
    connection = db.session.connection()
    settings, sessions_of, units_of = _plan_statements()
    settings_value = connection.scalar(settings, {"programme_id": edition.programme_id})
    sessions: dict[int, list[SessionRef]] = defaultdict(list)
    for row in connection.execute(sessions_of, {"edition_id": edition.id}):
        sessions[row.unit_id].append(SessionRef(*row))
    rows = connection.execute(units_of, {"programme_id": edition.programme_id}).all()
    topic_ids = {row[9] for row in rows if row[9] is not None}
    with_quiz = topics_with_quiz(topic_ids)
    units: dict[int, UnitRef] = {}
    topics: dict[int, list[TopicRef]] = defaultdict(list)
    for (unit_id, slug, position, days, hours, own_en, own_ar, module_en, module_ar,
         topic_id, topic_slug, topic_en, topic_ar, published_at) in rows:
        if unit_id not in units:
            units[unit_id] = UnitRef(unit_id, slug, position, days, hours,
                                     own_en or module_en or slug, own_ar or module_ar or "")
        if topic_id is None:
            continue
        last_day = sessions[unit_id][-1].ends_at if sessions.get(unit_id) else None
        optional = last_day is not None and published_at > last_day
        topics[unit_id].append(TopicRef(topic_id, topic_slug, topic_en, topic_ar,
                                        topic_id in with_quiz, optional))
    return EditionPlan(edition, Rules.from_settings(settings_value), list(units.values()),
                       dict(topics), dict(sessions))


def _participants(edition: Edition, user_ids: Collection[int] | None) -> list[int]:
    if user_ids is not None:
        return sorted(set(user_ids))
    return list(db.session.scalars(select(Enrolment.user_id)
                                   .where(Enrolment.edition_id == edition.id)
                                   .order_by(Enrolment.user_id)))


def _restrict(query: Any, column: Any, edition: Edition,
              user_ids: Collection[int] | None) -> Any:
    if user_ids is None:
        enrolled = select(Enrolment.user_id).where(Enrolment.edition_id == edition.id)
        return query.where(column.in_(enrolled))
    return query.where(column.in_(list(user_ids)))


def completion_for_edition(edition: Edition, now: datetime,
                           user_ids: Collection[int] | None = None,
                           plan: EditionPlan | None = None) -> dict[int, ParticipantCompletion]:
    """Every unit's state for the given participants (all enrolled ones by default).

    Nine queries at most whatever the number of participants, units, topics or days.
    """
    plan = plan or edition_plan(edition)
    people = _participants(edition, user_ids)
    if not people:
        return {}
    restrict_to = None if user_ids is None else people
    session_ids = plan.session_ids
    marks: dict[int, dict[int, AttendanceStatus]] = defaultdict(dict)
    made_up: dict[int, set[int]] = defaultdict(set)
    if session_ids:
        # Marks and make-ups of the edition's own days belong to its enrolled people, so the
        # whole edition needs no filter on people. The status is read as text and mapped here:
        # converting a hundred thousand enum values one by one costs more than the query.
        marked = select(Attendance.user_id, Attendance.session_id,
                        type_coerce(Attendance.status, String)).where(
            Attendance.session_id.in_(session_ids))
        if restrict_to is not None:
            marked = marked.where(Attendance.user_id.in_(restrict_to))
        as_status = {status.value: status for status in AttendanceStatus}
        connection = db.session.connection()  # plain rows: no ORM loading for bulk reads
        for user_id, session_id, status in connection.execute(marked):
            marks[user_id][session_id] = as_status[status]
        made = select(MakeUp.user_id, MakeUp.session_id).where(MakeUp.session_id.in_(session_ids))
        if restrict_to is not None:
            made = made.where(MakeUp.user_id.in_(restrict_to))
        for user_id, session_id in connection.execute(made):
            made_up[user_id].add(session_id)
    topic_ids = plan.topic_ids
    done: dict[int, set[int]] = defaultdict(set)
    results: dict[tuple[int, int], QuizResult] = {}
    if topic_ids:
        lessons = select(LessonCompletion.user_id, LessonCompletion.topic_id).where(
            LessonCompletion.topic_id.in_(topic_ids))
        for user_id, topic_id in db.session.connection().execute(
                _restrict(lessons, LessonCompletion.user_id, edition, restrict_to)):
            done[user_id].add(topic_id)
        results = quiz_results(people, topic_ids)
    counting = {status: plan.rules.counts(status) for status in (*AttendanceStatus, None)}
    units = [_UnitPlan.build(unit, plan) for unit in plan.units]
    no_marks: dict[int, AttendanceStatus] = {}
    nothing: set[int] = set()
    requires_quizzes = plan.rules.requires_quizzes
    outcome = {}
    for user_id in people:
        person = ParticipantCompletion(user_id, edition.id)
        user_marks, user_made = marks.get(user_id, no_marks), made_up.get(user_id, nothing)
        user_done = done.get(user_id, nothing)
        person.units = [unit.state(user_id, user_marks, user_made, user_done, results, counting,
                                   requires_quizzes, now) for unit in units]
        outcome[user_id] = person
    return outcome


def completion_for(participant: User | int, edition: Edition,
                   now: datetime) -> ParticipantCompletion:
    """One participant's completion in the edition: the batch rule applied to one person."""
    user_id = participant if isinstance(participant, int) else participant.id
    return completion_for_edition(edition, now, [user_id])[user_id]


@dataclass
class _UnitPlan:
    """What is the same for every participant in one unit, worked out once per call."""

    unit: UnitRef
    sessions: list[SessionRef]
    topics: list[TopicRef]
    required_topics: list[TopicRef]  # not optional for this edition
    quiz_topics: list[TopicRef]  # required topics that have a quiz
    required: int  # in-person days
    last_end: datetime | None

    @classmethod
    def build(cls, unit: UnitRef, plan: EditionPlan) -> _UnitPlan:
        sessions = plan.sessions.get(unit.id, [])
        topics = plan.topics.get(unit.id, [])
        required_topics = [t for t in topics if not t.is_optional]
        scheduled = len(sessions) or unit.days
        return cls(unit, sessions, topics, required_topics,
                   [t for t in required_topics if t.has_quiz],
                   max(0, scheduled - plan.rules.unexcused_absences_allowed),
                   sessions[-1].ends_at if sessions else None)

    def state(self, user_id: int, marks: dict[int, AttendanceStatus], made_up: set[int],
              done: set[int], results: dict[tuple[int, int], QuizResult],
              counting: dict[AttendanceStatus | None, bool], requires_quizzes: bool,
              now: datetime) -> UnitState:
        """One participant's state in this unit; written for speed, as boards call it a lot."""
        not_counted: list[SessionRef] = []
        attended = remaining = 0
        for session in self.sessions:
            status = marks.get(session.id)
            if session.id in made_up or counting[status]:
                attended += 1
            else:
                not_counted.append(session)
                if status is None and session.ends_at > now:
                    remaining += 1
        required = self.required
        unscheduled = not self.sessions and required > 0
        days_short = 0 if unscheduled else max(0, required - attended)
        lessons_done = sum(1 for topic in self.required_topics if topic.id in done)
        quizzes = self.quiz_topics if requires_quizzes else []
        quizzes_passed = 0
        for topic in quizzes:
            quiz = results.get((user_id, topic.id))
            if quiz is not None and quiz.passed:
                quizzes_passed += 1
        missing_count = ((1 if unscheduled or days_short else 0)
                         + len(self.required_topics) - lessons_done + len(quizzes) - quizzes_passed)
        at_risk = False
        if missing_count and self.sessions:
            online_behind = self.last_end is not None and self.last_end <= now and (
                lessons_done < len(self.required_topics) or quizzes_passed < len(quizzes))
            at_risk = attended + remaining < required or online_behind

        def missing() -> list[Missing]:
            items: list[Missing] = []
            if unscheduled:
                items.append(Missing("schedule", required))
            elif days_short:
                items.append(Missing("days", days_short, tuple(not_counted)))
            items.extend(Missing("lesson", 0, (), topic) for topic in self.required_topics
                         if topic.id not in done)
            for topic in quizzes:
                quiz = results.get((user_id, topic.id))
                if quiz is None or not quiz.passed:
                    items.append(Missing("quiz", 0, (), topic))
            return items

        def detail() -> tuple[list[DayState], list[TopicState]]:
            days = [DayState(session, marks.get(session.id), session.id in made_up,
                             session.id in made_up or counting[marks.get(session.id)])
                    for session in self.sessions]
            topics = [TopicState(topic, topic.id in done,
                                 results.get((user_id, topic.id)) if topic.has_quiz else None)
                      for topic in self.topics]
            return days, topics

        return UnitState(self.unit, required, attended, len(self.required_topics), lessons_done,
                         len(quizzes), quizzes_passed, missing_count, at_risk, missing, detail)
