"""People edit their own profile; email and password changes send a notice; gender needs
consent; the password rule."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.auth.models import Gender, Role
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Enrolment
from tests import factories
from tests.conftest import Auth


def test_profile_edit_changes_only_the_own_account(client: FlaskClient, auth: Auth) -> None:
    """Names for the certificate, organisation, country and language are saved; extra fields
    naming another user or a role are ignored."""
    other = factories.make_user(full_name="Someone Else")
    me = auth.login_as(Role.PARTICIPANT)
    response = client.post("/account/profile", data={
        "full_name": "Salma Farouk", "full_name_ar": "سلمى فاروق", "organisation": "MoSS",
        "country": "Egypt", "language": "ar", "user_id": other.id, "role": "admin"})
    assert response.status_code == 302
    db.session.refresh(me)
    db.session.refresh(other)
    assert (me.full_name, me.full_name_ar, me.preferred_language, me.role) == (
        "Salma Farouk", "سلمى فاروق", "ar", Role.PARTICIPANT)
    assert other.full_name == "Someone Else"
    event = db.session.scalar(select(AuditEvent).filter_by(action="profile.update"))
    assert event is not None and "full_name" in event.details["fields"]


def test_profile_needs_a_latin_name(client: FlaskClient, auth: Auth) -> None:
    """An empty name or an over-long one is a form error."""
    auth.login_as(Role.PARTICIPANT)
    assert client.post("/account/profile", data={"full_name": "", "language": "en"}
                       ).status_code == 400
    assert client.post("/account/profile", data={"full_name": "x" * 201, "language": "en"}
                       ).status_code == 400
    assert client.post("/account/profile", data={"full_name": "A", "language": "fr"}
                       ).status_code == 400


def test_the_arabic_name_field_marks_only_its_input_as_arabic(client: FlaskClient,
                                                              auth: Auth) -> None:
    """On an English page the Arabic name is typed right to left in Arabic, while its label
    and its error stay English for screen readers; the admin's form does the same."""
    auth.login_as(Role.ADMIN)
    page = client.post("/account/profile", data={"full_name": "Salma Farouk",
                                                 "full_name_ar": "ا" * 500, "language": "en"})
    assert page.status_code == 400
    tag = re.search(r'<input[^>]*name="full_name_ar"[^>]*>', page.text)
    assert tag is not None and 'lang="ar"' in tag.group(0) and 'dir="rtl"' in tag.group(0)
    label = re.search(r'<label for="full_name_ar"[^>]*>', page.text)
    assert label is not None and "lang=" not in label.group(0)
    assert '<div lang="ar"' not in page.text
    errors = page.text.split('id="full_name_ar-errors"', 1)[1].split("</ul>", 1)[0]
    assert "Field cannot be longer than" in errors
    assert '<div lang="ar"' not in client.get(f"/admin/users/{factories.make_user().id}/edit").text


def test_email_change_asks_for_the_password_and_tells_the_old_address(
        client: FlaskClient, auth: Auth) -> None:
    """A wrong password changes nothing; the right one changes the address and the previous
    address receives a notice."""
    me = auth.login_as(Role.PARTICIPANT, email="before@example.org")
    wrong = client.post("/account/email", data={"email": "after@example.org",
                                                "current": "not my password"})
    assert wrong.status_code == 400 and "not correct" in wrong.text
    db.session.refresh(me)
    assert me.email == "before@example.org"
    client.post("/account/email", data={"email": "after@example.org",
                                        "current": factories.PASSWORD})
    db.session.refresh(me)
    assert me.email == "after@example.org"
    notice = db.session.scalar(select(OutboxMessage).filter_by(template="email_changed"))
    assert notice is not None and notice.recipient == "before@example.org"
    auth.logout()
    assert client.post("/login", data={"email": "after@example.org",
                                       "password": factories.PASSWORD}).status_code == 302


def test_email_of_another_account_is_refused(client: FlaskClient, auth: Auth) -> None:
    """Taking an address another account uses is refused."""
    factories.make_user(email="taken@example.org")
    auth.login_as(Role.PARTICIPANT)
    response = client.post("/account/email", data={"email": "taken@example.org",
                                                   "current": factories.PASSWORD})
    assert response.status_code == 400 and "already uses this address" in response.text


def test_password_change_sends_a_notice(client: FlaskClient, auth: Auth) -> None:
    """Changing the password (with the current one) mails the account's address."""
    me = auth.login_as(Role.PARTICIPANT)
    client.post("/account/password", data={"current": factories.PASSWORD,
                                           "password": "a brand new passphrase",
                                           "confirm": "a brand new passphrase"})
    notice = db.session.scalar(select(OutboxMessage).filter_by(template="password_changed"))
    assert notice is not None and notice.recipient == me.email


@pytest.mark.parametrize(("password", "accepted"), [
    ("elevenchars", False),
    ("twelve chars", True),
    ("a sixty-four character passphrase with spaces " + "é" * 18, True),
    ("كلمة سر عربية طويلة", True),
    ("qwerty123456", False),
    ("LeaveMeAlone", False),
])
def test_password_rules(client: FlaskClient, auth: Auth, password: str, accepted: bool) -> None:
    """At least 12 characters, any script and spaces, the most common passwords refused."""
    auth.login_as(Role.PARTICIPANT)
    response = client.post("/account/password", data={
        "current": factories.PASSWORD, "password": password, "confirm": password})
    assert (response.status_code == 302) == accepted, response.text[-2000:]


def test_gender_is_kept_only_with_consent(client: FlaskClient, auth: Auth) -> None:
    """Without consent nothing is stored; with it the answer and the time are; withdrawing
    erases both."""
    me = auth.login_as(Role.PARTICIPANT)
    client.post("/account/gender", data={"gender": "female"})
    db.session.refresh(me)
    assert me.gender is None and me.gender_consent_at is None
    client.post("/account/gender", data={"gender": "female", "consent": "y"})
    db.session.refresh(me)
    assert me.gender == Gender.FEMALE and me.gender_consent_at is not None
    client.post("/account/gender", data={"gender": "female"})
    db.session.refresh(me)
    assert me.gender is None and me.gender_consent_at is None
    assert client.post("/account/gender", data={"gender": "other"}).status_code == 302
    db.session.refresh(me)
    assert me.gender is None


@pytest.mark.usefixtures("loaded")
def test_participant_sees_and_removes_the_gender_rosters_gave(client: FlaskClient,
                                                              auth: Auth) -> None:
    """A gender from an enrolling organisation's roster was kept without the person's consent:
    their profile shows it for each edition and one button erases it from all of them,
    leaving other people's enrolments alone."""
    me = auth.login_as(Role.PARTICIPANT)
    other = factories.make_user()
    spring, autumn, winter = (factories.make_edition(name=name)
                              for name in ("Spring 2027", "Autumn 2027", "Winter 2028"))
    factories.enrol(me, spring, gender="female")
    factories.enrol(me, autumn, gender="female")
    factories.enrol(me, winter)
    theirs = factories.enrol(other, spring, gender="male")
    db.session.commit()

    page = client.get("/account/profile").text
    assert "<bdi>Spring 2027</bdi>: <bdi>Female</bdi>" in page
    assert "<bdi>Autumn 2027</bdi>: <bdi>Female</bdi>" in page
    assert "Winter 2028" not in page
    assert 'action="/account/gender/roster"' in page

    response = client.post("/account/gender/roster", follow_redirects=True)
    assert "The gender given by the rosters is removed." in response.text
    assert "What the rosters say" not in response.text
    assert db.session.scalars(select(Enrolment.gender).filter_by(user_id=me.id)).all() == [
        None, None, None]
    db.session.refresh(theirs)
    assert theirs.gender == "male"
    event = db.session.scalar(select(AuditEvent).filter_by(
        action="profile.roster_gender_removed"))
    assert event is not None and event.details["enrolments"] == "2"


def test_nothing_to_remove_shows_no_roster_section(client: FlaskClient, auth: Auth) -> None:
    """Without a roster's gender the profile says nothing of rosters, and the button's address
    changes nothing and records nothing."""
    auth.login_as(Role.PARTICIPANT)
    assert "What the rosters say" not in client.get("/account/profile").text
    assert client.post("/account/gender/roster").status_code == 302
    assert db.session.scalar(select(AuditEvent).filter_by(
        action="profile.roster_gender_removed")) is None


def test_profile_page_shows_everything_needed(client: FlaskClient, auth: Auth) -> None:
    """The profile page has labelled fields, the optional gender with its consent, and links
    to the other account pages."""
    auth.login_as(Role.PARTICIPANT, full_name="Nour Ibrahim")
    page = client.get("/account/profile").text
    assert 'value="Nour Ibrahim"' in page
    assert '<label for="full_name_ar">' in page
    assert "<legend>Your answer</legend>" in page
    for link in ("/account/email", "/account/password", "/account/sessions", "/account/data"):
        assert f'href="{link}"' in page
