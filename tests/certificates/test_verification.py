"""The public verification page: valid, revoked, replaced, mistyped and unknown codes."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.codes import display_code, new_code
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.db_types import utcnow
from lms.extensions import db
from tests.certificates.conftest import finish
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
