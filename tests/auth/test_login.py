"""Logging in and out, password storage, redirects after login, and CSRF."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth, make_app


def test_password_is_hashed_with_salt(app: Flask) -> None:
    """Passwords are stored as salted scrypt hashes, never as given."""
    one = factories.make_user(password="the same password 1")
    two = factories.make_user(password="the same password 1")
    assert one.password_hash is not None and one.password_hash.startswith("scrypt:")
    assert "the same password 1" not in one.password_hash
    assert one.password_hash != two.password_hash


def test_login_and_logout(client: FlaskClient, auth: Auth) -> None:
    """A user logs in with the right password, reaches the home page, and logs out."""
    user = factories.make_user(email="Salma@Example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "  SALMA@example.org ",
                                           "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert user.email == "salma@example.org"
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_email_look_the_same(client: FlaskClient) -> None:
    """A wrong password and an unknown account give the same status and message."""
    factories.make_user(email="known@example.org")
    db.session.commit()
    wrong = client.post("/login", data={"email": "known@example.org", "password": "nope nope"})
    unknown = client.post("/login", data={"email": "who@example.org", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "The email or password is not correct." in wrong.text
    import re

    def without_tokens(text: str) -> str:
        return re.sub(r'value="[^"]*"', "", text)

    assert without_tokens(wrong.text) == without_tokens(unknown.text)


def test_every_refused_login_costs_one_password_hash(client: FlaskClient,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown address, an invited account with no password yet and a wrong password
    each cost one slow hash check, so how long the refusal takes tells nobody which
    addresses have accounts or have been invited."""
    import werkzeug.security

    from lms.auth import models, services

    checks: list[str] = []
    real = werkzeug.security.check_password_hash

    def counted(pwhash: str, password: str) -> bool:
        checks.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", counted)
    monkeypatch.setattr(models, "check_password_hash", counted)
    factories.make_user(email="known@example.org")
    invited = factories.make_user(email="invited@example.org")
    invited.password_hash = None
    db.session.commit()
    for email in ("who@example.org", "invited@example.org", "known@example.org"):
        checks.clear()
        response = client.post("/login", data={"email": email, "password": "nope nope"})
        assert response.status_code == 401
        assert len(checks) == 1 and checks[0].startswith("scrypt"), email


def test_inactive_account_cannot_log_in(client: FlaskClient) -> None:
    """A deactivated account is refused with the usual message."""
    user = factories.make_user(is_active_account=False)
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 401


def test_empty_form_is_a_clear_error(client: FlaskClient) -> None:
    """Submitting nothing re-shows the form with field errors, not a crash."""
    response = client.post("/login", data={})
    assert response.status_code == 400
    assert "This field is required." in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_next_only_goes_to_this_site(client: FlaskClient, target: str) -> None:
    """After login, only same-site paths are followed."""
    user = factories.make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "next": target})
    assert response.headers["Location"] == "/"


def test_next_path_is_followed(client: FlaskClient, loaded: object) -> None:
    """A same-site path in next is where the user lands after logging in."""
    login_page = client.get("/glossary")
    assert login_page.headers["Location"] == "/login?next=%2Fglossary"
    assert 'value="/glossary"' in client.get(login_page.headers["Location"]).text
    user = factories.make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "next": "/glossary"})
    assert response.headers["Location"] == "/glossary"


def test_session_cookie_flags(client: FlaskClient) -> None:
    """The session cookie is HttpOnly and SameSite=Lax; not Secure over plain HTTP."""
    user = factories.make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_cookie_is_host_prefixed_and_secure(tmp_path: Path) -> None:
    """Configured for HTTPS, the session cookie is named __Host- and marked Secure."""
    app = make_app(tmp_path, PREFERRED_URL_SCHEME="https")
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.fixture
def csrf_client(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        yield app.test_client()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_post_without_csrf_token_is_refused(csrf_client: FlaskClient) -> None:
    """With CSRF protection on, a login POST without a token is refused with a plain page."""
    user = factories.make_user()
    db.session.commit()
    response = csrf_client.post("/login", data={"email": user.email,
                                                "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "Form expired" in response.text
    assert "Traceback" not in response.text


def test_post_with_csrf_token_works(csrf_client: FlaskClient) -> None:
    """The token from the form lets the login through; a wrong token does not."""
    import re

    user = factories.make_user()
    db.session.commit()
    page = csrf_client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    bad = csrf_client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": "wrong"})
    assert bad.status_code == 400
    good = csrf_client.post("/login", data={"email": user.email,
                                            "password": factories.PASSWORD,
                                            "csrf_token": token.group(1)})
    assert good.status_code == 302


def test_logout_requires_post(client: FlaskClient, auth: Auth) -> None:
    """Logging out never happens on a GET (a link or image cannot log anyone out)."""
    auth.login_as(Role.PARTICIPANT)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
