"""The completion rule: the one place that decides what a participant has done in an edition.

``completion_for_edition`` computes every unit's state for many participants in a fixed number
of queries; ``completion_for`` is the same function for one participant. Dashboards, the board,
exports, instructor views and certificates all read these results and never count on their own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.sql import Executable

from lms.auth.models import User
from lms.courses.models import Unit, UnitTopic
from lms.database import one_of_ids, plain_connection
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
from lms.progress.plan import EditionPlan, SessionRef, TopicRef, UnitRef, edition_plan
from lms.quizzes.results import QuizResult, quiz_results


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
    """One thing still to do: ``days`` (attend ``count`` more; ``sessions`` are the days still
    to come, ``missed`` those over or marked without counting, which a make-up can replace),
    ``schedule`` (days not scheduled yet), ``lesson`` or ``quiz`` (of ``topic``)."""

    kind: str
    count: int = 0
    sessions: tuple[SessionRef, ...] = ()
    topic: TopicRef | None = None
    missed: tuple[SessionRef, ...] = ()


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
    def days_counted(self) -> int:
        """Days attended as they count towards the days required: a day more than required
        adds nothing, and every page shows "4 of 4", never "5/4"."""
        return min(self.days_attended, self.days_required)

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


def _participants(edition: Edition, user_ids: Collection[int] | None) -> list[int]:
    if user_ids is not None:
        return sorted(set(user_ids))
    return list(db.session.scalars(select(Enrolment.user_id)
                                   .where(Enrolment.edition_id == edition.id)
                                   .order_by(Enrolment.user_id)))


class _Reads(NamedTuple):
    marks: Executable
    made_up: Executable
    lessons: Executable


@cache
def _progress_statements(for_people: bool, dialect: str) -> _Reads:
    """The participants' marks, make-ups and lessons, for some people or for the whole edition.

    Built once, with parameters: every participant's home page runs them, and building them
    cost about as much as running them. The days and topics are named by their edition and
    programme rather than listed: a list of ids is spelled out into the statement on every run.
    """
    days = select(InPersonSession.id).where(InPersonSession.edition_id == bindparam("edition_id"))
    topics = (select(UnitTopic.topic_id).join(Unit, Unit.id == UnitTopic.unit_id)
              .where(Unit.programme_id == bindparam("programme_id")))
    marks = (select(Attendance.user_id, Attendance.session_id,
                    type_coerce(Attendance.status, String))
             .where(Attendance.session_id.in_(days)))
    made_up = select(MakeUp.user_id, MakeUp.session_id).where(MakeUp.session_id.in_(days))
    lessons = select(LessonCompletion.user_id, LessonCompletion.topic_id).where(
        LessonCompletion.topic_id.in_(topics))
    if for_people:
        return _Reads(marks.where(one_of_ids(Attendance.user_id, "people", dialect)),
                      made_up.where(one_of_ids(MakeUp.user_id, "people", dialect)),
                      lessons.where(one_of_ids(LessonCompletion.user_id, "people", dialect)))
    # Marks and make-ups of the edition's own days belong to its enrolled people, so they need
    # no filter on people; lesson completions may belong to anyone.
    enrolled = select(Enrolment.user_id).where(Enrolment.edition_id == bindparam("edition_id"))
    return _Reads(marks, made_up, lessons.where(LessonCompletion.user_id.in_(enrolled)))


def completion_for_edition(edition: Edition, now: datetime,
                           user_ids: Collection[int] | None = None,
                           plan: EditionPlan | None = None) -> dict[int, ParticipantCompletion]:
    """Every unit's state for the given participants (all enrolled ones by default).

    Seven queries at most whatever the number of participants, units, topics or days.
    """
    plan = plan or edition_plan(edition)
    people = _participants(edition, user_ids)
    if not people:
        return {}
    connection = plain_connection()
    reads = _progress_statements(user_ids is not None, connection.dialect.name)
    values = {"people": people, "edition_id": edition.id, "programme_id": edition.programme_id}
    marks: dict[int, dict[int, AttendanceStatus]] = defaultdict(dict)
    made_up: dict[int, set[int]] = defaultdict(set)
    if plan.sessions:
        # The status is read as text and mapped here: converting a hundred thousand enum values
        # one by one costs more than the query.
        as_status = {status.value: status for status in AttendanceStatus}
        # Fetched at once (``all``): row by row cost more.
        for user_id, session_id, status in connection.execute(reads.marks, values).all():
            marks[user_id][session_id] = as_status[status]
        for user_id, session_id in connection.execute(reads.made_up, values).all():
            made_up[user_id].add(session_id)
    done: dict[int, set[int]] = defaultdict(set)
    results: dict[tuple[int, int], QuizResult] = {}
    if plan.topics:
        for user_id, topic_id in connection.execute(reads.lessons, values).all():
            done[user_id].add(topic_id)
        results = quiz_results(people, plan.quiz_topics)
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
        coming: list[SessionRef] = []
        missed: list[SessionRef] = []
        attended = 0
        for session in self.sessions:
            status = marks.get(session.id)
            if session.id in made_up or counting[status]:
                attended += 1
            elif status is None and session.ends_at > now:
                coming.append(session)
            else:
                missed.append(session)
        remaining = len(coming)
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
                items.append(Missing("days", days_short, tuple(coming), missed=tuple(missed)))
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
