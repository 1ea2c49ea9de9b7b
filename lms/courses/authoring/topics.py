"""Topics in the browser: creating drafts, publishing them into units, reordering a module.

A unit built on a module teaches the module's published topics in the module's order, so every
change here rewrites those units' topic lists. Unit topic rows hold no progress (progress
belongs to the topic), so rewriting them never loses anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.authoring.models import LessonVersion, VersionSource, VersionStatus
from lms.courses.fields import SLUG_RE
from lms.courses.models import CoursePackage, Lesson, Module, Topic, Unit, UnitTopic
from lms.database import lock_row, savepoint
from lms.extensions import db


class TopicError(ValueError):
    """The topic cannot be created or changed as asked; the message says why."""


def editable_modules(user: User) -> list[Module]:
    """The live modules the user may edit: every one for admins, their own for instructors."""
    query = select(Module).where(Module.is_retired.is_(False))
    if user.role != Role.ADMIN:
        query = query.join(ModuleInstructor, ModuleInstructor.module_id == Module.id).where(
            ModuleInstructor.user_id == user.id)
    return list(db.session.scalars(query.order_by(Module.package_id, Module.position)))


def create_topic(module: Module, slug: str, title_en: str, title_ar: str,
                 now: datetime) -> tuple[Topic, bool]:
    """Add a draft topic at the end of the module; participants see nothing of it yet.

    Returns the topic and whether it is new: the same topic sent from two tabs at the same
    moment is created once, and the second request is given the first's draft and False.

    :raises TopicError: for an invalid slug, one the package already uses, or one a live
        topic of another package uses (lesson addresses name a topic by its slug alone).
    """
    slug = slug.strip()
    if not SLUG_RE.match(slug):
        raise TopicError(_("Use lower-case letters, digits and hyphens for the short name."))
    taken = db.session.scalar(select(Topic.id).where(Topic.package_id == module.package_id,
                                                     Topic.slug == slug))
    if taken is not None:
        raise TopicError(_("Another topic already uses the short name %(slug)s.", slug=slug))
    _refuse_if_live_elsewhere(slug)
    # Topics created in the module at the same moment take turns from here, so each finds the
    # others' places taken and goes after them. (Taken after the checks above: the same topic
    # sent twice still meets the unique short name below and becomes one.)
    lock_row(Module, module.id)
    last = db.session.scalar(select(func.max(Topic.position)).where(
        Topic.module_id == module.id)) or 0
    topic = Topic(package_id=module.package_id, module_id=module.id, slug=slug,
                  title_en=title_en.strip(), title_ar=title_ar.strip(), position=last + 1,
                  published_at=now, is_draft=True, is_retired=False)
    try:
        with savepoint():
            db.session.add(topic)
    except IntegrityError:
        # The short name was taken after the look above, by a request at the same moment.
        same = db.session.scalar(select(Topic).where(Topic.package_id == module.package_id,
                                                     Topic.slug == slug))
        if same is None:
            # Another package's topic took it (a package loaded at that moment).
            _refuse_if_live_elsewhere(slug)
            raise
        if (same.module_id, same.is_draft, same.title_en, same.title_ar) != (
                module.id, True, title_en.strip(), title_ar.strip()):
            raise TopicError(_("Another topic already uses the short name %(slug)s.",
                               slug=slug)) from None
        return same, False
    return topic, True


def _refuse_if_live_elsewhere(slug: str) -> None:
    """:raises TopicError: when a live topic of any package has the slug."""
    other = db.session.scalar(
        select(CoursePackage.slug).join(Topic, Topic.package_id == CoursePackage.id)
        .where(Topic.slug == slug, Topic.is_retired.is_(False)).limit(1))
    if other is not None:
        raise TopicError(_("A topic of the course package %(package)s already uses the short "
                           "name %(slug)s. Choose another: a lesson's address names its topic "
                           "by the short name alone.", package=other, slug=slug))


def publish_topic(topic: Topic, now: datetime) -> None:
    """Make a draft topic visible: it joins the units built on its module, at its place."""
    if not topic.is_draft:
        return
    topic.is_draft = False
    topic.published_at = now
    db.session.flush()
    sync_module_units(topic.module_id)


def reorder(module: Module, order: list[int]) -> None:
    """Put the module's live topics in the given order (topic ids, first to last).

    :raises TopicError: when the list is not exactly the module's live topics.
    """
    topics = {t.id: t for t in db.session.scalars(
        select(Topic).where(Topic.module_id == module.id, Topic.is_retired.is_(False)))}
    if sorted(order) != sorted(topics):
        raise TopicError(_("The list of topics changed while you were ordering them. Please "
                           "try again."))
    for position, topic_id in enumerate(order):
        topics[topic_id].position = position
    db.session.flush()
    sync_module_units(module.id)


def sync_module_units(module_id: int) -> None:
    """Rewrite the topic list of every live unit built on the module."""
    topic_ids = list(db.session.scalars(
        select(Topic.id).where(Topic.module_id == module_id, Topic.is_retired.is_(False),
                               Topic.is_draft.is_(False)).order_by(Topic.position, Topic.id)))
    units = db.session.scalars(select(Unit.id).where(Unit.module_id == module_id,
                                                     Unit.is_retired.is_(False))).all()
    if not units:
        return
    rows = db.session.scalars(select(UnitTopic).where(UnitTopic.unit_id.in_(units))).all()
    existing = {(row.unit_id, row.topic_id): row for row in rows}
    for unit_id in units:
        for position, topic_id in enumerate(topic_ids):
            row = existing.pop((unit_id, topic_id), None)
            if row is None:
                db.session.add(UnitTopic(unit_id=unit_id, topic_id=topic_id, position=position))
            elif row.position != position:
                row.position = position
    for row in existing.values():
        db.session.delete(row)
    db.session.flush()


@dataclass
class LanguageState:
    current_number: int | None = None
    current_source: VersionSource | None = None
    has_draft: bool = False
    pending: int = 0


@dataclass
class TopicRow:
    topic: Topic
    languages: dict[str, LanguageState] = field(default_factory=dict)

    def state(self, language: str) -> LanguageState:
        return self.languages.get(language, LanguageState())

    @property
    def needs_attention(self) -> bool:
        return any(s.pending for s in self.languages.values())


def module_topics(module: Module) -> list[TopicRow]:
    """The module's live topics in order, each with its lessons' state (three queries)."""
    topics = db.session.scalars(
        select(Topic).where(Topic.module_id == module.id, Topic.is_retired.is_(False))
        .order_by(Topic.position, Topic.id)).all()
    rows = {t.id: TopicRow(t) for t in topics}
    if not rows:
        return []
    current = db.session.execute(
        select(Lesson.topic_id, Lesson.language, LessonVersion.number, LessonVersion.source)
        .outerjoin(LessonVersion, LessonVersion.id == Lesson.version_id)
        .where(Lesson.topic_id.in_(rows), Lesson.is_retired.is_(False)))
    for topic_id, language, number, source in current:
        state = rows[topic_id].languages.setdefault(language, LanguageState())
        state.current_number, state.current_source = number, source
    waiting = db.session.execute(
        select(LessonVersion.topic_id, LessonVersion.language, LessonVersion.status)
        .where(LessonVersion.topic_id.in_(rows),
               LessonVersion.status.in_([VersionStatus.DRAFT, VersionStatus.PENDING])))
    for topic_id, language, status in waiting:
        state = rows[topic_id].languages.setdefault(language, LanguageState())
        if status == VersionStatus.DRAFT:
            state.has_draft = True
        else:
            state.pending += 1
    return list(rows.values())
