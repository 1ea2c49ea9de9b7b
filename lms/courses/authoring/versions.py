"""Lesson versions: drafts, publishing, restoring, and the diff between two versions.

Participants read the ``Lesson`` row, which only ever changes by publishing a version; drafts
and pending package files live beside it. Nothing here deletes a published version.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.authoring.content import LessonContent, check_lesson
from lms.courses.authoring.models import LessonVersion, VersionSource, VersionStatus
from lms.courses.authoring.topics import publish_topic
from lms.courses.models import CoursePackage, Lesson, Topic
from lms.database import lock_row
from lms.extensions import db


class VersionError(ValueError):
    """The version cannot be saved or published as asked; ``problems`` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class StaleDraft(VersionError):
    """Someone else saved the draft after this form was opened."""


def lesson_row(topic_id: int, language: str) -> Lesson | None:
    return db.session.scalar(select(Lesson).filter_by(topic_id=topic_id, language=language))


def current_version(topic_id: int, language: str) -> LessonVersion | None:
    """The version participants see now, if the lesson exists and is live."""
    return db.session.scalar(
        select(LessonVersion).join(Lesson, Lesson.version_id == LessonVersion.id)
        .where(Lesson.topic_id == topic_id, Lesson.language == language,
               Lesson.is_retired.is_(False)))


def draft_of(topic_id: int, language: str) -> LessonVersion | None:
    return db.session.scalar(select(LessonVersion).filter_by(
        topic_id=topic_id, language=language, status=VersionStatus.DRAFT))


def history(topic_id: int, language: str) -> list[LessonVersion]:
    """Every version of one language of the lesson, newest first (one query)."""
    return list(db.session.scalars(
        select(LessonVersion).filter_by(topic_id=topic_id, language=language)
        .order_by(LessonVersion.number.desc())))


def next_number(topic_id: int, language: str) -> int:
    last = db.session.scalar(select(func.max(LessonVersion.number)).filter_by(
        topic_id=topic_id, language=language))
    return (last or 0) + 1


def new_version(topic_id: int, language: str, content: LessonContent, *, status: VersionStatus,
                source: VersionSource, html: str, toc: list[dict[str, Any]], now: datetime,
                author: User | None = None, source_file: str = "",
                source_hash: str = "") -> LessonVersion:
    version = LessonVersion(
        topic_id=topic_id, language=language, number=next_number(topic_id, language),
        status=status, source=source, title=content.title, minutes=content.minutes,
        objectives=list(content.objectives), body_markdown=content.body, body_html=html, toc=toc,
        source_file=source_file, source_hash=source_hash,
        author_id=author.id if author else None, created_at=now, updated_at=now)
    db.session.add(version)
    db.session.flush()
    return version


def _checked(topic: Topic, language: str,
             content: LessonContent) -> tuple[str, list[dict[str, Any]]]:
    package = db.session.get(CoursePackage, topic.package_id)
    assert package is not None
    checked = check_lesson(package, topic, language, content.body)
    if checked.problems:
        raise VersionError(checked.problems)
    return checked.rendered.html, checked.rendered.toc


def save_draft(topic: Topic, language: str, content: LessonContent, author: User,
               now: datetime, opened_on: tuple[int | None, int | None] | None) -> LessonVersion:
    """Create or update the lesson's one draft.

    ``opened_on`` is (version id, draft revision) that the editor showed, or None to skip the
    check (an uploaded file replaces the draft on purpose).

    :raises VersionError: when a link points at nothing (each link named with its line).
    :raises StaleDraft: when someone saved or published since the editor was opened, which is
        also what a second click on the same form meets.
    """
    html, toc = _checked(topic, language, content)
    # Two saves of one lesson at the same moment (two tabs, a double click) take turns: the
    # second then sees the first's draft and is told, instead of inserting a second draft.
    lock_row(Topic, topic.id)
    draft = draft_of(topic.id, language)
    if opened_on is not None:
        seen: tuple[int | None, int | None]
        if draft is not None:
            seen = (draft.id, draft.revision)
        else:
            current = current_version(topic.id, language)
            seen = (current.id if current else None, None)
        if seen != opened_on:
            raise StaleDraft([_("This lesson was saved or published after you opened it. "
                                "Your text is below; copy what you need, then open the "
                                "editor again.")])
    if draft is None:
        return new_version(topic.id, language, content, status=VersionStatus.DRAFT,
                           source=VersionSource.BROWSER, html=html, toc=toc, now=now,
                           author=author)
    draft.title, draft.minutes = content.title, content.minutes
    draft.objectives = list(content.objectives)
    draft.body_markdown, draft.body_html, draft.toc = content.body, html, toc
    draft.author_id, draft.updated_at = author.id, now
    draft.revision += 1
    db.session.flush()
    return draft


def publish(version: LessonVersion, by: User | None, now: datetime) -> Lesson:
    """Show this version to participants; the one they saw before stays in the history.

    Publishing a topic's English lesson also publishes a draft topic, so it joins its units.
    """
    topic = db.session.get(Topic, version.topic_id)
    assert topic is not None
    lock_row(Topic, topic.id)
    if version.source == VersionSource.BROWSER and version.status == VersionStatus.DRAFT:
        # Links are checked again: a file or topic may have gone since the draft was saved.
        content = LessonContent(version.title, version.minutes, version.objectives,
                                version.body_markdown)
        version.body_html, version.toc = _checked(topic, version.language, content)
    lesson = lesson_row(topic.id, version.language)
    if lesson is None:
        lesson = Lesson(topic_id=topic.id, language=version.language, source_file="",
                        source_hash="")
        db.session.add(lesson)
    lesson.objectives = list(version.objectives)
    lesson.minutes = version.minutes
    lesson.body_markdown = version.body_markdown
    lesson.body_html = version.body_html
    lesson.toc = version.toc
    lesson.is_retired = False
    if version.language == "ar":
        topic.title_ar = version.title
    else:
        topic.title_en = version.title
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by_id = by.id if by else None
    db.session.flush()
    lesson.version_id = version.id
    if version.language == "en" and topic.is_draft:
        publish_topic(topic, now)
    db.session.flush()
    return lesson


def restore(version: LessonVersion, by: User, now: datetime) -> LessonVersion:
    """Publish a copy of an earlier version as the newest one; the history stays linear.

    :raises VersionError: when the version is a draft, or its links no longer resolve.
    """
    if version.status == VersionStatus.DRAFT:
        raise VersionError([_("A draft is published, not restored.")])
    topic = db.session.get(Topic, version.topic_id)
    assert topic is not None
    lock_row(Topic, topic.id)
    content = LessonContent(version.title, version.minutes, version.objectives,
                            version.body_markdown)
    html, toc = _checked(topic, version.language, content)
    copy = new_version(topic.id, version.language, content, status=VersionStatus.PUBLISHED,
                       source=VersionSource.BROWSER, html=html, toc=toc, now=now, author=by)
    copy.restored_from_number = version.number
    publish(copy, by, now)
    return copy


def dismiss(version: LessonVersion, by: User, now: datetime) -> None:
    """Keep the browser's version and set a pending package file aside (it stays listed)."""
    if version.status != VersionStatus.PENDING:
        raise VersionError([_("Only a pending package version can be set aside.")])
    version.status = VersionStatus.DISMISSED
    version.published_by_id = by.id
    version.updated_at = now
    db.session.flush()


def discard_draft(version: LessonVersion) -> None:
    """Throw a draft away; drafts were never seen by participants, so nothing is lost."""
    if version.status != VersionStatus.DRAFT:
        raise VersionError([_("Only a draft can be discarded.")])
    db.session.delete(version)
    db.session.flush()


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed" or "gap"
    old_number: int | None
    new_number: int | None
    text: str


def as_text(version: LessonVersion) -> list[str]:
    """A version as lines of text, front matter first, for comparing two versions."""
    lines = [f"title: {version.title}", f"minutes: {version.minutes}", "objectives:"]
    lines += [f"  - {objective}" for objective in version.objectives]
    lines.append("---")
    return lines + version.body_markdown.strip("\n").split("\n")


def diff(old: LessonVersion, new: LessonVersion, context: int = 3) -> list[DiffLine]:
    """The changed lines between two versions with a little context, like a unified diff."""
    a, b = as_text(old), as_text(new)
    result: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if result:
            result.append(DiffLine("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result += [DiffLine("same", i + 1, j + 1, a[i])
                           for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            result += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            result += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return result
