"""Course packages as stored data: programmes, units, modules, topics, lessons, glossary, media.

Slugs are the stable keys; content removed from a package is retired (``is_retired``), never
deleted, so progress that refers to it survives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db_types import UTCDateTime, utcnow
from lms.extensions import db


def title_in(language: str, title_en: str, title_ar: str | None) -> str:
    """The Arabic title on Arabic pages when there is one, the English title otherwise."""
    return title_ar if language == "ar" and title_ar else title_en


class BilingualTitle:
    """Mixin for rows with an English and an Arabic title."""

    title_en: Mapped[str] = mapped_column(String(300))
    title_ar: Mapped[str] = mapped_column(String(300))

    def title(self, language: str) -> str:
        return title_in(language, self.title_en, self.title_ar)


class CoursePackage(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "course_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    version: Mapped[str] = mapped_column(String(50), default="")
    title_en: Mapped[str] = mapped_column(String(300))
    title_ar: Mapped[str] = mapped_column(String(300))
    summary: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    issuers: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    certificate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    def title(self, language: str) -> str:
        return self.title_ar if language == "ar" else self.title_en


class Programme(BilingualTitle, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("package_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("course_packages.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    summary: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    package: Mapped[CoursePackage] = relationship()
    units: Mapped[list[Unit]] = relationship(
        back_populates="programme", order_by="Unit.position"
    )


class Module(BilingualTitle, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("package_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("course_packages.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    summary: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    topics: Mapped[list[Topic]] = relationship(
        back_populates="module", order_by="Topic.position"
    )


class Topic(BilingualTitle, db.Model):  # type: ignore[name-defined,misc]
    """A lesson plus its quiz; progress refers to the topic, whatever the language read."""

    __tablename__ = "topics"
    # Lesson addresses, completion and quizzes find a topic by its slug alone, so one slug names
    # at most one live topic on the whole platform. The loader and authoring check this first
    # and say so; the index settles two packages loaded at the same moment.
    __table_args__ = (UniqueConstraint("package_id", "slug"),
                      Index("ux_topics_live_slug", "slug", unique=True,
                            sqlite_where=text("is_retired = 0"),
                            postgresql_where=text("NOT is_retired")))

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("course_packages.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # A topic created in the browser stays a draft, out of every unit, until it is published.
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    module: Mapped[Module] = relationship(back_populates="topics")


class Lesson(db.Model):  # type: ignore[name-defined,misc]
    """One language version of a topic's lesson, with its HTML rendered at load."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("topic_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    objectives: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[int] = mapped_column(Integer)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # The published version this row shows (lms.courses.authoring.models.LessonVersion).
    version_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_versions.id"))

    topic: Mapped[Topic] = relationship()


class Unit(db.Model):  # type: ignore[name-defined,misc]
    """A part of a programme: a whole module (local) or one day reusing topics (regional)."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("programme_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    slug: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str | None] = mapped_column(String(300))
    title_ar: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    days: Mapped[int] = mapped_column(Integer, default=0)
    hours_per_day: Mapped[int] = mapped_column(Integer, default=0)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    programme: Mapped[Programme] = relationship(back_populates="units")
    module: Mapped[Module | None] = relationship()

    def title(self, language: str) -> str:
        own = self.title_ar if language == "ar" else self.title_en
        if own:
            return own
        return self.module.title(language) if self.module else self.slug


class UnitTopic(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "unit_topics"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    topic: Mapped[Topic] = relationship()


class GlossaryTerm(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("package_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("course_packages.id"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    term_en: Mapped[str] = mapped_column(String(300))
    term_ar: Mapped[str] = mapped_column(String(300))
    definition_en: Mapped[str] = mapped_column(Text)
    definition_ar: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)

    def term(self, language: str) -> str:
        return self.term_ar if language == "ar" else self.term_en

    def definition(self, language: str) -> str:
        return self.definition_ar if language == "ar" else self.definition_en


class MediaFile(db.Model):  # type: ignore[name-defined,misc]
    """A package file copied into storage under its content hash."""

    __tablename__ = "media_files"
    __table_args__ = (UniqueConstraint("package_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("course_packages.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    stored_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False)
