"""Reading and validating a course package folder (see docs/course-package.md).

``read_package`` returns the package as plain specs together with a report of every problem,
each with its file and line. A package with any problem is never loaded.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from lms.courses.authoring.models import LessonVersion
from lms.courses.fields import SLUG_RE, Fields
from lms.courses.lesson_files import read_lesson_topic, read_translation, slug_from_name
from lms.courses.links import check_lesson_links
from lms.courses.media_files import read_media
from lms.courses.models import CoursePackage, GlossaryTerm, Lesson, Module, Programme, Unit
from lms.courses.problems import LineDict, Report, load_yaml, read_text
from lms.courses.specs import (
    DEFAULT_COMPLETION,
    ModuleSpec,
    PackageSpec,
    ProgrammeSpec,
    TermSpec,
    TopicSpec,
    UnitSpec,
)
from lms.db_types import column_length
from lms.quizzes.models import Quiz
from lms.quizzes.quiz_file import read_quiz


def read_package(root: Path) -> tuple[PackageSpec | None, Report]:
    """Read the whole package and check it; the spec is None when it cannot be read at all."""
    root = root.resolve()
    report = Report(root)
    if not root.is_dir():
        report.add(root, None, _("the package folder does not exist"))
        return None, report
    spec = _read_package_yaml(root, report)
    if spec is None:
        return None, report
    spec.media = read_media(root, report)
    spec.glossary = _read_glossary(root, report)
    _read_modules(root, spec, report)
    _check_programmes(root, spec, report)
    check_lesson_links(spec, report)
    _check_quiz_refs(root, spec, report)
    return spec, report


def _read_package_yaml(root: Path, report: Report) -> PackageSpec | None:
    path = root / "package.yaml"
    if not path.is_file():
        report.add(path, None, _("package.yaml is missing"))
        return None
    text = read_text(path, report)
    data = load_yaml(text, path, report) if text is not None else None
    if data is None:
        return None
    f = Fields(data, path, report, "package.yaml")
    f.allow_only("id", "version", "title", "summary", "issuers", "completion", "certificate",
                 "programmes")
    slug = f.slug("id")
    title = f.bilingual("title", max_length=column_length(CoursePackage.title_en,
                                                          CoursePackage.title_ar))
    issuers = []
    for item, line in f.items("issuers"):
        issuer_fields = Fields(_wrap(item, line), path, report, _("an issuer"))
        value = issuer_fields.bilingual("issuer")
        if value:
            issuers.append(value)
    completion = dict(DEFAULT_COMPLETION)
    if f.has("completion"):
        c = Fields(f.raw("completion"), path, report, "'completion'")
        c.allow_only(*DEFAULT_COMPLETION)
        completion["late_counts"] = c.boolean("late_counts", default=True)
        completion["excused_counts"] = c.boolean("excused_counts", default=False)
        completion["unexcused_absences_allowed"] = c.integer(
            "unexcused_absences_allowed", default=0, minimum=0, maximum=100)
        completion["requires_quizzes"] = c.boolean("requires_quizzes", default=True)
    certificate: dict[str, dict[str, str]] = {}
    if f.has("certificate"):
        c = Fields(f.raw("certificate"), path, report, "'certificate'")
        c.allow_only("title", "statement")
        for key in ("title", "statement"):
            value = c.bilingual(key, required=False)
            if value:
                certificate[key] = value
    spec = PackageSpec(
        root=root,
        slug=slug or "",
        version=f.text("version", required=False,
                       max_length=column_length(CoursePackage.version)) or "",
        title=title or {"en": "", "ar": ""},
        summary=f.bilingual("summary", required=False) or {},
        issuers=issuers,
        completion=completion,
        certificate=certificate,
    )
    spec.programmes = _read_programmes(f, path, report)
    return spec


def _wrap(item: object, line: int) -> LineDict:
    """Make a list item readable as the single field 'issuer', keeping its line."""
    wrapper = LineDict(issuer=item)
    wrapper.line = line
    wrapper.key_lines = {"issuer": line}
    return wrapper


def _read_programmes(f: Fields, path: Path, report: Report) -> list[ProgrammeSpec]:
    programmes: list[ProgrammeSpec] = []
    seen: set[str] = set()
    for item, _line in f.items("programmes"):
        p = Fields(item, path, report, _("a programme"))
        p.allow_only("slug", "title", "summary", "units")
        slug = p.slug("slug")
        title = p.bilingual("title", max_length=column_length(Programme.title_en,
                                                              Programme.title_ar))
        if slug in seen:
            p.problem("slug", _("duplicate programme slug '%(slug)s'", slug=slug))
            continue
        units = _read_units(p, path, report)
        if slug and title:
            seen.add(slug)
            programmes.append(ProgrammeSpec(slug, title, p.bilingual("summary", required=False)
                                            or {}, units))
    return programmes


def _read_units(p: Fields, path: Path, report: Report) -> list[UnitSpec]:
    units: list[UnitSpec] = []
    seen: set[str] = set()
    for item, _line in p.items("units"):
        u = Fields(item, path, report, _("a unit"))
        u.allow_only("slug", "title", "module", "topics", "days", "hours_per_day")
        slug = u.slug("slug")
        module = u.slug("module") if u.has("module") else None
        topics = u.strings("topics", required=False)
        if u.has("module") == u.has("topics"):
            u.problem(None, _("a unit needs either 'module' or 'topics' (not both)"))
        title = u.bilingual("title", required=not u.has("module"),
                            max_length=column_length(Unit.title_en, Unit.title_ar))
        days = u.integer("days", default=0, minimum=0, maximum=60, required=True) or 0
        hours = u.integer("hours_per_day", default=0, minimum=0, maximum=24) or 0
        if slug in seen:
            u.problem("slug", _("duplicate unit slug '%(slug)s' in this programme", slug=slug))
            continue
        if slug:
            seen.add(slug)
            units.append(UnitSpec(slug, u.line, title, module, topics, days, hours))
    return units


def _read_glossary(root: Path, report: Report) -> list[TermSpec]:
    path = root / "glossary.yaml"
    if not path.is_file():
        return []
    text = read_text(path, report)
    data = load_yaml(text, path, report) if text is not None else None
    if data is None:
        return []
    f = Fields(data, path, report, "glossary.yaml")
    f.allow_only("terms")
    terms: list[TermSpec] = []
    seen: set[str] = set()
    for item, _line in f.items("terms"):
        t = Fields(item, path, report, _("a glossary term"))
        t.allow_only("slug", "term", "definition", "source")
        slug = t.slug("slug")
        term = t.bilingual("term", max_length=column_length(GlossaryTerm.term_en,
                                                            GlossaryTerm.term_ar))
        definition = t.bilingual("definition")
        source = t.text("source")
        if slug in seen:
            t.problem("slug", _("duplicate glossary slug '%(slug)s'", slug=slug))
            continue
        if slug and term and definition and source:
            seen.add(slug)
            terms.append(TermSpec(slug, term, definition, source))
    return terms


def _read_modules(root: Path, spec: PackageSpec, report: Report) -> None:
    folder = root / "modules"
    if not folder.is_dir():
        report.add(folder, None, _("the package has no modules folder"))
        return
    seen_modules: set[str] = set()
    for position, module_dir in enumerate(sorted(p for p in folder.iterdir() if p.is_dir())):
        module = _read_module(module_dir, position, report)
        if module is None:
            continue
        if module.slug in seen_modules:
            report.add(module_dir / "module.yaml", None,
                       _("duplicate module slug '%(slug)s'", slug=module.slug))
            continue
        seen_modules.add(module.slug)
        spec.modules.append(module)
        _read_topics(module_dir, module, spec, report)


def _read_module(module_dir: Path, position: int, report: Report) -> ModuleSpec | None:
    path = module_dir / "module.yaml"
    if not path.is_file():
        report.add(path, None, _("module.yaml is missing"))
        return None
    text = read_text(path, report)
    data = load_yaml(text, path, report) if text is not None else None
    if data is None:
        return None
    f = Fields(data, path, report, "module.yaml")
    f.allow_only("slug", "title", "summary", "topics")
    slug = f.slug("slug", default=slug_from_name(module_dir.name))
    title = f.bilingual("title", max_length=column_length(Module.title_en, Module.title_ar))
    topics = f.strings("topics", required=True)
    for duplicate in {t for t in topics if topics.count(t) > 1}:
        f.problem("topics", _("topic '%(slug)s' is listed twice", slug=duplicate))
    if slug is None or title is None:
        return None
    return ModuleSpec(slug, report.relative(path), position, title,
                      f.bilingual("summary", required=False) or {}, topics)


def _read_topics(module_dir: Path, module: ModuleSpec, spec: PackageSpec, report: Report) -> None:
    files = sorted(p for p in module_dir.iterdir() if p.is_file() and p.name != "module.yaml")
    by_stem: dict[str, TopicSpec] = {}
    names = {p.name for p in files}
    longest = column_length(Lesson.source_file, LessonVersion.source_file, Quiz.source_file)
    for path in files:
        if len(report.relative(path)) > longest:
            # Lessons and quizzes keep the path they were loaded from.
            report.add(path, None, _("the file's path in the package is longer than %(num)d "
                                     "characters", num=longest))
        if path.name.endswith(".md") and not path.name.endswith(".ar.md"):
            spec.lesson_files.add(slug_from_name(path.name))
            topic = read_lesson_topic(path, module, report)
            if topic is None:
                continue
            if topic.slug in spec.topics:
                report.add(path, None, _("duplicate topic slug '%(slug)s' (also in module "
                                         "'%(module)s')", slug=topic.slug,
                                         module=spec.topics[topic.slug].module))
                continue
            if topic.slug not in module.topics:
                report.add(path, None, _("topic '%(slug)s' is not listed in module.yaml's "
                                         "'topics'", slug=topic.slug))
                continue
            topic.position = module.topics.index(topic.slug)
            spec.topics[topic.slug] = topic
            by_stem[path.name[: -len(".md")]] = topic
    for path in files:
        stem = path.name.split(".", 1)[0]
        if path.name.endswith(".ar.md"):
            owner = by_stem.get(stem)
            if owner is None:
                if f"{stem}.md" not in names:
                    report.add(path, None, _("no English lesson '%(name)s' for this Arabic "
                                             "version", name=stem + ".md"))
                continue
            lesson = read_translation(path, report, default_minutes=owner.lessons[
                "en"].minutes if "en" in owner.lessons else 1)
            if lesson:
                owner.lessons["ar"] = lesson
        elif path.name.endswith((".quiz.yaml", ".gift")):
            owner = by_stem.get(stem)
            if owner is None:
                if f"{stem}.md" not in names:
                    report.add(path, None, _("no lesson '%(name)s' for this quiz",
                                             name=stem + ".md"))
                continue
            if owner.quiz is not None:
                report.add(path, None, _("a topic has one quiz file: a .quiz.yaml or a .gift"))
                continue
            owner.quiz = read_quiz(path, report)
        elif not path.name.endswith(".md") and not path.name.startswith("."):
            report.add(path, None, _("unexpected file in a module folder (expected NN-slug.md, "
                                     "NN-slug.ar.md or NN-slug.quiz.yaml)"))
    listed = {t.slug for t in by_stem.values()}
    # A lesson file of this folder that could not be read is reported already; one of
    # another module's folder is no lesson of this module, which would otherwise take on
    # that module's topic in its units.
    own_files = {slug_from_name(p.name) for p in files
                 if p.name.endswith(".md") and not p.name.endswith(".ar.md")}
    for slug in module.topics:
        if slug not in listed and slug not in own_files:
            report.add(module_dir / "module.yaml", None,
                       _("topic '%(slug)s' is listed but has no lesson file in this module's "
                         "folder", slug=slug))


def _check_programmes(root: Path, spec: PackageSpec, report: Report) -> None:
    path = root / "package.yaml"
    modules = {m.slug: m for m in spec.modules}
    for programme in spec.programmes:
        for unit in programme.units:
            if unit.module is not None:
                if unit.module not in modules:
                    report.add(path, unit.line, _("unit '%(slug)s' refers to unknown module "
                                                  "'%(module)s'", slug=unit.slug,
                                                  module=unit.module))
                else:
                    unit.topics = [t for t in modules[unit.module].topics if t in spec.topics]
            else:
                for slug in unit.topics:
                    if slug not in spec.topics and slug not in spec.lesson_files:
                        report.add(path, unit.line, _("unit '%(slug)s' refers to unknown "
                                                      "topic '%(topic)s'", slug=unit.slug,
                                                      topic=slug))


def _check_quiz_refs(root: Path, spec: PackageSpec, report: Report) -> None:
    for topic in spec.topics.values():
        if topic.quiz is None or "en" not in topic.lessons:
            continue
        for question in topic.quiz.questions:
            if question.ref is None:
                continue
            target_slug, _hash, anchor = question.ref.rpartition("#")
            target = spec.topics.get(target_slug) if target_slug else topic
            if target is None:
                report.add(root / topic.quiz.file, question.line,
                           _("question '%(key)s': 'ref' names unknown topic '%(slug)s'",
                             key=question.key, slug=target_slug))
            elif anchor not in target.lessons["en"].anchors:
                report.add(root / topic.quiz.file, question.line,
                           _("question '%(key)s': 'ref' names no heading of the lesson "
                             "'%(slug)s' (no heading with anchor '%(anchor)s')",
                             key=question.key, slug=target.slug, anchor=anchor))


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.match(value))
