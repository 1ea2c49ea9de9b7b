"""Anonymising a former participant keeps statistics and certificates verifiable."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import Gender, Role, User, UserSession
from lms.certificates.codes import display_code
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Apology, Attendance, Enrolment, LessonCompletion
from lms.quizzes.models import QuizAttempt
from tests import factories
from tests.accounts.records import give_records, session_of
from tests.conftest import Auth


def former_participant(loaded: object) -> tuple[User, str]:
    edition = factories.make_edition()
    teacher = factories.make_user(role=Role.INSTRUCTOR)
    person = factories.make_user(email="former@example.org", full_name="Former Person",
                                 full_name_ar="شخص سابق", organisation="Ministry",
                                 country="Egypt", gender=Gender.MALE)
    factories.enrol(person, edition)
    certificate = give_records(person, edition, "MINE", teacher,
                               session_of(edition, date(2026, 10, 4)))
    person.is_active_account = False
    db.session.commit()
    return person, certificate.code


def count(model: type, **filters: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters)) or 0


def test_anonymise_keeps_aggregates_and_certificate(client: FlaskClient, auth: Auth,
                                                    loaded: object) -> None:
    """The name, email and free texts go; enrolment, progress, marks and the certificate stay,
    and the certificate still verifies with the name it was issued to."""
    person, code = former_participant(loaded)
    auth.login_as(Role.ADMIN)
    wrong = client.post(f"/admin/users/{person.id}/anonymise", data={"confirm": "nope"})
    assert wrong.status_code == 400
    response = client.post(f"/admin/users/{person.id}/anonymise",
                           data={"confirm": "former@example.org"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.anonymised_at is not None
    assert "former" not in person.email and person.full_name == "Anonymised participant"
    assert person.full_name_ar is None and person.organisation is None
    assert person.password_hash is None
    assert (person.country, person.gender) == ("Egypt", Gender.MALE)  # aggregate reports
    assert count(Enrolment, user_id=person.id) == 1
    assert count(LessonCompletion, user_id=person.id) == 1
    assert count(QuizAttempt, user_id=person.id) == 1
    attendance = db.session.scalar(select(Attendance).filter_by(user_id=person.id))
    assert attendance is not None and attendance.note == ""
    apology = db.session.scalar(select(Apology).filter_by(user_id=person.id))
    assert apology is not None and apology.reason == ""
    assert count(DirectoryEntry, user_id=person.id) == 0
    assert count(UserSession, user_id=person.id) == 0
    assert count(OutboxMessage, recipient="former@example.org") == 0
    verified = client.get(f"/verify/{display_code(code)}")
    assert verified.status_code == 200 and "Former Person" in verified.text
    assert db.session.scalar(select(AuditEvent).filter_by(action="user.anonymise"))
    auth.logout()
    assert client.post("/login", data={"email": "former@example.org",
                                       "password": factories.PASSWORD}).status_code == 401


def test_only_deactivated_participants_are_anonymised(client: FlaskClient, auth: Auth,
                                                      loaded: object) -> None:
    """Active accounts, staff and one's own account are refused; an anonymised account
    cannot be reactivated."""
    admin = auth.login_as(Role.ADMIN)
    active = factories.make_user()
    staff = factories.make_user(role=Role.INSTRUCTOR, is_active_account=False)
    db.session.commit()
    for user in (active, staff, admin):
        client.post(f"/admin/users/{user.id}/anonymise", data={"confirm": user.email})
        db.session.refresh(user)
        assert user.anonymised_at is None
    person, _code = former_participant(loaded)
    client.post(f"/admin/users/{person.id}/anonymise", data={"confirm": person.email})
    client.post(f"/admin/users/{person.id}/reactivate")
    db.session.refresh(person)
    assert person.anonymised_at is not None and not person.is_active_account


def test_mail_to_an_earlier_address_goes_too(client: FlaskClient, auth: Auth,
                                             loaded: object) -> None:
    """The notice of an address change went to the old address, naming the person and both
    addresses. The person's data download lists it, and anonymising removes it with the rest
    of their mail."""
    person = factories.make_user(email="first@example.org", full_name="Mona Adel")
    db.session.commit()
    auth.login(person)
    client.post("/account/email", data={"email": "second@example.org",
                                        "current": factories.PASSWORD})
    db.session.refresh(person)
    assert person.email == "second@example.org"
    notice = db.session.scalar(select(OutboxMessage).filter_by(recipient="first@example.org"))
    assert notice is not None and notice.user_id == person.id
    mine = client.get("/account/data.json").get_json()
    assert any("second@example.org" in message["text"] for message in mine["messages"])
    auth.logout()
    admin = auth.login_as(Role.ADMIN)
    client.post(f"/admin/users/{person.id}/deactivate")
    response = client.post(f"/admin/users/{person.id}/anonymise",
                           data={"confirm": "second@example.org"})
    assert response.status_code == 302 and admin.id != person.id
    assert count(OutboxMessage, recipient="first@example.org") == 0
    assert count(OutboxMessage, user_id=person.id) == 0


def test_an_anonymised_account_cannot_be_filled_in_again(client: FlaskClient,
                                                         auth: Auth) -> None:
    """Nothing puts a name, an address, a role or modules back on an anonymised account,
    whatever the form posts; the admin is told why."""
    auth.login_as(Role.ADMIN)
    former = factories.make_user(full_name="Former Person", email="former@example.org",
                                 is_active_account=False)
    db.session.commit()
    assert client.post(f"/admin/users/{former.id}/anonymise",
                       data={"confirm": "former@example.org"}).status_code == 302
    db.session.refresh(former)
    assert former.anonymised_at is not None
    anonymous = (former.full_name, former.email, former.role)
    edit = client.post(f"/admin/users/{former.id}/edit", data={
        "full_name": "Former Person", "email": "former@example.org", "language": "en"},
        follow_redirects=True)
    assert "This account is anonymised: it can no longer be changed." in edit.text
    client.post(f"/admin/users/{former.id}/role", data={"role": "admin",
                                                        "current": factories.PASSWORD})
    db.session.refresh(former)
    assert (former.full_name, former.email, former.role) == anonymous
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "email_changed")) == 0
