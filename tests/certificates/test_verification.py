"""The public verification page: valid, revoked, replaced, mistyped and unknown codes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.certificates import services
from lms.certificates.codes import display_code, new_code
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition
from tests import factories
from tests.certificates.conftest import attend, finish, study
from tests.conftest import Auth

pytestmark = pytest.mark.skipif(not pdf_engine_available(),
                                reason="WeasyPrint's system libraries (Pango) are missing")


@pytest.fixture
def certificate(graduate) -> Certificate:  # type: ignore[no-untyped-def]
    user, edition, _sessions = graduate
    finish(user)
    issued, _created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    return issued


def test_valid_certificate_page(client: FlaskClient, certificate: Certificate) -> None:
    """Anyone, without logging in, sees what it says and that it is valid; nothing else."""
    page = client.get(f"/verify/{certificate.code}")
    assert page.status_code == 200
    assert "Valid: this certificate was issued" in page.text
    assert "Salma Farouk" in page.text and "Fourth edition" in page.text
    assert certificate.snapshot["code_display"] in page.text
    assert "@example.org" not in page.text


def test_typed_code_is_forgiving(client: FlaskClient, certificate: Certificate) -> None:
    """A code typed in lower case with spaces leads to the certificate's page."""
    typed = display_code(certificate.code).lower().replace("-", " ")
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.code}")


def test_mistyped_code_gets_a_plain_message(client: FlaskClient,
                                            certificate: Certificate) -> None:
    """One wrong character is caught by the check symbol before any lookup."""
    code = certificate.code
    wrong = ("1" if code[0] != "1" else "2") + code[1:]
    response = client.get("/verify", query_string={"code": wrong})
    assert response.status_code == 400
    assert "This is not a valid code" in response.text
    assert client.get(f"/verify/{wrong}").status_code == 400


def test_unknown_code(client: FlaskClient, certificate: Certificate) -> None:
    """A well-formed code that was never issued says so."""
    response = client.get(f"/verify/{new_code()}")
    assert response.status_code == 404
    assert "No certificate has this code." in response.text


def test_revoked_then_page_says_revoked(client: FlaskClient, auth: Auth,
                                        certificate: Certificate) -> None:
    """After revocation with a reason, the same page says revoked, with the date."""
    auth.login_as(Role.ADMIN)
    refused = client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert refused.status_code == 400
    client.post(f"/admin/certificates/{certificate.id}/revoke",
                data={"reason": "Issued to the wrong edition"})
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    page = client.get(f"/verify/{certificate.code}").text
    assert "Revoked on" in page


def test_the_day_of_revocation_is_the_editions(client: FlaskClient, auth: Auth,
                                              certificate: Certificate) -> None:
    """Revoked at half past midnight on 1 April in the edition's zone (still 31 March in
    UTC): the public page and the holder's page both say 1 April."""
    edition = db.session.get(Edition, certificate.edition_id)
    assert edition is not None
    moment = datetime(2027, 4, 1, 0, 30, tzinfo=ZoneInfo(edition.timezone))
    assert moment.astimezone(UTC).day == 31
    services.revoke_certificate(certificate, factories.make_user(role=Role.ADMIN),
                                "Issued to the wrong edition", moment)
    db.session.commit()
    assert "Revoked on April 1, 2027" in client.get(f"/verify/{certificate.code}").text
    holder = db.session.get(User, certificate.user_id)
    assert holder is not None
    auth.login(holder)
    assert "was revoked on April 1, 2027" in client.get("/certificates").text


def test_a_revoked_certificate_is_not_claimed_or_issued_again_without_a_reason(
        app: Flask, client: FlaskClient, auth: Auth, certificate: Certificate) -> None:
    """The holder still meets the completion rule, but once revoked their page says so and
    a claim is refused; the edition-wide issue passes them by; an admin issues a new one
    only with a written reason."""
    holder = db.session.get(User, certificate.user_id)
    assert holder is not None
    edition_id = certificate.edition_id
    admin_browser = app.test_client()
    admin = Auth(admin_browser).login_as(Role.ADMIN)
    admin_browser.post(f"/admin/certificates/{certificate.id}/revoke",
                       data={"reason": "Attendance sheet was forged"})
    auth.login(holder)
    mine = client.get("/certificates").text
    assert "was revoked on" in mine and "Claim my certificate" not in mine
    refused = client.post(f"/certificates/claim/{edition_id}", follow_redirects=True)
    assert "cannot be claimed again" in refused.text

    everyone = admin_browser.post(f"/admin/certificates/editions/{edition_id}/issue-all",
                                  follow_redirects=True)
    assert "0 certificates issued." in everyone.text
    without = admin_browser.post(f"/admin/certificates/editions/{edition_id}/issue",
                                 data={"user_id": holder.id}, follow_redirects=True)
    assert "was revoked. To issue a new one, write the reason." in without.text
    assert services.valid_certificate(holder.id, edition_id) is None
    admin_browser.post(f"/admin/certificates/editions/{edition_id}/issue", data={
        "user_id": holder.id, "reason": "The sheet was checked again and is genuine"})
    renewed = services.valid_certificate(holder.id, edition_id)
    assert renewed is not None and renewed.exception_reason and admin is not None


def test_no_certificate_names_an_anonymised_participant(app: Flask, client: FlaskClient,
                                                        auth: Auth, graduate) -> None:  # type: ignore[no-untyped-def]
    """A former participant who met the rule but never claimed, then anonymised: the
    edition-wide issue passes them by and issuing one by one finds nobody. One who holds a
    certificate keeps it with their name, and it cannot be re-issued as "Anonymised
    participant"."""
    from lms.auth.anonymise import anonymise

    user, edition, _sessions = graduate
    finish(user)
    other = factories.make_user(full_name="Omar Said")
    factories.enrol(other, edition)
    attend(other, _sessions)
    study(other)
    held, _new = services.issue_certificate(other, edition, None, utcnow(),
                                            services.eligibility(other.id, edition, utcnow()))
    admin = auth.login_as(Role.ADMIN)
    for person in (user, other):
        person.is_active_account = False
        anonymise(person, admin, utcnow())
    db.session.commit()
    everyone = client.post(f"/admin/certificates/editions/{edition.id}/issue-all",
                           follow_redirects=True)
    assert "0 certificates issued." in everyone.text
    assert client.post(f"/admin/certificates/editions/{edition.id}/issue", data={
        "user_id": user.id, "reason": "x"}).status_code == 404
    assert services.valid_certificate(user.id, edition.id) is None
    refused = client.post(f"/admin/certificates/{held.id}/reissue", follow_redirects=True)
    assert "still holds its name" in refused.text
    db.session.refresh(held)
    assert held.status == CertificateStatus.VALID and held.snapshot["name_en"] == "Omar Said"


def test_reissue_chain(client: FlaskClient, auth: Auth, certificate: Certificate) -> None:
    """Re-issuing gives a new code linked to the old, whose page says replaced and links on."""
    auth.login_as(Role.ADMIN)
    original_date = certificate.issue_date
    client.post(f"/admin/certificates/{certificate.id}/reissue",
                data={"keep_issue_date": "y"})
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REPLACED
    successor = db.session.get(Certificate, certificate.replaced_by_id)
    assert successor is not None and successor.code != certificate.code
    assert successor.replaces_id == certificate.id
    assert successor.issue_date == original_date
    assert successor.status == CertificateStatus.VALID
    old_page = client.get(f"/verify/{certificate.code}").text
    assert "Replaced" in old_page and f"/verify/{successor.code}" in old_page
    assert client.post(f"/admin/certificates/{certificate.id}/reissue").status_code == 302
    assert db.session.scalar(select(Certificate).filter_by(
        replaces_id=successor.id)) is None


def test_verification_is_rate_limited(client: FlaskClient, certificate: Certificate) -> None:
    """Codes cannot be enumerated: after twenty lookups a minute, 429."""
    codes = [client.get(f"/verify/{new_code()}").status_code for _ in range(21)]
    assert codes[:20] == [404] * 20 and codes[20] == 429
