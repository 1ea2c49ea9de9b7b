"""Keeping the browser and the package reconcilable when `flask lms load` runs.

A load replaces only what came from the package. A lesson whose current version was edited in
the browser is left as it is: a changed package file is stored beside it as a pending version
and the conflict is reported, so nothing is silently overwritten in either direction. Topics
created in the browser and media uploaded there are not the package's to retire.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from lms.courses.authoring.content import LessonContent
from lms.courses.authoring.models import (
    LessonVersion,
    MediaUpload,
    VersionSource,
    VersionStatus,
)
from lms.courses.authoring.versions import new_version
from lms.courses.models import Lesson, MediaFile, Topic
from lms.courses.specs import LessonSpec, TopicSpec
from lms.extensions import db
from lms.markdown import render


class PackageReconciler:
    """Used by the loader, lesson by lesson; ``notes`` tells the person loading what happened."""

    def __init__(self, package_id: int, now: datetime) -> None:
        self.now = now
        self.notes: list[str] = []
        rows = db.session.execute(
            select(Lesson, LessonVersion, Topic.slug)
            .join(Topic, Topic.id == Lesson.topic_id)
            .outerjoin(LessonVersion, LessonVersion.id == Lesson.version_id)
            .where(Topic.package_id == package_id)).all()
        self.current: dict[tuple[int, str], LessonVersion | None] = {
            (lesson.topic_id, lesson.language): version for lesson, version, _slug in rows}
        self.browser_held = {key for key, version in self.current.items()
                             if version is not None and version.source == VersionSource.BROWSER}
        # Package files that lessons edited in the browser show. Those lessons are not
        # checked against the new package, so a file it no longer holds must stay for them.
        self.shown_in_browser_lessons: dict[str, str] = {}
        for lesson, version, slug in rows:
            if version is not None and version.source == VersionSource.BROWSER:
                for link in render(version.body_markdown).links:
                    if link.startswith("media/"):
                        self.shown_in_browser_lessons.setdefault(
                            link, f"{slug} ({lesson.language})")
        self.uploaded_media = set(db.session.scalars(
            select(MediaUpload.media_id).join(MediaFile, MediaFile.id == MediaUpload.media_id)
            .where(MediaFile.package_id == package_id)))

    def held(self, topic_id: int, language: str) -> bool:
        """True when participants see a version of this lesson that was edited in the browser."""
        return (topic_id, language) in self.browser_held

    def keeps_topic(self, topic: Topic) -> bool:
        """Topics the package may not retire: drafts and lessons made in the browser."""
        return topic.is_draft or self.held(topic.id, "en")

    def keeps_media(self, media: MediaFile) -> bool:
        """Files the package may not retire: uploaded in the browser, or shown by a lesson
        edited in the browser (noted, so the instructor can change that lesson)."""
        if media.id in self.uploaded_media:
            return True
        lesson = self.shown_in_browser_lessons.get(media.name)
        if lesson is not None:
            if not media.is_retired:
                self.notes.append(f"{media.name}: no longer in the package, but kept: the "
                                  f"lesson {lesson}, edited in the browser, shows it")
            return True
        return False

    def media_conflict(self, media: MediaFile, stored_name: str) -> bool:
        """A package file that would replace a different file uploaded in the browser."""
        if media.id in self.uploaded_media and media.stored_name != stored_name:
            self.notes.append(f"{media.name}: a different file was uploaded in the browser under "
                              "this name; it stays, and the package's file was not used")
            return True
        return False

    def admit(self, row: Lesson | None, topic: TopicSpec, lesson: LessonSpec) -> bool:
        """Whether the loader may write the package's lesson over what participants see."""
        if row is None:
            return True
        current = self.current.get((row.topic_id, row.language))
        if current is None or current.source == VersionSource.PACKAGE:
            return True
        where = f"{topic.slug} ({lesson.language})"
        if _content(topic, lesson).key() == current.content():
            self.notes.append(f"{where}: the package now says what was edited in the browser; "
                              "the package is the lesson's source again")
            return True
        if lesson.source_hash == row.source_hash:
            waiting = db.session.scalar(select(LessonVersion.number).filter_by(
                topic_id=row.topic_id, language=row.language, status=VersionStatus.PENDING,
                source_hash=lesson.source_hash))
            if waiting is not None:
                self.notes.append(f"{where}: pending version {waiting} from the package still "
                                  "waits for an instructor's decision")
            else:
                self.notes.append(f"{where}: kept the version edited in the browser (the package "
                                  "file has not changed since it was last loaded)")
            return False
        pending = new_version(row.topic_id, row.language, _content(topic, lesson),
                              status=VersionStatus.PENDING, source=VersionSource.PACKAGE,
                              html=lesson.html, toc=lesson.toc, now=self.now,
                              source_file=lesson.file, source_hash=lesson.source_hash)
        row.source_file, row.source_hash = lesson.file, lesson.source_hash
        self.notes.append(f"CONFLICT {where}: edited in the browser since the last load; "
                          f"{lesson.file} is stored as pending version {pending.number} for an "
                          "instructor to compare and choose; participants still see the "
                          "browser's version")
        return False

    def loaded(self, row: Lesson, topic: TopicSpec, lesson: LessonSpec) -> None:
        """Record the package's lesson as a published version when it says something new."""
        content = _content(topic, lesson)
        current = self.current.get((row.topic_id, row.language))
        if (current is not None and current.source == VersionSource.PACKAGE
                and current.content() == content.key() and row.version_id == current.id):
            return
        version = new_version(row.topic_id, row.language, content,
                              status=VersionStatus.PUBLISHED, source=VersionSource.PACKAGE,
                              html=lesson.html, toc=lesson.toc, now=self.now,
                              source_file=lesson.file, source_hash=lesson.source_hash)
        version.published_at = self.now
        row.version_id = version.id
        self.current[(row.topic_id, row.language)] = version


def browser_topics_by_module(topics: Iterable[Topic], package_topics: dict[str, TopicSpec],
                             package_counts: dict[int, int]) -> dict[int, list[Topic]]:
    """Published topics made in the browser, by module, placed after the package's topics."""
    extras: dict[int, list[Topic]] = {}
    for topic in sorted(topics, key=lambda t: (t.position, t.id)):
        if topic.slug in package_topics or topic.is_retired:
            continue
        group = extras.setdefault(topic.module_id, [])
        position = package_counts.get(topic.module_id, 0) + len(group)
        if topic.position != position:
            topic.position = position
        group.append(topic)
    return {module_id: [t for t in group if not t.is_draft] for module_id, group in extras.items()}


def _content(topic: TopicSpec, lesson: LessonSpec) -> LessonContent:
    return LessonContent(topic.title.get(lesson.language) or topic.title["en"], lesson.minutes,
                         list(lesson.objectives), lesson.body)
