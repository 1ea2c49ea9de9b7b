"""The privacy notice: in both languages, shown from the first login until it is read."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth import privacy
from lms.auth.models import Role
from lms.extensions import db
from tests.conftest import Auth


def test_notice_is_shown_until_read(client: FlaskClient, auth: Auth, loaded: object) -> None:
    """After the first login every page carries the notice in English and Arabic; confirming
    records the version and time, and it goes away."""
    me = auth.login_as(Role.PARTICIPANT)
    home = client.get("/").text
    assert 'class="privacy-banner"' in home
    assert 'lang="ar" dir="rtl">تحتفظ هذه المنصة' in home
    assert 'lang="en" dir="ltr">This platform keeps personal data' in home
    response = client.post("/privacy/acknowledge", data={"next": "/glossary"})
    assert response.headers["Location"] == "/glossary"
    db.session.refresh(me)
    assert me.privacy_notice_version == privacy.NOTICE_VERSION
    assert me.privacy_notice_seen_at is not None
    assert 'class="privacy-banner"' not in client.get("/").text
    assert db.session.scalar(select(AuditEvent).filter_by(action="privacy.acknowledge"))


def test_notice_page_has_both_languages_and_is_public(app: Flask) -> None:
    """Anyone can read the notice; it holds the English and the Arabic text."""
    page = app.test_client().get("/privacy")
    assert page.status_code == 200
    assert '<section lang="en" dir="ltr"' in page.text
    assert '<section lang="ar" dir="rtl"' in page.text
    assert "Law No. 151 of 2020" in page.text and "151 لسنة 2020" in page.text
    assert "730 days" in page.text


def test_notice_states_the_configured_periods(app: Flask) -> None:
    """The periods the notice promises are the ones `flask lms purge` applies."""
    app.config.update(RETENTION_AUDIT_DAYS=400, RETENTION_ATTENDANCE_NOTES_DAYS=200,
                      RETENTION_OUTBOX_DAYS=90)
    page = app.test_client().get("/privacy").text
    assert "Notes about attendance are erased after 200 days" in page
    assert "security log entries after 400 days" in page
    assert "deleted 90 days after it was sent" in page
    assert "بعد 90 يومًا من إرسالها" in page


def test_new_notice_version_asks_again(client: FlaskClient, auth: Auth, loaded: object,
                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Raising the notice version shows it again to everyone."""
    auth.login_as(Role.PARTICIPANT)
    client.post("/privacy/acknowledge")
    monkeypatch.setattr(privacy, "NOTICE_VERSION", "2099-1")
    assert 'class="privacy-banner"' in client.get("/").text


def test_acknowledge_ignores_foreign_next(client: FlaskClient, auth: Auth,
                                          loaded: object) -> None:
    """The return address after confirming must be on this site."""
    auth.login_as(Role.PARTICIPANT)
    response = client.post("/privacy/acknowledge", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_the_banner_on_a_refused_form_returns_to_the_form(client: FlaskClient, auth: Auth,
                                                          loaded: object) -> None:
    """A form refused by an address that only takes posts draws its page with the banner;
    confirming the notice there goes back to the page the form was on, not to the post's
    address (which would answer 405)."""
    from tests.auth.test_two_step import set_up

    auth.login_as(Role.PARTICIPANT)
    set_up(client)
    refused = client.post("/account/two-step/codes", data={"codes-current": "wrong"},
                          headers={"Referer": "http://localhost/account/two-step"})
    assert refused.status_code == 400 and 'class="privacy-banner"' in refused.text
    banner = refused.text.split('class="privacy-banner"', 1)[1].split("</div>", 1)[0]
    assert 'name="next" value="/account/two-step"' in banner
