"""Reading course content for the pages participants and staff see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.sql import Executable

from lms.auth.models import User
from lms.courses.models import (
    GlossaryTerm,
    Lesson,
    MediaFile,
    Module,
    Topic,
    Unit,
    UnitTopic,
    title_in,
)
from lms.courses.permissions import can_edit_module, is_staff, participant_unit_ids_query
from lms.database import plain_connection
from lms.extensions import db
from lms.progress.models import LessonCompletion
from lms.quizzes.results import TopicQuizStatus, topic_quiz_status, topic_quiz_status_subquery


class NotFound(LookupError):
    """The content does not exist or this user may not see it (the same answer for both)."""


@dataclass
class NavLink:
    slug: str
    title_en: str
    title_ar: str

    def title(self, language: str) -> str:
        return title_in(language, self.title_en, self.title_ar)


@dataclass(frozen=True)
class LessonTopic:
    """The topic a lesson page shows, read as plain values."""

    id: int
    slug: str
    module_id: int
    title_en: str
    title_ar: str

    def title(self, language: str) -> str:
        return title_in(language, self.title_en, self.title_ar)


@dataclass(frozen=True)
class LessonText:
    """One language's version of a lesson, as the page shows it (already rendered HTML)."""

    language: str
    minutes: int
    objectives: list[str]
    toc: list[dict[str, Any]]
    body_html: str


@dataclass
class LessonPage:
    topic: LessonTopic
    lesson: LessonText
    languages: list[str]
    context_title: str | None
    previous: NavLink | None
    next: NavLink | None
    is_complete: bool
    can_complete: bool
    quiz: TopicQuizStatus | None = None
    quiz_editable: bool = False


def lesson_page(user: User, slug: str, language: str,
                interface_language: str | None = None) -> LessonPage:
    """Everything the lesson page shows, in at most three queries (the quiz's status included).

    The lesson is in ``language`` where it has that version; the page around it (the unit's
    or module's name in the breadcrumb) is in ``interface_language``, as the rest of the
    page is.

    Rows are read as plain values, not ORM objects: this is the page participants open most,
    and building objects for it cost more than running its queries.

    :raises NotFound: for an unknown or retired topic, or one outside the participant's
        programmes (the two cases look the same, so nothing can be probed).
    """
    rows = plain_connection().execute(_lesson_statement(),
                                      {"slug": slug, "user_id": user.id}).all()
    if not rows:
        raise NotFound(slug)
    by_language = {row.language: row for row in rows}
    row = by_language.get(language) or by_language.get("en") or rows[0]
    topic = LessonTopic(row.topic_id, slug, row.module_id, row.title_en, row.title_ar)
    lesson = LessonText(row.language, row.minutes, _json_list(row.objectives),
                        _json_list(row.toc), row.body_html)
    context: str | None
    around = interface_language or language
    staff = is_staff(user)
    if staff:
        siblings = _module_navigation(topic.module_id)
        context = (row.module_title_ar if around == "ar" and row.module_title_ar
                   else row.module_title_en)
        complete = False
    else:
        siblings, context, complete = _unit_navigation(user.id, topic.id, around)
        if not siblings:
            raise NotFound(slug)
    slugs = [s.slug for s in siblings]
    index = slugs.index(topic.slug) if topic.slug in slugs else -1
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if 0 <= index < len(siblings) - 1 else None
    page = LessonPage(topic, lesson, sorted(by_language), context, previous, following,
                      complete, can_complete=not staff)
    page.quiz = topic_quiz_status(row)
    if page.quiz is not None and staff:
        page.quiz_editable = can_edit_module(user, topic.module_id)
    return page


def _module_navigation(module_id: int) -> list[NavLink]:
    rows = db.session.execute(
        select(Topic.slug, Topic.title_en, Topic.title_ar)
        .where(Topic.module_id == module_id, Topic.is_retired.is_(False),
               Topic.is_draft.is_(False))
        .order_by(Topic.position)
    )
    return [NavLink(*row) for row in rows]


# The lesson page's statements are built once, with parameters: building them on every request
# cost more than running them.
@cache
def _lesson_statement() -> Executable:
    # The topic's quiz, with the reader's results, rides on the lesson's rows.
    quiz = topic_quiz_status_subquery(select(Topic.id).where(Topic.slug == bindparam("slug")))
    # The lists come as text, so that only the language shown is decoded.
    return (select(Lesson.language, Lesson.minutes,
                   cast(Lesson.objectives, Text).label("objectives"),
                   cast(Lesson.toc, Text).label("toc"), Lesson.body_html,
                   Topic.id.label("topic_id"), Topic.module_id, Topic.title_en, Topic.title_ar,
                   Module.title_en.label("module_title_en"),
                   Module.title_ar.label("module_title_ar"), quiz.c.quiz_id, quiz.c.pass_mark,
                   quiz.c.passed, quiz.c.best_percent, quiz.c.submitted, quiz.c.in_progress,
                   quiz.c.pending, quiz.c.answerable)
            .join(Topic, Topic.id == Lesson.topic_id)
            .join(Module, Module.id == Topic.module_id)
            .outerjoin(quiz, quiz.c.topic_id == Topic.id)
            .where(Topic.slug == bindparam("slug"), Topic.is_retired.is_(False),
                   Topic.is_draft.is_(False), Lesson.is_retired.is_(False)))


def _json_list(text: str | None) -> list[Any]:
    return json.loads(text) if text else []


@cache
def _unit_navigation_statement() -> Executable:
    unit_id = participant_unit_ids_query(bindparam("user_id"),
                                         bindparam("topic_id")).scalar_subquery()
    # Whether the participant has completed this lesson rides along on every row: one
    # statement less on the page participants open most.
    done = select(LessonCompletion.id).where(
        LessonCompletion.user_id == bindparam("user_id"),
        LessonCompletion.topic_id == bindparam("topic_id")).exists()
    return (select(Topic.slug, Topic.title_en, Topic.title_ar, Unit.slug, Unit.title_en,
                   Unit.title_ar, Module.title_en, Module.title_ar, done)
            .select_from(UnitTopic)
            .join(Topic, Topic.id == UnitTopic.topic_id)
            .join(Unit, Unit.id == UnitTopic.unit_id)
            .outerjoin(Module, Module.id == Unit.module_id)
            .where(UnitTopic.unit_id == unit_id, Topic.is_retired.is_(False))
            .order_by(UnitTopic.position))


def _unit_navigation(user_id: int, topic_id: int,
                     language: str) -> tuple[list[NavLink], str | None, bool]:
    """The lessons of the participant's unit that teaches the topic, the unit's title, and
    whether the participant has completed the topic's lesson.

    The unit's own title first, then its module's, then its slug (as ``Unit.title``).
    """
    rows = plain_connection().execute(_unit_navigation_statement(),
                                      {"user_id": user_id, "topic_id": topic_id}).all()
    if not rows:
        return [], None, False
    unit_slug, unit_en, unit_ar, module_en, module_ar, done = rows[0][3:]
    arabic = language == "ar"
    module = (module_ar if arabic and module_ar else module_en)
    title = (unit_ar if arabic else unit_en) or module or unit_slug
    return [NavLink(r[0], r[1], r[2]) for r in rows], title, bool(done)


def topic_for_progress(slug: str) -> Topic:
    """The live topic with this slug, for recording progress.

    :raises NotFound: when it does not exist or is retired.
    """
    topic = db.session.scalar(select(Topic).filter_by(slug=slug, is_retired=False))
    if topic is None:
        raise NotFound(slug)
    return topic


def content_overview() -> list[tuple[Module, list[Topic]]]:
    """Every live module with its live topics, in order (two queries)."""
    modules = db.session.scalars(
        select(Module).where(Module.is_retired.is_(False)).order_by(Module.package_id,
                                                                    Module.position)).all()
    topics = db.session.scalars(
        select(Topic).where(Topic.is_retired.is_(False), Topic.is_draft.is_(False))
        .order_by(Topic.position)).all()
    by_module: dict[int, list[Topic]] = {}
    for topic in topics:
        by_module.setdefault(topic.module_id, []).append(topic)
    return [(module, by_module.get(module.id, [])) for module in modules]


def glossary(language: str, package_ids: set[int] | None = None) -> list[GlossaryTerm]:
    """Live glossary terms, alphabetical in the reader's language; only those of the
    packages ``package_ids`` names, when it names them (a participant's own packages)."""
    query = select(GlossaryTerm).filter_by(is_retired=False)
    if package_ids is not None:
        query = query.where(GlossaryTerm.package_id.in_(package_ids))
    terms = db.session.scalars(query).all()
    return sorted(terms, key=lambda t: t.term(language).casefold())


def media_file(package_slug: str, name: str) -> MediaFile:
    """The live media file of a package by its name in the package.

    :raises NotFound: when there is none.
    """
    from lms.courses.models import CoursePackage

    media = db.session.scalar(
        select(MediaFile).join(CoursePackage, CoursePackage.id == MediaFile.package_id)
        .where(CoursePackage.slug == package_slug, MediaFile.name == f"media/{name}",
               MediaFile.is_retired.is_(False)))
    if media is None:
        raise NotFound(name)
    return media
