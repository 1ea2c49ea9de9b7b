"""Issuing certificates: only the completion rule unlocks them, one valid per person and
edition, a frozen snapshot, a real PDF with both scripts and a QR to the public page."""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.certificates import services
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import pdf_engine_available
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests.certificates.conftest import finish
from tests.conftest import Auth

needs_pdf = pytest.mark.skipif(not pdf_engine_available(),
                               reason="WeasyPrint's system libraries (Pango) are missing")


def valid_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Certificate).filter_by(
        status=CertificateStatus.VALID)) or 0


@needs_pdf
def test_claim_unlocks_exactly_when_last_item_is_done(client: FlaskClient, auth: Auth,
                                                       graduate) -> None:  # type: ignore[no-untyped-def]
    """Before the last lesson the claim is refused and the page says what is missing; after
    it, the claim issues one certificate."""
    user, edition, _sessions = graduate
    auth.login(user)
    home = client.get("/").text
    # The menu leads to the certificate page from every page.
    assert '<a href="/certificates">My certificate</a>' in home
    assert "your certificate can be issued" not in home
    page = client.get("/certificates").text
    assert "lesson: Third topic" in page and "Claim my certificate" not in page
    client.post(f"/certificates/claim/{edition.id}")
    assert valid_count() == 0
    finish(user)
    home = client.get("/").text
    assert "your certificate can be issued" in home
    assert '<a class="button" href="/certificates">My certificate</a>' in home
    assert "Claim my certificate" in client.get("/certificates").text
    assert client.post(f"/certificates/claim/{edition.id}").status_code == 302
    assert valid_count() == 1
    assert db.session.scalar(select(OutboxMessage).filter_by(
        recipient=user.email, template="certificate_issued")) is not None
    assert db.session.scalar(select(AuditEvent).filter_by(action="certificate.issue"))


@needs_pdf
def test_double_claim_gives_one_certificate(client: FlaskClient, auth: Auth,
                                            graduate) -> None:  # type: ignore[no-untyped-def]
    """Claiming twice keeps one valid certificate and shows no error."""
    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    first = client.post(f"/certificates/claim/{edition.id}")
    second = client.post(f"/certificates/claim/{edition.id}")
    assert first.status_code == second.status_code == 302
    assert valid_count() == 1


@needs_pdf
def test_pdf_has_both_names_programme_code_font_and_qr(app: Flask, client: FlaskClient,
                                                       auth: Auth, graduate) -> None:  # type: ignore[no-untyped-def]
    """The PDF carries both scripts (the units' titles too), the programme and the code, embeds
    the Arabic font, and its QR code decodes to the public verification URL."""
    import pypdfium2
    import zxingcpp
    from pypdf import PdfReader

    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    client.post(f"/certificates/claim/{edition.id}")
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    response = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = Path(app.config["STORAGE_DIR"]) / "certificates" / "downloaded.pdf"
    path.write_bytes(response.data)
    response.close()
    reader = PdfReader(path)
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    assert "Salma Farouk" in text and "سلمى فاروق" in text
    assert "Local programme" in text and "Fourth edition" in text
    assert "Alpha module (30 h)" in text and "الوحدة ألف" in text
    assert certificate.snapshot["code_display"] in text
    fonts = {str(f.get_object()["/BaseFont"]) for f in
             reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("Naskh" in f for f in fonts), fonts
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=3).to_pil()
    decoded = [b.text for b in zxingcpp.read_barcodes(image)]
    assert decoded == [f"http://127.0.0.1:5000/verify/{certificate.code}"]


@needs_pdf
@pytest.mark.parametrize(("name_en", "name_ar"), [
    ("Salma Farouk", "سلمى فاروق"),
    ("Abdelrahman Mohamed Abdelaziz Abdelkarim El-Sayed Mahmoud Abdelhamid Soliman",
     "عبد الرحمن محمد عبد العزيز عبد الكريم السيد محمود عبد الحميد سليمان"),
])
def test_a_long_name_and_eight_units_still_fit_beside_a_readable_qr(
        app: Flask, name_en: str, name_ar: str) -> None:
    """The course's regional programme (eight units) for a four-part name that wraps: the
    certificate is one page, every unit is on it, and its QR code still decodes (the units
    once ran under it)."""
    import pypdfium2
    import zxingcpp
    from pypdf import PdfReader

    from lms.certificates.pdf import render_pdf
    from lms.courses.loader import load_package
    from tests import factories
    from tests.certificates.conftest import schedule
    from tests.conftest import COURSE_PACKAGE

    load_package(COURSE_PACKAGE, Path(app.config["STORAGE_DIR"]))
    db.session.commit()
    edition = factories.make_edition("regional")
    schedule(edition)
    user = factories.make_user(full_name=name_en, full_name_ar=name_ar)
    db.session.commit()
    url = "https://cmg.example.org/verify/154E250ZT5Y7YPE648KAD"
    with app.test_request_context():
        snapshot = services.build_snapshot(user, edition, date(2027, 1, 1),
                                           "154E250ZT5Y7YPE648KAD")
        pdf = render_pdf(snapshot, url)
    assert len(snapshot["units"]) == 8
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = unicodedata.normalize("NFKC", reader.pages[0].extract_text())
    assert all(f"{unit['en']} ({unit['hours']} h)" in text for unit in snapshot["units"])
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=3).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [url]


@needs_pdf
def test_the_home_page_agrees_with_the_certificate_page(client: FlaskClient, auth: Auth,
                                                       graduate) -> None:  # type: ignore[no-untyped-def]
    """Complete, the home page offers the certificate; once it is issued, says so; once it
    is revoked, says that, as the certificate page does, and no longer that it can be
    issued."""
    from lms.auth.models import Role
    from tests import factories

    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    assert "your certificate can be issued" in client.get("/").text
    certificate, _created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    assert "your certificate has been issued" in client.get("/").text
    services.revoke_certificate(certificate, factories.make_user(role=Role.ADMIN),
                                "Issued to the wrong edition", utcnow())
    db.session.commit()
    home = client.get("/").text
    assert "Your certificate for this edition was revoked." in home
    assert "can be issued" not in home and "has been issued" not in home
    assert "was revoked on" in client.get("/certificates").text


@needs_pdf
def test_contact_hours_are_the_editions_own_days(client: FlaskClient, auth: Auth,
                                                 graduate) -> None:  # type: ignore[no-untyped-def]
    """The package plans the alpha module as 5 days of 6 hours; this edition shortened one
    day to 3.5 hours and dropped another. The certificate counts the hours the edition gave,
    on the record, the public page and the PDF."""
    user, edition, sessions = graduate
    alpha = [s for s in sessions if s.unit.slug == sessions[0].unit.slug]
    assert [s.contact_hours for s in alpha] == [6] * 5
    alpha[1].contact_hours = 3.5
    db.session.delete(alpha[4])
    finish(user)
    auth.login(user)
    client.post(f"/certificates/claim/{edition.id}")
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None
    hours = [unit["hours"] for unit in certificate.snapshot["units"]]
    assert hours[0] == 21.5 and certificate.snapshot["contact_hours"] == sum(hours)
    assert all(isinstance(h, int) for h in hours[1:])
    page = client.get(f"/verify/{certificate.code}").text
    assert "(21.5 hours)" in page
    assert f"<dd>{certificate.snapshot['contact_hours']}</dd>" in page


@needs_pdf
def test_snapshot_does_not_change_after_profile_edit(client: FlaskClient, auth: Auth,
                                                     graduate) -> None:  # type: ignore[no-untyped-def]
    """Editing the profile after issue changes neither the record nor the public page."""
    user, edition, _sessions = graduate
    finish(user)
    auth.login(user)
    client.post(f"/certificates/claim/{edition.id}")
    user.full_name = "Someone Else"
    db.session.commit()
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and certificate.snapshot["name_en"] == "Salma Farouk"
    page = client.get(f"/verify/{certificate.code}").text
    assert "Salma Farouk" in page and "Someone Else" not in page


def test_not_enrolled_edition_is_not_found(client: FlaskClient, auth: Auth,
                                           graduate) -> None:  # type: ignore[no-untyped-def]
    """Claiming in an edition one is not enrolled in gives 404."""
    from tests import factories

    user, _edition, _sessions = graduate
    other = factories.make_edition(name="Other edition")
    db.session.commit()
    auth.login(user)
    assert client.post(f"/certificates/claim/{other.id}").status_code == 404


@needs_pdf
def test_only_holder_and_admin_download(app: Flask, client: FlaskClient, auth: Auth,
                                        graduate) -> None:  # type: ignore[no-untyped-def]
    """Another participant and an instructor get 404; an admin gets the PDF."""
    from lms.auth.models import Role
    from tests import factories

    user, edition, _sessions = graduate
    finish(user)
    certificate, _created = services.issue_certificate(
        user, edition, None, utcnow(), services.eligibility(user.id, edition, utcnow()))
    db.session.commit()
    url = f"/certificates/{certificate.id}/certificate.pdf"
    for role in (Role.PARTICIPANT, Role.INSTRUCTOR):
        other = app.test_client()
        person = factories.make_user(role=role)
        db.session.commit()
        Auth(other).login(person)
        assert other.get(url).status_code == 404
        assert other.get("/certificates/999999/certificate.pdf").status_code == 404
    admin = app.test_client()
    boss = factories.make_user(role=Role.ADMIN)
    db.session.commit()
    Auth(admin).login(boss)
    response = admin.get(url)
    assert response.status_code == 200
    response.close()


@needs_pdf
def test_graduation_day_issues_every_eligible(app: Flask, client: FlaskClient, auth: Auth,
                                              graduate) -> None:  # type: ignore[no-untyped-def]
    """One action issues every eligible participant; the others are listed with reasons; the
    archive holds every PDF."""
    import io
    import zipfile

    from lms.auth.models import Role
    from tests import factories
    from tests.certificates.conftest import attend, study

    user, edition, sessions = graduate
    finish(user)
    second = factories.make_user(full_name="Omar Khaled")
    factories.enrol(second, edition)
    attend(second, sessions)
    study(second)
    late = factories.make_user(full_name="Nour Ibrahim")
    factories.enrol(late, edition)
    db.session.commit()
    auth.login_as(Role.ADMIN)
    page = client.get(f"/admin/certificates/editions/{edition.id}").text
    assert "Nour Ibrahim" in page and "more in-person days" in page
    client.post(f"/admin/certificates/editions/{edition.id}/issue-all")
    assert valid_count() == 2
    archive = client.get(f"/admin/certificates/editions/{edition.id}/certificates.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as bundle:
        assert len(bundle.namelist()) == 2
    client.post(f"/admin/certificates/editions/{edition.id}/issue",
                data={"user_id": late.id, "reason": ""})
    assert valid_count() == 2
    client.post(f"/admin/certificates/editions/{edition.id}/issue",
                data={"user_id": late.id, "reason": "Completed the programme in 2019 on paper"})
    assert valid_count() == 3
    exceptional = db.session.scalar(select(Certificate).filter_by(user_id=late.id))
    assert exceptional is not None
    assert exceptional.exception_reason == "Completed the programme in 2019 on paper"


def test_participant_cannot_use_admin_actions(client: FlaskClient, auth: Auth,
                                              graduate) -> None:  # type: ignore[no-untyped-def]
    """Direct POSTs to issue, revoke and re-issue are refused for participants."""
    from lms.auth.models import Role

    user, edition, _sessions = graduate
    auth.login_as(Role.PARTICIPANT)
    assert client.post(f"/admin/certificates/editions/{edition.id}/issue-all").status_code == 403
    assert client.post(f"/admin/certificates/editions/{edition.id}/issue",
                       data={"user_id": user.id, "reason": "x"}).status_code == 403
    assert valid_count() == 0


@needs_pdf
def test_the_issue_date_is_the_day_in_the_editions_zone(graduate) -> None:  # type: ignore[no-untyped-def]
    """Claimed at 01:30 on 1 April in Cairo (still 31 March in UTC): dated 1 April."""
    from datetime import UTC, date, datetime

    user, edition, _sessions = graduate
    finish(user)
    assert edition.timezone == "Africa/Cairo"
    now = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    certificate, _new = services.issue_certificate(
        user, edition, None, now, services.eligibility(user.id, edition, now))
    assert certificate.issue_date == date(2027, 4, 1)
    assert certificate.snapshot["issue_date"] == "2027-04-01"
