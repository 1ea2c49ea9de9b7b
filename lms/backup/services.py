"""Making a backup of the whole platform and restoring one."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import Engine

from lms.backup.archive import (
    STORAGE_PREFIX,
    BackupError,
    Manifest,
    extract_verified,
    storage_files,
    write_archive,
)
from lms.backup.databases import (
    DatabaseInfo,
    count_rows,
    database_info,
    dump_database,
    restore_database,
)

DISTRIBUTION = "migration-governance-lms"


def app_version() -> str:
    """The platform's version: from the installed distribution, else from the source tree."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text())["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def default_archive_name(now: datetime) -> str:
    return f"lms-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


def create_backup(engine: Engine, storage_dir: Path, target: Path, now: datetime) -> Manifest:
    """Write one archive with the database dump, the storage files and their manifest.

    The database is dumped before the storage folder is read: files are only ever added for
    rows that exist, so every file a dumped row names is already there to be copied.

    :raises BackupError: the target exists, or the dump failed (nothing is left behind).
    """
    if target.exists():
        raise BackupError(f"{target} already exists; choose another name")
    if target.parent.resolve().is_relative_to(storage_dir.resolve()):
        # Each backup would then carry every earlier one inside it.
        raise BackupError("the archive cannot go inside the storage folder it backs up; "
                          "choose a path outside it")
    info = database_info(engine)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        workdir = Path(tempfile.mkdtemp(dir=target.parent, prefix=".backup-"))
    except OSError as error:
        raise BackupError(f"cannot write into {target.parent}: "
                          f"{error.strerror or error}") from None
    try:
        dump = dump_database(engine, info, workdir)
        manifest = Manifest(created_at=now.isoformat(), app_version=app_version(),
                            alembic_revision=info.alembic_revision, engine=info.engine,
                            server_version=info.server_version, database_file=info.dump_name)
        return write_archive(target, dump, storage_dir, manifest)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass(frozen=True)
class RestoreSummary:
    manifest: Manifest
    rows: dict[str, int]

    def lines(self) -> list[str]:
        m = self.manifest
        return [
            f"backup made {m.created_at} by version {m.app_version}",
            f"database: {m.engine} {m.server_version}, revision {m.alembic_revision or 'none'}, "
            f"{sum(self.rows.values())} rows in {len(self.rows)} tables",
            f"storage: {m.storage_files} files, {m.storage_bytes} bytes",
        ]


def _content_count(storage_dir: Path) -> int:
    return sum(1 for _ in storage_files(storage_dir))


def _check_target(engine: Engine, info: DatabaseInfo, manifest: Manifest, storage_dir: Path,
                  table_names: Iterable[str], replace: bool,
                  known_revisions: Collection[str] | None) -> None:
    if manifest.engine != info.engine:
        raise BackupError(f"the archive holds a {manifest.engine} database and this platform "
                          f"runs on {info.engine}; restoring across engines is not supported")
    revision = manifest.alembic_revision
    if known_revisions is not None and revision and revision not in known_revisions:
        raise BackupError(f"the archive's database is at schema revision {revision}, which "
                          "this version of the platform does not know: it was made by a newer "
                          "version; restore it with that version")
    if replace:
        return
    rows = sum(count_rows(engine, table_names).values())
    files = _content_count(storage_dir)
    if rows or files:
        raise BackupError(f"the platform is not empty ({rows} rows in the database, {files} "
                          "files in storage); pass --yes to replace them with the backup")


def _swap_storage(new: Path, storage_dir: Path) -> None:
    """Put the restored files in place of the current ones.

    Everything moves by renames inside the storage folder itself, which works even when that
    folder is a mount point of its own.
    """
    replaced = storage_dir / f".replaced-{secrets.token_hex(4)}"
    replaced.mkdir()
    for entry in list(storage_dir.iterdir()):
        if not entry.name.startswith("."):
            os.replace(entry, replaced / entry.name)
    if new.is_dir():
        for entry in list(new.iterdir()):
            os.replace(entry, storage_dir / entry.name)
    shutil.rmtree(replaced, ignore_errors=True)


def restore_backup(engine: Engine, archive: Path, storage_dir: Path,
                   table_names: Iterable[str], replace: bool = False,
                   known_revisions: Collection[str] | None = None) -> RestoreSummary:
    """Check the archive whole, then restore the database and then the storage folder.

    Nothing is changed when the archive is damaged, foreign, of a newer format or of another
    engine, when its schema revision is not among ``known_revisions`` (a backup of a newer
    version, which this one could neither run nor upgrade), or when the platform holds data
    and ``replace`` is not set.

    :raises BackupError: with the reason.
    """
    table_names = list(table_names)
    storage_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(dir=storage_dir, prefix=".restore-"))
    try:
        info = database_info(engine)
        manifest = extract_verified(archive, workdir, lambda found: _check_target(
            engine, info, found, storage_dir, table_names, replace, known_revisions))
        restore_database(engine, info, workdir / manifest.database_file)
        _swap_storage(workdir / STORAGE_PREFIX.rstrip("/"), storage_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return RestoreSummary(manifest, count_rows(engine, table_names))
