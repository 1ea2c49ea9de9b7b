"""Engine settings: a checked connection pool for PostgreSQL whose connections keep their
prepared statements; for SQLite foreign keys on, WAL, a busy timeout, and savepoints that nest
inside the transaction; row locks for writers that must take turns."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from flask import Flask
from sqlalchemy import Integer, any_, bindparam, event, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import QueryableAttribute, SessionTransaction
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """The engine options for the configured database.

    Every connection is pinged before use, so after a database restart the stale connections
    are replaced instead of failing a request each. Pool sizes and timeouts (the
    ``DATABASE_POOL_*`` settings, ``LMS_DATABASE_POOL_SIZE`` and so on from the environment)
    apply to PostgreSQL only: SQLite gets the pool Flask-SQLAlchemy picks for it.
    """
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", True)
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options.setdefault("pool_size", int(config["DATABASE_POOL_SIZE"]))
        options.setdefault("max_overflow", int(config["DATABASE_MAX_OVERFLOW"]))
        options.setdefault("pool_timeout", float(config["DATABASE_POOL_TIMEOUT"]))
        options.setdefault("pool_recycle", int(config["DATABASE_POOL_RECYCLE"]))
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config["DATABASE_CONNECT_TIMEOUT"]))
        options["connect_args"] = connect_args
    return options


def close_session_at_request_end(app: Flask) -> None:
    """End each request's database session without letting a lost connection fail the request.

    Closing rolls back what the request left open. If the database went away after the
    request's last statement, that rollback fails, and from the end of the request nothing
    could turn the failure into the friendly 503: the server would answer 500 with a
    traceback in its log. The connection is thrown away instead (the pool replaces it). Runs
    before Flask-SQLAlchemy's own closing, which then finds nothing to do; call after
    ``db.init_app``.
    """

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError as error:
            logging.getLogger(__name__).warning(
                "the database connection was lost at the end of a request: %s",
                str(error).splitlines()[0])
            db.session.registry().invalidate()
            db.session.registry.clear()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def enable_sqlite_pragmas(engine: Engine) -> None:
    """Turn on SQLite's foreign keys for every connection of this engine, and give it a
    lower() that folds every script."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's own lower() folds only ASCII letters: a search for "Émile" as typed would
        # not find "Émile Zola". Python's folds every script, as PostgreSQL's does.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def refresh_planner_statistics(engine: Engine) -> None:
    """Have PostgreSQL count the rows of every table now, and note which pages hold only rows
    every transaction sees, after many rows arrived at once.

    Without fresh statistics the server plans the pages' queries for the tables as they were
    (empty, after a restore) until its autovacuum catches up; and as connections keep their
    prepared statements, a plan made for empty tables can stay in use. Until the visible pages
    are noted, a query answered from an index alone (the quiz results) still reads the rows.
    Nothing to do on SQLite, which plans every statement as it runs.
    """
    if engine.dialect.name != "postgresql":
        return
    # VACUUM cannot run inside a transaction.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM (ANALYZE)"))


def keep_prepared_statements(engine: Engine) -> None:
    """Let PostgreSQL connections keep their prepared statements when a transaction rolls back.

    psycopg prepares a statement once it has run it five times on a connection, and then the
    server plans it once instead of on every run: for the statements of the pages people open
    most, planning takes longer than running. But psycopg forgets every prepared statement
    whenever it rolls back, in case the transaction had changed the tables they read, and every
    request that only reads ends with a rollback; so nothing was ever prepared. The platform
    changes tables only through migrations, which run in their own process and are followed by
    new workers, so here the rollback is sent by hand and psycopg, finding the transaction
    already ended, keeps its statements. If that fails (a broken connection), psycopg's own
    rollback runs as usual and reports the error.
    """
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    from psycopg import pq

    open_states = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)

    @event.listens_for(engine, "rollback")
    def _roll_back_keeping_statements(connection: Connection) -> None:
        if connection.invalidated:
            return
        driver = connection.connection.dbapi_connection
        pgconn = getattr(driver, "pgconn", None)
        if driver is None or pgconn is None or pgconn.transaction_status not in open_states:
            return
        # A failure here is left to psycopg's own rollback, which runs next and reports it.
        with driver.lock, suppress(Exception):
            pgconn.exec_(b"ROLLBACK")


def savepoint() -> SessionTransaction:
    """``db.session.begin_nested()``, inside the request's transaction on every engine.

    SQLite's driver sends BEGIN only before a write, and a SAVEPOINT sent outside a transaction
    starts one itself, which its RELEASE then commits: rows written in the savepoint would stay
    even if the request rolled back afterwards (a certificate without its audit record). So the
    transaction is begun first. (Done here rather than in an engine event: any such listener
    makes SQLAlchemy dispatch events around every statement of every page.)
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        # In the driver's autocommit mode there is no transaction to join.
        if (driver is not None and driver.isolation_level is not None
                and not driver.in_transaction):
            driver.execute("BEGIN")
    return db.session.begin_nested()


def lock_row(model: Any, row_id: int) -> None:
    """Hold one row until the transaction ends, so writers that start from it take turns.

    ``FOR NO KEY UPDATE`` leaves inserts that merely reference the row unblocked. SQLite, which
    has no row locks, ignores it and serialises writers itself.
    """
    db.session.execute(select(model.id).where(model.id == row_id)
                       .with_for_update(key_share=True))


def one_of_ids(column: QueryableAttribute[int], name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` equals one of the ids given, as a list, in the parameter ``name``.

    PostgreSQL gets the list as one array parameter. Spelled out instead as one placeholder
    per id (the portable form, which SQLite needs), a board's hundred participants made each
    statement too long for the driver's cache of parsed statements, so every run parsed the
    statement and bound a hundred values anew.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def plain_connection() -> Connection:
    """The session's connection, for reading plain rows without the ORM's per-row work.

    Pages that every participant opens read this way, because loading ORM objects cost more
    than the queries. The connection does not flush the session by itself as the ORM's queries
    do, so pending changes are flushed first and the rows include them.
    """
    db.session.flush()
    return db.session.connection()
