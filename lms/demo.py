"""Demo data for a first run: an edition with an admin, an instructor and three participants.

Only `flask lms demo` creates it; production never has demo accounts unless asked for.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import select

from lms.auth.models import ModuleInstructor, Role, User
from lms.certificates.demo import add_demo as add_certificates_demo
from lms.courses.authoring.demo import add_demo as add_authoring_demo
from lms.courses.models import Module, Programme, Unit, UnitTopic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.demo import add_demo as add_progress_demo
from lms.progress.models import Edition, Enrolment
from lms.progress.services import mark_lesson_complete
from lms.quizzes.demo import add_demo as add_quiz_demo

DEMO_DOMAIN = "demo.cmrs-certificate.example"
DEMO_PEOPLE = [
    (Role.ADMIN, "admin", "Mona Hassan", "منى حسن", "CMRS, The American University in Cairo"),
    (Role.INSTRUCTOR, "instructor", "Karim Adel", "كريم عادل", "IOM Egypt"),
    (Role.PARTICIPANT, "participant1", "Salma Farouk", "سلمى فاروق",
     "Ministry of Social Solidarity"),
    (Role.PARTICIPANT, "participant2", "Omar Khaled", "عمر خالد", "Ministry of Manpower"),
    (Role.PARTICIPANT, "participant3", "Nour Ibrahim", "نور إبراهيم", "Caritas Egypt"),
]
DEMO_EDITION = "Demo edition"
# As the nominating ministries' rosters gave them; each participant's profile shows it.
ROSTER_GENDERS = {"participant1": "female", "participant2": "male"}


def create_demo() -> list[tuple[str, str, str]]:
    """Create or refresh the demo; returns (role, email, password) for each account.

    :raises LookupError: when no course package with a local programme is loaded.
    """
    programme = db.session.scalar(
        select(Programme).filter_by(slug="local", is_retired=False).order_by(Programme.id))
    if programme is None:
        raise LookupError("load the course package first: flask lms load course_content/"
                          "migration-governance")
    accounts = []
    users: list[User] = []
    for role, handle, name, name_ar, organisation in DEMO_PEOPLE:
        email = f"{handle}@{DEMO_DOMAIN}"
        user = db.session.scalar(select(User).filter_by(email=email))
        if user is None:
            user = User(email=email, role=role, full_name=name, full_name_ar=name_ar,
                        organisation=organisation, country="Egypt")
            db.session.add(user)
        password = "-".join(secrets.token_urlsafe(4) for _ in range(3))
        user.set_password(password)
        users.append(user)
        accounts.append((role.value, email, password))
    db.session.flush()
    edition = db.session.scalar(select(Edition).filter_by(name=DEMO_EDITION))
    if edition is None:
        today = date.today()
        edition = Edition(programme_id=programme.id, name=DEMO_EDITION,
                          starts_on=today - timedelta(days=30),
                          ends_on=today + timedelta(days=150),
                          venue="AUC Tahrir Square campus, Cairo")
        db.session.add(edition)
        db.session.flush()
    for user, (_role, handle, *_rest) in zip(users, DEMO_PEOPLE, strict=True):
        if user.role == Role.PARTICIPANT and db.session.scalar(
                select(Enrolment).filter_by(edition_id=edition.id, user_id=user.id)) is None:
            db.session.add(Enrolment(edition_id=edition.id, user_id=user.id,
                                     gender=ROSTER_GENDERS.get(handle)))
    first_module = db.session.scalar(
        select(Module).filter_by(is_retired=False).order_by(Module.position))
    instructor = users[1]
    if first_module and db.session.get(ModuleInstructor, (first_module.id, instructor.id)) is None:
        db.session.add(ModuleInstructor(module_id=first_module.id, user_id=instructor.id))
    # The second participant has already read the first unit's first lesson.
    first_topic = db.session.scalar(
        select(UnitTopic.topic_id).join(Unit, Unit.id == UnitTopic.unit_id)
        .where(Unit.programme_id == programme.id)
        .order_by(Unit.position, UnitTopic.position))
    if first_topic is not None:
        mark_lesson_complete(users[3].id, first_topic, utcnow())
    db.session.flush()
    add_progress_demo(edition, instructor, users[2:], utcnow())
    add_quiz_demo(users[3], users[4], programme.id, utcnow())
    add_authoring_demo(first_module, instructor, users[2:], utcnow())
    add_certificates_demo(users[0], instructor, users[2], users[4], utcnow())
    return accounts
