"""Fifty participants at once for a minute, against PostgreSQL by default, with no errors.

    .venv/bin/python benchmarks/load.py                      # 50 people, 60 s, PostgreSQL
    .venv/bin/python benchmarks/load.py --users 20 --duration 20 --engine sqlite

Builds a throwaway database (the course and a synthetic edition), gives the first participants
a password, opens an in-person session for today, serves the platform with the project's
gunicorn settings on a free 127.0.0.1 port and runs locust headless: each simulated participant
logs in with its own account, reads lessons, takes quizzes to the end and checks in with the
current code. It stops by itself, stops the server and drops the database, and exits non-zero
if any request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import workload  # noqa: I001  (puts the project on the import path first)
from flask import Flask
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Topic, Unit, UnitTopic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.editions import save_session, to_local
from lms.progress.errors import ProgressError
from lms.progress.models import Attendance, Edition, Enrolment, EnrolmentStatus
from lms.quizzes.models import Quiz, QuizAttempt

PASSWORD = "load run password, long enough"  # noqa: S105  (throwaway local accounts)


def prepare(app: Flask, edition_id: int, users: int) -> dict[str, Any]:
    """Passwords for ``users`` participants, today's session, and what they will open."""
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        assert edition is not None
        people = list(db.session.scalars(
            select(User).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.edition_id == edition_id,
                   Enrolment.status == EnrolmentStatus.ACTIVE)
            .order_by(User.id).limit(users)))
        if len(people) < users:
            raise SystemExit(f"the edition has only {len(people)} active participants")
        for person in people:
            person.set_password(PASSWORD)
        units = list(db.session.scalars(select(Unit).where(
            Unit.programme_id == edition.programme_id).order_by(Unit.position)))
        session_id = _todays_session(edition, units)
        topics = select(Topic.slug).join(UnitTopic, UnitTopic.topic_id == Topic.id).where(
            UnitTopic.unit_id.in_([u.id for u in units]), Topic.is_retired.is_(False))
        lessons = sorted(set(db.session.scalars(topics)))
        quizzes = sorted(set(db.session.scalars(
            topics.join(Quiz, Quiz.topic_id == Topic.id))))
        db.session.commit()
        return {"accounts": [p.email for p in people], "password": PASSWORD,
                "secret": app.config["SECRET_KEY"], "session_id": session_id,
                "lessons": lessons, "quizzes": quizzes}


def _todays_session(edition: Edition, units: list[Unit]) -> int:
    """An in-person day today that opened twenty minutes ago, for the first free unit."""
    now = to_local(edition.timezone, utcnow())
    starts = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0))
    ends = min(now + timedelta(hours=3), now.replace(hour=23, minute=59))
    for unit in units:
        try:
            return save_session(edition, unit, now.date(), starts.time(), ends.time(), 6.0,
                                "Load-run venue").id
        except ProgressError:
            continue
    raise SystemExit("no unit is free for a session today")


def outcome(app: Flask, session_id: int, since: datetime) -> dict[str, int]:
    """What the run left in the database: today's check-ins, attempts submitted ``since``."""
    with app.app_context():
        result = {
            "check-ins": db.session.scalar(select(func.count()).select_from(Attendance)
                                           .where(Attendance.session_id == session_id)) or 0,
            "quiz attempts submitted": db.session.scalar(
                select(func.count()).select_from(QuizAttempt)
                .where(QuizAttempt.submitted_at >= since)) or 0,
        }
        db.session.remove()
        db.engine.dispose()
        return result


def failures(folder: Path) -> list[dict[str, str]]:
    path = folder / "locust_failures.csv"
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def stats(folder: Path) -> list[dict[str, str]]:
    with (folder / "locust_stats.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: its settings)")
    parser.add_argument("--db-prefix", default="lms_bench_")
    args = parser.parse_args()
    with workload.throwaway_database(args.engine, args.db_prefix) as (url, folder):
        env = workload.app_environment(url, folder)
        print(f"Building the platform on {args.engine} …", flush=True)
        edition = workload.build_platform(env, [max(100, args.users * 2)])[0]
        app = workload.platform_app(env)
        plan = prepare(app, edition, args.users)
        plan_file = folder / "plan.json"
        plan_file.write_text(json.dumps(plan))
        with app.app_context():
            db.engine.dispose()
        server, base = workload.start_gunicorn(env, "wsgi:app", folder / "platform.log",
                                               args.workers)
        started = utcnow()
        try:
            locust = [str(Path(sys.executable).with_name("locust")), "-f",
                      str(workload.HERE / "locustfile.py"), "--headless",
                      "--users", str(args.users), "--spawn-rate", str(args.users),
                      "--run-time", f"{args.duration}s", "--stop-timeout", "30",
                      "--host", base, "--csv", str(folder / "locust"), "--only-summary",
                      "--exit-code-on-error", "1"]
            code = subprocess.run(locust, cwd=workload.ROOT,  # noqa: S603
                                  env={**os.environ, "LMS_LOAD_PLAN": str(plan_file)},
                                  check=False).returncode
        finally:
            workload.stop(server)
        problems = failures(folder)
        total = next((row for row in stats(folder) if row["Name"] == "Aggregated"), {})
        left = outcome(app, plan["session_id"], started)
    print(f"\n{args.users} participants for {args.duration} s on {args.engine}: "
          f"{total.get('Request Count', '?')} requests, {total.get('Failure Count', '?')} "
          f"failed, {float(total.get('Requests/s', 0)):.1f} req/s, median "
          f"{total.get('50%', '?')} ms, 99th percentile {total.get('99%', '?')} ms")
    print(", ".join(f"{count} {what}" for what, count in left.items()))
    for problem in problems:
        print(f"FAILED {problem['Method']} {problem['Name']}: {problem['Error']} "
              f"({problem['Occurrences']}×)")
    return 1 if code != 0 or problems else 0


if __name__ == "__main__":
    sys.exit(main())
