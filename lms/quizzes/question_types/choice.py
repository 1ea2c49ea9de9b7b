"""Questions answered by picking: single choice, multiple answers, true or false."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lms.courses.fields import Fields
from lms.quizzes.messages import _
from lms.quizzes.question_types.base import (
    Form,
    QuestionType,
    Row,
    Snapshot,
    field_name,
    first,
    read_choice,
    text_value,
    with_feedback,
)
from lms.quizzes.specs import OptionSpec
from lms.whole_numbers import whole_number


def _option_keys(question: Snapshot) -> list[str]:
    return [option["key"] for option in question["options"]]


def _posted_keys(question: Snapshot, values: list[str]) -> list[str]:
    """Options picked, from the values posted: each option's place in the order shown.

    The page never carries the option ids of the quiz file, whose order (the right answer
    first, say) could hint at the answer.
    """
    keys = _option_keys(question)
    picked = {number - 1 for v in values if (number := whole_number(v, len(keys)))}
    return [key for index, key in enumerate(keys) if index in picked]


def _chosen_feedback(question: Snapshot, chosen: list[str]) -> list[dict[str, str]]:
    return [option["feedback"] for option in question["options"]
            if option["key"] in chosen and option.get("feedback")]


class SingleChoice(QuestionType):
    """One option to pick; the right one earns full marks, others may earn part or nothing."""

    name = "single"
    label = _l("Single choice")
    keys = ("choices",)
    shuffles = True

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "correct", "credit", "feedback")
            option = read_choice(sub, kind)
            correct = sub.boolean("correct", default=False)
            credit = sub.number("credit", minimum=-100, maximum=100)
            if correct and credit is not None and credit != 100:
                sub.problem("credit", _("a correct choice earns full marks: leave out 'credit' "
                                        "or set 'correct: false'"))
            if option is not None:
                option.credit = 100.0 if correct else (credit or 0.0)
            return option

        options = self._options(f, "choices", "choice", read)
        correct = [o for o in options if o.credit == 100.0]
        if len(options) < 2:
            f.problem("choices", _("a single-choice question needs at least two choices"))
        if options and len(correct) != 1:
            f.problem("choices", _("a single-choice question needs exactly one correct choice "
                                   "(found %(num)d)", num=len(correct)))
        return {}, options

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        picked = _posted_keys(question, [first(form, field_name(question))])
        return (picked[0] if picked else None), None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        for option in question["options"]:
            if option["key"] == response:
                return min(1.0, max(0.0, option["credit"] / 100))
        return 0.0

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        return _chosen_feedback(question, [response])

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        choices = []
        for option in options:
            choice: dict[str, Any] = {"id": option.key, "text": text_value(option.text)}
            if option.credit == 100:
                choice["correct"] = True
            elif option.credit:
                choice["credit"] = option.credit
            if option.feedback:
                choice["feedback"] = text_value(option.feedback)
            choices.append(choice)
        return {"choices": choices}

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        choices = []
        for row in rows:
            choice: dict[str, Any] = {"id": row["id"], "text": row["text"]}
            if row["credit"] == 100:
                choice["correct"] = True
            elif row["credit"]:
                choice["credit"] = row["credit"]
            choices.append(with_feedback(choice, row))
        return {"choices": choices}


class MultipleChoice(QuestionType):
    """Any options to tick; each carries a weight, negative for wrong ones, never below zero."""

    name = "multiple"
    label = _l("Multiple answers")
    keys = ("choices",)
    shuffles = True

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "weight", "feedback")
            option = read_choice(sub, kind)
            weight = sub.number("weight", required=True, minimum=-100, maximum=100)
            if option is not None and weight is not None:
                option.credit = weight
            return option

        options = self._options(f, "choices", "choice", read)
        positive = sum(o.credit for o in options if o.credit > 0)
        if len(options) < 2 and f.has("choices"):
            f.problem("choices", _("a multiple-answer question needs at least two choices"))
        if options and positive == 0:
            f.problem("choices", _("a multiple-answer question needs at least one correct "
                                   "choice (a positive weight)"))
        elif options and abs(positive - 100) > 0.01:
            total = f"{positive:g}"
            f.problem("choices", _("the positive weights must add up to 100 (they add up to "
                                   "%(total)s)", total=total))
        return {}, options

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        return _posted_keys(question, list(form.get(field_name(question)) or [])), None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        chosen = set(response or [])
        total = sum(o["credit"] for o in question["options"] if o["key"] in chosen)
        return min(1.0, max(0.0, total / 100))

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        return _chosen_feedback(question, list(response or []))

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        choices = []
        for option in options:
            choice: dict[str, Any] = {"id": option.key, "text": text_value(option.text),
                                      "weight": option.credit}
            if option.feedback:
                choice["feedback"] = text_value(option.feedback)
            choices.append(choice)
        return {"choices": choices}

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        return {"choices": [with_feedback({"id": row["id"], "text": row["text"],
                                           "weight": row["credit"] or 0}, row)
                            for row in rows]}


class TrueFalse(QuestionType):
    """A statement to judge true or false, with feedback for each pick."""

    name = "true_false"
    label = _l("True or false")
    keys = ("answer", "feedback_true", "feedback_false")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        answer = f.raw("answer")
        if not isinstance(answer, bool):
            f.problem("answer" if f.has("answer") else None,
                      _("a true/false question needs 'answer: true' or 'answer: false' "
                        "(its correct answer)"))
        settings: dict[str, Any] = {"answer": bool(answer)}
        for side in ("true", "false"):
            feedback = f.bilingual(f"feedback_{side}", required=False, both=False)
            if feedback:
                settings[f"feedback_{side}"] = feedback
        return settings, []

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        value = first(form, field_name(question))
        return (value if value in ("true", "false") else None), None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        if response not in ("true", "false"):
            return 0.0
        return 1.0 if (response == "true") == question["settings"]["answer"] else 0.0

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        if response not in ("true", "false"):
            return []
        text = question["settings"].get(f"feedback_{response}")
        return [text] if text else []

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        result: dict[str, Any] = {"answer": bool(settings.get("answer"))}
        for side in ("true", "false"):
            if settings.get(f"feedback_{side}"):
                result[f"feedback_{side}"] = text_value(settings[f"feedback_{side}"])
        return result

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"answer": fields.get("answer") == "true"}
        for side in ("true", "false"):
            if fields.get(f"feedback_{side}"):
                result[f"feedback_{side}"] = fields[f"feedback_{side}"]
        return result
