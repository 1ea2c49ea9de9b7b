"""Throttling password guessing: growing delays that changed case, spaces or forged forwarding
headers cannot get around."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.config import ConfigError
from lms.extensions import db
from tests import factories
from tests.conftest import make_app
from tests.served import ROOT


def fail(client: FlaskClient, email: str, **headers: str) -> int:
    return client.post("/login", data={"email": email, "password": "a wrong password"},
                       headers=headers).status_code


def test_login_throttled_after_five_failures(client: FlaskClient) -> None:
    """The sixth failed attempt within a minute is refused with 429 and a plain message."""
    factories.make_user(email="target@example.org")
    db.session.commit()
    assert [fail(client, "target@example.org") for _ in range(5)] == [401] * 5
    response = client.post("/login", data={"email": "target@example.org",
                                           "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.text


@pytest.mark.parametrize("variant", ["TARGET@example.org", " target@example.org ",
                                     "tar get@example.org", "Target@Example.ORG\t"])
def test_variants_of_the_name_share_one_counter(client: FlaskClient, variant: str) -> None:
    """Changing case or adding spaces does not reset the count."""
    for _ in range(5):
        fail(client, "target@example.org")
    assert fail(client, variant) == 429


def test_forwarded_header_is_not_trusted(client: FlaskClient) -> None:
    """A forged X-Forwarded-For does not give a fresh address to the throttle."""
    for n in range(5):
        fail(client, "target@example.org", **{"X-Forwarded-For": f"10.0.0.{n}"})
    assert fail(client, "target@example.org", **{"X-Forwarded-For": "10.9.9.9"}) == 429


def test_successful_logins_are_not_counted(client: FlaskClient) -> None:
    """Only failures count: a user logging in and out often is never throttled."""
    user = factories.make_user()
    db.session.commit()
    for _ in range(8):
        response = client.post("/login", data={"email": user.email,
                                               "password": factories.PASSWORD})
        assert response.status_code == 302
        client.post("/logout")


def test_other_accounts_unaffected_from_another_address(app: Flask) -> None:
    """Guessing at one account does not lock out its owner on another address."""
    owner = factories.make_user(email="owner@example.org")
    db.session.commit()
    attacker = app.test_client()
    for _ in range(5):
        attacker.post("/login", data={"email": "owner@example.org", "password": "nope nope!"},
                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
    response = app.test_client().post(
        "/login", data={"email": owner.email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert response.status_code == 302


def test_password_link_requests_throttled(client: FlaskClient) -> None:
    """Asking for reset links is limited per account too."""
    codes = [client.post("/password/forgot", data={"email": "x@example.org"}).status_code
             for _ in range(4)]
    assert codes == [302, 302, 302, 429]


PRODUCTION = {"ENV_NAME": "production", "SECRET_KEY": "x" * 40,
              "PUBLIC_BASE_URL": "https://lms.example.org", "RATELIMIT_STORAGE_URI": "memory://"}


def test_production_refuses_memory_storage_with_workers(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """With several workers, per-process counters would not add up: production refuses them."""
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI.*workers: 4"):
        make_app(tmp_path, **PRODUCTION)
    app = make_app(tmp_path, **{**PRODUCTION, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_production_refuses_memory_storage_when_nothing_says_one_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gunicorn.conf.py starts twice the cores plus one workers unless told otherwise, so a
    count left unset is refused too; one declared worker may count in memory."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY=1 \\(workers: not set\\)"):
        make_app(tmp_path, **PRODUCTION, WORKERS=None)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert make_app(tmp_path, **PRODUCTION, WORKERS=None).config["ENV_NAME"] == "production"


def test_gunicorn_told_to_start_more_workers_than_declared_does_not_start(
        tmp_path: Path) -> None:
    """WEB_CONCURRENCY says one worker, but the command line asks gunicorn for three: the
    master checks the number it is about to start, says why in its log and exits before
    serving anything."""
    env = {**os.environ, "ENV_NAME": "production", "SECRET_KEY": "s" * 40,
           "PUBLIC_BASE_URL": "https://lms.example.org", "RATELIMIT_STORAGE_URI": "memory://",
           "WEB_CONCURRENCY": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'lms.db'}",
           "STORAGE_DIR": str(tmp_path / "storage"), "GUNICORN_BIND": "127.0.0.1:0",
           "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log")}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "3",
         "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=False)
    assert result.returncode != 0
    assert "Not starting: RATELIMIT_STORAGE_URI must name storage every worker shares" in (
        result.stderr)
    assert "(workers: 3)" in result.stderr and "Booting worker" not in result.stderr


def test_limits_are_checked_by_their_views_only(app: Flask) -> None:
    """No limit applies to every page, so no limit check runs before every request; the views
    that have limits check them themselves (the refusals above)."""
    from lms.ratelimit import limiter

    manager = limiter.limit_manager
    assert not manager.default_limits and not manager.application_limits
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])
