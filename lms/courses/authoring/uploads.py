"""Images and readings uploaded in the browser for lessons.

The type is decided by the file's first bytes, never by its name; SVG (which can carry
script) is refused. Files are stored under their content hash in the storage folder, outside
the code tree, and the name lessons use is built from letters we choose, so no name an uploader
sends can reach the file system.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.courses.authoring.models import MediaUpload
from lms.courses.media_files import media_type
from lms.courses.models import MediaFile, Module
from lms.database import lock_row, savepoint
from lms.extensions import db
from lms.whole_files import write_whole

ACCEPTED = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp",
            "application/pdf": ".pdf"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_QUOTA_BYTES = 200 * 1024 * 1024
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class UploadRefused(ValueError):
    """The file cannot be used; the message says why, in words an instructor understands."""


@dataclass
class MediaItem:
    media: MediaFile
    upload: MediaUpload | None

    @property
    def link(self) -> str:
        return self.media.name

    @property
    def is_image(self) -> bool:
        return self.media.content_type.startswith("image/")


def media_name(original: str, content_type: str) -> str:
    """A safe `media/` name from whatever the uploader called the file."""
    base = original.replace("\\", "/").rsplit("/", 1)[-1].split("\x00", 1)[0]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    slug = _NOT_SLUG.sub("-", folded).strip("-")[:60].strip("-") or "file"
    return f"media/{slug}{ACCEPTED[content_type]}"


def check_file(data: bytes, max_bytes: int) -> str:
    """The accepted content type of the file.

    :raises UploadRefused: for an empty, oversized, SVG or otherwise unaccepted file.
    """
    if not data:
        raise UploadRefused(_("The file is empty."))
    if len(data) > max_bytes:
        if max_bytes >= 2**20:
            raise UploadRefused(_("The file is larger than %(num)d MiB.",
                                  num=max_bytes // 2**20))
        raise UploadRefused(_("The file is larger than %(num)d KiB.", num=max_bytes // 1024))
    content_type = media_type(data)
    if content_type in ACCEPTED:
        return content_type
    head = data[:1024].lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml"):
        raise UploadRefused(_("SVG images are not accepted, because they can carry script. "
                              "Save the image as PNG or WebP and upload that."))
    raise UploadRefused(_("The file is not a PNG, JPEG or WebP image or a PDF document (the "
                          "platform checks what the file contains, not its name)."))


def used_bytes(user_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(MediaUpload.size_bytes), 0)).where(
        MediaUpload.uploaded_by_id == user_id)) or 0


def store_upload(module: Module, original: str, data: bytes, user: User, now: datetime,
                 storage_dir: Path, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 quota_bytes: int = DEFAULT_QUOTA_BYTES) -> MediaFile:
    """Check the file, store it under its hash and register it as `media/NAME` in the package.

    An existing name is never overwritten: the new file gets the next free name, also when
    another upload takes the name at the same moment.

    :raises UploadRefused: see ``check_file``, and when the uploader's quota would be exceeded,
        also by files they send at the same moment.
    """
    content_type = check_file(data, max_bytes)
    # One uploader's files sent at the same moment take turns from here: each counts what the
    # others stored, and one that no longer fits is refused before it reaches storage.
    lock_row(User, user.id)
    if used_bytes(user.id) + len(data) > quota_bytes:
        raise UploadRefused(_("Your uploads would exceed %(num)d MiB. Ask an administrator to "
                              "remove files that are no longer used.", num=quota_bytes // 2**20))
    digest = hashlib.sha256(data).hexdigest()
    stored = digest + ACCEPTED[content_type]
    folder = storage_dir / "media"
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / stored).exists():
        write_whole(folder / stored, data)
    wanted = media_name(original, content_type)
    while True:
        media = MediaFile(package_id=module.package_id,
                          name=_free_name(module.package_id, wanted), stored_name=stored,
                          content_type=content_type, is_retired=False)
        try:
            with savepoint():
                db.session.add(media)
            break
        except IntegrityError:
            # Another upload took the name at the same moment: this file gets the next one.
            if db.session.scalar(select(MediaFile.id).where(
                    MediaFile.package_id == module.package_id,
                    MediaFile.name == media.name)) is None:
                raise
    db.session.add(MediaUpload(media_id=media.id, module_id=module.id, uploaded_by_id=user.id,
                               uploaded_at=now, original_name=_printable(original)[:255],
                               size_bytes=len(data)))
    db.session.flush()
    return media


def _free_name(package_id: int, wanted: str) -> str:
    taken = set(db.session.scalars(select(MediaFile.name).where(
        MediaFile.package_id == package_id)))
    if wanted not in taken:
        return wanted
    stem, dot, extension = wanted.rpartition(".")
    number = 2
    while f"{stem}-{number}{dot}{extension}" in taken:
        number += 1
    return f"{stem}-{number}{dot}{extension}"


def _printable(value: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in value)


def package_media(package_id: int) -> list[MediaItem]:
    """Every live file lessons of the package may link to, with who uploaded it (one query)."""
    rows = db.session.execute(
        select(MediaFile, MediaUpload).outerjoin(MediaUpload, MediaUpload.media_id == MediaFile.id)
        .where(MediaFile.package_id == package_id, MediaFile.is_retired.is_(False))
        .order_by(MediaFile.name))
    return [MediaItem(media, upload) for media, upload in rows]
