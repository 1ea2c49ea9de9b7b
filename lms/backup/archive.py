"""The backup archive: a gzipped tar of the database dump, the storage files and a manifest.

The manifest is written last, because the checksums are taken while each file is copied into
the archive: a file is read once, so what is hashed is exactly what was stored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO

FORMAT = "lms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STORAGE_PREFIX = "storage/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    alembic_revision: str | None
    engine: str
    server_version: str
    database_file: str
    files: dict[str, FileEntry] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """Read a manifest; a foreign, newer or malformed one is a `BackupError`."""
        try:
            raw = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise BackupError("not a backup of this platform: the manifest is not JSON") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError("not a backup of this platform: its manifest is of another kind")
        version = raw.get("format_version")
        if not isinstance(version, int):
            raise BackupError("the archive's manifest has no format version")
        if version > FORMAT_VERSION:
            raise BackupError(f"the archive was written by a newer version of the platform "
                              f"(backup format {version}; this version reads up to "
                              f"{FORMAT_VERSION}): restore it with that version or later")
        try:
            files = {name: FileEntry(str(entry["sha256"]), int(entry["size"]))
                     for name, entry in raw["files"].items()}
            return cls(created_at=str(raw["created_at"]), app_version=str(raw["app_version"]),
                       alembic_revision=raw["alembic_revision"], engine=str(raw["engine"]),
                       server_version=str(raw["server_version"]),
                       database_file=str(raw["database_file"]), files=files,
                       format_version=version)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError("the archive's manifest is incomplete or damaged") from None

    @property
    def storage_files(self) -> int:
        return sum(1 for name in self.files if name.startswith(STORAGE_PREFIX))

    @property
    def storage_bytes(self) -> int:
        return sum(e.size for name, e in self.files.items() if name.startswith(STORAGE_PREFIX))


def storage_files(storage_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under the storage folder as (archive name, path), in a fixed order.

    Names starting with a dot, at any depth, are work in progress (health probes, restores
    under way, files being written under a temporary name: ``lms/whole_files.py``), never
    content, so they stay out.
    """
    if not storage_dir.is_dir():
        return
    for root, dirs, files in os.walk(storage_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files = [f for f in files if not f.startswith(".")]
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield STORAGE_PREFIX + path.relative_to(storage_dir).as_posix(), path


class _HashingReader:
    """Reads a file for tarfile while hashing the bytes that actually go into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> FileEntry | None:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None  # removed between listing and reading: it was not content to keep
    with handle:
        size = os.fstat(handle.fileno()).st_size
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(os.fstat(handle.fileno()).st_mtime)
        reader = _HashingReader(handle)
        tar.addfile(info, reader)  # type: ignore[arg-type]
        return FileEntry(reader.digest.hexdigest(), size)


def write_archive(target: Path, database_dump: Path, storage_dir: Path,
                  manifest: Manifest) -> Manifest:
    """Write the archive at ``target`` (through a temporary file, so never half a backup).

    ``manifest`` gives every field but the checksums, which are filled in here.
    """
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, partial_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                            suffix=".partial")
    partial = Path(partial_name)
    try:
        os.fchmod(handle, 0o600)  # the archive holds personal data
        with os.fdopen(handle, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as tar:
                files: dict[str, FileEntry] = {}
                entry = _add_file(tar, manifest.database_file, database_dump)
                if entry is None:
                    raise BackupError("the database dump disappeared while it was archived")
                files[manifest.database_file] = entry
                for name, path in storage_files(storage_dir):
                    stored = _add_file(tar, name, path)
                    if stored is not None:
                        files[name] = stored
                complete = replace(manifest, files=files)
                data = complete.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mode = 0o600
                info.mtime = int(time.time())
                tar.addfile(info, io.BytesIO(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return complete


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (bool(name) and "\\" not in name and not path.is_absolute()
            and ".." not in path.parts and name == path.as_posix())


def _read_manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> Manifest:
    info = members.get(MANIFEST)
    if info is None or not info.isfile():
        raise BackupError("not a backup of this platform: the archive has no manifest")
    handle = tar.extractfile(info)
    assert handle is not None  # a regular file always has content to read
    return Manifest.from_json(handle.read())


def _check_members(manifest: Manifest, members: dict[str, tarfile.TarInfo]) -> None:
    for name, info in members.items():
        if name == MANIFEST:
            continue
        if not info.isfile() or not _safe_name(name):
            raise BackupError(f"the archive holds an entry this platform never writes: {name}")
        if name not in manifest.files:
            raise BackupError(f"the archive holds a file its manifest does not list: {name}")
    missing = sorted(set(manifest.files) - set(members))
    if missing:
        raise BackupError(f"the archive is incomplete: {missing[0]} is missing"
                          + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""))
    if manifest.database_file not in manifest.files:
        raise BackupError("the archive's manifest names no database dump")


def _extract_one(tar: tarfile.TarFile, info: tarfile.TarInfo, expected: FileEntry,
                 target: Path) -> None:
    handle = tar.extractfile(info)
    assert handle is not None  # checked to be a regular file
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    # Readable by the platform's own user only, as the backup stored it: the storage folder
    # holds the badge signing key and everyone's certificates.
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != expected.size or digest.hexdigest() != expected.sha256:
        raise BackupError(f"the archive is damaged: {info.name} does not match its checksum")


def extract_verified(archive: Path, workdir: Path,
                     before_unpacking: Callable[[Manifest], None] | None = None) -> Manifest:
    """Unpack ``archive`` into ``workdir``, checking every file against the manifest.

    ``before_unpacking`` sees the manifest first and may refuse (raise) before anything is
    written: an archive of another engine, or a platform that is not empty, should not cost
    unpacking gigabytes onto the storage folder first.

    :raises BackupError: the file is missing, not an archive of this platform, of a newer
        format, incomplete, or any file differs from its checksum.
    """
    if not archive.is_file():
        raise BackupError(f"{archive}: no such backup archive")
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115  (closed by the with below)
    except (tarfile.TarError, OSError):
        raise BackupError(f"{archive} is not a backup of this platform "
                          "(not a readable archive)") from None
    with tar:
        try:
            members: dict[str, tarfile.TarInfo] = {}
            for info in tar.getmembers():
                if info.name in members:
                    raise BackupError(f"the archive holds {info.name} twice")
                members[info.name] = info
            manifest = _read_manifest(tar, members)
            _check_members(manifest, members)
            if before_unpacking is not None:
                before_unpacking(manifest)
            for name, expected in manifest.files.items():
                _extract_one(tar, members[name], expected, workdir / name)
        except (tarfile.TarError, EOFError, zlib.error) as error:
            raise BackupError(f"the archive is damaged ({error})") from None
    return manifest

