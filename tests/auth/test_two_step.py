"""Two-step login: setting it up, logging in with a code, recovery codes, turning it off,
the admin's reset, and the requirement for admins in production."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.auth.anonymise import anonymise
from lms.auth.models import RecoveryCode, Role, User
from lms.auth.sealed_keys import unseal
from lms.db_types import utcnow
from lms.extensions import db
from lms.mail.models import OutboxMessage
from tests import factories
from tests.concurrency.helpers import count
from tests.conftest import Auth, make_app

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
# Four groups of four, none of the characters that read like others (0, 1, i, l, o).
RECOVERY_CODE = r"<code>((?:[a-hjkmnp-z2-9]{4}-){3}[a-hjkmnp-z2-9]{4})</code>"


def app_code(secret: str, seconds_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(utcnow().timestamp()) + seconds_from_now)


def set_up(client: FlaskClient) -> tuple[str, list[str]]:
    """Turn two-step login on for the logged-in client; its secret and recovery codes."""
    assert client.get("/account/two-step").status_code == 200
    with client.session_transaction() as session:
        secret = session["two_step_setup"]
    response = client.post("/account/two-step", data={"code": app_code(secret)})
    assert response.status_code == 200, response.text
    codes = re.findall(RECOVERY_CODE, response.text)
    assert len(codes) == 10
    return secret, codes


def user_with_two_step(auth: Auth, role: Role = Role.PARTICIPANT) -> tuple[User, str, list[str]]:
    user = auth.login_as(role)
    secret, codes = set_up(auth.client)
    auth.logout()
    return user, secret, codes


def password_step(client: FlaskClient, user: User, next_url: str = "") -> None:
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"


def events(action: str, outcome: str = "success") -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.outcome == outcome)) or 0


def test_set_up_with_a_wrong_then_the_right_code(client: FlaskClient, auth: Auth) -> None:
    """The page shows a QR code and the key; a wrong code is refused and audited, the right
    one switches it on and shows ten recovery codes, of which only hashes are kept."""
    user = auth.login_as(Role.PARTICIPANT)
    page = client.get("/account/two-step")
    assert 'src="data:image/svg+xml' in page.text
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    with client.session_transaction() as session:
        secret = session["two_step_setup"]
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page.text
    wrong = client.post("/account/two-step", data={"code": "000000"})
    assert wrong.status_code == 400
    assert 'aria-describedby="code-errors"' in wrong.text
    assert user.two_step_enabled_at is None and user.two_step_secret is None
    assert events("two_step.switch_on", "failure") == 1

    right = client.post("/account/two-step", data={"code": app_code(secret)})
    assert right.status_code == 200
    codes = re.findall(RECOVERY_CODE, right.text)
    assert len(set(codes)) == 10
    db.session.refresh(user)
    assert user.has_two_step and user.two_step_secret is not None
    assert secret not in user.two_step_secret and unseal(user.two_step_secret) == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    assert events("two_step.switch_on") == 1
    audit = db.session.scalars(select(AuditEvent)).all()
    assert not any(secret in json.dumps(e.details) for e in audit)


def test_login_asks_for_the_code_before_any_session(client: FlaskClient, auth: Auth) -> None:
    """With two-step login on, the right password alone reaches no logged-in page; the code
    (spaces and Arabic-Indic digits allowed) then starts the session and honours ``next``."""
    user, secret, _codes = user_with_two_step(auth)
    password_step(client, user, next_url="/account/profile")
    for page in ("/", "/account/profile", "/account/two-step", "/account/sessions"):
        assert client.get(page).headers.get("Location", "").startswith("/login")
    assert client.get("/login/code").status_code == 200
    code = app_code(secret, 30)  # the step of the code that switched it on is used up
    typed = f" {code[:3]} {code[3:]} ".translate(ARABIC_INDIC)
    response = client.post("/login/code", data={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == "/account/profile"
    assert client.get("/").status_code == 200
    assert events("login.password") == 1
    last = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")
                              .order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.details == {"second_step": "app code"}


def test_a_wrong_code_is_refused_audited_and_throttled(client: FlaskClient,
                                                       auth: Auth) -> None:
    """A wrong code gets a message tied to the field and an audit entry; the sixth wrong
    code in a minute meets the login's limiter."""
    user, _secret, _codes = user_with_two_step(auth)
    password_step(client, user)
    response = client.post("/login/code", data={"code": "123 456"})
    assert response.status_code == 401
    assert "This code is not right" in response.text
    assert 'aria-describedby="code-errors"' in response.text
    assert events("login.code", "failure") == 1
    assert client.get("/").status_code == 302
    for _ in range(4):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 401
    assert client.post("/login/code", data={"code": "123456"}).status_code == 429


def test_the_same_code_works_once(client: FlaskClient, auth: Auth) -> None:
    """A code whose time step was used already is refused, even for the same person."""
    user, secret, _codes = user_with_two_step(auth)
    password_step(client, user)
    code = app_code(secret, 30)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    auth.logout()
    password_step(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 401
    assert client.get("/").status_code == 302


def test_the_confirming_code_cannot_log_in(client: FlaskClient, auth: Auth) -> None:
    """The code typed to switch it on has been used: it cannot log in afterwards."""
    user = auth.login_as(Role.PARTICIPANT)
    client.get("/account/two-step")
    with client.session_transaction() as session:
        secret = session["two_step_setup"]
    code = app_code(secret)
    assert client.post("/account/two-step", data={"code": code}).status_code == 200
    auth.logout()
    password_step(client, user)
    assert client.post("/login/code", data={"code": code}).status_code == 401


def test_the_pending_login_expires(client: FlaskClient, auth: Auth) -> None:
    """Five minutes after the password, the code is no longer asked for: back to the password
    form with a message, and the right code starts nothing."""
    user, secret, _codes = user_with_two_step(auth)
    password_step(client, user)
    later = utcnow() + timedelta(minutes=5, seconds=1)
    with mock.patch("lms.auth.views.utcnow", return_value=later):
        response = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(later)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "More than 5 minutes passed" in client.get("/login").text
    assert client.get("/").status_code == 302
    assert client.get("/login/code").headers["Location"] == "/login"


def test_turning_it_off_needs_the_password(client: FlaskClient, auth: Auth) -> None:
    """A wrong password leaves it on (and is audited); the right one turns it off, and the
    password alone logs in again."""
    user = auth.login_as(Role.PARTICIPANT)
    set_up(client)
    wrong = client.post("/account/two-step/off", data={"current": "not my password"})
    assert wrong.status_code == 400 and 'aria-describedby="current-errors"' in wrong.text
    assert user.has_two_step and events("two_step.switch_off", "failure") == 1
    response = client.post("/account/two-step/off", data={"current": factories.PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert not user.has_two_step and user.two_step_secret is None
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert events("two_step.switch_off") == 1
    # The person is told, so a takeover that removed the second step does not go unnoticed.
    notice = db.session.scalar(select(OutboxMessage).filter_by(recipient=user.email,
                                                               template="two_step_off"))
    assert notice is not None and "/account/two-step" in notice.body_text
    auth.logout()
    assert auth.login(user).headers["Location"] == "/"


def test_an_admin_resets_another_persons_two_step_login(app: Flask, auth: Auth) -> None:
    """After a lost phone an admin turns it off for the person (audited), never for
    themselves; the person then logs in with the password and can set it up again."""
    person, _secret, _codes = user_with_two_step(auth)
    admin = auth.login_as(Role.ADMIN)
    assert "Reset two-step login" in auth.client.get(f"/admin/users/{person.id}").text
    own = auth.client.post(f"/admin/users/{admin.id}/two-step/reset",
                           data={"reset-current": factories.PASSWORD})
    assert own.status_code == 302
    # The admin's own password confirms it, as for a role change.
    wrong = auth.client.post(f"/admin/users/{person.id}/two-step/reset",
                             data={"reset-current": "not my password"}, follow_redirects=True)
    assert "Your password is not correct; two-step login was not reset." in wrong.text
    db.session.refresh(person)
    assert person.has_two_step
    response = auth.client.post(f"/admin/users/{person.id}/two-step/reset",
                                data={"reset-current": factories.PASSWORD})
    assert response.status_code == 302
    db.session.refresh(person)
    assert not person.has_two_step and person.two_step_secret is None
    assert events("user.two_step_reset") == 1 and events("user.two_step_reset", "failure") == 1
    notice = db.session.scalar(select(OutboxMessage).filter_by(recipient=person.email,
                                                               template="two_step_off"))
    assert notice is not None and "An administrator of the programme" in notice.body_text
    auth.logout()
    assert auth.login(person).headers["Location"] == "/"
    assert auth.client.get("/account/two-step").status_code == 200


def test_the_setting_follows_the_environment(tmp_path: Path) -> None:
    """On by default in production, off in development and tests; the environment can set it
    either way."""
    production = {"ENV_NAME": "production", "SECRET_KEY": "x" * 40,
                  "PUBLIC_BASE_URL": "https://lms.example.org"}
    assert make_app(tmp_path, **production).config["ADMIN_TWO_STEP_REQUIRED"] is True
    assert make_app(tmp_path).config["ADMIN_TWO_STEP_REQUIRED"] is False
    assert make_app(tmp_path, ENV_NAME="development").config["ADMIN_TWO_STEP_REQUIRED"] is False
    with mock.patch.dict("os.environ", {"LMS_ADMIN_TWO_STEP_REQUIRED": "false"}):
        assert make_app(tmp_path, **{k: v for k, v in production.items()}) \
            .config["ADMIN_TWO_STEP_REQUIRED"] is False
    with mock.patch.dict("os.environ", {"LMS_ADMIN_TWO_STEP_REQUIRED": "no"}):
        assert make_app(tmp_path, **production).config["ADMIN_TWO_STEP_REQUIRED"] is False
    with mock.patch.dict("os.environ", {"LMS_ADMIN_TWO_STEP_REQUIRED": "true"}):
        assert make_app(tmp_path).config["ADMIN_TWO_STEP_REQUIRED"] is True


@pytest.fixture
def production_app(tmp_path: Path) -> Iterator[Flask]:
    """An app with the production configuration's default for the requirement."""
    app = make_app(tmp_path, ENV_NAME="production", SECRET_KEY="x" * 40,
                   PUBLIC_BASE_URL="https://lms.example.org")
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_admins_are_sent_to_set_up_where_required(production_app: Flask) -> None:
    """In production an admin without two-step login reaches only the set-up page, logout and
    the privacy notice, and cannot turn it off; once it is on, every page opens."""
    auth = Auth(production_app.test_client())
    client = auth.client
    auth.login_as(Role.ADMIN)
    for page in ("/", "/admin/users", "/admin/audit", "/account/profile"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.headers["Location"] == "/account/two-step"
    assert "must use two-step login" in client.get("/account/two-step").text
    assert client.get("/privacy").status_code == 200
    assert client.post("/admin/users/invite", data={}).headers["Location"] == \
        "/account/two-step"
    set_up(client)
    assert client.get("/admin/users").status_code == 200
    assert client.post("/account/two-step/off",
                       data={"current": factories.PASSWORD}).status_code == 302
    assert "must keep two-step login on" in client.get("/account/two-step").text
    user = db.session.scalar(select(User).where(User.role == Role.ADMIN))
    assert user is not None and user.has_two_step
    assert client.post("/logout").status_code == 302


@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.PARTICIPANT])
def test_other_roles_are_not_sent_to_set_up(production_app: Flask, role: Role) -> None:
    """Instructors and participants without two-step login use the platform as before."""
    auth = Auth(production_app.test_client())
    auth.login_as(role)
    assert auth.client.get("/").status_code == 200
    assert auth.client.get("/account/profile").status_code == 200


def test_my_data_holds_no_secret(client: FlaskClient, auth: Auth) -> None:
    """The download says two-step login is on and how many recovery codes are left, and holds
    neither the secret nor any recovery code or its hash."""
    user, secret, codes = user_with_two_step(auth)
    password_step(client, user)
    assert client.post("/login/code", data={"recovery_code": codes[0]}).status_code == 302
    body = client.get("/account/data.json").text
    printed = client.get("/account/data/print").text
    data = json.loads(body)
    assert data["account"]["two_step_login"]["on"] is True
    assert data["account"]["two_step_login"]["unused_recovery_codes"] == 9
    hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    for text in (body, printed):
        assert secret not in text
        assert not any(code in text or code.replace("-", "") in text for code in codes)
        assert not any(h in text for h in hashes)


def test_anonymising_clears_two_step_login(client: FlaskClient, auth: Auth) -> None:
    """Anonymising a former participant removes the secret and the recovery codes."""
    person, _secret, _codes = user_with_two_step(auth)
    admin = factories.make_user(role=Role.ADMIN)
    person.is_active_account = False
    anonymise(person, admin, utcnow())
    db.session.commit()
    assert person.two_step_secret is None and person.two_step_enabled_at is None
    assert count(RecoveryCode, user_id=person.id) == 0


def test_logs_hold_no_secret(client: FlaskClient, auth: Auth,
                             caplog: pytest.LogCaptureFixture) -> None:
    """Setting up and logging in with a code write neither the secret nor a code to the log."""
    with caplog.at_level(logging.DEBUG):
        user, secret, codes = user_with_two_step(auth)
        password_step(client, user)
        client.post("/login/code", data={"recovery_code": codes[1]})
    assert secret not in caplog.text and codes[1] not in caplog.text
