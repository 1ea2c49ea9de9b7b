"""The platform served by gunicorn with the production config, and a browser to talk to it.

For tests that need real worker processes: the server is started on a free loopback port
and stopped by its own process id.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def gunicorn(env: dict[str, str], folder: Path) -> Iterator[Server]:
    """``gunicorn -c gunicorn.conf.py wsgi:app`` with ``env`` added to this environment, its
    log and access log in ``folder``; yields once ``/health`` answers."""
    port = free_port()
    env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_ACCESS_LOG": str(folder / "access.log")}
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(base + "/health", timeout=20):  # noqa: S310
                    break
            except OSError:  # not listening yet, or a worker still starting
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        yield Server(base, process, log)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


class Browser:
    """One person's browser: its own cookies and CSRF token, redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects())
        self.csrf = ""

    def request(self, path: str, form: dict[str, str] | None = None) -> Answer:
        data = None
        if form is not None:
            data = urllib.parse.urlencode({**form, "csrf_token": self.csrf}).encode()
        request = urllib.request.Request(self.base + path, data=data)  # noqa: S310  (loopback)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers),
                              response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def read_token(self, path: str) -> None:
        page = self.request(path)
        assert page.status == 200, (path, page.status)
        match = CSRF.search(page.body)
        assert match, f"no CSRF token on {path}"
        self.csrf = match.group(1)

    def log_in(self, email: str, then: str) -> None:
        self.read_token("/login")
        answer = self.request("/login", {"email": email, "password": factories.PASSWORD})
        assert answer.status == 302, answer.body[:300]
        self.read_token(then)  # logging in starts a new session, with a new token
