"""Change stamps: how a worker knows that a participant's page it drew a moment ago still holds.

The database keeps one stamp per participant and one for everything participants share (the
course, the editions and their days). Triggers give a stamp a new random value whenever a row
it covers is written, whoever writes it: a view, an import, a command or a restore. A page kept
in a worker's memory is served again only while both stamps read what they read when it was
drawn; reading them is one small query, and losing what was kept costs only a redraw.

The values are random rather than counted so that a database put back from a backup can never
hand out a value a worker already saw with other data.
"""

from __future__ import annotations

from sqlalchemy import DDL, BigInteger, bindparam, event, select
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db

SHARED = 0  # the scope of what every participant's page reads

# A participant's own rows, each naming them in user_id, and the columns whose change can
# alter their pages (None: any column).
PERSONAL: dict[str, tuple[str, ...] | None] = {
    "enrolments": None,
    "attendance": None,
    "make_ups": None,
    "apologies": None,
    "lesson_completions": None,
    # Saving an answer rewrites an attempt's responses, which no progress page shows.
    "quiz_attempts": ("user_id", "status", "submitted_at", "passed", "percent", "pass_mark"),
    "certificates": None,
}

# What the pages of every participant of an edition read: the course and the editions.
SHARED_TABLES = ("course_packages", "programmes", "modules", "units", "topics", "lessons",
                 "unit_topics", "quizzes", "questions", "editions", "in_person_sessions")


class ChangeStamp(db.Model):  # type: ignore[name-defined,misc]
    """The latest stamp of one participant (``scope`` is their user id) or of what all
    share (``scope`` 0). Written by triggers only."""

    __tablename__ = "change_stamps"

    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)


_ACTIONS = ("insert", "update", "delete")
_SQLITE_CREATE = "CREATE TRIGGER IF NOT EXISTS"
_POSTGRESQL_CREATE = "CREATE OR REPLACE TRIGGER"
_SQLITE_SET = ("INSERT INTO change_stamps (scope, stamp) SELECT {scope}, random() WHERE {when} "
               "ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp;")


Personal = dict[str, tuple[str, ...] | None]


def sqlite_triggers(personal: Personal, shared_tables: tuple[str, ...]) -> list[str]:
    """The triggers, for SQLite: per row, as SQLite has no other kind."""
    statements = []
    for table, columns in personal.items():
        old = _SQLITE_SET.format(scope="OLD.user_id", when="OLD.user_id IS NOT NULL")
        new = _SQLITE_SET.format(scope="NEW.user_id", when="NEW.user_id IS NOT NULL")
        changed = _SQLITE_SET.format(
            scope="NEW.user_id", when="NEW.user_id IS NOT NULL AND NEW.user_id IS NOT OLD.user_id")
        of = f" OF {', '.join(columns)}" if columns else ""
        statements += [
            f"{_SQLITE_CREATE} stamp_{table}_insert AFTER INSERT ON {table} BEGIN {new} END",
            f"{_SQLITE_CREATE} stamp_{table}_update AFTER UPDATE{of} ON {table} "
            f"BEGIN {old} {changed} END",
            f"{_SQLITE_CREATE} stamp_{table}_delete AFTER DELETE ON {table} BEGIN {old} END",
        ]
    shared = _SQLITE_SET.format(scope=SHARED, when="1")
    for table in shared_tables:
        statements += [f"{_SQLITE_CREATE} stamp_{table}_{action} AFTER {action.upper()} "
                       f"ON {table} BEGIN {shared} END" for action in _ACTIONS]
    return statements


_POSTGRESQL_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION lms_set_stamp(scope_id integer) RETURNS void
LANGUAGE sql AS $$
INSERT INTO change_stamps (scope, stamp)
VALUES (scope_id, floor(random() * 9007199254740991)::bigint - 4503599627370495)
ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp
$$""",
    """CREATE OR REPLACE FUNCTION lms_stamp_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.user_id IS NOT NULL THEN
    PERFORM lms_set_stamp(OLD.user_id);
  END IF;
  IF TG_OP = 'INSERT' AND NEW.user_id IS NOT NULL
     OR TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id
        AND NEW.user_id IS NOT NULL THEN
    PERFORM lms_set_stamp(NEW.user_id);
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION lms_stamp_shared() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lms_set_stamp(0);
  RETURN NULL;
END
$$""",
]


def postgresql_triggers(personal: Personal, shared_tables: tuple[str, ...]) -> list[str]:
    """The functions and triggers, for PostgreSQL: per row for a participant's rows, per
    statement for the shared ones (a course load writes hundreds of rows in a few)."""
    statements = list(_POSTGRESQL_FUNCTIONS)
    for table, columns in personal.items():
        of = f" OF {', '.join(columns)}" if columns else ""
        statements.append(f"{_POSTGRESQL_CREATE} stamp_{table} AFTER INSERT OR UPDATE{of} "
                          f"OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION lms_stamp_person()")
    statements += [f"{_POSTGRESQL_CREATE} stamp_{table} AFTER INSERT OR UPDATE OR DELETE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION lms_stamp_shared()"
                   for table in shared_tables]
    return statements


def drop_statements(dialect: str, tables: tuple[str, ...]) -> list[str]:
    """What removes the triggers of these tables (and PostgreSQL's functions) again."""
    if dialect == "postgresql":
        return ([f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}" for table in tables]
                + ["DROP FUNCTION IF EXISTS lms_stamp_person()",
                   "DROP FUNCTION IF EXISTS lms_stamp_shared()",
                   "DROP FUNCTION IF EXISTS lms_set_stamp(integer)"])
    return [f"DROP TRIGGER IF EXISTS stamp_{table}_{action}"
            for table in tables for action in _ACTIONS]


def create_statements(dialect: str, personal: Personal = PERSONAL,
                      shared_tables: tuple[str, ...] = SHARED_TABLES) -> list[str]:
    """What makes the triggers (and PostgreSQL's functions). A migration passes the tables
    as they were when it was written; a change to the lists above needs a migration that
    drops the triggers and makes them anew."""
    make = postgresql_triggers if dialect == "postgresql" else sqlite_triggers
    return make(personal, shared_tables)


# Tables made from the models (the test suite) get the triggers too; on a migrated database
# the migration that added the stamps made them.
for _dialect in ("sqlite", "postgresql"):
    for _statement in create_statements(_dialect):
        event.listen(db.metadata, "after_create", DDL(_statement).execute_if(dialect=_dialect))


_STAMPS = (select(ChangeStamp.scope, ChangeStamp.stamp)
           .where(ChangeStamp.scope.in_((SHARED, bindparam("user_id")))))


def stamps_for(user_id: int) -> tuple[int | None, int | None]:
    """The shared stamp and the participant's own (None where nothing was written yet)."""
    found = {scope: stamp for scope, stamp in db.session.execute(_STAMPS, {"user_id": user_id})}
    return found.get(SHARED), found.get(user_id)
