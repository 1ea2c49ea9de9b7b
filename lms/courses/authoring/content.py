"""Lesson text written or uploaded in the browser: reading `.md` files, rendering and checking.

Rendering goes through the one renderer participants' lessons use (``lms.markdown.render``), with
a resolver that knows what exists on the platform, so a preview is what participants will see
and a link to a missing file is refused with the link named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from lms.courses.fields import Fields
from lms.courses.lesson_files import TITLE_LENGTH, split_front_matter
from lms.courses.links import (
    ALLOWED_SCHEMES,
    LANGUAGE_QUERIES,
    glossary_url,
    lesson_url,
    media_url,
)
from lms.courses.models import CoursePackage, GlossaryTerm, Lesson, MediaFile, Topic
from lms.courses.problems import LineDict, Report, load_yaml
from lms.extensions import db
from lms.markdown import Rendered, render

MAX_LESSON_BYTES = 256 * 1024
MAX_BODY_CHARS = 200_000


@dataclass
class LessonContent:
    """What a lesson version holds, before it is stored."""

    title: str
    minutes: int
    objectives: list[str]
    body: str

    def key(self) -> tuple[str, int, tuple[str, ...], str]:
        return (self.title, self.minutes, tuple(self.objectives), self.body.strip())


@dataclass
class UploadedLesson:
    """A `.md` file read for the editor; missing front matter fields stay None."""

    body: str
    title: str | None = None
    minutes: int | None = None
    objectives: list[str] | None = None
    problems: list[str] = field(default_factory=list)


class LessonFileRefused(ValueError):
    """The uploaded file is not a lesson the platform can read; the message says why."""


def read_lesson_file(data: bytes, language: str) -> UploadedLesson:
    """Read an uploaded lesson: UTF-8 Markdown, with the package's front matter if present.

    :raises LessonFileRefused: for a file too large, not UTF-8 text, or without any text.
    """
    if len(data) > MAX_LESSON_BYTES:
        raise LessonFileRefused(_("The file is larger than %(num)d KiB.",
                                  num=MAX_LESSON_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LessonFileRefused(_("The file is not UTF-8 text. Save it as UTF-8 Markdown and "
                                  "upload it again.")) from None
    if "\x00" in text:
        raise LessonFileRefused(_("The file is not a text file."))
    text = text.replace("\r\n", "\n")
    parts = split_front_matter(text)
    if parts is None:
        if not text.strip():
            raise LessonFileRefused(_("The file has no text."))
        return UploadedLesson(body=text)
    front, body, _offset = parts
    if not body.strip():
        raise LessonFileRefused(_("The file has no text after its front matter."))
    name = Path("lesson.ar.md" if language == "ar" else "lesson.md")
    report = Report(Path("."))
    data_map = load_yaml(front, name, report, line_offset=1)
    lesson = UploadedLesson(body=body)
    if data_map is not None:
        _read_front_matter(Fields(data_map, name, report, _("the front matter")), language, lesson)
    lesson.problems = [_("Line %(line)s: %(message)s", line=p.line or 1, message=p.message)
                       for p in report.problems]
    return lesson


def _read_front_matter(f: Fields, language: str, lesson: UploadedLesson) -> None:
    f.allow_only("title", "slug", "minutes", "objectives", "published")
    title = f.raw("title")
    if isinstance(title, LineDict):
        # A package's English file holds {en, ar}; the editor takes the language it edits.
        inner = Fields(title, f.path, f.report, "'title'")
        value = inner.text(language, required=False)
        if value and len(value) > TITLE_LENGTH:
            inner.problem(language, _("'%(key)s' is longer than %(num)d characters",
                                      key=f"title.{language}", num=TITLE_LENGTH))
        else:
            lesson.title = value or None
    elif title is not None:
        lesson.title = f.text("title", required=False, max_length=TITLE_LENGTH)
    lesson.minutes = f.integer("minutes", minimum=1, maximum=600)
    if f.has("objectives"):
        lesson.objectives = f.strings("objectives") or None


@dataclass
class Checked:
    rendered: Rendered
    problems: list[str]


class _PlatformLinks:
    """Resolves package-style links against what the platform holds for one package."""

    def __init__(self, package: CoursePackage, topic: Topic, own_anchors: set[str]) -> None:
        self.package = package
        self.topic = topic
        self.own_anchors = own_anchors
        self.media = set(db.session.scalars(
            select(MediaFile.name).where(MediaFile.package_id == package.id,
                                         MediaFile.is_retired.is_(False))))
        self.terms = set(db.session.scalars(
            select(GlossaryTerm.slug).where(GlossaryTerm.package_id == package.id,
                                            GlossaryTerm.is_retired.is_(False))))
        self.topics = set(db.session.scalars(
            select(Topic.slug).where(Topic.package_id == package.id,
                                     Topic.is_retired.is_(False), Topic.is_draft.is_(False))))
        self._anchors: dict[str, set[str]] = {}

    def anchors(self, slug: str) -> set[str]:
        if slug == self.topic.slug and self.own_anchors:
            return self.own_anchors
        if slug not in self._anchors:
            body = db.session.scalar(
                select(Lesson.body_markdown).join(Topic, Topic.id == Lesson.topic_id)
                .where(Topic.package_id == self.package.id, Topic.slug == slug,
                       Lesson.language == "en", Lesson.is_retired.is_(False)))
            self._anchors[slug] = render(body).anchors if body else set()
        return self._anchors[slug]

    def __call__(self, url: str) -> str | None:
        if url.startswith("media/"):
            return media_url(self.package.slug, url) if url in self.media else None
        if url.startswith("glossary:"):
            slug = url.removeprefix("glossary:")
            return glossary_url(slug) if slug in self.terms else None
        target = urlsplit(url.removeprefix("topic:"))
        slug, query, anchor = target.path, target.query, target.fragment
        if (slug not in self.topics and slug != self.topic.slug) or query not in LANGUAGE_QUERIES:
            return None
        if anchor and anchor not in self.anchors(slug):
            return None
        return lesson_url(slug) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor
                                                                      else "")


def check_lesson(package: CoursePackage, topic: Topic, language: str, body: str) -> Checked:
    """Render a lesson body as participants would see it, listing every broken link."""
    own = render(body).anchors
    if language != "en":
        english = db.session.scalar(select(Lesson.body_markdown).where(
            Lesson.topic_id == topic.id, Lesson.language == "en"))
        own = render(english).anchors if english else set()
    rendered = render(body, _PlatformLinks(package, topic, own))
    local = render(body).anchors
    problems = [_link_problem(url, _line_of(body, url)) for url in rendered.unresolved]
    for url in rendered.links:
        problem = _plain_link_problem(url, local, _line_of(body, url))
        if problem:
            problems.append(problem)
    return Checked(rendered, problems)


def _link_problem(url: str, line: int) -> str:
    if url.startswith("media/"):
        return _("Line %(line)d: the file %(link)s does not exist. Upload it on the module's "
                 "media page first.", line=line, link=url)
    if url.startswith("glossary:"):
        return _("Line %(line)d: %(link)s names no term of the glossary.", line=line, link=url)
    return _("Line %(line)d: %(link)s names no published topic, or no heading of it.",
             line=line, link=url)


def _plain_link_problem(url: str, anchors: set[str], line: int) -> str | None:
    if url.startswith(("media/", "glossary:", "topic:")) or url == "#":
        return None
    if url.startswith("#"):
        if url[1:] in anchors or url.startswith("#fn"):
            return None
        return _("Line %(line)d: the link %(link)s names no heading of this lesson.",
                 line=line, link=url)
    scheme = urlsplit(url).scheme.lower()
    if scheme in ALLOWED_SCHEMES:
        return None
    if not scheme:
        return _("Line %(line)d: the link %(link)s points nowhere. Use media/NAME, topic:SLUG, "
                 "glossary:SLUG or a full https:// address.", line=line, link=url)
    return _("Line %(line)d: the link %(link)s uses a kind of address that is not allowed "
             "(use https, http or mailto).", line=line, link=url)


def _line_of(body: str, url: str) -> int:
    for needle in (f"]({url}", url):
        index = body.find(needle)
        if index != -1:
            return body.count("\n", 0, index) + 1
    return 1


def objectives_from_text(text: str) -> list[str]:
    """One objective per non-empty line; list markers people type are dropped."""
    result = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").removeprefix("* ").strip()
        if line:
            result.append(line)
    return result
