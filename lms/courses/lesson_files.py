"""A course package's lesson files: `NN-slug.md` (English, with the topic's title) and
`NN-slug.ar.md` (its Arabic version), each YAML front matter between `---` lines and a
Markdown body."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

from flask_babel import gettext as _

from lms.courses.authoring.models import LessonVersion
from lms.courses.fields import Fields
from lms.courses.models import Topic
from lms.courses.problems import Report, load_yaml, read_text
from lms.courses.specs import LessonSpec, ModuleSpec, TopicSpec
from lms.db_types import column_length

ORDER_PREFIX = re.compile(r"^\d+-")
# A topic's title is stored on the topic and on each version of its lessons.
TITLE_LENGTH = column_length(Topic.title_en, Topic.title_ar, LessonVersion.title)


def slug_from_name(name: str) -> str:
    """`01-who-is-a-migrant.quiz.yaml` → `who-is-a-migrant`."""
    stem = name.split(".", 1)[0]
    return ORDER_PREFIX.sub("", stem)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---` front matter from the body; returns (yaml, body, lines before the body)."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 3)
    while end != -1:
        after = text[end + 4 : end + 5]
        if after in ("\n", ""):
            front = text[4 : end + 1]
            body = text[end + 5 :]
            return front, body, front.count("\n") + 2
        end = text.find("\n---", end + 1)
    return None


def read_lesson_topic(path: Path, module: ModuleSpec, report: Report) -> TopicSpec | None:
    parts = _front_matter(path, report)
    if parts is None:
        return None
    f, body, offset, text = parts
    f.allow_only("title", "slug", "minutes", "objectives", "published")
    title = f.bilingual("title", max_length=TITLE_LENGTH)
    slug = f.slug("slug", default=slug_from_name(path.name))
    published = f.raw("published")
    if published is not None and not isinstance(published, date):
        f.problem("published", _("'published' must be a date such as 2018-10-01"))
        published = None
    lesson = _lesson_from(f, path, body, offset, text, "en", report, default_minutes=None)
    if title is None or slug is None or lesson is None:
        return None
    return TopicSpec(slug, module.slug, 0, title, published, {"en": lesson})


def read_translation(path: Path, report: Report, default_minutes: int) -> LessonSpec | None:
    """The Arabic version of a lesson (`NN-slug.ar.md`): the topic's title stays the English
    file's, and the reading time defaults to it."""
    parts = _front_matter(path, report)
    if parts is None:
        return None
    f, body, offset, text = parts
    f.allow_only("minutes", "objectives")
    return _lesson_from(f, path, body, offset, text, "ar", report, default_minutes)


def _front_matter(path: Path, report: Report) -> tuple[Fields, str, int, str] | None:
    text = read_text(path, report)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        report.add(path, 1, _("the lesson must start with YAML front matter between '---' "
                              "lines"))
        return None
    front, body, offset = parts
    reported = len(report.problems)
    data = load_yaml(front, path, report, line_offset=1)
    if data is None:
        if len(report.problems) == reported:
            # Empty (or only comments): without a word here the lesson would vanish from the
            # package, and a unit naming its topic would fail to load.
            report.add(path, 1, _("the front matter between the '---' lines is empty"))
        return None
    return Fields(data, path, report, _("the front matter")), body, offset, text


def _lesson_from(f: Fields, path: Path, body: str, offset: int, text: str, language: str,
                 report: Report, default_minutes: int | None) -> LessonSpec | None:
    minutes = f.integer("minutes", minimum=1, maximum=600, required=default_minutes is None,
                        default=default_minutes)
    objectives = f.strings("objectives")
    if f.has("objectives") and not objectives:
        f.problem("objectives", _("list at least one learning objective"))
    if not body.strip():
        report.add(path, offset + 1, _("the lesson has no text after its front matter"))
        return None
    if minutes is None or not objectives:
        return None
    return LessonSpec(language, report.relative(path), offset, objectives, minutes, body,
                      hashlib.sha256(text.encode()).hexdigest())
