"""Reading course content for the pages participants and staff see."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql import Executable

from lms.auth.models import User
from lms.courses.models import GlossaryTerm, Lesson, MediaFile, Module, Topic, Unit, UnitTopic
from lms.courses.permissions import can_edit_module, is_staff, participant_unit_ids_query
from lms.extensions import db
from lms.progress.services import is_lesson_complete
from lms.quizzes.results import TopicQuizStatus, topic_quiz_status


class NotFound(LookupError):
    """The content does not exist or this user may not see it (the same answer for both)."""


@dataclass
class NavLink:
    slug: str
    title_en: str
    title_ar: str

    def title(self, language: str) -> str:
        return self.title_ar if language == "ar" else self.title_en


@dataclass
class LessonPage:
    topic: Topic
    lesson: Lesson
    languages: list[str]
    context_title: str | None
    previous: NavLink | None
    next: NavLink | None
    is_complete: bool
    can_complete: bool
    quiz: TopicQuizStatus | None = None
    quiz_editable: bool = False


def lesson_page(user: User, slug: str, language: str) -> LessonPage:
    """Everything the lesson page shows, in at most five queries (the quiz's status included).

    :raises NotFound: for an unknown or retired topic, or one outside the participant's
        programmes (the two cases look the same, so nothing can be probed).
    """
    lessons = db.session.scalars(_lesson_statement(), {"slug": slug}).all()
    if not lessons:
        raise NotFound(slug)
    by_language = {lesson.language: lesson for lesson in lessons}
    lesson = by_language.get(language) or by_language.get("en") or lessons[0]
    topic = lesson.topic
    context: str | None
    if is_staff(user):
        siblings = _module_navigation(topic.module_id)
        context = topic.module.title(language)
        complete = False
    else:
        siblings, context = _unit_navigation(user.id, topic.id, language)
        if not siblings:
            raise NotFound(slug)
        complete = is_lesson_complete(user.id, topic.id)
    slugs = [s.slug for s in siblings]
    index = slugs.index(topic.slug) if topic.slug in slugs else -1
    previous = siblings[index - 1] if index > 0 else None
    following = siblings[index + 1] if 0 <= index < len(siblings) - 1 else None
    page = LessonPage(topic, lesson, sorted(by_language), context, previous, following,
                      complete, can_complete=not is_staff(user))
    page.quiz = topic_quiz_status(user.id, topic.id)
    if page.quiz is not None and is_staff(user):
        page.quiz_editable = can_edit_module(user, topic.module)
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
    return (select(Lesson)
            .join(Lesson.topic)
            .join(Topic.module)
            .options(contains_eager(Lesson.topic).contains_eager(Topic.module))
            .where(Topic.slug == bindparam("slug"), Topic.is_retired.is_(False),
                   Topic.is_draft.is_(False), Lesson.is_retired.is_(False)))


@cache
def _unit_navigation_statement() -> Executable:
    unit_id = participant_unit_ids_query(bindparam("user_id"),
                                         bindparam("topic_id")).scalar_subquery()
    return (select(Topic.slug, Topic.title_en, Topic.title_ar, Unit, Module)
            .select_from(UnitTopic)
            .join(Topic, Topic.id == UnitTopic.topic_id)
            .join(Unit, Unit.id == UnitTopic.unit_id)
            .outerjoin(Module, Module.id == Unit.module_id)
            .where(UnitTopic.unit_id == unit_id, Topic.is_retired.is_(False))
            .order_by(UnitTopic.position))


def _unit_navigation(user_id: int, topic_id: int,
                     language: str) -> tuple[list[NavLink], str | None]:
    """The lessons of the participant's unit that teaches the topic, and the unit's title."""
    rows = db.session.execute(_unit_navigation_statement(),
                              {"user_id": user_id, "topic_id": topic_id}).all()
    if not rows:
        return [], None
    unit, module = rows[0][3], rows[0][4]
    own = unit.title_ar if language == "ar" else unit.title_en
    title = own or (module.title(language) if module else unit.slug)
    return [NavLink(r[0], r[1], r[2]) for r in rows], title


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


def glossary(language: str) -> list[GlossaryTerm]:
    """Live glossary terms, alphabetical in the reader's language."""
    terms = db.session.scalars(select(GlossaryTerm).filter_by(is_retired=False)).all()
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
