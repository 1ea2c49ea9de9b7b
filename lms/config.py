"""Configuration: safe local defaults, then the instance folder, then the environment."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from lms.database import engine_options

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105  (refused in production below)


class Config:
    """Defaults for a local run: SQLite in the instance folder, mail to the outbox."""

    SECRET_KEY = DEV_SECRET_KEY
    ENV_NAME = "development"  # development | production | testing
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled from the instance path
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # PostgreSQL connection pool of each worker process (ignored for SQLite); see database.py.
    DATABASE_POOL_SIZE = 5
    DATABASE_MAX_OVERFLOW = 5
    DATABASE_POOL_TIMEOUT = 10  # seconds to wait for a free connection before answering 503
    DATABASE_POOL_RECYCLE = 1800  # seconds; below the idle cut-off of proxies and firewalls
    DATABASE_CONNECT_TIMEOUT = 5  # seconds to wait for the server to accept a connection
    STORAGE_DIR: str | None = None  # uploaded media and PDFs; defaults to instance/storage
    PUBLIC_BASE_URL: str | None = None
    PREFERRED_URL_SCHEME = "http"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    LANGUAGES = ("en", "ar")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The login cookie expires with the server-side session's absolute limit, set at login;
    # signing it again on every response would change nothing but cost each page.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the login session
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    SESSION_IDLE_MINUTES = 60
    SESSION_ABSOLUTE_HOURS = 12
    INVITATION_VALID_HOURS = 72
    RESET_VALID_MINUTES = 60
    # Admins must log in with a code from an app as well as the password; None follows
    # ENV_NAME: on in production, off elsewhere, so a local demo needs no phone.
    ADMIN_TWO_STEP_REQUIRED: bool | None = None
    MAIL_SERVER: str | None = None  # without one, mail goes to the outbox
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "Certificate in Migration Governance <no-reply@localhost>"
    SECURITY_CONTACT: str | None = None  # security.txt Contact; the MAIL_FROM address if unset
    SECURITY_POLICY_URL: str | None = None  # where the published security policy is read
    PROXY_FIX_X_FOR = 0  # how many proxies' X-Forwarded-For to trust; 0 trusts none
    COURSE_PACKAGE = "course_content/migration-governance"
    # Participants' home pages and lessons each worker keeps while nothing they show changes
    # (lms.page_cache): about this many megabytes of each; 0 keeps none.
    PAGE_CACHE_MB = 32


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def database_url_from_env(value: str) -> str:
    """Normalise a DATABASE_URL for SQLAlchemy: psycopg 3 as the PostgreSQL driver."""
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://") :]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    return value


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Apply the configuration layers in order and check that the result is safe to run."""
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    for key in ("SECRET_KEY", "PUBLIC_BASE_URL", "STORAGE_DIR", "ENV_NAME",
                "RATELIMIT_STORAGE_URI", "PREFERRED_URL_SCHEME", "MAIL_SERVER",
                "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM"):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env(os.environ["DATABASE_URL"])
    app.config.from_prefixed_env("LMS")
    if overrides:
        app.config.update(overrides)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "lms.sqlite3"
        )
    else:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url_from_env(
            app.config["SQLALCHEMY_DATABASE_URI"]
        )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not app.config.get("STORAGE_DIR"):
        app.config["STORAGE_DIR"] = os.path.join(app.instance_path, "storage")
    if app.config["PREFERRED_URL_SCHEME"] == "https":
        # Over plain HTTP a Secure cookie is never sent back, so only set it under HTTPS.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
    app.config["ADMIN_TWO_STEP_REQUIRED"] = _switch(app.config.get("ADMIN_TWO_STEP_REQUIRED"),
                                                    app.config.get("ENV_NAME") == "production")
    app.config["PAGE_CACHE_MB"] = _megabytes(app.config.get("PAGE_CACHE_MB"))
    check_production(app.config)


def _megabytes(value: Any) -> float:
    """PAGE_CACHE_MB as a number of megabytes, refused at start-up rather than on a page."""
    try:
        megabytes = float(value)
    except (TypeError, ValueError):
        megabytes = -1.0
    if not 0 <= megabytes < float("inf"):
        raise ConfigError("PAGE_CACHE_MB must be a number of megabytes, 0 or more "
                          f"(got {value!r}).")
    return megabytes


def _switch(value: Any, default: bool) -> bool:
    """An on/off setting: the environment gives ``true``/``false`` (JSON) or words like
    ``yes``/``off``, which must not read as on merely because the string is not empty."""
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start a production app with settings that are unsafe there."""
    if config.get("ENV_NAME") != "production":
        return
    secret = config.get("SECRET_KEY")
    if not secret or secret == DEV_SECRET_KEY or len(str(secret)) < 32:
        raise ConfigError("SECRET_KEY must be set to a random value of at least 32 characters.")
    if config.get("DEBUG"):
        raise ConfigError("DEBUG must be off in production.")
    if not config.get("PUBLIC_BASE_URL"):
        raise ConfigError("PUBLIC_BASE_URL must be set in production.")
    declared = os.environ.get("WEB_CONCURRENCY") or config.get("WORKERS")
    # Undeclared counts as several: gunicorn.conf.py starts twice the cores plus one.
    check_limit_storage(config, int(declared) if declared else None)


def check_limit_storage(config: dict[str, Any], workers: int | None) -> None:
    """Refuse rate-limit counters in one process's memory where several processes serve.

    Each worker would count on its own, so a guesser gets each limit once per worker.
    ``workers`` is None when nothing says how many there are; that is refused too. gunicorn's
    master calls this again with the number it is about to start (``gunicorn.conf.py``), which
    a ``--workers`` on its command line may have changed.
    """
    if config.get("ENV_NAME") != "production":
        return
    if not str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        return
    if workers is None or workers > 1:
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must name storage every worker shares (for example "
            "redis://localhost:6379/0), not memory://, which counts in one process only. "
            "A platform served by exactly one process may keep memory:// by setting "
            f"WEB_CONCURRENCY=1 (workers: {workers if workers is not None else 'not set'}).")
