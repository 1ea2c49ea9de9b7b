"""`flask lms export PATH`: the platform's current content written back as a course package.

The result is in the format of docs/course-package.md, validates, and loads into a fresh
platform with the same content: what participants see now (published versions, published
topics, live quizzes and media), never drafts or pending package files.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.courses.authoring.quiz_export import quiz_document
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
from lms.extensions import db
from lms.quizzes.models import Quiz


class ExportError(ValueError):
    """The export cannot be written as asked; the message says why."""


@dataclass
class ExportSummary:
    package: str
    modules: int = 0
    topics: int = 0
    lessons: int = 0
    quizzes: int = 0
    media: int = 0


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=False)


def _bilingual(en: str, ar: str) -> dict[str, str]:
    return {"en": en, "ar": ar}


def choose_package(slug: str | None) -> CoursePackage:
    """The package to export: the one named, or the only one loaded.

    :raises ExportError: when there is none, or several and no name.
    """
    packages = db.session.scalars(select(CoursePackage).order_by(CoursePackage.slug)).all()
    if slug:
        for package in packages:
            if package.slug == slug:
                return package
        raise ExportError(f"no package '{slug}' is loaded")
    if not packages:
        raise ExportError("no package is loaded")
    if len(packages) > 1:
        names = ", ".join(p.slug for p in packages)
        raise ExportError(f"several packages are loaded ({names}); name one with --package")
    return packages[0]


def export_package(package: CoursePackage, target: Path, storage_dir: Path) -> ExportSummary:
    """Write the package into ``target``, which must not exist or be an empty folder.

    :raises ExportError: when the folder is not empty or a stored media file is missing.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ExportError(f"{target} exists and is not an empty folder")
    # Written beside the target and moved into place whole: an export that fails half-way
    # (a media file missing from storage) leaves no folder that looks like a package.
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as error:
        raise ExportError(f"cannot create {target}: {error.strerror or error}") from None
    try:
        summary = _export_into(package, scratch, storage_dir)
        if target.exists():
            target.rmdir()
        scratch.rename(target)
    except OSError as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return summary


def _export_into(package: CoursePackage, target: Path, storage_dir: Path) -> ExportSummary:
    summary = ExportSummary(package.slug)
    _write(target / "package.yaml", _dump(_package_document(package)))
    terms = db.session.scalars(select(GlossaryTerm).filter_by(
        package_id=package.id, is_retired=False).order_by(GlossaryTerm.id)).all()
    if terms:
        _write(target / "glossary.yaml", _dump({"terms": [
            {"slug": t.slug, "term": _bilingual(t.term_en, t.term_ar),
             "definition": _bilingual(t.definition_en, t.definition_ar), "source": t.source}
            for t in terms]}))
    _export_modules(package, target / "modules", summary)
    _export_media(package, target, storage_dir, summary)
    return summary


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _package_document(package: CoursePackage) -> dict[str, Any]:
    document: dict[str, Any] = {"id": package.slug}
    if package.version:
        document["version"] = package.version
    document["title"] = _bilingual(package.title_en, package.title_ar)
    if package.summary:
        document["summary"] = package.summary
    document["issuers"] = [{"en": i["en"], "ar": i["ar"]} for i in package.issuers]
    document["completion"] = package.completion
    if package.certificate:
        document["certificate"] = package.certificate
    programmes = db.session.scalars(select(Programme).filter_by(
        package_id=package.id, is_retired=False).order_by(Programme.position)).all()
    units = db.session.execute(
        select(Unit, Module.slug).outerjoin(Module, Module.id == Unit.module_id)
        .where(Unit.programme_id.in_([p.id for p in programmes]), Unit.is_retired.is_(False))
        .order_by(Unit.position)).all()
    unit_topics = db.session.execute(
        select(UnitTopic.unit_id, Topic.slug).join(Topic, Topic.id == UnitTopic.topic_id)
        .where(UnitTopic.unit_id.in_([u.id for u, _slug in units]),
               Topic.is_retired.is_(False), Topic.is_draft.is_(False))
        .order_by(UnitTopic.position)).all()
    topics_of: dict[int, list[str]] = {}
    for unit_id, slug in unit_topics:
        topics_of.setdefault(unit_id, []).append(slug)
    document["programmes"] = []
    for programme in programmes:
        item: dict[str, Any] = {"slug": programme.slug,
                                "title": _bilingual(programme.title_en, programme.title_ar)}
        if programme.summary:
            item["summary"] = programme.summary
        item["units"] = [_unit_document(unit, module_slug, topics_of.get(unit.id, []))
                         for unit, module_slug in units if unit.programme_id == programme.id]
        document["programmes"].append(item)
    return document


def _unit_document(unit: Unit, module_slug: str | None, topics: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {"slug": unit.slug}
    if unit.title_en or unit.title_ar:
        item["title"] = _bilingual(unit.title_en or "", unit.title_ar or "")
    if module_slug is not None:
        item["module"] = module_slug
    else:
        item["topics"] = topics
    item["days"] = unit.days
    if unit.hours_per_day:
        item["hours_per_day"] = unit.hours_per_day
    return item


def _export_modules(package: CoursePackage, folder: Path, summary: ExportSummary) -> None:
    modules = db.session.scalars(select(Module).filter_by(
        package_id=package.id, is_retired=False).order_by(Module.position)).all()
    topics = db.session.scalars(
        select(Topic).where(Topic.package_id == package.id, Topic.is_retired.is_(False),
                            Topic.is_draft.is_(False)).order_by(Topic.position, Topic.id)).all()
    lessons = {(lesson.topic_id, lesson.language): lesson for lesson in db.session.scalars(
        select(Lesson).where(Lesson.topic_id.in_([t.id for t in topics]),
                             Lesson.is_retired.is_(False)))}
    quizzes = {quiz.topic_id: quiz for quiz in db.session.scalars(
        select(Quiz).where(Quiz.topic_id.in_([t.id for t in topics]),
                           Quiz.is_retired.is_(False)))}
    width = max(2, len(str(len(modules))))
    for number, module in enumerate(modules, start=1):
        own = [t for t in topics if t.module_id == module.id and (t.id, "en") in lessons]
        module_dir = folder / f"{number:0{width}d}-{module.slug}"
        document: dict[str, Any] = {"slug": module.slug,
                                    "title": _bilingual(module.title_en, module.title_ar)}
        if module.summary:
            document["summary"] = module.summary
        document["topics"] = [t.slug for t in own]
        _write(module_dir / "module.yaml", _dump(document))
        summary.modules += 1
        topic_width = max(2, len(str(len(own))))
        for topic_number, topic in enumerate(own, start=1):
            stem = module_dir / f"{topic_number:0{topic_width}d}-{topic.slug}"
            _export_topic(topic, stem, lessons, quizzes.get(topic.id), summary)


def _export_topic(topic: Topic, stem: Path, lessons: dict[tuple[int, str], Lesson],
                  quiz: Quiz | None, summary: ExportSummary) -> None:
    english = lessons[(topic.id, "en")]
    front: dict[str, Any] = {"title": _bilingual(topic.title_en, topic.title_ar),
                             "minutes": english.minutes, "objectives": list(english.objectives),
                             "published": topic.published_at.date()}
    _write(stem.with_name(stem.name + ".md"), _lesson_file(front, english.body_markdown))
    summary.topics += 1
    summary.lessons += 1
    arabic = lessons.get((topic.id, "ar"))
    if arabic is not None:
        front = {"minutes": arabic.minutes, "objectives": list(arabic.objectives)}
        _write(stem.with_name(stem.name + ".ar.md"), _lesson_file(front, arabic.body_markdown))
        summary.lessons += 1
    if quiz is not None and any(not q.is_retired for q in quiz.questions):
        title = {"en": topic.title_en, "ar": topic.title_ar}
        _write(stem.with_name(stem.name + ".quiz.yaml"), _dump(quiz_document(quiz, title)))
        summary.quizzes += 1


def _lesson_file(front: dict[str, Any], body: str) -> str:
    body = body if body.startswith("\n") else "\n" + body
    return "---\n" + _dump(front) + "---\n" + body.rstrip("\n") + "\n"


def _export_media(package: CoursePackage, target: Path, storage_dir: Path,
                  summary: ExportSummary) -> None:
    media = db.session.scalars(select(MediaFile).filter_by(
        package_id=package.id, is_retired=False).order_by(MediaFile.name)).all()
    for item in media:
        source = storage_dir / "media" / item.stored_name
        if not source.is_file():
            raise ExportError(f"the stored file for {item.name} is missing from storage")
        destination = target.joinpath(*Path(item.name).parts)
        if not destination.resolve().is_relative_to(target.resolve()):
            raise ExportError(f"the media name {item.name} leaves the package")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        summary.media += 1
