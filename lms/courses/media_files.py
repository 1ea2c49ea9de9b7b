"""A course package's media files: accepted by their content, not their name, and each at
most 20 MiB. The authoring pages' uploads are typed by the same ``media_type``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask_babel import gettext as _

from lms.courses.models import MediaFile
from lms.courses.problems import Report
from lms.courses.specs import MediaSpec
from lms.db_types import column_length

MEDIA_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
MAX_MEDIA_BYTES = 20 * 1024 * 1024


def read_media(root: Path, report: Report) -> dict[str, MediaSpec]:
    media: dict[str, MediaSpec] = {}
    folder = root / "media"
    if not folder.is_dir():
        return media
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            report.add(path, None, _("links are not allowed in a package"))
            continue
        if path.is_dir() or path.name.startswith("."):
            continue
        if len(name) > column_length(MediaFile.name):
            report.add(path, None, _("the file's path in the package is longer than %(num)d "
                                     "characters", num=column_length(MediaFile.name)))
            continue
        data = path.read_bytes()
        if len(data) > MAX_MEDIA_BYTES:
            report.add(path, None, _("the file is larger than %(num)d MiB",
                                     num=MAX_MEDIA_BYTES // 2**20))
            continue
        content_type = media_type(data)
        if content_type is None:
            report.add(path, None, _("not a PNG, JPEG, GIF, WebP or PDF file (checked by "
                                     "content; SVG is not accepted)"))
            continue
        media[name] = MediaSpec(name, path, content_type, hashlib.sha256(data).hexdigest())
    return media


def media_type(data: bytes) -> str | None:
    """The type of a media file decided by its first bytes, or None if not accepted."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in MEDIA_TYPES:
        if data.startswith(magic):
            return content_type
    return None
