#!/usr/bin/env python3
"""Install and run the platform, or its tests, with nothing but Python 3.11+ on the machine.

    python3 bootstrap.py run     install, migrate, load the course, create the demo, serve
    python3 bootstrap.py test    install with the test tools and run the test suite

Everything goes into a virtual environment in .venv. Where Python was installed without pip
(as Debian's python3 is), pip is fetched from the Python Package Index and checked against
the hash the index publishes.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
PACKAGE = "course_content/migration-governance"
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'



def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  (this script runs before any install)
        print("Python 3.11 or newer is needed.", file=sys.stderr)
        return 1
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    if command == "run":
        install(".")
        return run_platform(rest)
    install(".[test]")
    return run([str(PYTHON), "-m", "pytest", *rest], check=False)


def run(args: list[str], check: bool = True, env: dict[str, str] | None = None) -> int:
    print("+ " + " ".join(args), flush=True)
    result = subprocess.run(args, cwd=ROOT, env=env, check=False)  # noqa: S603
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def ensure_venv() -> None:
    if PYTHON.exists() and has_pip():
        return
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except (subprocess.CalledProcessError, OSError):
        print("This Python has no ensurepip; fetching pip from the Python Package Index.")
        venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
    if not has_pip():
        bootstrap_pip()


def has_pip() -> bool:
    probe = subprocess.run([str(PYTHON), "-m", "pip", "--version"], capture_output=True,  # noqa: S603
                           check=False)
    return probe.returncode == 0


def bootstrap_pip() -> None:
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:  # noqa: S310
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["packagetype"] == "bdist_wheel")
    with urllib.request.urlopen(wheel["url"], timeout=120) as response:  # noqa: S310
        data = response.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit("The downloaded pip does not match its published hash; stopping.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / wheel["filename"]
        path.write_bytes(data)
        # A wheel is a zip that Python can run from: pip installs itself from its own wheel.
        run([str(PYTHON), f"{path}/pip", "install", "--no-index", str(path)])


def install(target: str) -> None:
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target])


def ensure_instance_config() -> None:
    """Give a local install its own random secret key, kept in the instance folder."""
    config = ROOT / "instance" / "config.py"
    if config.exists():
        return
    config.parent.mkdir(exist_ok=True)
    config.write_text(f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n", encoding="utf-8")
    config.chmod(0o600)


def run_platform(extra: list[str]) -> int:
    ensure_instance_config()
    env = {**os.environ, "FLASK_APP": "wsgi"}
    flask = str(BIN / "flask")
    run([flask, "db", "upgrade"], env=env)
    run([flask, "lms", "load", PACKAGE], env=env)
    run([flask, "lms", "demo"], env=env)
    chosen = bind_address(extra)
    address = chosen or "127.0.0.1:5000"
    if chosen:
        # Links in mail and on certificates then lead to where the platform is served.
        env.setdefault("PUBLIC_BASE_URL", f"http://{address}")
    print(f"\nServing on http://{address}/ (Ctrl+C to stop)\n", flush=True)
    # The access log leaves out query strings: password links carry their token there.
    return run([str(BIN / "gunicorn"), *([] if chosen else ["--bind", address]),
                "--workers", "2", "--access-logfile", "-", "--access-logformat",
                ACCESS_LOG_FORMAT, *extra, "wsgi:app"], check=False, env=env)


def bind_address(arguments: list[str]) -> str | None:
    """The address given to gunicorn with ``-b``/``--bind`` among ``arguments``, if any: it
    replaces the default one, which gunicorn would otherwise serve as well."""
    for index, argument in enumerate(arguments):
        if argument in ("-b", "--bind") and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--bind="):
            return argument.split("=", 1)[1]
        if argument.startswith("-b") and len(argument) > 2:
            return argument[2:]
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
