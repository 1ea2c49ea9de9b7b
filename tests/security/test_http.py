"""What every response says about itself: headers, methods, origins, and files never served."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import gunicorn
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lms.access import ACCESS
from lms.auth.models import Role
from lms.extensions import db
from tests import factories
from tests.conftest import Auth, make_app
from tests.test_access import endpoint_urls

pytestmark = pytest.mark.usefixtures("loaded")

CSP_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                  "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'")


def _get_everything(app: Flask, client: FlaskClient, role: Role | None,
                    ) -> Iterator[tuple[str, TestResponse]]:
    """GET every endpoint the role may call (all of them when anonymous), plus a 404."""
    for endpoint, method, path in endpoint_urls(app):
        if method != "GET" or (role is not None and not ACCESS[endpoint].allows(role)):
            continue
        response = client.get(path)
        response.close()
        yield endpoint, response
    yield "unknown", client.get("/no/such/page")


def _logged_in(app: Flask, role: Role) -> tuple[FlaskClient, str]:
    client = app.test_client()
    user = factories.make_user(role=role)
    if role == Role.PARTICIPANT:
        factories.enrol(user, factories.make_edition())
    db.session.commit()
    assert Auth(client).login(user).status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def _check_headers(endpoint: str, response: TestResponse) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    # Served files get a stricter policy that allows nothing at all.
    if "default-src 'none'" not in csp:
        for directive in CSP_DIRECTIVES:
            assert directive in csp, (endpoint, directive)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, endpoint
    assert response.headers.get("X-Content-Type-Options") == "nosniff", endpoint
    assert response.headers.get("X-Frame-Options") == "DENY", endpoint
    assert response.headers.get("Referrer-Policy") in (
        "strict-origin-when-cross-origin", "no-referrer"), endpoint
    assert "Server" not in response.headers, endpoint
    if response.mimetype == "text/html":
        assert response.headers["Content-Type"] == "text/html; charset=utf-8", endpoint


@pytest.mark.parametrize("role", [None, *Role])
def test_asvs_14_4_headers_on_every_response(app: Flask, role: Role | None) -> None:
    """CSP without unsafe sources, nosniff, framing denied, a referrer policy, UTF-8 HTML and
    no server banner on every page each role can reach, errors and redirects included."""
    client = app.test_client() if role is None else _logged_in(app, role)[0]
    seen = 0
    for endpoint, response in _get_everything(app, client, role):
        _check_headers(endpoint, response)
        seen += response.status_code == 200
    assert seen >= 3


@pytest.mark.parametrize("role", list(Role))
def test_asvs_8_2_1_and_3_1_1_logged_in_pages_are_not_stored_and_hide_the_session(
        app: Flask, role: Role) -> None:
    """Every page a logged-in user gets says `Cache-Control: no-store`, and the session id
    never appears in a redirect address or in the page itself."""
    client, cookie = _logged_in(app, role)
    for endpoint, response in _get_everything(app, client, role):
        if endpoint == "static":
            continue
        assert "no-store" in response.headers.get("Cache-Control", ""), endpoint
        assert cookie not in response.headers.get("Location", ""), endpoint
        if response.mimetype in ("text/html", "application/json", "text/plain"):
            assert cookie not in response.get_data(as_text=True), endpoint


def test_asvs_14_4_5_hsts_only_under_https(tmp_path: Path, app: Flask) -> None:
    """HSTS is sent when the platform is served over HTTPS and not over the plain quick start."""
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    secure = make_app(tmp_path / "https", PREFERRED_URL_SCHEME="https")
    header = secure.test_client().get("/login").headers.get("Strict-Transport-Security", "")
    found = re.fullmatch(r"max-age=(\d+).*", header)
    assert found and int(found.group(1)) >= 180 * 24 * 3600


def test_asvs_14_5_1_trace_not_allowed(app: Flask) -> None:
    """TRACE is refused on every route; OPTIONS only lists methods."""
    client = app.test_client()
    for endpoint, _method, path in {(e, "", p) for e, _m, p in endpoint_urls(app)}:
        response = client.open(path, method="TRACE")
        assert response.status_code == 405, (endpoint, response.status_code)
    options = client.options("/login")
    assert "TRACE" not in options.headers.get("Allow", "")
    assert options.get_data() == b""


def test_asvs_14_5_3_no_cross_origin_access(app: Flask) -> None:
    """No response grants another origin access, preflight or not."""
    client = app.test_client()
    evil = {"Origin": "https://evil.example"}
    for response in (client.get("/login", headers=evil), client.get("/health", headers=evil),
                     client.options("/login", headers={
                         **evil, "Access-Control-Request-Method": "POST"})):
        assert not [k for k, _v in response.headers.items() if k.startswith("Access-Control-")]


@pytest.mark.parametrize("path", [
    "/.git/config", "/.git/HEAD", "/.env", "/instance/config.py", "/lms/config.py",
    "/config.py", "/static/", "/static", "/static/../lms/config.py",
    "/static/%2e%2e/config.py", "/static/..%2fconfig.py", "/static/%2e%2e%2f%2e%2e/pyproject.toml",
    "/static/style.css~", "/static/style.css.bak", "/static/.style.css.swp", "/backup.zip",
    "/wsgi.py", "/.well-known/../.env",
])
def test_asvs_4_3_2_no_listing_source_or_backup_files(app: Flask, path: str) -> None:
    """Version control, settings, source, backups and folder listings are never served."""
    response = app.test_client().get(path)
    assert response.status_code in (301, 308, 404), response.status_code
    body = response.get_data(as_text=True)
    assert "SECRET_KEY" not in body and "[core]" not in body and "Index of" not in body


def test_asvs_14_3_3_no_version_banner() -> None:
    """The production server names itself without a version; the app adds no banner."""
    assert not re.search(r"\d", gunicorn.SERVER)
