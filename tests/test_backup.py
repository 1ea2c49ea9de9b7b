"""`flask lms backup` and `flask lms restore`: a populated platform survives the round trip,
and a bad archive changes nothing."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from lms.auth.models import Role, User
from lms.backup.archive import BackupError
from lms.backup.databases import find_pg_tool, libpq_environment
from lms.certificates import services as certificates
from lms.certificates.services import eligibility, issue_certificate
from lms.courses.loader import load_package
from lms.courses.models import Programme
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.synthetic import create_synthetic_edition
from tests import factories
from tests.conftest import FIXTURE_PACKAGE, TEST_DATABASE_URL, make_app
from tests.test_migrations import MIGRATIONS

Snapshot = dict[str, list[tuple[Any, ...]]]


def populate(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrate, load the test package and fill an edition with people, attendance, attempts,
    a certificate (with its PDF in storage) and an Arabic name."""
    monkeypatch.setattr(certificates, "render_pdf", lambda _snapshot, _url: b"%PDF-1.7 test")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        load_package(FIXTURE_PACKAGE, Path(app.config["STORAGE_DIR"]))
        admin = factories.make_user(Role.ADMIN, full_name_ar="مديرة البرنامج")
        factories.make_user(Role.INSTRUCTOR)
        programme = db.session.scalar(select(Programme).filter_by(slug="local"))
        assert programme is not None
        now = utcnow()
        edition = create_synthetic_edition(programme, 6, now, seed=7)
        holder = factories.make_user(email="holder@example.org")
        factories.enrol(holder, edition)
        issue_certificate(holder, edition, admin, now, eligibility(holder.id, edition, now),
                          exception_reason="Completed in an earlier edition")
        db.session.commit()
        db.session.remove()


def snapshot(app: Flask) -> Snapshot:
    """Every table's rows in primary-key order, including the migration revision."""
    with app.app_context():
        rows = {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}
        rows["alembic_version"] = [tuple(row) for row in db.session.execute(
            text("SELECT version_num FROM alembic_version"))]
        db.session.remove()
    return rows


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def round_trip(tmp_path: Path, source_url: str, target_url: str,
               monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=source_url,
                      STORAGE_DIR=str(tmp_path / "source-storage"))
    populate(source, monkeypatch)
    # A file caught half-written under its temporary name is no content to back up.
    (tmp_path / "source-storage" / "media").mkdir(parents=True, exist_ok=True)
    (tmp_path / "source-storage" / "media" / ".map.png.4242.5f1e.part").write_bytes(b"\x89PN")
    archive = tmp_path / "backups" / "platform.tar.gz"
    result = source.test_cli_runner().invoke(args=["lms", "backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # personal data: owner only

    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=target_url,
                      STORAGE_DIR=str(tmp_path / "target-storage"))
    result = target.test_cli_runner().invoke(args=["lms", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    before, after = snapshot(source), snapshot(target)
    assert after == before
    assert sum(map(len, before.values())) > 100 and before["certificates"]
    restored = files(tmp_path / "target-storage")
    assert restored == {name: data for name, data in files(tmp_path / "source-storage").items()
                        if not any(part.startswith(".") for part in name.split("/"))}
    assert any(name.startswith("certificates/") for name in restored)
    # Owner only, as backed up: the folder holds certificates and the badge signing key.
    assert {oct((tmp_path / "target-storage" / name).stat().st_mode & 0o777)
            for name in restored} == {"0o600"}
    assert f"{sum(len(v) for k, v in before.items() if k != 'alembic_version')} rows" \
        in result.output

    with target.app_context():
        response = target.test_client().post("/login", data={
            "email": "holder@example.org", "password": factories.PASSWORD})
        assert response.status_code == 302  # the restored account logs in
        if db.engine.dialect.name == "postgresql":
            # Planner statistics for the restored rows, which pg_restore does not bring back.
            assert db.session.scalar(text("SELECT count(*) FROM pg_stat_user_tables WHERE "
                                          "last_analyze IS NULL AND n_live_tup > 0")) == 0
            assert db.session.scalar(text("SELECT last_analyze FROM pg_stat_user_tables "
                                          "WHERE relname = 'users'")) is not None
    dispose(source)
    dispose(target)


def test_sqlite_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A populated SQLite platform restored into a fresh database and storage folder has the
    same rows in every table and the same files."""
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}",
               f"sqlite:///{tmp_path / 'target.sqlite3'}", monkeypatch)


def test_sqlite_backup_while_a_write_is_under_way(tmp_path: Path) -> None:
    """The online backup copies what is committed while another connection is mid-write, so
    a backup taken while the platform serves is consistent."""
    path = tmp_path / "live.sqlite3"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        factories.make_user(email="committed@example.org", full_name="Committed Name")
        db.session.commit()
        db.session.remove()
    with closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET full_name = 'Half Written'")
        result = app.test_cli_runner().invoke(args=["lms", "backup", str(tmp_path / "b.tar.gz")])
        writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    with tarfile.open(tmp_path / "b.tar.gz") as tar:
        tar.extract("database.sqlite3", tmp_path / "out", filter="data")
    with closing(sqlite3.connect(tmp_path / "out" / "database.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT full_name FROM users").fetchall() == [("Committed Name",)]
    dispose(app)


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"lms_backup_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_postgres_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pg_dump then pg_restore into another database gives the same rows and files."""
    with postgres_database() as source, postgres_database() as target:
        round_trip(tmp_path, source, target, monkeypatch)


@pytest.mark.postgres
def test_postgres_restore_refuses_tables_the_backup_lacks(tmp_path: Path) -> None:
    """A table the backup does not hold would outlive pg_restore --clean and break the next
    upgrade, so the restore is refused and the database left as it was."""
    with postgres_database() as source_url, postgres_database() as target_url:
        source = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=source_url)
        with source.app_context():
            db.create_all()
            factories.make_user(email="from-backup@example.org")
            db.session.commit()
        archive = tmp_path / "small.tar.gz"
        assert source.test_cli_runner().invoke(
            args=["lms", "backup", str(archive)]).exit_code == 0
        dispose(source)
        target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=target_url,
                          STORAGE_DIR=str(tmp_path / "target-storage"))
        with target.app_context():
            db.create_all()
            factories.make_user(email="keep@example.org")
            db.session.execute(text("CREATE TABLE later_feature (id integer)"))
            db.session.commit()
            db.session.remove()
        result = target.test_cli_runner().invoke(args=["lms", "restore", str(archive), "--yes"])
        assert result.exit_code == 1
        assert "tables the backup does not (later_feature)" in result.output
        assert snapshot_users(target) == ["keep@example.org"]
        dispose(target)


@pytest.fixture
def archive_and_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                       ) -> Iterator[tuple[Path, Flask]]:
    """A good SQLite archive, and a target platform that already holds one account and file."""
    source = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 's.sqlite3'}",
                      STORAGE_DIR=str(tmp_path / "source-storage"))
    populate(source, monkeypatch)
    archive = tmp_path / "good.tar.gz"
    assert source.test_cli_runner().invoke(args=["lms", "backup", str(archive)]).exit_code == 0
    dispose(source)
    target = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.sqlite3'}",
                      STORAGE_DIR=str(tmp_path / "target-storage"))
    with target.app_context():
        db.create_all()
        factories.make_user(email="keep@example.org")
        db.session.commit()
        db.session.remove()
    (tmp_path / "target-storage" / "media").mkdir(parents=True)
    (tmp_path / "target-storage" / "media" / "keep.png").write_bytes(b"keep")
    yield archive, target
    dispose(target)


def rewrite(archive: Path, target: Path,
            change: Callable[[dict[str, bytes]], None]) -> Path:
    """Copy an archive with its entries edited by ``change`` (name -> content)."""
    with tarfile.open(archive) as tar:
        entries = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    change(entries)
    with tarfile.open(target, "w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _manifest(entries: dict[str, bytes], **fields: Any) -> None:
    manifest = json.loads(entries["manifest.json"])
    manifest.update(fields)
    entries["manifest.json"] = json.dumps(manifest).encode()


def _tamper(entries: dict[str, bytes]) -> None:
    name = next(n for n in entries if n.startswith("storage/media/"))
    entries[name] = entries[name][:-1] + b"!"


BAD_ARCHIVES: dict[str, tuple[Callable[[dict[str, bytes]], None], str]] = {
    "tampered file": (_tamper, "does not match its checksum"),
    "tampered database": (lambda e: e.update({"database.sqlite3": b"x" * 10}),
                          "database.sqlite3 does not match its checksum"),
    "no manifest": (lambda e: e.pop("manifest.json"), "no manifest"),
    "foreign manifest": (lambda e: _manifest(e, format="something-else"), "another kind"),
    "newer format": (lambda e: _manifest(e, format_version=99),
                     "newer version of the platform (backup format 99"),
    "missing file": (lambda e: e.pop(next(n for n in e if n.startswith("storage/"))),
                     "the archive is incomplete"),
    "unlisted file": (lambda e: e.update({"storage/extra.txt": b"x"}),
                      "manifest does not list: storage/extra.txt"),
    "path outside": (lambda e: e.update({"../outside.txt": b"x"}), "never writes: ../outside"),
    "other engine": (lambda e: _manifest(e, engine="postgresql"),
                     "restoring across engines is not supported"),
    "newer schema": (lambda e: _manifest(e, alembic_revision="f00dfeed2099"),
                     "revision f00dfeed2099, which this version of the platform does not know"),
}


@pytest.mark.parametrize("case", list(BAD_ARCHIVES))
def test_bad_archive_changes_nothing(tmp_path: Path, case: str,
                                     archive_and_target: tuple[Path, Flask]) -> None:
    """Even with --yes, a damaged, foreign, newer (format or schema) or other-engine archive
    is refused with its reason, and the database and storage stay as they were."""
    archive, target = archive_and_target
    change, message = BAD_ARCHIVES[case]
    bad = rewrite(archive, tmp_path / "bad.tar.gz", change)
    before, stored = snapshot_users(target), files(tmp_path / "target-storage")
    result = target.test_cli_runner().invoke(args=["lms", "restore", str(bad), "--yes"])
    assert result.exit_code == 1
    assert message in result.output and "Nothing was changed." in result.output
    assert snapshot_users(target) == before == ["keep@example.org"]
    assert files(tmp_path / "target-storage") == stored
    assert not outside_written(tmp_path)


def outside_written(tmp_path: Path) -> bool:
    return (tmp_path / "outside.txt").exists() or (tmp_path / "target-storage" /
                                                   "outside.txt").exists()


def snapshot_users(app: Flask) -> list[str]:
    with app.app_context():
        emails = list(db.session.scalars(select(User.email).order_by(User.email)))
        db.session.remove()
    return emails


@pytest.mark.parametrize("damage", ["not an archive", "truncated"])
def test_unreadable_archive_is_refused(tmp_path: Path, damage: str,
                                       archive_and_target: tuple[Path, Flask]) -> None:
    """Random bytes or half an archive are refused before anything changes."""
    archive, target = archive_and_target
    bad = tmp_path / "bad.tar.gz"
    data = archive.read_bytes()
    bad.write_bytes(os.urandom(4096) if damage == "not an archive" else data[:len(data) // 2])
    result = target.test_cli_runner().invoke(args=["lms", "restore", str(bad), "--yes"])
    assert result.exit_code == 1
    assert ("not a backup of this platform" in result.output
            or "the archive is damaged" in result.output), result.output
    assert snapshot_users(target) == ["keep@example.org"]


def test_non_empty_platform_needs_yes(tmp_path: Path,
                                      archive_and_target: tuple[Path, Flask]) -> None:
    """A platform that holds data is only replaced with --yes; then its old rows and files
    are gone and the backup's are there."""
    archive, target = archive_and_target
    runner = target.test_cli_runner()
    refused = runner.invoke(args=["lms", "restore", str(archive)])
    assert refused.exit_code == 1 and "pass --yes" in refused.output
    assert snapshot_users(target) == ["keep@example.org"]
    replaced = runner.invoke(args=["lms", "restore", str(archive), "--yes"])
    assert replaced.exit_code == 0, replaced.output
    users = snapshot_users(target)
    assert "keep@example.org" not in users and "holder@example.org" in users
    restored = files(tmp_path / "target-storage")
    assert "media/keep.png" not in restored
    assert restored == files(tmp_path / "source-storage")
    assert not [p for p in (tmp_path / "target-storage").iterdir() if p.name.startswith(".")]


def test_a_refused_restore_unpacks_nothing(archive_and_target: tuple[Path, Flask],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --yes on a platform holding data, the refusal comes from the manifest alone:
    not one file of the archive is unpacked onto the storage folder first."""
    archive, target = archive_and_target
    unpacked: list[str] = []
    monkeypatch.setattr("lms.backup.archive._extract_one",
                        lambda tar, info, expected, path: unpacked.append(info.name))
    refused = target.test_cli_runner().invoke(args=["lms", "restore", str(archive)])
    assert refused.exit_code == 1 and "pass --yes" in refused.output
    assert unpacked == []


def test_restore_missing_file(runner: Any, tmp_path: Path) -> None:
    """Naming an archive that does not exist exits non-zero and says so."""
    result = runner.invoke(args=["lms", "restore", str(tmp_path / "nope.tar.gz")])
    assert result.exit_code == 1
    assert "no such backup archive" in result.output


def test_backup_default_name_and_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         app: Flask) -> None:
    """Without a path the archive gets a timestamped name in BACKUP_DIR; a backup that fails
    half-way leaves no file behind; an existing file is never overwritten, and an archive is
    never written into the storage folder it copies."""
    folder = tmp_path / "backups"
    app.config["BACKUP_DIR"] = str(folder)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "backup"])
    assert result.exit_code == 0, result.output
    [written] = list(folder.iterdir())
    assert written.name.startswith("lms-backup-") and written.name.endswith("Z.tar.gz")
    again = runner.invoke(args=["lms", "backup", str(written)])
    assert again.exit_code == 1 and "already exists" in again.output
    inside = runner.invoke(args=["lms", "backup", app.config["STORAGE_DIR"] + "/x.tar.gz"])
    assert inside.exit_code == 1 and "inside the storage folder" in inside.output
    under_a_file = runner.invoke(args=["lms", "backup", str(written / "b.tar.gz")])
    assert under_a_file.exit_code == 1 and "cannot write into" in under_a_file.output

    def broken(*_args: Any) -> Iterator[tuple[str, Path]]:
        yield "storage/a.txt", written
        raise OSError("disk went away")

    monkeypatch.setattr("lms.backup.archive.storage_files", broken)
    with pytest.raises(OSError, match="disk went away"):
        runner.invoke(args=["lms", "backup", str(folder / "half.tar.gz")],
                      catch_exceptions=False)
    assert [p.name for p in folder.iterdir()] == [written.name]


def test_pg_tools_must_match_the_server() -> None:
    """No client tools of the server's major version: a clear refusal naming the version."""
    with pytest.raises(BackupError, match="no pg_dump for PostgreSQL 99"):
        find_pg_tool("pg_dump", 99)


def test_password_travels_in_the_environment() -> None:
    """The connection settings, password included, go to libpq's variables, not argv."""
    env = libpq_environment(make_url(
        "postgresql+psycopg://lms:s3cret@db.internal:6543/platform?sslmode=require"))
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"],
            env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.internal", "6543", "lms", "s3cret", "platform", "require")
