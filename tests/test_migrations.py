"""Migrations build the whole schema from empty or carry data forward, and agree with the
models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command as alembic_command
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import Connection, create_engine, inspect, text

from lms.auth.models import Role, User
from lms.auth.sealed_keys import unseal
from lms.courses.models import Topic
from lms.extensions import db
from lms.mail.models import MessageStatus, OutboxMessage
from lms.progress import stamps
from lms.progress.models import DEFAULT_WEEKEND, Edition, Enrolment, EnrolmentStatus
from lms.quizzes.models import Quiz, QuizAttempt
from tests.conftest import TEST_DATABASE_URL, make_app

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")


BEFORE_CHANGE_STAMPS = "b444790ee802"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the kind the suite runs on."""
    if not TEST_DATABASE_URL.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"lms_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_then_check(tmp_path: Path, empty_database: str) -> None:
    """`flask db upgrade` creates every table; `flask db check` finds nothing to migrate."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        check(directory=MIGRATIONS)  # raises (exits) if the models differ from migrations
        assert _triggers() == _expected_triggers()
        # Down past the change stamps and every later revision: the stamps' triggers go too,
        # and the index on attempt answers' attempt id comes back.
        downgrade(directory=MIGRATIONS, revision=BEFORE_CHANGE_STAMPS)
        assert _triggers() == set()
        assert "ix_attempt_answers_attempt_id" in {
            index["name"] for index in inspect(db.engine).get_indexes("attempt_answers")}
        db.session.remove()
        db.engine.dispose()


def _triggers() -> set[str]:
    if db.engine.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(db.session.scalars(text(query)))


def _expected_triggers() -> set[str]:
    """The change stamps' triggers, as the models make them (lms.progress.stamps)."""
    tables = (*stamps.PERSONAL, *stamps.SHARED_TABLES)
    if db.engine.dialect.name == "postgresql":
        return {f"{name}_{table}" for table in tables for name in ("stamp", "stamp_renew")}
    return {f"stamp_{table}_{action}" for table in tables
            for action in ("insert", "update", "delete")}


# The revision whose schema the rows below are written for; every later revision must carry
# them forward.
DATA_REVISION = "e833318054d7"
STAMP = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

ROWS: dict[str, list[dict[str, Any]]] = {
    "users": [
        {"id": 1, "email": "amira@example.org", "password_hash": None, "role": "participant",
         "full_name": "Amira Hassan", "full_name_ar": "أميرة حسن", "organisation": "Ministry",
         "country": "Egypt", "preferred_language": "ar", "is_active_account": True,
         "created_at": STAMP},
        {"id": 2, "email": "teacher@example.org", "password_hash": "x", "role": "instructor",
         "full_name": "Omar Teacher", "full_name_ar": None, "organisation": None,
         "country": None, "preferred_language": "en", "is_active_account": True,
         "created_at": STAMP},
    ],
    "course_packages": [
        {"id": 1, "slug": "mg", "version": "1", "title_en": "Migration Governance",
         "title_ar": "حوكمة الهجرة", "summary": "{}", "issuers": "[]", "completion": "{}",
         "certificate": "{}", "loaded_at": STAMP, "content_hash": "0" * 64},
    ],
    "modules": [
        {"id": 1, "package_id": 1, "slug": "basics", "summary": "{}", "position": 1,
         "is_retired": False, "title_en": "Basics", "title_ar": "الأساسيات"},
    ],
    "module_instructors": [{"module_id": 1, "user_id": 2}],
    "programmes": [
        {"id": 1, "package_id": 1, "slug": "local", "summary": "{}", "position": 1,
         "is_retired": False, "title_en": "Local", "title_ar": "محلي"},
    ],
    "topics": [
        {"id": 1, "package_id": 1, "module_id": 1, "slug": "terms", "position": 1,
         "published_at": STAMP, "is_retired": False, "title_en": "Terms", "title_ar": "مصطلحات"},
    ],
    "lessons": [
        {"id": 1, "topic_id": 1, "language": "en", "objectives": "[]", "minutes": 10,
         "body_markdown": "# Terms", "body_html": "<h1>Terms</h1>", "toc": "[]",
         "source_file": "modules/01-basics/01-terms.md", "source_hash": "1" * 64,
         "is_retired": False},
    ],
    "units": [
        {"id": 1, "programme_id": 1, "module_id": 1, "slug": "basics", "title_en": None,
         "title_ar": None, "position": 1, "days": 5, "hours_per_day": 6, "is_retired": False},
    ],
    "unit_topics": [{"unit_id": 1, "topic_id": 1, "position": 1}],
    "quizzes": [
        {"id": 1, "topic_id": 1, "title": '{"en": "Check"}', "pass_mark": 70,
         "attempts_allowed": None, "grading": "highest", "shuffle_questions": False,
         "shuffle_choices": True, "time_limit_minutes": None, "draw_count": None,
         "review_policy": "after_attempt", "source_file": "x.quiz.yaml", "is_retired": False},
    ],
    "questions": [
        {"id": 1, "quiz_id": 1, "key": "q1", "type": "single", "position": 1, "points": 1.0,
         "text": '{"en": "Which?"}', "feedback": "{}", "ref": None, "settings": "{}",
         "is_retired": False},
    ],
    "question_options": [
        {"id": 1, "question_id": 1, "key": "a", "kind": "choice", "position": 1,
         "text": '{"en": "A"}', "match": "{}", "credit": 100.0, "feedback": "{}",
         "settings": "{}", "is_retired": False},
    ],
    "editions": [
        {"id": 1, "programme_id": 1, "name": "Cairo 2026", "starts_on": date(2026, 2, 1),
         "ends_on": date(2026, 6, 30), "venue": "AUC", "timezone": "Africa/Cairo",
         "created_at": STAMP},
    ],
    "enrolments": [
        {"id": 1, "edition_id": 1, "user_id": 1, "status": "active", "enrolled_at": STAMP},
    ],
    "lesson_completions": [{"id": 1, "user_id": 1, "topic_id": 1, "completed_at": STAMP}],
    "quiz_attempts": [
        {"id": 1, "quiz_id": 1, "user_id": 1, "number": 1, "status": "graded",
         "started_at": STAMP, "deadline_at": None, "submitted_at": STAMP, "score": 1.0,
         "max_score": 1.0, "percent": 100.0, "passed": True, "snapshot": '[{"key": "q1"}]',
         "responses": '{"q1": "a"}'},
    ],
    "outbox_messages": [
        {"id": 1, "created_at": STAMP, "recipient": "amira@example.org",
         "template": "invitation", "language": "ar", "subject": "Welcome",
         "body_text": "Dear Amira", "body_html": None},
    ],
    "audit_events": [
        {"id": 1, "at": STAMP, "actor_id": 2, "actor_label": "teacher@example.org",
         "action": "quiz.start", "target_type": "quiz", "target_id": "1", "outcome": "ok",
         "ip": "127.0.0.1", "request_id": "r1", "details": "{}"},
    ],
}


def _insert_rows(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    for table, rows in ROWS.items():
        for row in rows:
            values = {key: (value.replace(tzinfo=None) if sqlite else value)
                      if isinstance(value, datetime) else value for key, value in row.items()}
            columns = ", ".join(values)
            marks = ", ".join(f":{key}" for key in values)
            connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"),  # noqa: S608
                               values)


def _assert_rows_survived() -> None:
    counts = {table: db.session.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
              for table in ROWS}
    assert counts == {table: len(rows) for table, rows in ROWS.items()}
    amira = db.session.get(User, 1)
    assert amira is not None
    assert (amira.email, amira.full_name_ar, amira.role, amira.created_at) == (
        "amira@example.org", "أميرة حسن", Role.PARTICIPANT, STAMP)
    assert (amira.gender, amira.privacy_notice_version, amira.anonymised_at) == (None, None, None)
    edition = db.session.get(Edition, 1)
    assert edition is not None and edition.weekend_days == DEFAULT_WEEKEND
    assert edition.archived_at is None and edition.starts_on == date(2026, 2, 1)
    enrolment = db.session.get(Enrolment, 1)
    assert enrolment is not None and enrolment.status == EnrolmentStatus.ACTIVE
    attempt = db.session.get(QuizAttempt, 1)
    assert attempt is not None
    assert (attempt.last_page, attempt.ended_by, attempt.graded_at, attempt.percent,
            attempt.snapshot, attempt.responses) == (0, "", None, 100.0, [{"key": "q1"}],
                                                     {"q1": "a"})
    quiz = db.session.get(Quiz, 1)
    assert quiz is not None and quiz.source == "package"
    topic = db.session.get(Topic, 1)
    assert topic is not None and topic.is_draft is False and topic.title_ar == "مصطلحات"
    # Messages written before mail had a status were kept for reading, never sent.
    message = db.session.get(OutboxMessage, 1)
    assert message is not None
    assert (message.status, message.attempted_at, message.error, message.body_text) == (
        MessageStatus.KEPT, None, None, "Dear Amira")
    db.session.rollback()


def test_upgrade_with_data_then_downgrade_and_upgrade(tmp_path: Path,
                                                      empty_database: str) -> None:
    """Rows written at an earlier revision survive `flask db upgrade` with the new columns'
    defaults filled in; undoing and redoing the last revision keeps them too."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=DATA_REVISION)
        with db.engine.begin() as connection:
            _insert_rows(connection)
            if connection.dialect.name == "postgresql":
                for table in ("users", "editions", "quiz_attempts"):
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))
        upgrade(directory=MIGRATIONS)
        _assert_rows_survived()
        check(directory=MIGRATIONS)

        head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.rollback()
        downgrade(directory=MIGRATIONS, revision="-1")
        previous = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        users = db.session.scalar(text("SELECT count(*) FROM users"))
        db.session.rollback()
        assert previous != head and users == len(ROWS["users"])
        upgrade(directory=MIGRATIONS)
        _assert_rows_survived()
        check(directory=MIGRATIONS)
        db.session.remove()
        db.engine.dispose()


def test_live_topic_slug_index_names_the_clashing_slugs(tmp_path: Path,
                                                        empty_database: str) -> None:
    """A database holding two live topics with one slug (possible before the index, from two
    packages loaded at the same moment) stops the upgrade with the slug named and nothing
    changed; once one of them is retired, the upgrade goes through."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="da5baf899847")
        with db.engine.begin() as connection:
            _insert_rows(connection)
            connection.execute(text(
                "INSERT INTO course_packages (id, slug, version, title_en, title_ar, summary, "
                "issuers, completion, certificate, content_hash, loaded_at) VALUES (2, 'other', "
                "'1', 'Other', 'أخرى', '{}', '[]', '{}', '{}', :hash, :at)"),
                {"hash": "2" * 64, "at": STAMP.replace(tzinfo=None)})
            connection.execute(text(
                "INSERT INTO topics (id, package_id, module_id, slug, position, published_at, "
                "is_retired, is_draft, title_en, title_ar) VALUES (2, 2, 1, 'terms', 1, :at, "
                ":no, :no, 'Terms again', 'مصطلحات')"), {"at": STAMP.replace(tzinfo=None),
                                                          "no": False})
        # Alembic's own command, which raises what ``flask db upgrade`` prints before exiting.
        config = app.extensions["migrate"].migrate.get_config(MIGRATIONS)
        with pytest.raises(RuntimeError, match="more than one live topic.*: terms$"):
            alembic_command.upgrade(config, "head")
        db.session.rollback()
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == (
            "da5baf899847")
        db.session.rollback()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE topics SET is_retired = :yes WHERE id = 2"),
                               {"yes": True})
        upgrade(directory=MIGRATIONS, revision="3f0c9e2b7d41")
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == (
            "3f0c9e2b7d41")
        db.session.remove()
        db.engine.dispose()


CLEAR_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _stored_key() -> str:
    stored = db.session.scalar(text("SELECT two_step_secret FROM users WHERE id = 1"))
    db.session.rollback()
    return str(stored)


def test_two_step_keys_are_sealed_by_the_upgrade_and_opened_by_the_downgrade(
        tmp_path: Path, empty_database: str) -> None:
    """A key stored in the clear before keys were sealed is sealed by the upgrade (and still
    makes the same codes); the downgrade opens it again. One that the configured SECRET_KEY
    cannot open stops the downgrade, naming the account, with nothing changed."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="3f0c9e2b7d41")
        with db.engine.begin() as connection:
            _insert_rows(connection)
            connection.execute(text("UPDATE users SET two_step_secret = :key WHERE id = 1"),
                               {"key": CLEAR_KEY})
        upgrade(directory=MIGRATIONS, revision="8c51d0e4f7a2")
        sealed = _stored_key()
        assert CLEAR_KEY not in sealed and sealed.startswith("gAAAAA")
        assert unseal(sealed) == CLEAR_KEY
        downgrade(directory=MIGRATIONS, revision="3f0c9e2b7d41")
        assert _stored_key() == CLEAR_KEY
        upgrade(directory=MIGRATIONS, revision="8c51d0e4f7a2")
        sealed = _stored_key()
        db.session.remove()
        db.engine.dispose()

    other = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_database,
                     SECRET_KEY="another-secret-key-that-is-long-enough")
    with other.app_context():
        config = other.extensions["migrate"].migrate.get_config(MIGRATIONS)
        with pytest.raises(RuntimeError, match="cannot be opened.*: accounts 1$"):
            alembic_command.downgrade(config, "3f0c9e2b7d41")
        db.session.rollback()
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == (
            "8c51d0e4f7a2")
        assert _stored_key() == sealed
        db.session.remove()
        db.engine.dispose()
