"""Numeric answers: a value with a tolerance, or a range, each worth its own credit."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l

from lms.courses.fields import Fields
from lms.quizzes.messages import _
from lms.quizzes.normalise import parse_number
from lms.quizzes.question_types.base import (
    MAX_TYPED,
    Form,
    QuestionType,
    Row,
    Snapshot,
    field_name,
    first,
    text_value,
    with_feedback,
)
from lms.quizzes.specs import OptionSpec


def number_text(value: float) -> str:
    """A number as people write it, exactly: ``1951`` rather than ``1951.0``."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _within(value: float, low: float, high: float) -> bool:
    # Values typed exactly on a bound must count despite binary rounding of the bounds.
    slack = 1e-9 * max(1.0, abs(low), abs(high))
    return low - slack <= value <= high + slack


class Numeric(QuestionType):
    name = "numeric"
    label = _l("Numeric")
    keys = ("answers", "other_feedback")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "value", "tolerance", "min", "max", "credit", "feedback")
            key = sub.key()
            feedback = sub.bilingual("feedback", required=False, both=False) or {}
            credit = sub.number("credit", default=100.0, minimum=0, maximum=100)
            settings: dict[str, float] = {}
            if sub.has("value"):
                value = sub.number("value")
                tolerance = sub.number("tolerance", default=0.0, minimum=0)
                if value is not None:
                    settings = {"min": value - (tolerance or 0), "max": value + (tolerance or 0),
                                "value": value, "tolerance": tolerance or 0.0}
                    if not all(math.isfinite(bound) for bound in settings.values()):
                        # 1e308 plus as much again is no number: every answer would match.
                        sub.problem("tolerance", _("the value and tolerance are too large"))
                        settings = {}
            elif sub.has("min") and sub.has("max"):
                low, high = sub.number("min"), sub.number("max")
                if low is not None and high is not None:
                    if low > high:
                        sub.problem("min", _("'min' must not be greater than 'max'"))
                    settings = {"min": low, "max": high}
            else:
                sub.problem(None, _("a numeric answer needs 'value' (with optional "
                                    "'tolerance') or 'min' and 'max'"))
            if key is None or not settings:
                return None
            text = {"en": number_text(settings.get("value", settings["min"]))}
            return OptionSpec(key=key, kind=kind, text=text,
                              credit=100.0 if credit is None else credit, feedback=feedback,
                              settings=settings)

        options = self._options(f, "answers", "answer", read)
        if f.has("answers") and not f.raw("answers"):
            f.problem("answers", _("a numeric question needs at least one accepted answer"))
        if options and not any(o.credit == 100 for o in options):
            f.problem("answers", _("a numeric question needs at least one answer worth full "
                                   "marks (credit 100)"))
        settings: dict[str, Any] = {}
        other = f.bilingual("other_feedback", required=False, both=False)
        if other:
            settings["other_feedback"] = other
        return settings, options

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        value = first(form, field_name(question)).strip()
        if len(value) > MAX_TYPED:
            return value[:MAX_TYPED], _("This answer is too long: at most %(num)d characters.",
                                        num=MAX_TYPED)
        if value and parse_number(value) is None:
            return value, _("Enter a number, such as 1951 or 2.5.")
        return value, None

    def _match(self, question: Snapshot, response: Any) -> dict[str, Any] | None:
        number = parse_number(response) if isinstance(response, str) else None
        if number is None:
            return None
        for option in question["options"]:
            bounds = option["settings"]
            if _within(number, bounds["min"], bounds["max"]):
                return option
        return None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        option = self._match(question, response)
        return option["credit"] / 100 if option else 0.0

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        option = self._match(question, response)
        if option is not None:
            return [option["feedback"]] if option.get("feedback") else []
        other = question["settings"].get("other_feedback")
        return [other] if other and isinstance(response, str) and response else []

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        answers = []
        for option in options:
            bounds = option.settings
            answer: dict[str, Any] = {"id": option.key}
            if "value" in bounds:
                answer["value"] = bounds["value"]
                if bounds.get("tolerance"):
                    answer["tolerance"] = bounds["tolerance"]
            else:
                answer["min"], answer["max"] = bounds["min"], bounds["max"]
            answer["credit"] = option.credit
            if option.feedback:
                answer["feedback"] = text_value(option.feedback)
            answers.append(answer)
        result: dict[str, Any] = {"answers": answers}
        if settings.get("other_feedback"):
            result["other_feedback"] = text_value(settings["other_feedback"])
        return result

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        answers = []
        for row in rows:
            answer: dict[str, Any] = {"id": row["id"]}
            if row["value"] is not None:
                answer["value"] = row["value"]
                if row["tolerance"]:
                    answer["tolerance"] = row["tolerance"]
            else:
                answer["min"], answer["max"] = row["min"], row["max"]
            if row["credit"] is not None:
                answer["credit"] = row["credit"]
            answers.append(with_feedback(answer, row))
        result: dict[str, Any] = {"answers": answers}
        if fields.get("other_feedback"):
            result["other_feedback"] = fields["other_feedback"]
        return result
