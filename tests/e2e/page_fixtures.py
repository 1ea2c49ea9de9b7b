"""Finds, and where the demo has none creates, the objects every page type needs.

Run against the browser tests' server database (``python -m tests.e2e.page_fixtures`` with the
server's environment); prints one JSON object of ids, slugs, codes and tokens. Running it again
creates nothing new except a fresh invitation token, so a page never depends on test order.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from lms import create_app
from lms.auth.models import Role, TokenPurpose, User
from lms.auth.tokens import issue_token
from lms.certificates.models import Certificate, CertificateStatus
from lms.courses.authoring import package_zip
from lms.courses.authoring.models import LessonVersion, PackageUpload, VersionSource
from lms.courses.authoring.uploads import store_upload
from lms.courses.models import CoursePackage, MediaFile, Module, Topic, Unit, UnitTopic
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.editions import local_today
from lms.progress.models import Edition, InPersonSession
from lms.quizzes.attempts import ENDED_BY_PARTICIPANT, finish_attempt, start_attempt
from lms.quizzes.authoring import save_question
from lms.quizzes.models import AttemptAnswer, Question, Quiz, QuizAttempt

DOMAIN = "demo.cmrs-certificate.example"
INVITED = f"invited-for-pages@{DOMAIN}"
FORMER = f"former-participant@{DOMAIN}"
ESSAY_KEY = "pages-reflection"
FIXTURE_PACKAGE = Path(__file__).parent.parent / "fixtures" / "package"


def _user(handle: str) -> User:
    user = db.session.scalar(select(User).filter_by(email=f"{handle}@{DOMAIN}"))
    assert user is not None, handle
    return user


def _extra_user(email: str, name: str, active: bool) -> User:
    user = db.session.scalar(select(User).filter_by(email=email))
    if user is None:
        user = User(email=email, role=Role.PARTICIPANT, full_name=name, country="Egypt",
                    is_active_account=active)
        db.session.add(user)
        db.session.flush()
    return user


def _programme_quizzes(edition: Edition) -> list[Quiz]:
    topic_ids = db.session.scalars(
        select(UnitTopic.topic_id).join(Unit, Unit.id == UnitTopic.unit_id)
        .where(Unit.programme_id == edition.programme_id, Unit.is_retired.is_(False))
        .order_by(Unit.position, UnitTopic.position)).all()
    quizzes = {q.topic_id: q for q in db.session.scalars(
        select(Quiz).where(Quiz.topic_id.in_(topic_ids), Quiz.is_retired.is_(False)))}
    return [quizzes[t] for t in dict.fromkeys(topic_ids) if t in quizzes]


def _open_attempt(participant: User, quizzes: list[Quiz]) -> QuizAttempt:
    """An attempt left open on a quiz the other journeys do not take."""
    quiz = quizzes[len(quizzes) // 2]
    return start_attempt(participant, quiz, utcnow(), random.Random(quiz.id))  # noqa: S311


def _essay_answer(participant: User, quiz: Quiz, admin: User) -> AttemptAnswer:
    """An essay waiting for a grade (the course itself has no essay question)."""
    question = db.session.scalar(select(Question).filter_by(quiz_id=quiz.id, key=ESSAY_KEY))
    if question is None:
        save_question(quiz, {"id": ESSAY_KEY, "type": "essay", "points": 2, "max_words": 300,
                             "text": {"en": "Describe one case from your own work.",
                                      "ar": "صف حالة واحدة من عملك."}}, admin)
    answer = db.session.scalar(
        select(AttemptAnswer).join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.quiz_id == quiz.id, AttemptAnswer.question_key == ESSAY_KEY))
    if answer is None:
        now = utcnow()
        attempt = start_attempt(participant, quiz, now, random.Random(quiz.id))  # noqa: S311
        attempt.responses = {ESSAY_KEY: "At the border office we met a family who had lost "
                             "their papers; the lesson helped me see which rules applied."}
        db.session.flush()
        finish_attempt(attempt, participant, now, ENDED_BY_PARTICIPANT)
        answer = db.session.scalar(select(AttemptAnswer).filter_by(
            attempt_id=attempt.id, question_key=ESSAY_KEY))
    assert answer is not None
    return answer


def _image(module: Module, instructor: User) -> MediaFile:
    """An image in the module's media (the course package itself ships none)."""
    media = db.session.scalar(select(MediaFile).filter_by(
        package_id=module.package_id, is_retired=False).where(
        MediaFile.content_type.like("image/%")).order_by(MediaFile.id))
    if media is not None:
        return media
    return store_upload(module, "camp-map.png", (FIXTURE_PACKAGE / "media" / "pixel.png")
                        .read_bytes(), instructor, utcnow(),
                        Path(current_app.config["STORAGE_DIR"]))


def _open_day(edition: Edition) -> InPersonSession:
    """A day whose check-in is open now, so the code page shows its code and QR."""
    now = utcnow()
    unit = db.session.scalar(select(Unit).filter_by(programme_id=edition.programme_id)
                             .order_by(Unit.position.desc()))
    assert unit is not None
    day = local_today(edition.timezone, now)
    session = db.session.scalar(select(InPersonSession).filter_by(
        edition_id=edition.id, unit_id=unit.id, day=day))
    if session is None:
        session = InPersonSession(edition_id=edition.id, unit_id=unit.id, day=day,
                                  starts_at=now - timedelta(hours=1),
                                  ends_at=now + timedelta(hours=6), contact_hours=6.0)
        db.session.add(session)
        db.session.flush()
    return session


def _package_upload(admin: User) -> PackageUpload:
    """An uploaded zip whose report lists problems."""
    upload = db.session.scalar(select(PackageUpload).order_by(PackageUpload.id))
    if upload is not None:
        return upload
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(FIXTURE_PACKAGE.rglob("*")):
            if path.is_file() and path.name != "glossary.yaml":
                archive.write(path, f"package/{path.relative_to(FIXTURE_PACKAGE)}")
        archive.writestr("package/modules/broken.yaml", "title: [unclosed\n")
    storage = Path(current_app.config["STORAGE_DIR"])
    limits = package_zip.ZipLimits(max_entries=2000, max_uncompressed=50_000_000)
    return package_zip.receive("package-with-problems.zip", buffer.getvalue(), admin,
                               utcnow(), storage, limits)


def collect() -> dict[str, Any]:
    """Every id the page registry fills into URLs, creating what the demo lacks."""
    admin, instructor = _user("admin"), _user("instructor")
    participant = _user("participant1")
    edition = db.session.scalar(select(Edition).filter_by(name="Demo edition"))
    finished = db.session.scalar(select(Edition).where(Edition.name != "Demo edition")
                                 .order_by(Edition.id))
    assert edition is not None
    unit = db.session.scalar(select(Unit).filter_by(programme_id=edition.programme_id)
                             .order_by(Unit.position))
    assert unit is not None
    sessions = db.session.scalars(select(InPersonSession).filter_by(edition_id=edition.id)
                                  .order_by(InPersonSession.starts_at)).all()
    taught = next(s for s in sessions if s.unit_id == unit.id)
    upcoming = next(s for s in sessions if s.starts_at > utcnow())
    module = db.session.scalar(select(Module).filter_by(is_retired=False)
                               .order_by(Module.position))
    assert module is not None
    edited = db.session.scalar(select(LessonVersion).filter_by(source=VersionSource.BROWSER)
                               .order_by(LessonVersion.number.desc()))
    assert edited is not None
    quizzes = _programme_quizzes(edition)
    first_quiz = quizzes[0]
    first_topic = db.session.get(Topic, first_quiz.topic_id)
    graded = db.session.scalar(select(QuizAttempt).filter_by(
        user_id=participant.id, quiz_id=first_quiz.id).order_by(QuizAttempt.number))
    open_attempt = _open_attempt(participant, quizzes)
    essay = _essay_answer(participant, quizzes[-1], admin)
    certificate = db.session.scalar(select(Certificate).filter_by(
        user_id=participant.id, status=CertificateStatus.VALID))
    revoked = db.session.scalar(select(Certificate).filter_by(
        status=CertificateStatus.REVOKED))
    media = _image(module, instructor)
    package = db.session.get(CoursePackage, media.package_id)
    former = _extra_user(FORMER, "Hany Mostafa", active=False)
    invited = _extra_user(INVITED, "Dina Samir", active=True)
    token = issue_token(invited, TokenPurpose.INVITATION, utcnow(), timedelta(days=2))
    upload = _package_upload(admin)
    open_day = _open_day(edition)
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    db.session.commit()
    assert graded is not None and certificate is not None and revoked is not None
    assert first_topic is not None and message is not None
    return {
        "participant_id": participant.id, "former_id": former.id,
        "edition_id": edition.id, "finished_edition_id": finished.id if finished else None,
        "unit_id": unit.id, "session_id": taught.id, "upcoming_session_id": upcoming.id,
        "open_session_id": open_day.id,
        "module_id": module.id, "topic_id": edited.topic_id, "version_id": edited.id,
        "slug": first_topic.slug,
        "quiz_id": first_quiz.id,
        "question_id": db.session.scalar(select(Question.id).filter_by(
            quiz_id=first_quiz.id, is_retired=False).order_by(Question.position)),
        "open_attempt_id": open_attempt.id, "graded_attempt_id": graded.id,
        "answer_id": essay.id,
        "certificate_id": certificate.id, "code": certificate.code,
        "revoked_code": revoked.code,
        "media_package": package.slug if package else None,
        "media_name": media.name.removeprefix("media/"),
        "token": token, "upload_id": upload.id, "message_id": message.id,
        "instructor_id": instructor.id,
    }


def main() -> None:
    app = create_app()
    with app.app_context():
        print(json.dumps(collect()))


if __name__ == "__main__":
    main()
