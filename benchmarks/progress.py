"""Measure the completion rule and the admin board on synthetic editions.

    .venv/bin/python benchmarks/progress.py                  # 100, 1,000 and 10,000 people
    .venv/bin/python benchmarks/progress.py 500 5000          # other sizes
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python benchmarks/progress.py

Reported, not asserted: the figures depend on the machine. By default it uses a fresh SQLite
file in a temporary folder; with DATABASE_URL it uses that (empty) database and drops its tables
at the end.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask import g

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms import create_app  # noqa: E402
from lms.auth.models import Role, User  # noqa: E402
from lms.courses.loader import load_package  # noqa: E402
from lms.courses.models import Programme  # noqa: E402
from lms.db_types import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.progress.completion import completion_for_edition  # noqa: E402
from lms.progress.plan import edition_plan  # noqa: E402
from lms.progress.synthetic import create_synthetic_edition  # noqa: E402

PASSWORD = "benchmark password that is long"  # noqa: S105  (a throwaway local account)
RUNS = 5


def fetch(client, path: str) -> None:  # type: ignore[no-untyped-def]
    """One request, with the per-request cache of ``g`` emptied as a fresh request has it."""
    g.__dict__.clear()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    response.close()


def timed(function, runs: int = RUNS) -> str:  # type: ignore[no-untyped-def]
    """The median wall time and the median CPU time of ``runs`` calls, in seconds.

    CPU time is this process's own, so it holds when other work shares the machine.
    """
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return f"{statistics.median(walls):.3f} / {statistics.median(cpus):.3f}"


def main(sizes: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(folder / "storage"),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://",
                      "SECRET_KEY": "benchmark-secret-key-long-enough-0000"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_package(ROOT / "course_content" / "migration-governance", folder / "storage")
        admin = User(email="bench-admin@example.invalid", full_name="Admin", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        programme = db.session.query(Programme).filter_by(slug="local").one()
        client = app.test_client()
        g.__dict__.clear()
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        print(f"{platform.node()} · {platform.processor() or platform.machine()} · "
              f"{os.cpu_count()} CPUs · Python {platform.python_version()} · "
              f"{db.engine.dialect.name}")
        print("wall / CPU seconds, median of 5 runs (3 for the last two columns)")
        print("participants | generate (s) | batch completion | board page 1 | "
              "board filtered 'at risk' | board CSV export")
        for size in sizes:
            start = time.perf_counter()
            edition = create_synthetic_edition(programme, size, utcnow())
            db.session.commit()
            generate = time.perf_counter() - start
            now = utcnow()
            plan = edition_plan(edition)
            batch = timed(lambda e=edition, p=plan, n=now: completion_for_edition(e, n, None, p))
            base = f"/admin/editions/{edition.id}"
            board = timed(lambda b=base: fetch(client, f"{b}/board"))
            risky = timed(lambda b=base: fetch(client, f"{b}/board?status=at_risk"), 3)
            export = timed(lambda b=base: fetch(client, f"{b}/board.csv"), 3)
            print(f"{size} | {generate:.1f} | {batch} | {board} | {risky} | {export}",
                  flush=True)
        db.session.remove()
        if os.environ.get("DATABASE_URL"):
            db.drop_all()


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [100, 1000, 10_000])
