"""A certificate's PDF stays in storage only with its committed row: work that fails after the
PDF was written, or loses to a request at the same moment, leaves no file behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.db_types import utcnow
from lms.extensions import db
from tests.certificates.conftest import finish
from tests.conftest import Auth

pytestmark = pytest.mark.skipif(not pdf_engine_available(),
                                reason="WeasyPrint's system libraries (Pango) are missing")


def stored_files(app: Flask) -> list[str]:
    folder = Path(app.config["STORAGE_DIR"]) / "certificates"
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


def certificate_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Certificate)) or 0


def audit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The step after the PDF is written (the audit record) fails, as a full disk or a lost
    connection would make it."""

    def failing(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the audit record could not be written")

    monkeypatch.setattr(services, "record", failing)


def test_a_claim_that_fails_after_writing_the_pdf_leaves_no_file(
        app: Flask, client: FlaskClient, auth: Auth, graduate,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim crashes after its PDF is written: the participant gets the error page, and
    neither a certificate nor its PDF is kept; claiming again then gives exactly one file."""
    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    audit_fails(monkeypatch)

    response = client.post(f"/certificates/claim/{edition.id}")

    assert response.status_code == 500
    assert certificate_count() == 0
    assert stored_files(app) == []

    monkeypatch.undo()
    assert client.post(f"/certificates/claim/{edition.id}").status_code == 302
    certificate = db.session.scalar(select(Certificate).filter_by(user_id=user.id))
    assert certificate is not None
    assert stored_files(app) == [f"{certificate.code}.pdf"]


def test_a_reissue_that_fails_after_writing_the_pdf_leaves_only_the_old_file(
        app: Flask, client: FlaskClient, auth: Auth, graduate,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The re-issue crashes after the successor's PDF is written: the old certificate stays
    valid and its PDF is the only one in storage."""
    user, edition, _sessions = graduate
    finish(user)
    original, _new = services.issue_certificate(user, edition, None, utcnow(),
                                                services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    auth.login_as(Role.ADMIN)
    audit_fails(monkeypatch)

    response = client.post(f"/admin/certificates/{original.id}/reissue", data={})

    assert response.status_code == 500
    assert certificate_count() == 1
    db.session.refresh(original)
    assert original.status == CertificateStatus.VALID
    assert stored_files(app) == [f"{original.code}.pdf"]


def test_work_rolled_back_after_issuing_takes_the_pdf_with_it(
        app: Flask, graduate) -> None:  # type: ignore[no-untyped-def]
    """A command or page that issues a certificate and then rolls back (a later step of its
    own failed) keeps neither the row nor the file."""
    user, edition, _sessions = graduate
    finish(user)
    certificate, created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    assert created and stored_files(app) == [f"{certificate.code}.pdf"]

    db.session.rollback()

    assert certificate_count() == 0
    assert stored_files(app) == []


def test_a_claim_that_loses_to_another_leaves_no_file(
        app: Flask, graduate, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Two claims at the same moment: the one that meets the other's certificate at the
    unique index returns that certificate, and its own PDF is gone; the winner's stays."""
    user, edition, _sessions = graduate
    finish(user)
    winner, _new = services.issue_certificate(user, edition, None, utcnow(),
                                              services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    # The loser looked before the winner's certificate was committed, so it saw none.
    looked = services.valid_certificate
    lookups: list[int] = []

    def not_there_at_first(user_id: int, edition_id: int) -> Certificate | None:
        lookups.append(user_id)
        return None if len(lookups) == 1 else looked(user_id, edition_id)

    monkeypatch.setattr(services, "valid_certificate", not_there_at_first)

    certificate, created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    db.session.commit()

    assert len(lookups) == 2  # it wrote its own PDF and met the unique index
    assert not created and certificate.id == winner.id
    assert certificate_count() == 1
    assert stored_files(app) == [f"{winner.code}.pdf"]


def test_a_pdf_lost_from_storage_is_drawn_again_from_its_snapshot(
        app: Flask, client: FlaskClient, auth: Auth, graduate) -> None:  # type: ignore[no-untyped-def]
    """Storage lost the file (a database restored without its folder): the holder's download
    and the admin's archive still give the certificate, drawn from its snapshot and kept."""
    import io
    import zipfile

    from pypdf import PdfReader

    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    client.post(f"/certificates/claim/{edition.id}")
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    (Path(app.config["STORAGE_DIR"]) / "certificates" / certificate.pdf_name).unlink()

    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    response.close()
    assert "Salma Farouk" in text and certificate.snapshot["code_display"] in text
    assert stored_files(app) == [certificate.pdf_name]

    (Path(app.config["STORAGE_DIR"]) / "certificates" / certificate.pdf_name).unlink()
    auth.logout()
    auth.login_as(Role.ADMIN)
    archive = client.get(f"/admin/certificates/editions/{edition.id}/certificates.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        assert bundle.namelist() == [f"certificate-{certificate.snapshot['code_display']}.pdf"]
    assert stored_files(app) == [certificate.pdf_name]
