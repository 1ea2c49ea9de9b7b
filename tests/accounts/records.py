"""Builders of a participant's records across features, for privacy tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import User
from lms.certificates.codes import new_code
from lms.certificates.models import Certificate
from lms.certificates.services import build_snapshot
from lms.courses.models import Topic, Unit
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import (
    Apology,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
    Edition,
    InPersonSession,
)
from lms.progress.services import mark_lesson_complete
from lms.quizzes.models import AttemptAnswer, Quiz, QuizAttempt


def session_of(edition: Edition, day: date) -> InPersonSession:
    unit = db.session.scalar(select(Unit).filter_by(slug="alpha"))
    assert unit is not None
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    session = InPersonSession(edition_id=edition.id, unit_id=unit.id, day=day, starts_at=start,
                              ends_at=start.replace(hour=14), contact_hours=6)
    db.session.add(session)
    db.session.flush()
    return session


def give_records(user: User, edition: Edition, marker: str, marked_by: User,
                 session: InPersonSession) -> Certificate:
    """Progress, an attempt with an answer, attendance with a note, an apology, a listing,
    a mail and a certificate, each carrying ``marker`` where free text is possible."""
    first = db.session.scalar(select(Topic).filter_by(slug="first"))
    assert first is not None
    mark_lesson_complete(user.id, first.id, utcnow())
    quiz = db.session.scalar(select(Quiz).filter_by(topic_id=first.id))
    assert quiz is not None
    attempt = QuizAttempt(quiz_id=quiz.id, user_id=user.id, number=1, status="graded",
                          started_at=utcnow(), submitted_at=utcnow(), score=1, max_score=1,
                          percent=100.0, passed=True, responses={"q1": f"answer {marker}"})
    db.session.add(attempt)
    db.session.flush()
    db.session.add(AttemptAnswer(attempt_id=attempt.id, question_key="q1",
                                 question_type="single", response="a", max_marks=1, marks=1,
                                 comment=f"graded comment {marker}",
                                 graded_by_id=marked_by.id))
    db.session.add(Attendance(session_id=session.id, user_id=user.id,
                              status=AttendanceStatus.EXCUSED, note=f"note {marker}",
                              source=AttendanceSource.ROSTER, marked_by_id=marked_by.id))
    db.session.add(Apology(session_id=session.id, user_id=user.id,
                           reason=f"apology {marker}"))
    db.session.add(DirectoryEntry(user_id=user.id, position=f"position {marker}",
                                  areas_of_work="borders", show_contact=False))
    db.session.add(OutboxMessage(recipient=user.email, user_id=user.id, template="invitation",
                                 language="en",
                                 subject=f"mail {marker}", body_text=f"mail body {marker}"))
    code = new_code()
    certificate = Certificate(code=code, user_id=user.id, edition_id=edition.id,
                              issue_date=date(2027, 3, 31), pdf_name=f"{code}.pdf",
                              snapshot=build_snapshot(user, edition, date(2027, 3, 31), code))
    db.session.add(certificate)
    db.session.flush()
    return certificate
