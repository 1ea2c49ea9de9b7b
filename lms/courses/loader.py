"""Loading a validated course package into the database, in one transaction, by slug and id.

Reloading updates rows in place; anything the package no longer has is retired, never deleted,
so participants' progress survives every reload. Media are copied into storage by content hash.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.courses.authoring.reconcile import PackageReconciler, browser_topics_by_module
from lms.courses.models import (
    CoursePackage,
    GlossaryTerm,
    Lesson,
    MediaFile,
    Module,
    Programme,
    Topic,
    Unit,
    UnitTopic,
)
from lms.courses.package import read_package
from lms.courses.problems import Problem, Report
from lms.courses.specs import PackageSpec, TopicSpec
from lms.database import savepoint
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.models import SOURCE_PACKAGE, Option, Question, Quiz
from lms.quizzes.specs import QuizSpec
from lms.whole_files import copy_whole

ENTRY_POINT_GROUP = "lms.course_packages"
M = TypeVar("M")


class PackageInvalid(Exception):
    """The package has problems; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the package")
        self.problems = problems


@dataclass
class LoadSummary:
    package: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    retired: Counter[str] = field(default_factory=Counter)
    # Lessons and media the browser holds: what the load left alone and why.
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.retired))
        return [f"{kind}: {self.created[kind]} new, {self.updated[kind]} updated, "
                f"{self.retired[kind]} retired" for kind in kinds] + self.notes


def resolve_package(name_or_path: str) -> Path:
    """A package folder from a path, or from the name of an installed package plugin."""
    path = Path(name_or_path)
    if path.exists():
        return path
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name_or_path:
            target = entry.load()
            return Path(target() if callable(target) else target)
    return path


def validate_package(path: Path) -> tuple[PackageSpec | None, Report]:
    """Read and check the package, then check it against the packages already loaded."""
    spec, report = read_package(path)
    if spec is not None:
        check_topic_slugs(spec, report)
    return spec, report


def check_topic_slugs(spec: PackageSpec, report: Report) -> None:
    """Report each topic slug that a live topic of another loaded package already has.

    Lesson addresses (`/topics/<slug>`), lesson completion and quizzes find a topic by its slug
    alone, so a slug may name one live topic on the whole platform. The package's own topics
    (a reload) never clash, nor do retired topics, which no page reaches.
    """
    if not spec.topics:
        return
    rows = db.session.execute(
        select(Topic.slug, CoursePackage.slug)
        .join(CoursePackage, CoursePackage.id == Topic.package_id)
        .where(Topic.slug.in_(list(spec.topics)), Topic.is_retired.is_(False),
               CoursePackage.slug != spec.slug)
        .order_by(Topic.slug, CoursePackage.slug))
    for slug, package in rows:
        report.add(spec.root / spec.topics[slug].lessons["en"].file, None,
                   _("the topic slug '%(slug)s' is already used by the package '%(package)s' "
                     "loaded on the platform: topic slugs must be unique across packages",
                     slug=slug, package=package))


def load_package(path: Path, storage_dir: Path) -> LoadSummary:
    """Validate, then load the package into the current transaction (flushed, not committed).

    :raises PackageInvalid: when validation finds any problem (a topic slug another loaded
        package uses among them, also one that a package loaded at the same moment took
        first); nothing is written then.
    """
    spec, report = validate_package(path)
    if spec is None or not report.ok:
        raise PackageInvalid(report.problems)
    try:
        with savepoint():
            return _Loader(spec, storage_dir).run()
    except IntegrityError:
        # Another package loaded at the same moment took one of these topic slugs after the
        # check above looked, and committed first: the unique index on live slugs refused the
        # second. Looking again now finds it, and says so as the check would have.
        again = Report(report.root)
        check_topic_slugs(spec, again)
        if again.ok:
            raise
        raise PackageInvalid(again.problems) from None


class _Loader:
    def __init__(self, spec: PackageSpec, storage_dir: Path) -> None:
        self.spec = spec
        self.storage_dir = storage_dir
        self.summary = LoadSummary(spec.slug)
        self.now = utcnow()

    def sync(self, kind: str, existing: dict[Any, M], key: Any, model: type[M],
             values: dict[str, Any]) -> M:
        """Create the row for ``key`` or update the fields that changed; un-retire it."""
        values = {**values, "is_retired": False} if hasattr(model, "is_retired") else values
        row = existing.get(key)
        if row is None:
            row = model(**values)
            db.session.add(row)
            existing[key] = row
            self.summary.created[kind] += 1
            return row
        changed = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            self.summary.updated[kind] += 1
        return row

    def retire(self, kind: str, rows: list[Any]) -> None:
        for row in rows:
            if not row.is_retired:
                row.is_retired = True
                self.summary.retired[kind] += 1

    def run(self) -> LoadSummary:
        spec = self.spec
        package = db.session.scalar(select(CoursePackage).filter_by(slug=spec.slug))
        values = {
            "slug": spec.slug, "version": spec.version, "title_en": spec.title["en"],
            "title_ar": spec.title["ar"], "summary": spec.summary, "issuers": spec.issuers,
            "completion": spec.completion, "certificate": spec.certificate,
        }
        package = self.sync("packages", {spec.slug: package} if package else {}, spec.slug,
                            CoursePackage, values)
        db.session.flush()
        self.browser = PackageReconciler(package.id, self.now)
        self._media(package)
        modules = self._modules(package)
        topics = self._topics(package, modules)
        self._lessons(topics)
        self._quizzes(topics)
        self._programmes(package, topics, modules)
        self._glossary(package)
        db.session.flush()
        self.summary.notes = self.browser.notes
        if any((self.summary.created, self.summary.updated, self.summary.retired)):
            package.loaded_at = self.now
        return self.summary

    def _rows(self, model: type[M], key: str, **filters: Any) -> dict[Any, M]:
        rows = db.session.scalars(select(model).filter_by(**filters))
        return {getattr(row, key): row for row in rows}

    def _media(self, package: CoursePackage) -> None:
        existing = self._rows(MediaFile, "name", package_id=package.id)
        folder = self.storage_dir / "media"
        folder.mkdir(parents=True, exist_ok=True)
        for name, media in self.spec.media.items():
            extension = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
                         "image/webp": ".webp", "application/pdf": ".pdf"}[media.content_type]
            stored = media.sha256 + extension
            if name in existing and self.browser.media_conflict(existing[name], stored):
                continue
            if not (folder / stored).exists():
                copy_whole(media.path, folder / stored)
            self.sync("media", existing, name, MediaFile, {
                "package_id": package.id, "name": name, "stored_name": stored,
                "content_type": media.content_type})
        self.retire("media", [m for n, m in existing.items()
                              if n not in self.spec.media and not self.browser.keeps_media(m)])

    def _modules(self, package: CoursePackage) -> dict[str, Module]:
        existing = self._rows(Module, "slug", package_id=package.id)
        wanted = {m.slug for m in self.spec.modules}
        for module in self.spec.modules:
            self.sync("modules", existing, module.slug, Module, {
                "package_id": package.id, "slug": module.slug, "title_en": module.title["en"],
                "title_ar": module.title["ar"], "summary": module.summary,
                "position": module.position})
        self.retire("modules", [m for s, m in existing.items() if s not in wanted])
        db.session.flush()
        return existing

    def _topics(self, package: CoursePackage, modules: dict[str, Module]) -> dict[str, Topic]:
        existing = self._rows(Topic, "slug", package_id=package.id)
        for topic in self.spec.topics.values():
            values: dict[str, Any] = {
                "package_id": package.id, "module_id": modules[topic.module].id,
                "slug": topic.slug, "title_en": topic.title["en"], "title_ar": topic.title["ar"],
                "position": topic.position, "is_draft": False,
            }
            if topic.slug in existing:
                # A title edited in the browser stays with the lesson version that holds it.
                for language in ("en", "ar"):
                    if self.browser.held(existing[topic.slug].id, language):
                        values[f"title_{language}"] = getattr(existing[topic.slug],
                                                              f"title_{language}")
            if topic.published is not None:
                values["published_at"] = datetime(topic.published.year, topic.published.month,
                                                  topic.published.day, tzinfo=UTC)
            elif topic.slug not in existing:
                values["published_at"] = self.now
            self.sync("topics", existing, topic.slug, Topic, values)
        self.retire("topics", [t for s, t in existing.items()
                               if s not in self.spec.topics and not self.browser.keeps_topic(t)])
        counts = Counter(modules[t.module].id for t in self.spec.topics.values())
        self.browser_topics = browser_topics_by_module(existing.values(), self.spec.topics,
                                                       counts)
        db.session.flush()
        return existing

    def _lessons(self, topics: dict[str, Topic]) -> None:
        ids = [t.id for t in topics.values()]
        rows = db.session.scalars(select(Lesson).where(Lesson.topic_id.in_(ids)))
        existing = {(row.topic_id, row.language): row for row in rows}
        wanted = set()
        for spec_topic in self.spec.topics.values():
            topic = topics[spec_topic.slug]
            for language, lesson in spec_topic.lessons.items():
                wanted.add((topic.id, language))
                if not self.browser.admit(existing.get((topic.id, language)), spec_topic,
                                          lesson):
                    continue
                row = self.sync("lessons", existing, (topic.id, language), Lesson, {
                    "topic_id": topic.id, "language": language, "objectives": lesson.objectives,
                    "minutes": lesson.minutes, "body_markdown": lesson.body,
                    "body_html": lesson.html, "toc": lesson.toc, "source_file": lesson.file,
                    "source_hash": lesson.source_hash})
                db.session.flush()
                self.browser.loaded(row, spec_topic, lesson)
        self.retire("lessons", [row for key, row in existing.items()
                                if key not in wanted and not self.browser.held(*key)])

    def _quizzes(self, topics: dict[str, Topic]) -> None:
        ids = [t.id for t in topics.values()]
        existing = {q.topic_id: q for q in db.session.scalars(
            select(Quiz).where(Quiz.topic_id.in_(ids)))}
        questions = {(q.quiz_id, q.key): q for q in db.session.scalars(
            select(Question).where(Question.quiz_id.in_([q.id for q in existing.values()])))}
        options = {(o.question_id, o.key): o for o in db.session.scalars(
            select(Option).where(Option.question_id.in_([q.id for q in questions.values()])))}
        wanted = set()
        for spec_topic in self.spec.topics.values():
            if spec_topic.quiz is None:
                held = existing.get(topics[spec_topic.slug].id)
                if self.spec.completion.get("requires_quizzes", True) and (
                        held is None or held.source == SOURCE_PACKAGE):
                    # Likely a forgotten file: completion quietly asks less of this topic.
                    self.browser.notes.append(
                        f"{spec_topic.lessons['en'].file}: this topic has no quiz file, so "
                        "completing it needs only its lesson")
                continue
            topic = topics[spec_topic.slug]
            wanted.add(topic.id)
            held = existing.get(topic.id)
            if held is not None and held.source != SOURCE_PACKAGE:
                # Edited or imported on the platform: reloading must not overwrite it.
                self.browser.notes.append(f"{spec_topic.quiz.file}: kept the quiz edited on the "
                                          "platform; the package's version was not loaded")
                continue
            quiz = self.sync("quizzes", existing, topic.id, Quiz,
                             _quiz_values(spec_topic, spec_topic.quiz, topic.id))
            db.session.flush()
            self._questions(quiz, spec_topic.quiz, questions, options)
        self.retire("quizzes", [q for t, q in existing.items()
                                if t not in wanted and q.source == SOURCE_PACKAGE])

    def _questions(self, quiz: Quiz, spec: QuizSpec, questions: dict[Any, Question],
                   options: dict[Any, Option]) -> None:
        wanted = set()
        for position, question_spec in enumerate(spec.questions):
            wanted.add((quiz.id, question_spec.key))
            question = self.sync("questions", questions, (quiz.id, question_spec.key), Question, {
                "quiz_id": quiz.id, "key": question_spec.key, "type": question_spec.type,
                "position": position, "points": question_spec.points,
                "text": question_spec.text, "feedback": question_spec.feedback,
                "ref": question_spec.ref, "settings": question_spec.settings})
            db.session.flush()
            wanted_options = set()
            for option_position, option in enumerate(question_spec.options):
                wanted_options.add((question.id, option.key))
                self.sync("options", options, (question.id, option.key), Option, {
                    "question_id": question.id, "key": option.key, "kind": option.kind,
                    "position": option_position, "text": option.text, "match": option.match,
                    "credit": option.credit, "feedback": option.feedback,
                    "settings": option.settings})
            self.retire("options", [o for k, o in options.items()
                                    if k[0] == question.id and k not in wanted_options])
        self.retire("questions", [q for k, q in questions.items()
                                  if k[0] == quiz.id and k not in wanted])

    def _programmes(self, package: CoursePackage, topics: dict[str, Topic],
                    modules: dict[str, Module]) -> None:
        existing = self._rows(Programme, "slug", package_id=package.id)
        wanted = set()
        for position, spec in enumerate(self.spec.programmes):
            wanted.add(spec.slug)
            programme = self.sync("programmes", existing, spec.slug, Programme, {
                "package_id": package.id, "slug": spec.slug, "title_en": spec.title["en"],
                "title_ar": spec.title["ar"], "summary": spec.summary, "position": position})
            db.session.flush()
            units = self._rows(Unit, "slug", programme_id=programme.id)
            for unit_position, unit_spec in enumerate(spec.units):
                title = unit_spec.title or {}
                unit = self.sync("units", units, unit_spec.slug, Unit, {
                    "programme_id": programme.id, "slug": unit_spec.slug,
                    "module_id": modules[unit_spec.module].id if unit_spec.module else None,
                    "title_en": title.get("en"), "title_ar": title.get("ar"),
                    "position": unit_position, "days": unit_spec.days,
                    "hours_per_day": unit_spec.hours_per_day})
                db.session.flush()
                extra = self.browser_topics.get(unit.module_id, []) if unit.module_id else []
                self._unit_topics(unit, [topics[s] for s in unit_spec.topics] + extra)
            self.retire("units", [u for s, u in units.items()
                                  if s not in {u.slug for u in spec.units}])
        self.retire("programmes", [p for s, p in existing.items() if s not in wanted])

    def _unit_topics(self, unit: Unit, topics: list[Topic]) -> None:
        # A unit's topic list holds no progress, so it is replaced rather than retired.
        existing = self._rows(UnitTopic, "topic_id", unit_id=unit.id)
        for position, topic in enumerate(topics):
            self.sync("unit topics", existing, topic.id, UnitTopic,
                      {"unit_id": unit.id, "topic_id": topic.id, "position": position})
        for topic_id, row in existing.items():
            if topic_id not in {t.id for t in topics}:
                db.session.delete(row)
                self.summary.retired["unit topics"] += 1

    def _glossary(self, package: CoursePackage) -> None:
        existing = self._rows(GlossaryTerm, "slug", package_id=package.id)
        for term in self.spec.glossary:
            self.sync("glossary terms", existing, term.slug, GlossaryTerm, {
                "package_id": package.id, "slug": term.slug, "term_en": term.term["en"],
                "term_ar": term.term["ar"], "definition_en": term.definition["en"],
                "definition_ar": term.definition["ar"], "source": term.source})
        wanted = {t.slug for t in self.spec.glossary}
        self.retire("glossary terms", [t for s, t in existing.items() if s not in wanted])


def _quiz_values(topic: TopicSpec, quiz: QuizSpec, topic_id: int) -> dict[str, Any]:
    return {
        "topic_id": topic_id, "title": quiz.title or topic.title, "pass_mark": quiz.pass_mark,
        "attempts_allowed": quiz.attempts_allowed, "grading": quiz.grading,
        "shuffle_questions": quiz.shuffle_questions, "shuffle_choices": quiz.shuffle_choices,
        "time_limit_minutes": quiz.time_limit_minutes, "draw_count": quiz.draw_count,
        "review_policy": quiz.review_policy, "source_file": quiz.file,
    }
