"""The same action at the same moment from several browsers: one record, and no error page.

Each test releases its requests together against PostgreSQL (SQLite runs one writer at a
time, so it cannot show these races).
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import Role, User
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.certificates.services import eligibility, issue_certificate
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import (
    Apology,
    ApologyDecision,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Edition,
    Enrolment,
    InPersonSession,
    UnitInstructor,
)
from tests import factories
from tests.certificates.conftest import finish
from tests.concurrency.helpers import (
    ROSTER,
    all_succeeded,
    assert_no_error_page,
    at_once,
    client_of,
    count,
    mails_to,
    no_errors_flashed,
    pdf_files,
    writes_held,
)
from tests.progress.helpers import participant, scheduled_edition, sessions_of, unit

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("loaded")]


def alpha_instructors(edition: Edition, count: int) -> list[User]:
    """``count`` instructors of the edition's alpha unit."""
    instructors = []
    for _ in range(count):
        instructor = factories.make_user(role=Role.INSTRUCTOR)
        db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit("alpha").id,
                                      user_id=instructor.id))
        instructors.append(instructor)
    return instructors


def test_two_instructors_mark_the_same_cell(app: Flask) -> None:
    """Two instructors save the same participant's mark for the same day at the same moment:
    one mark, both changes in the history, and both see "Attendance saved"."""
    edition = scheduled_edition()
    amal = participant(edition, full_name="Amal")
    instructors = alpha_instructors(edition, 2)
    db.session.commit()
    day = sessions_of(edition, "alpha")[0]
    clients = [client_of(app, instructor) for instructor in instructors]
    url, amal_id = f"/teaching/sessions/{day.id}", amal.id

    responses = at_once([
        lambda c=c, status=status: c.post(url, data={f"status-{amal_id}": status,
                                                     f"note-{amal_id}": ""})
        for c, status in zip(clients, ("present", "late"), strict=True)])

    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        assert response.headers["Location"].endswith(url)
        no_errors_flashed(client)
        assert client.get(url).status_code == 200
    assert count(Attendance, session_id=day.id, user_id=amal.id) == 1
    changes = db.session.scalars(select(AttendanceChange).filter_by(
        session_id=day.id, user_id=amal.id).order_by(AttendanceChange.id)).all()
    # The second to save saw the first's mark: the history is one chain, not two starts.
    assert [c.old_status for c in changes] == [None, changes[0].new_status]
    mark = db.session.scalar(select(Attendance).filter_by(session_id=day.id, user_id=amal.id))
    assert mark is not None and mark.status == changes[-1].new_status


def test_two_instructors_press_everyone_present(app: Flask) -> None:
    """"Mark everyone present" pressed by two instructors at once marks each person once."""
    edition = scheduled_edition()
    people = [participant(edition) for _ in range(5)]
    instructors = []
    for _ in range(3):
        instructor = factories.make_user(role=Role.INSTRUCTOR)
        db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit("alpha").id,
                                      user_id=instructor.id))
        instructors.append(instructor)
    db.session.commit()
    day = sessions_of(edition, "alpha")[0]
    clients = [client_of(app, instructor) for instructor in instructors]
    url = f"/teaching/sessions/{day.id}/all-present"

    responses = at_once([lambda c=c: c.post(url) for c in clients])

    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        no_errors_flashed(client)
    for person in people:
        assert count(Attendance, session_id=day.id, user_id=person.id) == 1
    assert count(AttendanceChange, session_id=day.id) == len(people)


@pytest.mark.skipif(not pdf_engine_available(),
                    reason="WeasyPrint's system libraries (Pango) are missing")
def test_claim_pressed_in_several_tabs(app: Flask, graduate) -> None:  # type: ignore[no-untyped-def]
    """A participant claims the certificate from three tabs at once: one certificate, one
    email, one PDF in storage, and every tab lands on the certificate page."""
    user, edition, _sessions = graduate
    finish(user)
    clients = [client_of(app, user) for _ in range(3)]
    url = f"/certificates/claim/{edition.id}"

    with writes_held(Certificate, len(clients)):
        responses = at_once([lambda c=c: c.post(url) for c in clients])

    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        assert response.headers["Location"].endswith("/certificates")
        no_errors_flashed(client)
        assert client.get("/certificates").status_code == 200
    assert count(Certificate, user_id=user.id, edition_id=edition.id,
                 status=CertificateStatus.VALID) == 1
    assert count(Certificate, user_id=user.id) == 1
    assert count(AuditEvent, action="certificate.issue") == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient == user.email)) == 1
    certificate = db.session.scalar(select(Certificate).filter_by(user_id=user.id))
    assert certificate is not None
    assert pdf_files(app) == [f"{certificate.code}.pdf"]


def test_same_roster_confirmed_twice(app: Flask) -> None:
    """The same roster confirmed by two admins at once enrols each person once, creates each
    account once, sends one invitation each, and neither admin sees an error."""
    edition = scheduled_edition()
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/roster"

    responses = at_once([lambda c=c: c.post(url, data={"text": ROSTER, "confirm": "1"})
                         for c in clients])

    for client, response in zip(clients, responses, strict=True):
        assert_no_error_page(response)
        assert response.headers["Location"].endswith(f"/admin/editions/{edition.id}")
        no_errors_flashed(client)
    assert count(Enrolment, edition_id=edition.id) == 2
    for email in ("hana@example.org", "youssef@example.org"):
        assert count(User, email=email) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == email)) == 1
    assert count(AuditEvent, action="roster.import") == 1


def test_apology_sent_from_two_tabs(app: Flask) -> None:
    """A participant sends an apology for an upcoming day from two tabs at once: one apology,
    with one of the reasons, and both tabs say it was sent."""
    edition = scheduled_edition()
    amal = participant(edition)
    db.session.commit()
    day = sessions_of(edition, "alpha")[2]
    clients = [client_of(app, amal) for _ in range(2)]
    url = f"/my/sessions/{day.id}/apology"
    reasons = [f"A ministry meeting ({n})" for n in range(len(clients))]
    the_day_before = day.starts_at - timedelta(days=1)

    with (mock.patch("lms.progress.participant_views.utcnow", return_value=the_day_before),
          writes_held(Apology, len(clients))):
        responses = at_once([lambda c=c, r=r: c.post(url, data={"reason": r})
                             for c, r in zip(clients, reasons, strict=True)])

    all_succeeded(clients, responses, ends_with="/")
    assert count(Apology, session_id=day.id, user_id=amal.id) == 1
    apology = db.session.scalar(select(Apology).filter_by(session_id=day.id, user_id=amal.id))
    assert apology is not None and apology.reason in reasons


def test_two_instructors_decide_one_apology(app: Flask) -> None:
    """One instructor excuses an apology while another declines it, at the same moment, on
    several days: each apology is decided once, by whoever came first, and the day's mark
    agrees with that decision (excused only if excused); the second is told it was decided
    already."""
    edition = scheduled_edition()
    amal = participant(edition, full_name="Amal")
    instructors = alpha_instructors(edition, 2)
    days = sessions_of(edition, "alpha")[:4]
    apologies = [Apology(session_id=day.id, user_id=amal.id, reason="A ministry meeting",
                         sent_at=utcnow()) for day in days]
    db.session.add_all(apologies)
    db.session.commit()
    clients = [client_of(app, instructor) for instructor in instructors]
    for apology, day in zip(apologies, days, strict=True):
        url = f"/teaching/apologies/{apology.id}"
        with writes_held(InPersonSession, len(clients)):
            responses = at_once([
                lambda c=c, decision=decision, url=url: c.post(url, data={"decision": decision})
                for c, decision in zip(clients, ("excuse", "decline"), strict=True)])
        for response in responses:
            assert_no_error_page(response)
        db.session.expire_all()
        decided = db.session.get(Apology, apology.id)
        assert decided is not None and decided.decision != ApologyDecision.PENDING
        mark = db.session.scalar(select(Attendance).filter_by(session_id=day.id,
                                                              user_id=amal.id))
        excused = mark is not None and mark.status == AttendanceStatus.EXCUSED
        assert excused == (decided.decision == ApologyDecision.EXCUSED), day.day
        told = [client.get(f"/teaching/sessions/{day.id}").text for client in clients]
        assert sum("This apology has already been decided." in page for page in told) == 1


def test_directory_opt_in_from_two_tabs(app: Flask) -> None:
    """Opting in to the directory from two tabs at once lists the person once; one tab's
    answers are kept, and the log says one opt-in."""
    edition = scheduled_edition()
    amal = participant(edition)
    db.session.commit()
    clients = [client_of(app, amal) for _ in range(2)]
    positions = [f"Policy officer {n}" for n in range(len(clients))]

    with writes_held(DirectoryEntry, len(clients)):
        responses = at_once([
            lambda c=c, p=p: c.post("/directory/me", data={"position": p,
                                                            "areas_of_work": "Data"})
            for c, p in zip(clients, positions, strict=True)])

    all_succeeded(clients, responses, ends_with="/directory")
    assert count(DirectoryEntry, user_id=amal.id) == 1
    entry = db.session.get(DirectoryEntry, amal.id)
    assert entry is not None and entry.position in positions
    assert count(AuditEvent, action="directory.opt_in") == 1


def test_two_admins_enrol_the_same_new_person(app: Flask) -> None:
    """Two admins enrol the same new person at once: one account, one enrolment, one
    invitation, one log entry, and both admins see the person enrolled."""
    edition = scheduled_edition()
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/enrol"
    data = {"full_name": "Hana Mostafa", "email": "hana@example.org",
            "organisation_type": "government", "language": "en"}

    with writes_held(User, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}")
    assert count(User, email="hana@example.org") == 1
    hana = db.session.scalar(select(User).filter_by(email="hana@example.org"))
    assert hana is not None
    assert count(Enrolment, edition_id=edition.id, user_id=hana.id) == 1
    assert mails_to("hana@example.org", "invitation") == 1
    assert count(AuditEvent, action="enrolment.create") == 1


def test_two_admins_enrol_the_same_existing_account(app: Flask) -> None:
    """Two admins enrol someone who already has an account at once: one enrolment."""
    edition = scheduled_edition()
    hana = factories.make_user(email="hana@example.org", full_name="Hana Mostafa")
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/editions/{edition.id}/enrol"
    data = {"full_name": "Hana Mostafa", "email": "hana@example.org",
            "organisation_type": "government", "language": "en"}

    with writes_held(Enrolment, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data=data) for c in clients])

    all_succeeded(clients, responses, ends_with=f"/admin/editions/{edition.id}")
    assert count(Enrolment, edition_id=edition.id, user_id=hana.id) == 1
    assert count(AuditEvent, action="enrolment.create") == 1


def test_two_admins_invite_the_same_person(app: Flask) -> None:
    """Two admins invite the same new address at once: one account, one invitation."""
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    data = {"full_name": "Amal Said", "email": "amal@example.org", "role": "participant",
            "language": "en", "edition": "0"}

    with writes_held(User, len(clients)):
        responses = at_once([lambda c=c: c.post("/admin/users/invite", data=data) for c in clients])

    all_succeeded(clients, responses, ends_with="/admin/users")
    assert count(User, email="amal@example.org") == 1
    assert mails_to("amal@example.org", "invitation") == 1
    assert count(AuditEvent, action="user.invite") == 1


@pytest.mark.skipif(not pdf_engine_available(),
                    reason="WeasyPrint's system libraries (Pango) are missing")
def test_two_admins_reissue_one_certificate(app: Flask, graduate) -> None:  # type: ignore[no-untyped-def]
    """Two admins re-issue the same certificate at once: one successor, one email, one PDF
    more in storage, and both admins land on the successor's page."""
    user, edition, _sessions = graduate
    finish(user)
    original, _new = issue_certificate(user, edition, None, utcnow(),
                                       eligibility(user.id, edition, utcnow()))
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(3)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/certificates/{original.id}/reissue"

    with writes_held(Certificate, len(clients)):
        responses = at_once([lambda c=c: c.post(url, data={}) for c in clients])

    assert count(Certificate, user_id=user.id) == 2
    successor = db.session.scalar(select(Certificate).filter_by(
        user_id=user.id, status=CertificateStatus.VALID))
    assert successor is not None and successor.replaces_id == original.id
    all_succeeded(clients, responses, ends_with=f"/admin/certificates/{successor.id}")
    assert count(AuditEvent, action="certificate.reissue") == 1
    assert mails_to(user.email, "certificate_reissued") == 1
    assert pdf_files(app) == sorted([f"{original.code}.pdf", f"{successor.code}.pdf"])


@pytest.mark.skipif(not pdf_engine_available(),
                    reason="WeasyPrint's system libraries (Pango) are missing")
def test_two_admins_revoke_one_certificate(app: Flask, graduate) -> None:  # type: ignore[no-untyped-def]
    """Two admins revoke the same certificate at once: it is revoked once, with one reason,
    the holder is told once, and both admins see it revoked."""
    user, edition, _sessions = graduate
    finish(user)
    certificate, _new = issue_certificate(user, edition, None, utcnow(),
                                          eligibility(user.id, edition, utcnow()))
    admins = [factories.make_user(role=Role.ADMIN) for _ in range(2)]
    db.session.commit()
    clients = [client_of(app, admin) for admin in admins]
    url = f"/admin/certificates/{certificate.id}/revoke"
    reasons = ["Issued to the wrong edition", "Issued in error"]

    with writes_held(Certificate, len(clients)):
        responses = at_once([lambda c=c, r=r: c.post(url, data={"reason": r})
                             for c, r in zip(clients, reasons, strict=True)])

    all_succeeded(clients, responses, ends_with=f"/admin/certificates/{certificate.id}")
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoke_reason in reasons
    assert count(AuditEvent, action="certificate.revoke") == 1
    assert mails_to(user.email, "certificate_revoked") == 1
