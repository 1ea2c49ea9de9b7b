"""The cookies a login sets, as the browser receives them, over HTTPS and plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lms.extensions import db
from tests import factories
from tests.conftest import make_app


@pytest.fixture(params=["https", "http"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    app = make_app(tmp_path, PREFERRED_URL_SCHEME=request.param)
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app, request.param
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_asvs_3_4_4_login_cookie_flags_under_each_scheme(served: tuple[Flask, str]) -> None:
    """Under HTTPS the one cookie a login sets is `__Host-session`, Secure, HttpOnly,
    SameSite=Lax, Path=/ and without Domain; over plain HTTP it is `session`, without Secure,
    so the quick start's login works. No remember-me cookie is ever set."""
    app, scheme = served
    user = factories.make_user()
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", base_url=f"{scheme}://localhost",
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1, cookies
    attributes = [part.strip() for part in cookies[0].split(";")]
    name = attributes[0].split("=", 1)[0]
    flags = {a.split("=", 1)[0].lower(): a for a in attributes[1:]}
    assert flags["path"] == "Path=/" and "domain" not in flags
    assert "httponly" in flags and flags["samesite"] == "SameSite=Lax"
    if scheme == "https":
        assert name == "__Host-session" and "secure" in flags
    else:
        assert name == "session" and "secure" not in flags
