"""Lesson versions, media uploaded in the browser, and package zips uploaded by admins.

Every state a lesson has been published in stays as a ``LessonVersion``, with where it came
from: a package file (with the file's hash) or a person in the browser. ``Lesson.version_id``
points at the version participants see; drafts and pending package files never reach them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db


def _enum(kind: type[enum.Enum]) -> Enum:
    return Enum(kind, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])


class VersionSource(enum.StrEnum):
    PACKAGE = "package"
    BROWSER = "browser"


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"  # a working copy in the browser; at most one per lesson
    PUBLISHED = "published"  # was shown to participants (the current one still is)
    PENDING = "pending"  # a package file that met a browser edit, waiting for a decision
    DISMISSED = "dismissed"  # a pending package file the instructor chose not to use


class LessonVersion(db.Model):  # type: ignore[name-defined,misc]
    """One state of one language of a topic's lesson."""

    __tablename__ = "lesson_versions"
    __table_args__ = (
        UniqueConstraint("topic_id", "language", "number"),
        # Two people saving a first draft at once cannot make two drafts.
        Index("uq_lesson_versions_one_draft", "topic_id", "language", unique=True,
              sqlite_where=text("status = 'draft'"), postgresql_where=text("status = 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[VersionStatus] = mapped_column(_enum(VersionStatus))
    source: Mapped[VersionSource] = mapped_column(_enum(VersionSource))
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int] = mapped_column(Integer)
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    restored_from_number: Mapped[int | None] = mapped_column(Integer)
    # Saving a draft names the revision it was opened at, so a stale form cannot overwrite.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    def content(self) -> tuple[str, int, tuple[str, ...], str]:
        """What a reader sees, for deciding whether two versions say the same thing."""
        return (self.title, self.minutes, tuple(self.objectives), self.body_markdown.strip())


class MediaUpload(db.Model):  # type: ignore[name-defined,misc]
    """A media file that came from the browser rather than a package; loads never retire it."""

    __tablename__ = "media_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media_files.id"), unique=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)


class UploadStatus(enum.StrEnum):
    INVALID = "invalid"
    VALID = "valid"
    LOADED = "loaded"


class PackageUpload(db.Model):  # type: ignore[name-defined,misc]
    """A package zip an admin uploaded, its validation report and, once loaded, the summary.

    The zip itself is kept in storage so that the load, a later request that any worker or
    host may serve, reads the very file that was checked.
    """

    __tablename__ = "package_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    stored_name: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[UploadStatus] = mapped_column(_enum(UploadStatus))
    package_slug: Mapped[str] = mapped_column(String(100), default="")
    # [{"file": ..., "line": ..., "message": ...}] in the validator's order.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[list[str]] = mapped_column(JSON, default=list)
    loaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
