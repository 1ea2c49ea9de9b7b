"""The certificates part of the demo: a finished regional edition with an issued certificate,
a graduate whose certificate waits to be issued, a participant one quiz away from theirs, and
a revoked certificate on record."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.certificates.pdf import pdf_engine_available
from lms.certificates.services import eligibility, issue_certificate, revoke_certificate
from lms.courses.models import Programme, Topic, UnitTopic
from lms.extensions import db
from lms.progress.attendance import set_mark
from lms.progress.editions import programme_units, schedule_units
from lms.progress.models import AttendanceSource, AttendanceStatus, Edition, Enrolment
from lms.progress.services import mark_lesson_complete
from lms.quizzes.models import Quiz, QuizAttempt

EDITION = "Regional edition, spring 2026"
ALUMNUS = ("alumnus@demo.cmrs-certificate.example", "Youssef Nabil", "يوسف نبيل")
AWAITING = ("graduate@demo.cmrs-certificate.example", "Laila Mansour", "ليلى منصور")


def add_demo(admin: User, instructor: User, graduate: User, almost: User,
             now: datetime) -> None:
    """Create the finished edition once; later runs leave it as it is."""
    programme = db.session.scalar(select(Programme).filter_by(slug="regional",
                                                               is_retired=False))
    if programme is None or not pdf_engine_available():
        return
    if db.session.scalar(select(Edition.id).filter_by(name=EDITION)) is not None:
        return
    edition = Edition(programme_id=programme.id, name=EDITION, starts_on=date(2026, 4, 5),
                      ends_on=date(2026, 4, 14), venue="AUC New Cairo campus")
    db.session.add(edition)
    db.session.flush()
    sessions = schedule_units(edition, programme_units(programme.id), date(2026, 4, 5),
                              time(9), time(17), 7)
    alumnus = _record_only(*ALUMNUS, "Ministry of Interior")
    # Complete like the others, so an admin has a certificate to issue on graduation day.
    awaiting = _record_only(*AWAITING, "National Council for Women")
    people = [graduate, almost, alumnus, awaiting]
    for person in people:
        db.session.add(Enrolment(edition_id=edition.id, user_id=person.id))
    db.session.flush()
    for session in sessions:
        for person in people:
            set_mark(session, person.id, AttendanceStatus.PRESENT, "", instructor,
                     AttendanceSource.ROSTER, session.ends_at)
    topic_ids = list(dict.fromkeys(db.session.scalars(
        select(UnitTopic.topic_id).join(Topic, Topic.id == UnitTopic.topic_id)
        .where(UnitTopic.unit_id.in_([s.unit_id for s in sessions])))))
    for topic in db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids))):
        topic.published_at = min(topic.published_at, datetime(2026, 1, 1, tzinfo=now.tzinfo))
    quizzes = db.session.scalars(select(Quiz).where(Quiz.topic_id.in_(topic_ids))).all()
    for person in people:
        for topic_id in topic_ids:
            mark_lesson_complete(person.id, topic_id, now)
        # The second participant has one quiz left to pass.
        for quiz in quizzes[:-1] if person is almost else quizzes:
            _passed_attempt(quiz, person, now)
    db.session.flush()
    issue_certificate(graduate, edition, admin, now, eligibility(graduate.id, edition, now))
    old, _ = issue_certificate(alumnus, edition, admin, now,
                               eligibility(alumnus.id, edition, now))
    revoke_certificate(old, admin, "Issued to a participant who later withdrew; the programme "
                       "team asked for it to be withdrawn.", now)
    db.session.flush()


def _record_only(email: str, name: str, name_ar: str, organisation: str) -> User:
    user = db.session.scalar(select(User).filter_by(email=email))
    if user is None:
        # No password: this account only carries a record and never logs in.
        user = User(email=email, role=Role.PARTICIPANT, full_name=name, full_name_ar=name_ar,
                    organisation=organisation, country="Egypt")
        db.session.add(user)
        db.session.flush()
    return user


def _passed_attempt(quiz: Quiz, person: User, now: datetime) -> None:
    if db.session.scalar(select(QuizAttempt.id).filter_by(quiz_id=quiz.id,
                                                          user_id=person.id)) is not None:
        return
    when = now - timedelta(days=200)
    db.session.add(QuizAttempt(quiz_id=quiz.id, user_id=person.id, number=1, status="graded",
                               started_at=when, submitted_at=when, score=9.0, max_score=10.0,
                               percent=90.0, passed=True, snapshot=[], responses={}))

