"""Invitations and password resets: single-use, expiring links sent by mail."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.auth.accounts import deactivate
from lms.auth.models import PasswordToken, Role, User
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.models import Enrolment
from tests import factories
from tests.conftest import Auth

NEW_PASSWORD = "river tea garden 2027"


def last_mail(to: str) -> OutboxMessage:
    message = db.session.scalar(select(OutboxMessage).filter_by(recipient=to)
                                .order_by(OutboxMessage.id.desc()))
    assert message is not None, f"no mail to {to}"
    return message


def link_in(message: OutboxMessage) -> str:
    found = re.search(r"http://127\.0\.0\.1:5000(/password/set\?token=[\w-]+)",
                      message.body_text)
    assert found, message.body_text
    return found.group(1)


def set_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    token = path.split("token=")[1]
    return client.post("/password/set", data={"token": token, "password": password,
                                              "confirm": password})


def invite(client: FlaskClient, loaded: bool = False, **fields: str):  # type: ignore[no-untyped-def]
    data = {"full_name": "Amal Said", "full_name_ar": "أمل سعيد", "email": "amal@example.org",
            "role": "participant", "language": "en", "edition": "0"}
    data.update(fields)
    return client.post("/admin/users/invite", data=data)


def test_invited_participant_sets_password_and_logs_in(app: Flask, client: FlaskClient,
                                                       auth: Auth, loaded: object) -> None:
    """Admin invites; the outbox holds the link; the participant sets a password and logs in."""
    edition = factories.make_edition()
    admin = auth.login_as(Role.ADMIN)
    response = invite(client, edition=str(edition.id))
    assert response.status_code == 302
    user = db.session.scalar(select(User).filter_by(email="amal@example.org"))
    assert user is not None and user.password_hash is None and user.role == Role.PARTICIPANT
    assert db.session.scalar(select(Enrolment).filter_by(user_id=user.id)) is not None
    message = last_mail("amal@example.org")
    assert message.subject == "Your account for the Certificate in Migration Governance"
    assert "Dear Amal Said," in message.body_text
    path = link_in(message)
    visitor = app.test_client()
    assert 'name="token"' in visitor.get(path).text
    assert set_password(visitor, path).status_code == 302
    assert Auth(visitor).login(user, NEW_PASSWORD).status_code == 302
    assert visitor.get("/").status_code == 200
    assert admin.id != user.id


def test_invitation_in_arabic(client: FlaskClient, auth: Auth) -> None:
    """An invitation in Arabic is rendered with the Arabic name."""
    auth.login_as(Role.ADMIN)
    invite(client, language="ar")
    message = last_mail("amal@example.org")
    assert message.language == "ar"
    assert "أمل سعيد" in message.body_text


def test_invite_rejects_duplicate_email_and_bad_input(client: FlaskClient, auth: Auth) -> None:
    """An email already in use and a malformed email are refused with a message."""
    auth.login_as(Role.ADMIN)
    factories.make_user(email="taken@example.org")
    db.session.commit()
    duplicate = invite(client, email="Taken@Example.org")
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.text
    malformed = invite(client, email="not-an-email")
    assert malformed.status_code == 400
    assert "Enter an email address" in malformed.text
    too_long = invite(client, full_name="x" * 500)
    assert too_long.status_code == 400


def test_invite_enrols_only_participants_and_only_in_open_editions(
        client: FlaskClient, auth: Auth, loaded: object) -> None:
    """Staff with an edition chosen are refused with a reason, not invited without it; an
    archived edition is not offered and not accepted."""
    auth.login_as(Role.ADMIN)
    open_edition = factories.make_edition(name="Open edition")
    archived = factories.make_edition(name="Archived edition", archived_at=utcnow())
    db.session.commit()
    form = client.get("/admin/users/invite").text
    assert "Open edition" in form and "Archived edition" not in form
    staff = invite(client, role="instructor", edition=str(open_edition.id))
    assert staff.status_code == 400 and "Only participants are enrolled" in staff.text
    late = invite(client, edition=str(archived.id))
    assert late.status_code == 400
    assert db.session.scalar(select(User).filter_by(email="amal@example.org")) is None
    assert db.session.scalar(select(Enrolment)) is None


def test_link_works_once(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """A used link is dead: a second submission is refused and changes nothing."""
    auth.login_as(Role.ADMIN)
    invite(client)
    path = link_in(last_mail("amal@example.org"))
    visitor = app.test_client()
    assert set_password(visitor, path).status_code == 302
    again = set_password(visitor, path, "another pass phrase here")
    assert again.status_code == 410
    user = db.session.scalar(select(User).filter_by(email="amal@example.org"))
    assert user is not None and user.check_password(NEW_PASSWORD)


def test_expired_link_is_refused(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """A link past its expiry gives the plain 'no longer works' page."""
    auth.login_as(Role.ADMIN)
    invite(client)
    path = link_in(last_mail("amal@example.org"))
    for token in db.session.scalars(select(PasswordToken)):
        token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410
    assert "This link no longer works" in response.text


def test_weak_password_refused_and_link_kept(app: Flask, client: FlaskClient,
                                            auth: Auth) -> None:
    """Short and common passwords are refused; the link still works afterwards."""
    auth.login_as(Role.ADMIN)
    invite(client)
    path = link_in(last_mail("amal@example.org"))
    visitor = app.test_client()
    short = set_password(visitor, path, "short pass")
    assert short.status_code == 400 and "at least 12 characters" in short.text
    common = set_password(visitor, path, "Qwerty123456")
    assert common.status_code == 400 and "most commonly used" in common.text
    assert set_password(visitor, path).status_code == 302


def test_long_non_ascii_passphrase_accepted(app: Flask, client: FlaskClient,
                                            auth: Auth) -> None:
    """A 64-character passphrase with spaces and Arabic letters is fine."""
    auth.login_as(Role.ADMIN)
    invite(client)
    passphrase = ("كلمة مرور طويلة جدا مع مسافات " * 3)[:64]
    assert len(passphrase) == 64
    path = link_in(last_mail("amal@example.org"))
    assert set_password(app.test_client(), path, passphrase).status_code == 302


def test_reset_gives_same_answer_for_unknown_address(client: FlaskClient) -> None:
    """Known and unknown addresses get the same response; only the known one gets mail."""
    factories.make_user(email="known@example.org")
    db.session.commit()
    known = client.post("/password/forgot", data={"email": "known@example.org"},
                        follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account uses this address" in known.text
    assert known.text.count("If an account") == unknown.text.count("If an account")
    assert last_mail("known@example.org").template == "password_reset"
    assert db.session.scalar(select(OutboxMessage).filter_by(
        recipient="nobody@example.org")) is None


def test_reset_link_dies_after_password_change(app: Flask, client: FlaskClient,
                                               auth: Auth) -> None:
    """A reset link sent before a password change no longer works after it."""
    user = factories.make_user(email="user@example.org")
    db.session.commit()
    app.test_client().post("/password/forgot", data={"email": "user@example.org"})
    path = link_in(last_mail("user@example.org"))
    Auth(client).login(user)
    client.post("/account/password", data={"current": factories.PASSWORD,
                                           "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert app.test_client().get(path).status_code == 410


def test_password_change_sends_notice(client: FlaskClient, auth: Auth) -> None:
    """Changing the password emails a notice to the account's address."""
    user = auth.login_as(Role.PARTICIPANT)
    client.post("/account/password", data={"current": factories.PASSWORD,
                                           "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert last_mail(user.email).template == "password_changed"


def test_tokens_are_random_and_stored_hashed(client: FlaskClient, auth: Auth) -> None:
    """The link's token (at least 128 bits) is not what the database keeps."""
    auth.login_as(Role.ADMIN)
    invite(client)
    token = link_in(last_mail("amal@example.org")).split("token=")[1]
    assert len(token) >= 22  # 32 random bytes, URL-safe base64
    stored = db.session.scalars(select(PasswordToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_resend_invitation(client: FlaskClient, auth: Auth) -> None:
    """An admin can send a fresh invitation; a non-admin cannot."""
    auth.login_as(Role.ADMIN)
    user = factories.make_user(email="late@example.org")
    db.session.commit()
    assert client.post(f"/admin/users/{user.id}/invitation").status_code == 302
    assert last_mail("late@example.org").template == "invitation"
    assert client.post("/admin/users/999999/invitation").status_code == 404


def test_participant_cannot_invite(client: FlaskClient, auth: Auth) -> None:
    """Inviting is for admins: a participant's direct POST is refused and nothing is made."""
    auth.login_as(Role.PARTICIPANT)
    assert invite(client, role="admin").status_code == 403
    assert db.session.scalar(select(User).filter_by(email="amal@example.org")) is None


def test_a_corrected_address_takes_the_old_links_away(app: Flask, client: FlaskClient,
                                                      auth: Auth) -> None:
    """Invited at a mistyped address, then corrected by the admin and invited again: the
    link in the mistyped mailbox no longer sets the password; the new one does."""
    auth.login_as(Role.ADMIN)
    assert invite(client, email="amal@minsitry.example.org").status_code == 302
    user = db.session.scalar(select(User).filter_by(email="amal@minsitry.example.org"))
    assert user is not None
    mistyped = link_in(last_mail("amal@minsitry.example.org"))
    client.post(f"/admin/users/{user.id}/edit", data={
        "full_name": "Amal Said", "full_name_ar": "أمل سعيد",
        "email": "amal@ministry.example.org", "organisation": "", "country": "",
        "language": "en"})
    client.post(f"/admin/users/{user.id}/invitation")
    visitor = app.test_client()
    assert set_password(visitor, mistyped).status_code != 302
    db.session.refresh(user)
    assert user.password_hash is None
    assert set_password(visitor, link_in(last_mail("amal@ministry.example.org"))
                        ).status_code == 302


def test_no_invitation_for_a_deactivated_account(client: FlaskClient, auth: Auth) -> None:
    """A link would let the account in again as soon as it is reactivated: the list offers
    none, and a direct post is refused with what to do and sends nothing."""
    admin = auth.login_as(Role.ADMIN)
    person = factories.make_user(email="gone@example.org")
    deactivate(person, admin, utcnow())
    db.session.commit()
    assert f"/admin/users/{person.id}/invitation" not in client.get("/admin/users").text
    refused = client.post(f"/admin/users/{person.id}/invitation", follow_redirects=True)
    assert "reactivate the account before sending an invitation" in refused.text
    assert db.session.scalar(select(OutboxMessage).filter_by(
        recipient="gone@example.org", template="invitation")) is None
