"""The same form sent twice in a row (a double click, a resent page) on any database: the
second request finds the work done and says so, without an error."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.certificates.services import eligibility, issue_certificate
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Enrolment
from tests import factories
from tests.certificates.conftest import finish
from tests.concurrency.helpers import ROSTER, flashes
from tests.conftest import Auth
from tests.progress.helpers import scheduled_edition, sessions_of, unit


def test_roster_confirmed_twice_in_a_row(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """The second confirmation of an imported roster lands on the edition page with a note
    that everyone is already enrolled; nobody is enrolled twice."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    url = f"/admin/editions/{edition.id}/roster"
    first = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert first.status_code == 302
    client.get(first.headers["Location"])  # shows, and so clears, the first message
    second = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert second.status_code == 302
    assert second.headers["Location"].endswith(f"/admin/editions/{edition.id}")
    assert flashes(client) == [("info", "Everyone on this roster is already enrolled.")]
    assert db.session.scalar(select(func.count()).select_from(Enrolment).filter_by(
        edition_id=edition.id)) == 2


def test_a_partly_enrolled_roster_is_still_refused(client: FlaskClient, auth: Auth,
                                                   loaded: object) -> None:
    """A roster naming one enrolled person and one new one is not a repeat: the preview lists
    the enrolled line as a problem and nothing is imported."""
    auth.login_as(Role.ADMIN)
    edition = scheduled_edition()
    db.session.commit()
    url = f"/admin/editions/{edition.id}/roster"
    first_line_only = "\n".join(ROSTER.splitlines()[:2]) + "\n"
    assert client.post(url, data={"text": first_line_only, "confirm": "1"}).status_code == 302
    response = client.post(url, data={"text": ROSTER, "confirm": "1"})
    assert response.status_code == 400
    assert "already enrolled in this edition" in response.text
    assert db.session.scalar(select(func.count()).select_from(Enrolment).filter_by(
        edition_id=edition.id)) == 1


def test_same_schedule_sent_twice_in_a_row(client: FlaskClient, auth: Auth,
                                           loaded: object) -> None:
    """Scheduling a unit's days with the same form twice keeps one set of days; the second
    request lands on the edition page with a note that they are already scheduled."""
    auth.login_as(Role.ADMIN)
    edition = factories.make_edition()
    db.session.commit()
    url = f"/admin/editions/{edition.id}/schedule"
    data = {"unit": unit("alpha").id, "first_day": "2027-01-03", "starts": "09:00",
            "ends": "16:00"}
    first = client.post(url, data=data)
    assert first.status_code == 302
    client.get(first.headers["Location"])
    second = client.post(url, data=data)
    assert second.status_code == 302
    assert second.headers["Location"].endswith(f"/admin/editions/{edition.id}")
    assert flashes(client) == [("info", "These days are already scheduled.")]
    assert len(sessions_of(edition, "alpha")) == 5
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).filter_by(
        action="edition.schedule")) == 1


@pytest.mark.skipif(not pdf_engine_available(),
                    reason="WeasyPrint's system libraries (Pango) are missing")
def test_reissue_and_revoke_sent_twice_in_a_row(app: Flask, client: FlaskClient, auth: Auth,
                                                graduate) -> None:  # type: ignore[no-untyped-def]
    """A re-issue sent twice makes one successor and lands on it both times; a revocation
    sent twice revokes once, keeps the first reason and tells the holder once."""
    user, edition, _sessions = graduate
    finish(user)
    original, _new = issue_certificate(user, edition, None, utcnow(),
                                       eligibility(user.id, edition, utcnow()))
    db.session.commit()
    auth.login_as(Role.ADMIN)
    landed = [client.post(f"/admin/certificates/{original.id}/reissue").headers["Location"]
              for _ in range(2)]
    successor = db.session.scalar(select(Certificate).filter_by(replaces_id=original.id))
    assert successor is not None
    assert landed == [f"/admin/certificates/{successor.id}"] * 2
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    for reason in ("Issued to the wrong edition", "Issued in error"):
        response = client.post(f"/admin/certificates/{successor.id}/revoke",
                               data={"reason": reason})
        assert response.status_code == 302
        assert ("success", "The certificate has been revoked.") in flashes(client)
        client.get(response.headers["Location"])
    db.session.refresh(successor)
    assert successor.status == CertificateStatus.REVOKED
    assert successor.revoke_reason == "Issued to the wrong edition"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.template == "certificate_revoked")) == 1
