"""Typed reading of YAML mappings, reporting each wrong field with its file and line."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from lms.courses.authoring.models import PackageUpload
from lms.courses.models import CoursePackage, GlossaryTerm, Module, Programme, Topic, Unit
from lms.courses.problems import LineDict, LineList, Report
from lms.db_types import column_length
from lms.quizzes.models import AttemptAnswer, Option, Question

# Slugs and ids are as long as the shortest column that stores them.
SLUG_LENGTH = column_length(CoursePackage.slug, Programme.slug, Module.slug, Topic.slug,
                            Unit.slug, GlossaryTerm.slug, PackageUpload.package_slug)
SLUG_PATTERN = rf"^[a-z0-9][a-z0-9-]{{0,{SLUG_LENGTH - 1}}}$"
SLUG_RE = re.compile(SLUG_PATTERN)
KEY_LENGTH = column_length(Question.key, Option.key, AttemptAnswer.question_key)
KEY_RE = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9_-]{{0,{KEY_LENGTH - 1}}}$")
# Text kept in JSON or Text columns; text for a String column passes that column's length.
MAX_TEXT = 100_000
LANGUAGES = ("en", "ar")


def _finite(value: int | float) -> bool:
    """Whether a YAML number is an ordinary one: not .inf or .nan (which no JSON column stores
    and no comparison orders), nor an integer too large to be a float."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


class Fields:
    """Reads the fields of one mapping; every problem goes to the report with its line."""

    def __init__(self, data: Any, path: Path, report: Report, what: str) -> None:
        self.path = path
        self.report = report
        self.what = what
        if isinstance(data, LineDict):
            self.data = data
        else:
            self.data = LineDict()
            self.data.key_lines = {}
            self.data.line = getattr(data, "line", 0) or 1
            report.add(path, self.data.line or None,
                       _("%(what)s must be a mapping of keys to values", what=what))

    @property
    def line(self) -> int:
        return self.data.line

    def line_of(self, key: str) -> int:
        return self.data.line_of(key)

    def problem(self, key: str | None, message: str) -> None:
        line = self.data.line_of(key) if key else self.data.line
        self.report.add(self.path, line, message)

    def allow_only(self, *keys: str) -> None:
        for key in self.data:
            if key not in keys:
                allowed = ", ".join(keys)
                self.problem(key, _("unknown key '%(key)s' in %(what)s (allowed: %(allowed)s)",
                                    key=key, what=self.what, allowed=allowed))

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str, *, required: bool = True,
             max_length: int = MAX_TEXT) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(key, _("'%(key)s' must be text", key=key))
            return None
        value = str(value).strip()
        if required and not value:
            self.problem(key, _("'%(key)s' must not be empty", key=key))
            return None
        if len(value) > max_length:
            self.problem(key, _("'%(key)s' is longer than %(num)d characters", key=key,
                                num=max_length))
            return None
        return value

    def bilingual(self, key: str, *, required: bool = True, both: bool = True,
                  max_length: int = MAX_TEXT) -> dict[str, str] | None:
        """A `{en, ar}` mapping; with ``both`` False a plain string or `{en, ar?}` is accepted."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return None
        if not both and isinstance(value, str | int | float) and not isinstance(value, bool):
            plain = str(value).strip()
            if len(plain) > max_length:
                self.problem(key, _("'%(key)s' is longer than %(num)d characters", key=key,
                                    num=max_length))
                return None
            return {"en": plain}
        if not isinstance(value, LineDict):
            self.problem(key, _("'%(key)s' must be a mapping {en: ..., ar: ...}", key=key) if both
                         else _("'%(key)s' must be text or {en: ..., ar: ...}", key=key))
            return None
        inner = Fields(value, self.path, self.report, f"'{key}'")
        inner.allow_only(*LANGUAGES)
        result: dict[str, str] = {}
        for language in LANGUAGES:
            needed = both or language == "en"
            text = inner.text(language, required=needed)
            if text and len(text) > max_length:
                # Reported, and kept: the rest of the file is still checked as usual.
                inner.problem(language, _("'%(key)s' is longer than %(num)d characters",
                                          key=f"{key}.{language}", num=max_length))
            if text:
                result[language] = text
        return result if "en" in result and (not both or "ar" in result) else None

    def integer(self, key: str, *, default: int | None = None, minimum: int | None = None,
                maximum: int | None = None, required: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, _("'%(key)s' must be a whole number", key=key))
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(key, _("'%(key)s' must be a whole number from %(minimum)s",
                                key=key, minimum=minimum) if maximum is None
                         else _("'%(key)s' must be a whole number from %(minimum)s to %(maximum)s",
                                key=key, minimum=minimum, maximum=maximum))
            return default
        return value

    def number(self, key: str, *, default: float | None = None, required: bool = False,
               minimum: float | None = None, maximum: float | None = None) -> float | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not _finite(value):
            self.problem(key, _("'%(key)s' must be a number", key=key))
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(key, _("'%(key)s' must be between %(minimum)s and %(maximum)s", key=key,
                                minimum=minimum, maximum=maximum))
            return default
        return float(value)

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, _("'%(key)s' must be true or false", key=key))
            return default
        return value

    def choice(self, key: str, options: tuple[str, ...], *, default: str) -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if value not in options:
            self.problem(key, _("'%(key)s' must be one of: %(options)s", key=key,
                                options=", ".join(options)))
            return default
        return str(value)

    def slug(self, key: str, *, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is None:
            self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return None
        if isinstance(value, str) and len(value) > SLUG_LENGTH:
            self.problem(key, _("'%(key)s' is longer than %(num)d characters", key=key,
                                num=SLUG_LENGTH))
            return None
        if not isinstance(value, str) or not SLUG_RE.match(value):
            self.problem(key, _("'%(value)s' is not a valid slug (lower-case letters, digits, "
                                "hyphens)", value=value))
            return None
        return value

    def key(self, key: str = "id") -> str | None:
        value = self.data.get(key)
        if value is None:
            self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return None
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(value, str) and len(value) > KEY_LENGTH:
            self.problem(key, _("'%(key)s' is longer than %(num)d characters", key=key,
                                num=KEY_LENGTH))
            return None
        if not isinstance(value, str) or not KEY_RE.match(value):
            self.problem(key, _("'%(key)s' must be letters, digits, '-' or '_' (got %(value)s)",
                                key=key, value=repr(value)))
            return None
        return value

    def items(self, key: str, *, required: bool = True) -> list[tuple[Any, int]]:
        """The items of a list with their lines; reports a missing or non-list value."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(None, _("%(what)s is missing '%(key)s'", what=self.what, key=key))
            return []
        if not isinstance(value, LineList):
            self.problem(key, _("'%(key)s' must be a list", key=key))
            return []
        return [(item, value.line_of(i)) for i, item in enumerate(value)]

    def strings(self, key: str, *, required: bool = True) -> list[str]:
        result = []
        for item, line in self.items(key, required=required):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                self.report.add(self.path, line,
                                _("each item of '%(key)s' must be non-empty text", key=key))
        return result
