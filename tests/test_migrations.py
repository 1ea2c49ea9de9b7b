"""Migrations build the whole schema from empty, and agree with the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import check, upgrade
from sqlalchemy import create_engine, inspect, text

from lms.extensions import db
from tests.conftest import TEST_DATABASE_URL, make_app

MIGRATIONS = str(Path(__file__).parent.parent / "migrations")


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
        db.session.remove()
        db.engine.dispose()
