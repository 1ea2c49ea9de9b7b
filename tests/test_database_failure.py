"""The database goes away in the middle of the day and comes back.

A throwaway PostgreSQL cluster of the test's own serves the platform under gunicorn (real
worker processes) while participants save quiz answers and instructors mark attendance. The
cluster is stopped and started again mid-run. While it is down, requests get the plain 503
page; afterwards they succeed again; and every save the platform acknowledged is in the
database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.courses.loader import load_package
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Attendance, AttendanceChange, UnitInstructor
from lms.quizzes import attempts as quiz_service
from lms.quizzes.models import QuizAttempt
from lms.quizzes.snapshot import page_count, page_of
from tests import factories
from tests.conftest import FIXTURE_PACKAGE, make_app
from tests.progress.helpers import participant, scheduled_edition, sessions_of, unit
from tests.quizzes.conftest import quiz_of
from tests.served import Answer, Browser, free_port, gunicorn

SECRET = "database-failure-test-secret-key-0123456789"
REQUESTS_PER_CLIENT = 110  # outlasts the run; below the quiz save limit of 120 a minute
PAUSE_SECONDS = 0.1

pytestmark = pytest.mark.postgres


def _postgres_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's versioned folders."""
    found = shutil.which("initdb")
    candidates = [Path(os.path.realpath(found)).parent] if found else []
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _run_as() -> list[str] | None:
    """PostgreSQL refuses to run as root; as root, run its tools as the postgres user."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return None
    return [runuser, "-u", "postgres", "--"] if runuser else None


class Cluster:
    """A PostgreSQL cluster in a folder of its own, on a free port, for this test only."""

    def __init__(self, bindir: Path, prefix: list[str]) -> None:
        self.bindir, self.prefix = bindir, prefix
        # Outside pytest's own temporary folder, which the postgres user may not enter.
        self.root = Path(tempfile.mkdtemp(prefix="lms-db-failure-"))
        if prefix:
            shutil.chown(self.root, "postgres", "postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _tool(self, *args: str, timeout: int = 120) -> None:
        result = subprocess.run(  # noqa: S603  (our own arguments)
            [*self.prefix, *args], cwd=self.root, capture_output=True, text=True,
            timeout=timeout, check=False)
        assert result.returncode == 0, result.stdout + result.stderr

    def init(self) -> None:
        self._tool(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                   "--auth=trust", "-E", "UTF8", "--locale=C")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-k {self.root} -c max_connections=40")
        self._tool(str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D",
                   str(self.data), "-l", str(self.root / "server.log"), "-o", options)

    def stop(self, mode: str = "fast") -> None:
        self._tool(str(self.bindir / "pg_ctl"), "stop", "-w", "-t", "60", "-m", mode, "-D",
                   str(self.data))

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.running:
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir, prefix = _postgres_bin(), _run_as()
    if bindir is None:
        pytest.skip("initdb and pg_ctl were not found (PATH or /usr/lib/postgresql/*/bin)")
    if prefix is None:
        pytest.skip("running as root without runuser or a postgres user to run PostgreSQL as")
    server = Cluster(bindir, prefix)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


@dataclass
class Scene:
    instructor_email: str
    participant_emails: list[str]
    day_id: int
    marked_ids: list[int]  # one participant per instructor browser
    attempt_ids: list[int]  # one attempt per participant browser
    answer_key: str  # a short-answer question on the attempt's first page


def _set_the_scene(cluster: Cluster, tmp_path: Path) -> Scene:
    """Tables, the test package, an edition with a day, an instructor, participants with an
    open quiz attempt each."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=cluster.url)
    with app.app_context():
        db.create_all()
        load_package(FIXTURE_PACKAGE, Path(app.config["STORAGE_DIR"]))
        edition = scheduled_edition()
        marked = [participant(edition) for _ in range(2)]
        takers = [participant(edition) for _ in range(2)]
        instructor = factories.make_user(role=Role.INSTRUCTOR)
        db.session.add(UnitInstructor(edition_id=edition.id, unit_id=unit("alpha").id,
                                      user_id=instructor.id))
        quiz = quiz_of("first")
        attempts = [quiz_service.start_attempt(user, quiz, utcnow()) for user in takers]
        db.session.commit()
        snapshot = attempts[0].snapshot
        key = next(q["key"] for _n, q in page_of(snapshot, 0) if q["type"] == "short_answer")
        assert page_count(snapshot) >= 1
        scene = Scene(instructor.email, [u.email for u in takers],
                      sessions_of(edition, "alpha")[0].id, [u.id for u in marked],
                      [a.id for a in attempts], key)
        db.session.remove()
        db.engine.dispose()
    return scene


@pytest.fixture
def server(cluster: Cluster, tmp_path: Path) -> Iterator[tuple[str, Cluster, Path]]:
    """The platform under gunicorn with two workers, on a free port."""
    env = {"DATABASE_URL": cluster.url, "SECRET_KEY": SECRET,
           "STORAGE_DIR": str(tmp_path / "storage"), "ENV_NAME": "development",
           "RATELIMIT_STORAGE_URI": "memory://", "WEB_CONCURRENCY": "2"}
    with gunicorn(env, tmp_path) as served:
        yield served.base, cluster, served.log


def _server_errors(log: Path) -> str:
    """The server's log without the one-line outage warnings, to show what went wrong."""
    lines = log.read_text().splitlines()
    return "\n".join(line for line in lines if "database unavailable" not in line)[-6000:]


@dataclass
class Sent:
    value: str
    started: float
    ended: float
    answer: Answer


def _keep_sending(send: Callable[[str], Answer], log: list[Sent], stop: threading.Event,
                  name: str) -> None:
    for number in range(1, REQUESTS_PER_CLIENT + 1):
        if stop.is_set():
            return
        value = f"{name}{number}"
        started = time.monotonic()
        answer = send(value)
        log.append(Sent(value, started, time.monotonic(), answer))
        time.sleep(PAUSE_SECONDS)


def test_database_restart_mid_run(server: tuple[str, Cluster, Path], tmp_path: Path) -> None:
    """Stop PostgreSQL under load and start it again: 503 pages while it is down, successes
    after, and nothing acknowledged is lost."""
    base, cluster, gunicorn_log = server
    scene = _set_the_scene(cluster, tmp_path)
    day_url = f"/teaching/sessions/{scene.day_id}"

    senders: list[tuple[str, Callable[[str], Answer]]] = []
    for user_id in scene.marked_ids:
        browser = Browser(base)
        browser.log_in(scene.instructor_email, day_url)

        def mark(value: str, browser: Browser = browser, user_id: int = user_id) -> Answer:
            status = "late" if value.endswith(("1", "3", "5", "7", "9")) else "present"
            return browser.request(day_url, {f"status-{user_id}": status,
                                             f"note-{user_id}": value})

        senders.append((f"mark{user_id}-", mark))
    for email, attempt_id in zip(scene.participant_emails, scene.attempt_ids, strict=True):
        browser = Browser(base)
        browser.log_in(email, f"/attempts/{attempt_id}")

        def save(value: str, browser: Browser = browser, attempt_id: int = attempt_id) -> Answer:
            return browser.request(f"/attempts/{attempt_id}",
                                   {"page": "1", f"q-{scene.answer_key}": value})

        senders.append((f"save{attempt_id}-", save))

    logs: list[list[Sent]] = [[] for _ in senders]
    stop = threading.Event()
    threads = [threading.Thread(target=_keep_sending, args=(send, log, stop, name), daemon=True)
               for (name, send), log in zip(senders, logs, strict=True)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        cluster.stop("fast")
        down_since = time.monotonic()
        time.sleep(2.5)
        down_until = time.monotonic()
        cluster.start()
        up_since = time.monotonic()
        time.sleep(3.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert not any(thread.is_alive() for thread in threads)

    everything = [sent for log in logs for sent in log]
    unexpected = [(s.answer.status, s.answer.body[:300]) for s in everything
                  if s.answer.status not in (302, 503)]
    assert unexpected == [], _server_errors(gunicorn_log)
    outage = [s for s in everything if s.answer.status == 503]
    assert outage, "no request was refused while the database was down"
    for sent in outage:
        assert sent.answer.headers.get("Retry-After") == "30"
        assert "Temporarily unavailable" in sent.answer.body
        assert "Traceback" not in sent.answer.body and "psycopg" not in sent.answer.body
    # While the server was certainly down, nothing could have succeeded.
    assert all(s.answer.status == 503 for s in everything
               if s.started > down_since and s.ended < down_until)
    # Once it is back (a moment for the first reconnect), every client succeeds again.
    for log in logs:
        after = [s for s in log if s.started > up_since + 0.5]
        assert after, "a client sent nothing after the restart"
        assert all(s.answer.status == 302 for s in after), [s.answer.status for s in after]

    _check_acknowledged_saves_are_stored(cluster, tmp_path, scene, logs)


def _check_acknowledged_saves_are_stored(cluster: Cluster, tmp_path: Path, scene: Scene,
                                         logs: list[list[Sent]]) -> None:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=cluster.url)
    marks_logs, saves_logs = logs[:len(scene.marked_ids)], logs[len(scene.marked_ids):]
    with app.app_context():
        for user_id, log in zip(scene.marked_ids, marks_logs, strict=True):
            acknowledged = [s.value for s in log if s.answer.status == 302]
            stored = set(db.session.scalars(select(AttendanceChange.new_note).filter_by(
                session_id=scene.day_id, user_id=user_id)))
            assert set(acknowledged) <= stored, set(acknowledged) - stored
            mark = db.session.scalar(select(Attendance).filter_by(session_id=scene.day_id,
                                                                  user_id=user_id))
            assert mark is not None and mark.note == acknowledged[-1]
        for attempt_id, log in zip(scene.attempt_ids, saves_logs, strict=True):
            acknowledged = [s.value for s in log if s.answer.status == 302]
            attempt = db.session.get(QuizAttempt, attempt_id)
            assert attempt is not None
            assert attempt.responses[scene.answer_key] == acknowledged[-1]
        db.session.remove()
        db.engine.dispose()
