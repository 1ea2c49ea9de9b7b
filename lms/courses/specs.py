"""Plain descriptions of a course package as read from its folder, before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lms.quizzes.specs import QuizSpec

DEFAULT_COMPLETION: dict[str, Any] = {
    "late_counts": True,
    "excused_counts": False,
    "unexcused_absences_allowed": 0,
    "requires_quizzes": True,
}


@dataclass
class LessonSpec:
    language: str
    file: str
    line_offset: int  # lines before the Markdown body (front matter)
    objectives: list[str]
    minutes: int
    body: str
    source_hash: str
    html: str = ""
    toc: list[dict[str, Any]] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)


@dataclass
class TopicSpec:
    slug: str
    module: str
    position: int
    title: dict[str, str]
    published: date | None
    lessons: dict[str, LessonSpec] = field(default_factory=dict)
    quiz: QuizSpec | None = None


@dataclass
class ModuleSpec:
    slug: str
    file: str
    position: int
    title: dict[str, str]
    summary: dict[str, str]
    topics: list[str]


@dataclass
class UnitSpec:
    slug: str
    line: int
    title: dict[str, str] | None
    module: str | None
    topics: list[str]
    days: int
    hours_per_day: int


@dataclass
class ProgrammeSpec:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    units: list[UnitSpec]


@dataclass
class TermSpec:
    slug: str
    term: dict[str, str]
    definition: dict[str, str]
    source: str


@dataclass
class MediaSpec:
    name: str
    path: Path
    content_type: str
    sha256: str


@dataclass
class PackageSpec:
    root: Path
    slug: str
    version: str
    title: dict[str, str]
    summary: dict[str, str]
    issuers: list[dict[str, str]]
    completion: dict[str, Any]
    certificate: dict[str, Any]
    programmes: list[ProgrammeSpec] = field(default_factory=list)
    modules: list[ModuleSpec] = field(default_factory=list)
    topics: dict[str, TopicSpec] = field(default_factory=dict)
    glossary: list[TermSpec] = field(default_factory=list)
    media: dict[str, MediaSpec] = field(default_factory=dict)
    # Slugs of every lesson file, valid or not, so one broken lesson is reported once only.
    lesson_files: set[str] = field(default_factory=set)
