"""Configuration, error pages and response headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.config import ConfigError, database_url_from_env
from tests.conftest import make_app


def test_production_refuses_default_secret(tmp_path: Path) -> None:
    """A production app will not start with the development secret key."""
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(tmp_path, ENV_NAME="production", SECRET_KEY="dev-only-not-secret",
                 PUBLIC_BASE_URL="https://lms.example.org")


def test_production_refuses_missing_public_url(tmp_path: Path) -> None:
    """A production app needs PUBLIC_BASE_URL for links in mail and certificates."""
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        make_app(tmp_path, ENV_NAME="production", SECRET_KEY="x" * 40)


def test_production_starts_with_safe_settings(tmp_path: Path) -> None:
    """With a real secret and a public URL, production starts."""
    app = make_app(tmp_path, ENV_NAME="production", SECRET_KEY="x" * 40,
                   PUBLIC_BASE_URL="https://lms.example.org")
    assert app.config["ENV_NAME"] == "production"


def test_database_url_from_environment_uses_psycopg() -> None:
    """DATABASE_URL in the common postgres:// form is turned into a psycopg URL."""
    assert database_url_from_env("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url_from_env("sqlite:///x.db") == "sqlite:///x.db"


def test_environment_overrides_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment when set there."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://certificates.example.org")
    monkeypatch.setenv("LMS_COURSE_PACKAGE", "elsewhere")
    app = make_app(tmp_path)
    assert app.config["PUBLIC_BASE_URL"] == "https://certificates.example.org"
    assert app.config["COURSE_PACKAGE"] == "elsewhere"


def test_security_headers(client: FlaskClient) -> None:
    """Every response carries a strict CSP and the other protective headers."""
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_unknown_page_is_a_plain_404(client: FlaskClient) -> None:
    """An unknown address gets a plain page with the right status."""
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_unexpected_error_shows_no_traceback(tmp_path: Path) -> None:
    """A crash gives a generic page with a reference, never a traceback or file path."""
    app = make_app(tmp_path, TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail /srv/lms/file.py")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "secret detail" not in response.text
    assert "quote this reference" in response.text


def test_templates_have_language_direction_and_skip_link(client: FlaskClient,
                                                         app: Flask) -> None:
    """Pages declare their language and direction and start with a skip link."""
    page = client.get("/login").text
    assert '<html lang="en" dir="ltr">' in page
    assert 'class="skip-link" href="#main"' in page
    arabic = client.get("/login", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in arabic


@pytest.mark.parametrize("value", ["lots", "-1", "nan", "inf"])
def test_page_cache_size_that_is_not_megabytes_is_refused_at_start(tmp_path: Path,
                                                                    value: str) -> None:
    """LMS_PAGE_CACHE_MB as the environment gives it: a word, a negative or no number at all
    stops the start with the setting's name, instead of failing the first participant's page."""
    with pytest.raises(ConfigError, match="PAGE_CACHE_MB"):
        make_app(tmp_path, PAGE_CACHE_MB=value)
    assert make_app(tmp_path, PAGE_CACHE_MB="0.5").config["PAGE_CACHE_MB"] == 0.5
