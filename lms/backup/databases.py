"""Dumping and restoring the database with each engine's own tools.

SQLite uses its online backup API, which copies a consistent snapshot while the platform keeps
running. PostgreSQL uses pg_dump's custom format and pg_restore, with client tools whose major
version matches the server's, so the dump is exactly what that server would write.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404  (fixed argument lists, never a shell)
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from lms.backup.archive import BackupError
from lms.database import refresh_planner_statistics

SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
# Connection settings that may ride in the URL's query string, and the libpq variable for each.
LIBPQ_QUERY = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE",
               "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
               "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME",
               "options": "PGOPTIONS", "passfile": "PGPASSFILE", "service": "PGSERVICE"}


@dataclass(frozen=True)
class DatabaseInfo:
    engine: str
    server_version: str
    alembic_revision: str | None

    @property
    def dump_name(self) -> str:
        return SQLITE_DUMP if self.engine == "sqlite" else POSTGRES_DUMP


def _revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def database_info(engine: Engine) -> DatabaseInfo:
    """The engine, its server version and the migration revision the schema is at."""
    name = engine.dialect.name
    if name == "sqlite":
        return DatabaseInfo("sqlite", sqlite3.sqlite_version, _revision(engine))
    if name == "postgresql":
        with engine.connect() as connection:
            version = str(connection.scalar(text("SHOW server_version")))
        return DatabaseInfo("postgresql", version, _revision(engine))
    raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")


def count_rows(engine: Engine, table_names: Iterable[str]) -> dict[str, int]:
    """Rows in each of the named tables that exist in the database."""
    present = set(inspect(engine).get_table_names())
    preparer = engine.dialect.identifier_preparer
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for name in sorted(set(table_names) & present):
            quoted = preparer.quote(name)
            counts[name] = int(connection.scalar(text(f"SELECT count(*) FROM {quoted}")) or 0)  # noqa: S608
    return counts


def dump_database(engine: Engine, info: DatabaseInfo, folder: Path) -> Path:
    """Write a consistent dump of the database into ``folder`` and return its path."""
    target = folder / info.dump_name
    if info.engine == "sqlite":
        _sqlite_backup(engine, target)
    else:
        tool = find_pg_tool("pg_dump", server_major(engine))
        _run([tool, "--format=custom", "--no-password", f"--file={target}"],
             libpq_environment(engine.url), "pg_dump")
    return target


def restore_database(engine: Engine, info: DatabaseInfo, dump: Path) -> None:
    """Replace the database's contents with the dump's (one transaction on PostgreSQL)."""
    if info.engine == "sqlite":
        _sqlite_restore(engine, dump)
        return
    tool = find_pg_tool("pg_restore", server_major(engine))
    # --clean drops only what the dump holds; a table from a later schema would survive it and
    # make the next `flask db upgrade` fail (or block the drops through its foreign keys).
    extra = sorted(set(inspect(engine).get_table_names()) - _dump_tables(tool, dump))
    if extra:
        raise BackupError(f"the database has tables the backup does not ({', '.join(extra[:5])}"
                          f"{', ...' if len(extra) > 5 else ''}): restore into an empty "
                          "database, or one at the backup's revision")
    # --no-acl as well as --no-owner: the roles of the server the dump came from need not exist.
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction",
          "--exit-on-error", "--no-password", f"--dbname={engine.url.database}", str(dump)],
         libpq_environment(engine.url), "pg_restore")
    # pg_restore brings back the rows but not the statistics the server plans queries with.
    refresh_planner_statistics(engine)


def _dump_tables(tool: str, dump: Path) -> set[str]:
    result = subprocess.run([tool, "--list", str(dump)], capture_output=True,  # noqa: S603
                            text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump: {result.stderr.strip()}")
    return set(re.findall(r"^\d+; \d+ \d+ TABLE public (\S+) ", result.stdout, re.MULTILINE))


def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        with closing(sqlite3.connect(target)) as copy:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
    finally:
        raw.close()


def _sqlite_restore(engine: Engine, dump: Path) -> None:
    with closing(sqlite3.connect(dump)) as source:
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"the database in the archive cannot be read ({error})") from None
        if not check or check[0] != "ok":
            raise BackupError("the database in the archive fails SQLite's integrity check")
        # The backup API writes into the live database under its own lock, in one step, so
        # running workers never see half a file (and WAL files stay consistent), which a file
        # copy could not promise.
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)  # type: ignore[arg-type]
        except sqlite3.Error as error:
            raise BackupError(f"SQLite could not write the database ({error})") from None
        finally:
            raw.close()


def server_major(engine: Engine) -> int:
    """The PostgreSQL server's major version (15 for 15.4)."""
    with engine.connect() as connection:
        number = int(connection.scalar(text("SHOW server_version_num")) or 0)
    return number // 10000


def _tool_major(path: str) -> int | None:
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                                timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", result.stdout)
    return int(match.group(1)) if match else None


def find_pg_tool(name: str, major: int, extra_dirs: Iterable[Path] = ()) -> str:
    """A ``pg_dump`` or ``pg_restore`` of the server's major version, from PATH or the usual
    Debian/Ubuntu folder.

    :raises BackupError: no such tool of that version is installed.
    """
    candidates = [str(Path(d) / name) for d in extra_dirs]
    found = shutil.which(name)
    if found:
        candidates.append(found)
    candidates.append(f"/usr/lib/postgresql/{major}/bin/{name}")
    for candidate in dict.fromkeys(candidates):
        if os.access(candidate, os.X_OK) and _tool_major(candidate) == major:
            return candidate
    raise BackupError(f"no {name} for PostgreSQL {major} (the server's version) was found in "
                      f"PATH or /usr/lib/postgresql/{major}/bin: install the PostgreSQL {major} "
                      f"client tools (postgresql-client-{major} on Debian and Ubuntu)")


def libpq_environment(url: URL) -> dict[str, str]:
    """The environment for a PostgreSQL client tool connecting where ``url`` points.

    Everything goes through libpq's variables, so the password never appears on a command line
    (where other users of the machine could read it).
    """
    env = dict(os.environ)
    for key, query_value in url.query.items():
        if key in LIBPQ_QUERY:
            env[LIBPQ_QUERY[key]] = query_value if isinstance(query_value, str) else query_value[0]
    parts: tuple[tuple[str, str | int | None], ...] = (
        ("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
        ("PGPASSWORD", url.password), ("PGDATABASE", url.database))
    for variable, value in parts:
        if value is not None:
            env[variable] = str(value)
    return env


def _run(arguments: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(arguments, env=env, capture_output=True, text=True,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        message = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {message}")
