"""Course packages uploaded as a zip: safe unpacking, the validation report, then the load.

A zip is refused before anything is written when it has too many entries, would unpack to too
much data (a zip bomb), or names a path outside the package: ``..``, an absolute path, a drive,
a backslash, or a link. The sizes in the zip's directory are checked first and the bytes
actually written are counted too, since a crafted zip can lie about them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import update

from lms.auth.models import User
from lms.courses.authoring.models import PackageUpload, UploadStatus
from lms.courses.loader import LoadSummary, PackageInvalid, load_package, validate_package
from lms.courses.problems import Problem
from lms.extensions import db
from lms.transaction_files import remove_unless_committed

DEFAULT_MAX_ENTRIES = 2000
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
# Folders and files that archivers add and packages never need.
_SKIPPED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db"}


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_uncompressed: int = DEFAULT_MAX_UNCOMPRESSED


class AlreadyLoaded(Exception):
    """The upload was loaded already, or is not a valid package."""


class ZipRefused(ValueError):
    """The zip cannot be unpacked safely; ``problems`` names each offending entry."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in name or "\\" in name:
        return _("the path has a backslash or a NUL character")
    if name.startswith("/") or _DRIVE.match(name):
        return _("absolute paths are not allowed")
    if ".." in PurePosixPath(name).parts:
        return _("paths with '..' are not allowed")
    if any(len(part.encode()) > 255 for part in PurePosixPath(name).parts):
        return _("a file or folder name is longer than 255 bytes")
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("links are not allowed in a package")
    if info.flag_bits & 0x1:
        return _("encrypted entries are not allowed")
    return None


def _skipped(name: str) -> bool:
    return any(part in _SKIPPED_PARTS for part in PurePosixPath(name).parts)


def extract(archive: IO[bytes], target: Path, limits: ZipLimits) -> Path:
    """Unpack a package zip into ``target``; returns the folder that holds package.yaml.

    :raises ZipRefused: for anything unsafe, oversized or not a zip; nothing is kept then.
    """
    try:
        with zipfile.ZipFile(archive) as bundle:
            entries = [i for i in bundle.infolist() if not _skipped(i.filename)]
            _check_directory(entries, limits)
            written = 0
            for info in entries:
                destination = target.joinpath(*PurePosixPath(info.filename).parts)
                if not destination.resolve().is_relative_to(target.resolve()):
                    raise ZipRefused([Problem(info.filename, None,
                                                      _("the path leaves the package"))])
                if info.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(info) as source, destination.open("xb") as sink:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        if written > limits.max_uncompressed:
                            raise ZipRefused([Problem(info.filename, None, _too_big(limits))])
                        sink.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise ZipRefused([Problem("(zip)", None, _("the file is not a zip archive the platform "
                                                   "can read"))]) from None
    except FileExistsError as error:
        raise ZipRefused([Problem(str(error.filename or "(zip)"), None,
                                  _("the zip holds this file twice"))]) from None
    except OSError as error:
        raise ZipRefused([Problem("(zip)", None, _("the zip could not be unpacked: %(reason)s",
                                                   reason=error.strerror or str(error)))]
                         ) from None
    return _package_root(target)


def _too_big(limits: ZipLimits) -> str:
    return _("the zip unpacks to more than %(num)d MiB, the most a package may hold",
             num=limits.max_uncompressed // 2**20)


def _check_directory(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(entries) > limits.max_entries:
        raise ZipRefused([Problem("(zip)", None, _(
            "the zip has %(count)d entries; a package may have at most %(num)d",
            count=len(entries), num=limits.max_entries))])
    problems = [Problem(i.filename, None, problem) for i in entries
                if (problem := _entry_problem(i)) is not None]
    names = [i.filename.rstrip("/") for i in entries]
    problems += [Problem(name, None, _("the zip holds this file twice"))
                 for name in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise ZipRefused(problems)
    if sum(i.file_size for i in entries) > limits.max_uncompressed:
        raise ZipRefused([Problem("(zip)", None, _too_big(limits))])


def _package_root(folder: Path) -> Path:
    if (folder / "package.yaml").is_file():
        return folder
    children = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir() and (children[0] / "package.yaml").is_file():
        return children[0]
    raise ZipRefused([Problem("package.yaml", None, _("package.yaml is missing: put it at the "
                                                      "top of the zip, or in its only folder"))])


def uploads_folder(storage_dir: Path) -> Path:
    folder = storage_dir / "package-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def unpacked(path: Path, limits: ZipLimits) -> Iterator[Path]:
    """The package inside a stored zip, unpacked into a temporary folder for the block."""
    scratch = Path(tempfile.mkdtemp(prefix="lms-package-"))
    try:
        with path.open("rb") as archive:
            yield extract(archive, scratch, limits)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def receive(filename: str, data: bytes, by: User, now: datetime, storage_dir: Path,
            limits: ZipLimits) -> PackageUpload:
    """Keep the uploaded zip, validate the package in it, and record the report."""
    stored = f"{secrets.token_hex(16)}.zip"
    path = uploads_folder(storage_dir) / stored
    path.write_bytes(data)
    remove_unless_committed(path)
    upload = PackageUpload(uploaded_by_id=by.id, uploaded_at=now, stored_name=stored,
                           filename="".join(c for c in filename if c.isprintable())[:255],
                           size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                           status=UploadStatus.INVALID)
    try:
        with unpacked(path, limits) as root:
            spec, report = validate_package(root)
            problems = report.problems
            upload.package_slug = spec.slug if spec else ""
            if spec is not None and report.ok:
                upload.status = UploadStatus.VALID
                # The same words as `flask lms validate`: the report is the package tools'.
                quizzes = sum(1 for t in spec.topics.values() if t.quiz)
                upload.summary = [f"{spec.slug}: valid ({len(spec.modules)} modules, "
                                  f"{len(spec.topics)} topics, {quizzes} quizzes, "
                                  f"{len(spec.glossary)} glossary terms, "
                                  f"{len(spec.media)} media files)"]
    except ZipRefused as refused:
        problems = refused.problems
    upload.problems = [{"file": p.file, "line": p.line, "message": p.message} for p in problems]
    if upload.status == UploadStatus.INVALID:
        path.unlink(missing_ok=True)  # nothing will ever load it
    db.session.add(upload)
    db.session.flush()
    return upload


def load_upload(upload: PackageUpload, by: User, now: datetime, storage_dir: Path,
                limits: ZipLimits) -> LoadSummary:
    """Load a validated upload (validated again on the way, in one transaction).

    :raises AlreadyLoaded: when it was loaded already or never validated.
    :raises PackageInvalid: when the stored zip no longer validates; nothing is loaded.
    """
    path = uploads_folder(storage_dir) / upload.stored_name
    # Claiming the upload in the same UPDATE that checks it is unloaded makes a double
    # submission (or two admins at once) load it once: the second waits, then finds nothing.
    claimed = db.session.execute(
        update(PackageUpload).where(PackageUpload.id == upload.id,
                                    PackageUpload.status == UploadStatus.VALID)
        .values(status=UploadStatus.LOADED))
    if not claimed.rowcount or not path.is_file():  # type: ignore[attr-defined]
        raise AlreadyLoaded
    db.session.refresh(upload)
    try:
        with unpacked(path, limits) as root:
            summary = load_package(root, storage_dir)
    except ZipRefused as refused:
        raise PackageInvalid(refused.problems) from None
    upload.status = UploadStatus.LOADED
    upload.summary = summary.lines()
    upload.loaded_at, upload.loaded_by_id = now, by.id
    db.session.flush()
    return summary
