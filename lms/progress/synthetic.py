"""A synthetic edition of any size, with attendance, lessons and quiz attempts, for measuring.

Rows are written with bulk inserts so that ten thousand participants take seconds, not minutes.
The accounts have no password and an ``.invalid`` address, so they can never log in or get mail.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import insert, select

from lms.auth.models import Role, User
from lms.auth.privacy import NOTICE_VERSION
from lms.courses.models import Programme, Unit, UnitTopic
from lms.extensions import db
from lms.progress.editions import create_edition, programme_units, schedule_units
from lms.progress.models import (
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
    LessonCompletion,
    OrganisationType,
)
from lms.quizzes.models import Quiz, QuizAttempt

BATCH = 5000
STATUS_WEIGHTS = ((AttendanceStatus.PRESENT, 86), (AttendanceStatus.LATE, 6),
                  (AttendanceStatus.EXCUSED, 3), (AttendanceStatus.ABSENT, 5))
COUNTRIES = ("Egypt", "Jordan", "Lebanon", "Morocco", "Tunisia", "Sudan", "Iraq", "Libya")


def _insert(model: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def create_synthetic_edition(programme: Programme, participants: int, now: datetime,
                             seed: int = 2016) -> Edition:
    """An edition of ``programme`` with ``participants`` people, half-way through its units."""
    rng = random.Random(seed)  # noqa: S311  (repeatable test data, not secrets)
    tag = secrets.token_hex(4)
    units = programme_units(programme.id)
    first = (now - timedelta(days=30 * max(1, len(units) // 2))).date()
    edition = create_edition(programme, f"Synthetic edition {tag} ({participants})", first,
                             first + timedelta(days=30 * len(units) + 10), "Synthetic venue")
    for index, unit in enumerate(units):
        schedule_units(edition, [unit], first + timedelta(days=30 * index), time(9), time(17),
                       None)
    first_seen = datetime.combine(first, time(9), now.tzinfo) - timedelta(days=7)
    _insert(User, [{"email": f"synthetic-{tag}-{n}@example.invalid", "role": Role.PARTICIPANT,
                    "full_name": f"Participant {n:05d}", "country": rng.choice(COUNTRIES),
                    "organisation": f"Organisation {n % 40}", "preferred_language": "en",
                    "is_active_account": True, "created_at": now,
                    # Half-way through the programme, people have long confirmed the notice
                    # their first page asked them to read.
                    "privacy_notice_version": NOTICE_VERSION, "privacy_notice_seen_at": first_seen}
                   for n in range(participants)])
    user_ids = list(db.session.scalars(select(User.id).where(
        User.email.like(f"synthetic-{tag}-%"))))
    types = list(OrganisationType)
    _insert(Enrolment, [{"edition_id": edition.id, "user_id": uid, "enrolled_at": now,
                         "status": EnrolmentStatus.ACTIVE if rng.random() > 0.03
                         else EnrolmentStatus.WITHDRAWN,
                         "organisation_type": rng.choice(types),
                         "gender": rng.choice(("female", "male"))} for uid in user_ids])
    _add_attendance(edition, user_ids, now, rng)
    _add_online_work(programme, user_ids, now, rng)
    db.session.flush()
    return edition


def _add_attendance(edition: Edition, user_ids: list[int], now: datetime,
                    rng: random.Random) -> None:
    held = db.session.scalars(select(InPersonSession.id).where(
        InPersonSession.edition_id == edition.id, InPersonSession.ends_at <= now)).all()
    statuses = [status for status, _weight in STATUS_WEIGHTS]
    weights = [weight for _status, weight in STATUS_WEIGHTS]
    rows: list[dict[str, object]] = []
    for session_id in held:
        for uid in user_ids:
            rows.append({"session_id": session_id, "user_id": uid,
                         "status": rng.choices(statuses, weights)[0], "note": "",
                         "source": AttendanceSource.IMPORT, "marked_at": now})
        if len(rows) >= BATCH:
            _insert(Attendance, rows)
            rows = []
    _insert(Attendance, rows)


def _add_online_work(programme: Programme, user_ids: list[int], now: datetime,
                     rng: random.Random) -> None:
    topic_ids = list(dict.fromkeys(db.session.scalars(
        select(UnitTopic.topic_id).join(Unit, Unit.id == UnitTopic.unit_id)
        .where(Unit.programme_id == programme.id).order_by(Unit.position, UnitTopic.position))))
    quizzes = {q.topic_id: q for q in db.session.scalars(
        select(Quiz).where(Quiz.topic_id.in_(topic_ids)))}
    lessons: list[dict[str, object]] = []
    attempts: list[dict[str, object]] = []
    for uid in user_ids:
        diligence = rng.random()
        for topic_id in topic_ids:
            if rng.random() > 0.2 + 0.8 * diligence:
                continue
            lessons.append({"user_id": uid, "topic_id": topic_id, "completed_at": now})
            quiz = quizzes.get(topic_id)
            if quiz is None:
                continue
            for number in range(1, rng.randint(1, 2) + 1):
                percent = round(min(100.0, rng.gauss(60 + 35 * diligence, 15)), 1)
                percent = max(0.0, percent)
                attempts.append({
                    "quiz_id": quiz.id, "user_id": uid, "number": number, "status": "graded",
                    "started_at": now - timedelta(hours=1), "submitted_at": now,
                    "score": percent, "max_score": 100.0, "percent": percent,
                    "passed": percent >= quiz.pass_mark, "pass_mark": quiz.pass_mark,
                    "snapshot": [], "responses": {}})
        if len(lessons) >= BATCH:
            _insert(LessonCompletion, lessons)
            lessons = []
        if len(attempts) >= BATCH:
            _insert(QuizAttempt, attempts)
            attempts = []
    _insert(LessonCompletion, lessons)
    _insert(QuizAttempt, attempts)
