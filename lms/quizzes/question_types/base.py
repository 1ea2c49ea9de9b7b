"""What every question type provides: reading its definition, taking answers, grading them.

A question as an attempt shows it is a plain dict (see ``lms.quizzes.snapshot``): its texts are
rendered HTML per language, its options keep their credit and feedback, and nothing in it is
read from the database again. Types grade that dict, so a past attempt never changes.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from lms.courses.fields import Fields
from lms.courses.problems import LineDict
from lms.quizzes.messages import _
from lms.quizzes.specs import OptionSpec

COMMON_KEYS = ("id", "type", "ref", "points", "text", "feedback")
# Typed answers longer than this are refused rather than stored.
MAX_TYPED = 500
MAX_ESSAY = 50_000

Snapshot = dict[str, Any]
Row = dict[str, Any]
Form = Mapping[str, list[str]]  # field name -> every value posted under it


def field_name(question: Snapshot, part: str = "") -> str:
    """The form field of a question (and of one part of it, such as a matching prompt)."""
    return f"q-{question['key']}" + (f"-{part}" if part else "")


def first(form: Form, name: str) -> str:
    values = form.get(name) or []
    return values[0] if values else ""


class QuestionType(ABC):
    """One kind of question. Subclasses are registered in ``QUESTION_TYPES`` by ``name``."""

    name: ClassVar[str]
    label: ClassVar[Any]  # the type's name for people, translated
    keys: ClassVar[tuple[str, ...]] = ()
    graded: ClassVar[bool] = True  # worth marks
    auto_graded: ClassVar[bool] = True  # graded by the server without an instructor
    # Options are shown in an order that shuffling may change.
    shuffles: ClassVar[bool] = False

    @property
    def template(self) -> str:
        """The template with this type's ``take``, ``review`` and ``editor`` macros."""
        return f"quizzes/questions/{self.name}.html"

    @abstractmethod
    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        """Read the type's own keys; return its settings and options."""

    def arrange(self, question: Snapshot, rng: random.Random, shuffle_options: bool) -> None:
        """Put the options in the order the participant sees."""
        if self.shuffles and shuffle_options:
            rng.shuffle(question["options"])

    @abstractmethod
    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        """The participant's answer from the posted form, and a problem to show, if any.

        Values that do not belong to the question (an option id of another question, say)
        are dropped, so a tampered form cannot reach the grading.
        """

    def is_answered(self, response: Any) -> bool:
        return bool(response)

    @abstractmethod
    def grade(self, question: Snapshot, response: Any) -> float | None:
        """The share of the marks earned, 0 to 1; None when an instructor must grade it."""

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        """The answer-specific feedback (HTML per language) that goes with this response."""
        return []

    def notice(self, question: Snapshot, response: Any) -> Any:
        """A remark to show beside a saved answer that does not block saving, or None."""
        return None

    @abstractmethod
    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        """The type's own keys as a quiz file writes them (the inverse of ``parse``)."""

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        """The type's own keys from the authoring form: its filled rows and other fields.

        A row has ``id``, ``text``, ``answer``, ``feedback`` (bilingual, possibly empty) and
        ``credit``, ``value``, ``tolerance``, ``min``, ``max`` (numbers or None).
        """
        return {}

    @staticmethod
    def _options(f: Fields, key: str, kind: str, read: Any) -> list[OptionSpec]:
        options: list[OptionSpec] = []
        seen: set[str] = set()
        texts: set[str] = set()
        for item, _line in f.items(key):
            sub = Fields(item, f.path, f.report, _("an item of '%(key)s'", key=key))
            option = read(sub, kind)
            if option is None:
                continue
            if option.key in seen:
                sub.problem("id", _("duplicate %(kind)s id '%(key)s' in this question",
                                    kind=kind, key=option.key))
                continue
            text = option.text.get("en", "")
            if text and text in texts and kind != "answer":
                sub.problem("text", _("duplicate %(kind)s text '%(text)s' in this question",
                                      kind=kind, text=text))
            seen.add(option.key)
            texts.add(text)
            options.append(option)
        return options


def read_choice(f: Fields, kind: str) -> OptionSpec | None:
    """An option's id, text and feedback."""
    key = f.key()
    text = f.bilingual("text", both=False)
    feedback = f.bilingual("feedback", required=False, both=False) or {}
    if key is None or text is None:
        return None
    return OptionSpec(key=key, kind=kind, text=text, feedback=feedback)


def text_value(text: dict[str, str]) -> str | dict[str, str]:
    """A bilingual text as a quiz file writes it: a plain string when it has only English."""
    return text["en"] if set(text) == {"en"} else dict(text)


def with_feedback(item: dict[str, Any], row: Row) -> dict[str, Any]:
    if row.get("feedback"):
        item["feedback"] = row["feedback"]
    return item


def is_mapping(value: Any) -> bool:
    return isinstance(value, LineDict)
