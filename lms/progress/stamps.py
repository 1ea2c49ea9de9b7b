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

from lms.database import plain_connection
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
_SQLITE_SET = ("INSERT INTO change_stamps (scope, stamp) SELECT {scope}, random() WHERE {when} "
               "ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp;")


Personal = dict[str, tuple[str, ...] | None]


def _of(columns: tuple[str, ...] | None) -> str:
    return f" OF {', '.join(columns)}" if columns else ""


def sqlite_triggers(personal: Personal, shared_tables: tuple[str, ...]) -> list[str]:
    """The triggers, for SQLite: per row, as SQLite has no other kind."""
    statements = []
    for table, columns in personal.items():
        old = _SQLITE_SET.format(scope="OLD.user_id", when="OLD.user_id IS NOT NULL")
        new = _SQLITE_SET.format(scope="NEW.user_id", when="NEW.user_id IS NOT NULL")
        changed = _SQLITE_SET.format(
            scope="NEW.user_id", when="NEW.user_id IS NOT NULL AND NEW.user_id IS NOT OLD.user_id")
        of = _of(columns)
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


# On PostgreSQL writers run side by side. Renewing a stamp locks its row until the transaction
# ends, so renewing them as rows are written would make two transactions that write for the
# same people in different orders (two rosters saved at once) wait for each other for ever.
# Instead each written row only notes its scope in a setting of the transaction
# (lms.stamp_scopes), and a trigger deferred to the commit renews the noted stamps at once,
# in scope order: locks taken in one order cannot deadlock, and are held only while
# committing. A savepoint rolled back takes its notes with it, as it takes its rows.
_NOTE = ("PERFORM set_config('lms.stamp_scopes', "
         "coalesce(current_setting('lms.stamp_scopes', true), '') || ',' || {scope}, true);")

_POSTGRESQL_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION lms_note_person() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.user_id IS NOT NULL THEN
    {_NOTE.format(scope="OLD.user_id")}
  END IF;
  IF TG_OP = 'INSERT' AND NEW.user_id IS NOT NULL
     OR TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id
        AND NEW.user_id IS NOT NULL THEN
    {_NOTE.format(scope="NEW.user_id")}
  END IF;
  RETURN NULL;
END
$$""",
    f"""CREATE OR REPLACE FUNCTION lms_note_shared() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {_NOTE.format(scope=SHARED)}
  RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION lms_renew_stamps() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  noted text := coalesce(current_setting('lms.stamp_scopes', true), '');
BEGIN
  IF noted <> '' THEN
    PERFORM set_config('lms.stamp_scopes', '', true);
    INSERT INTO change_stamps (scope, stamp)
    SELECT scope, floor(random() * 9007199254740991)::bigint - 4503599627370495
    FROM (SELECT DISTINCT item::integer AS scope
          FROM unnest(string_to_array(ltrim(noted, ','), ',')) AS item) AS scopes
    ORDER BY scope
    ON CONFLICT (scope) DO UPDATE SET stamp = excluded.stamp;
  END IF;
  RETURN NULL;
END
$$""",
]


def postgresql_triggers(personal: Personal, shared_tables: tuple[str, ...]) -> list[str]:
    """The functions and triggers, for PostgreSQL: a participant's rows are noted per row, the
    shared ones per statement (a course load writes hundreds of rows in a few), and every
    table's rows renew the noted stamps at the commit."""
    statements = list(_POSTGRESQL_FUNCTIONS)
    events = {table: f"INSERT OR UPDATE{_of(columns)} OR DELETE"
              for table, columns in personal.items()}
    events.update({table: "INSERT OR UPDATE OR DELETE" for table in shared_tables})
    for table, on in events.items():
        each = "ROW" if table in personal else "STATEMENT"
        note = "lms_note_person" if table in personal else "lms_note_shared"
        statements += [
            f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}",
            f"CREATE TRIGGER stamp_{table} AFTER {on} ON {table} "
            f"FOR EACH {each} EXECUTE FUNCTION {note}()",
            f"DROP TRIGGER IF EXISTS stamp_renew_{table} ON {table}",
            f"CREATE CONSTRAINT TRIGGER stamp_renew_{table} AFTER {on} ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lms_renew_stamps()",
        ]
    return statements


def drop_statements(dialect: str, tables: tuple[str, ...]) -> list[str]:
    """What removes the triggers of these tables (and PostgreSQL's functions) again."""
    if dialect == "postgresql":
        return ([f"DROP TRIGGER IF EXISTS {name}_{table} ON {table}"
                 for table in tables for name in ("stamp", "stamp_renew")]
                + [f"DROP FUNCTION IF EXISTS {name}()"
                   for name in ("lms_note_person", "lms_note_shared", "lms_renew_stamps")])
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
    # Read on every kept page: plain rows, without the ORM's work for a two-row answer.
    rows = plain_connection().execute(_STAMPS, {"user_id": user_id})
    found = {scope: stamp for scope, stamp in rows}
    return found.get(SHARED), found.get(user_id)
