"""The data both measuring scripts stand on: a throwaway database, the course, synthetic editions,
and logged-in browsers (a session row and its signed cookie, as logging in leaves them).

Everything goes through the platform's own commands and functions; nothing here writes rows
the application would not write itself.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, g, session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402

from lms import create_app  # noqa: E402
from lms.auth import sessions  # noqa: E402
from lms.auth.models import User  # noqa: E402
from lms.db_types import utcnow  # noqa: E402

PACKAGE = ROOT / "course_content" / "migration-governance"
FLASK = Path(sys.executable).with_name("flask")
LOCAL_PG = "postgresql://postgres@127.0.0.1:5432"


@dataclass
class Browser:
    """What a logged-in browser sends: the signed session cookie and the form's CSRF token."""

    user_id: int
    cookie: str
    csrf: str


@contextmanager
def throwaway_database(engine: str, prefix: str = "lms_bench_",
                       server: str = LOCAL_PG) -> Iterator[tuple[str, Path]]:
    """A new empty database and a scratch folder, both removed on leaving the block.

    SQLite gets a file in the folder; PostgreSQL a database created on ``server`` (which must
    be on this machine) and dropped at the end, connections and all.
    """
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    if engine == "sqlite":
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}", folder
        finally:
            _remove(folder)
        return
    if not server.startswith(("postgresql://postgres@127.0.0.1", "postgresql://postgres@localhost")):
        raise SystemExit("the benchmark database server must be on 127.0.0.1")
    import psycopg

    name = f"{prefix}{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}", folder
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _remove(folder)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def app_environment(url: str, folder: Path) -> dict[str, str]:
    """The environment every process of one run shares: same database, key and storage."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "FLASK_APP": "wsgi", "STORAGE_DIR": str(folder / "storage"),
                "SECRET_KEY": _secret(folder), "RATELIMIT_STORAGE_URI": "memory://",
                "ENV_NAME": "development"})
    return env


def _secret(folder: Path) -> str:
    key_file = folder / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
    return key_file.read_text()


def flask_command(env: dict[str, str], *args: str) -> str:
    """Run one ``flask`` command of the platform and return what it printed."""
    result = subprocess.run([str(FLASK), *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build_platform(env: dict[str, str], sizes: list[int]) -> list[int]:
    """Migrate, load the course and create one synthetic edition per size; their ids."""
    flask_command(env, "db", "upgrade")
    flask_command(env, "lms", "load", str(PACKAGE))
    editions = []
    for size in sizes:
        out = flask_command(env, "lms", "synthetic-edition", str(size))
        match = re.search(r"Created edition (\d+)", out)
        if match is None:
            raise SystemExit(f"unexpected output of synthetic-edition: {out}")
        editions.append(int(match.group(1)))
    return editions


def platform_app(env: dict[str, str]) -> Flask:
    """The platform in this process, configured as the served one is."""
    config: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
              "SECRET_KEY": env["SECRET_KEY"],
              "STORAGE_DIR": env["STORAGE_DIR"], "RATELIMIT_STORAGE_URI": "memory://"}
    if "LMS_PAGE_CACHE_MB" in env:
        config["PAGE_CACHE_MB"] = float(env["LMS_PAGE_CACHE_MB"])
    return create_app(config)


def log_in(app: Flask, user: User, extra: dict[str, Any] | None = None) -> Browser:
    """Start a server-side session for ``user`` as the login view does and sign its cookie.

    Call inside an app context; the caller commits. The CSRF token is generated the way a form
    page generates it, so posts carry a token the server checks as usual.
    """
    token = sessions.start_session(user, utcnow(), sessions.absolute_lifetime(), "127.0.0.1",
                                   "benchmark")
    with app.test_request_context("/"):
        session[sessions.SESSION_KEY] = token
        session.permanent = True
        if user.preferred_language:
            # What the first page after logging in adds to the cookie (``select_locale``); a
            # browser sends it back from then on.
            session["language"] = user.preferred_language
        session.update(extra or {})
        # The token is cached per app context, which every browser made in one block shares.
        g.pop(app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
        csrf = generate_csrf()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        cookie = serializer.dumps(dict(session))
    return Browser(user.id, cookie, csrf)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(env: dict[str, str], app: str, log: Path,
                   workers: int | None) -> tuple[subprocess.Popen[bytes], str]:
    """Serve ``app`` with the project's gunicorn settings on a free local port."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}", "--pythonpath", str(HERE), app]
    if workers:
        command[1:1] = ["--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env,  # noqa: S603
                                   stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {app} stopped: see {log}")
        try:
            urllib.request.urlopen(base + "/login", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    return process, base


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
