"""`flask lms backup` and `flask lms restore`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.backup.archive import BackupError
from lms.backup.services import create_backup, default_archive_name, restore_backup
from lms.db_types import utcnow
from lms.extensions import db


def _backup_dir() -> Path:
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured or os.path.join(current_app.instance_path, "backups"))


def _migrations() -> tuple[str | None, set[str] | None]:
    """This version's schema head and every revision it knows; Nones if they cannot be read."""
    try:
        from alembic.script import ScriptDirectory

        migrate = current_app.extensions["migrate"]
        scripts = ScriptDirectory.from_config(migrate.migrate.get_config())
        return scripts.get_current_head(), {s.revision for s in scripts.walk_revisions()}
    except Exception:  # noqa: BLE001  (only a check; a restore never fails for want of it)
        return None, None


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Write the database and the storage folder into one archive at PATH.

    Without PATH (or with a folder) the archive gets a timestamped name in BACKUP_DIR
    (instance/backups by default). It holds personal data: keep it encrypted.
    """
    now = utcnow()
    if path is None:
        path = _backup_dir() / default_archive_name(now)
    elif path.is_dir():
        path = path / default_archive_name(now)
    db.session.remove()  # no transaction of ours may hold anything while the dump runs
    try:
        manifest = create_backup(db.engine, Path(current_app.config["STORAGE_DIR"]), path, now)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path}")
    click.echo(f"  database: {manifest.engine} {manifest.server_version}, "
               f"revision {manifest.alembic_revision or 'none'}")
    click.echo(f"  storage: {manifest.storage_files} files, {manifest.storage_bytes} bytes")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database and storage that hold data.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Rebuild the platform's database and storage folder from a backup ARCHIVE.

    Stop the application first. The archive is checked whole before anything changes.
    """
    db.session.remove()  # pg_restore must not wait for a lock our own session holds
    head, known = _migrations()
    try:
        summary = restore_backup(db.engine, archive, Path(current_app.config["STORAGE_DIR"]),
                                 db.metadata.tables, replace=yes, known_revisions=known)
    except BackupError as error:
        raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(f"Restored {archive}")
    for line in summary.lines():
        click.echo(f"  {line}")
    revision = summary.manifest.alembic_revision
    if head and revision and revision != head:
        click.echo(f"The backup's schema is at revision {revision}; this version's is {head}: "
                   "run `flask db upgrade` before starting the platform.")


COMMANDS = (backup_command, restore_command)
