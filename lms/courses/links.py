"""Links inside lessons: where package links point on the platform, and checking them all."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _

from lms.courses.problems import Report
from lms.courses.specs import LessonSpec, PackageSpec
from lms.markdown import LinkResolver, render

ALLOWED_SCHEMES = ("http", "https", "mailto")
LANGUAGE_QUERIES = ("", "lang=en", "lang=ar")


def lesson_url(slug: str) -> str:
    return f"/topics/{slug}"


def glossary_url(slug: str) -> str:
    return f"/glossary#{slug}"


def media_url(package: str, name: str) -> str:
    # Package media names start with "media/".
    return f"/media/{package}/{name.removeprefix('media/')}"


def make_resolver(spec: PackageSpec, anchors: dict[str, set[str]]) -> LinkResolver:
    """A resolver for the links of one package; None means the target does not exist."""
    terms = {t.slug for t in spec.glossary}

    def resolve(url: str) -> str | None:
        if url.startswith("media/"):
            return media_url(spec.slug, url) if url in spec.media else None
        if url.startswith("glossary:"):
            slug = url.removeprefix("glossary:")
            return glossary_url(slug) if slug in terms else None
        target = urlsplit(url.removeprefix("topic:"))
        slug, query, anchor = target.path, target.query, target.fragment
        if slug not in spec.topics or query not in LANGUAGE_QUERIES:
            return None
        if anchor and anchor not in anchors.get(slug, set()):
            return None
        return lesson_url(slug) + (f"?{query}" if query else "") + (f"#{anchor}" if anchor
                                                                      else "")

    return resolve


def check_lesson_links(spec: PackageSpec, report: Report) -> None:
    """Render every lesson, resolving its links; report each broken one with its line.

    Rendering twice lets a link name a heading of any lesson: the first pass collects anchors.
    """
    lessons = [lesson for topic in spec.topics.values() for lesson in topic.lessons.values()]
    for lesson in lessons:
        lesson.anchors = render(lesson.body).anchors
    anchors = {slug: t.lessons["en"].anchors for slug, t in spec.topics.items()
               if "en" in t.lessons}
    resolver = make_resolver(spec, anchors)
    for lesson in lessons:
        rendered = render(lesson.body, resolver)
        lesson.html, lesson.toc = rendered.html, rendered.toc
        for url in rendered.unresolved:
            report.add(spec.root / lesson.file, _line_of(lesson, url), _broken(url))
        for url in rendered.links:
            problem = _check_plain_link(url, lesson)
            if problem:
                report.add(spec.root / lesson.file, _line_of(lesson, url), problem)


def _broken(url: str) -> str:
    if url.startswith("media/"):
        return _("the file '%(url)s' does not exist in the package (broken image or file link)",
                 url=url)
    if url.startswith("glossary:"):
        return _("'%(url)s' names no term of glossary.yaml", url=url)
    return _("'%(url)s' names no topic or heading of this package", url=url)


def _check_plain_link(url: str, lesson: LessonSpec) -> str | None:
    if url.startswith(("media/", "glossary:", "topic:")) or url == "#":
        return None
    if url.startswith("#"):
        return None if url[1:] in lesson.anchors or url.startswith("#fn") else (
            _("the link '%(url)s' names no heading of this lesson", url=url))
    scheme = urlsplit(url).scheme.lower()
    if scheme in ALLOWED_SCHEMES:
        return None
    if not scheme:
        return _("the relative link '%(url)s' points nowhere; use media/NAME, topic:SLUG, "
                 "glossary:SLUG or a full https:// address", url=url)
    return _("the link '%(url)s' uses the scheme '%(scheme)s:', which is not allowed", url=url,
             scheme=scheme)


def _line_of(lesson: LessonSpec, url: str) -> int:
    for needle in (f"]({url}", url):
        index = lesson.body.find(needle)
        if index != -1:
            return lesson.line_offset + lesson.body.count("\n", 0, index) + 1
    return lesson.line_offset + 1
