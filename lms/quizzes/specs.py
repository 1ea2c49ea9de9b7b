"""Plain descriptions of quizzes as read from a package file, before they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class OptionSpec:
    key: str
    kind: str  # choice | answer | pair | distractor
    text: dict[str, str]
    credit: float = 0.0
    feedback: dict[str, str] = field(default_factory=dict)
    match: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class QuestionSpec:
    key: str
    type: str
    line: int
    points: float
    text: dict[str, str]
    feedback: dict[str, str]
    ref: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    options: list[OptionSpec] = field(default_factory=list)


@dataclass
class QuizSpec:
    file: str
    title: dict[str, str] | None
    pass_mark: int = 70
    attempts_allowed: int | None = None
    grading: str = "highest"
    shuffle_questions: bool = False
    shuffle_choices: bool = False
    time_limit_minutes: int | None = None
    draw_count: int | None = None
    review_policy: str = "after_each_attempt"
    questions: list[QuestionSpec] = field(default_factory=list)
    # The keys the file's ``settings`` gives: a file imported into an existing quiz changes
    # only those, where a package's quiz file, the whole truth about its quiz, sets them all.
    settings_given: frozenset[str] = frozenset()
