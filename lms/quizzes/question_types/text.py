"""Questions answered in writing (short answer, essay) and text without a question."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from lms.courses.fields import Fields
from lms.quizzes.messages import _
from lms.quizzes.normalise import answer_matches, count_words
from lms.quizzes.question_types.base import (
    MAX_ESSAY,
    MAX_TYPED,
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


def _typed(question: Snapshot, form: Form, limit: int) -> tuple[str, str | None]:
    value = first(form, field_name(question)).strip()
    if len(value) > limit:
        return value[:limit], _("This answer is too long: at most %(num)d characters.",
                                num=limit)
    return value, None


class ShortAnswer(QuestionType):
    """A word or phrase compared with accepted answers, each worth its own credit."""

    name = "short_answer"
    label = _l("Short answer")
    keys = ("answers", "case_sensitive")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "credit", "feedback")
            option = read_choice(sub, kind)
            # 0% answers carry feedback for a mistake the author expects.
            credit = sub.number("credit", default=100.0, minimum=0, maximum=100)
            if option is not None and credit is not None:
                option.credit = credit
            return option

        options = self._options(f, "answers", "answer", read)
        if f.has("answers") and not f.raw("answers"):
            f.problem("answers", _("a short-answer question needs at least one accepted "
                                   "answer"))
        if options and not any(o.credit == 100 for o in options):
            f.problem("answers", _("a short-answer question needs at least one answer worth "
                                   "full marks (credit 100)"))
        return {"case_sensitive": f.boolean("case_sensitive", default=False)}, options

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        return _typed(question, form, MAX_TYPED)

    def _match(self, question: Snapshot, response: Any) -> dict[str, Any] | None:
        if not isinstance(response, str) or not response.strip():
            return None
        case_sensitive = bool(question["settings"].get("case_sensitive"))
        for option in question["options"]:
            if any(answer_matches(text, response, case_sensitive)
                   for text in option["raw"].values()):
                return option
        return None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        option = self._match(question, response)
        return option["credit"] / 100 if option else 0.0

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        option = self._match(question, response)
        return [option["feedback"]] if option and option.get("feedback") else []

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        answers = []
        for option in options:
            answer: dict[str, Any] = {"id": option.key, "text": text_value(option.text),
                                      "credit": option.credit}
            if option.feedback:
                answer["feedback"] = text_value(option.feedback)
            answers.append(answer)
        result: dict[str, Any] = {"answers": answers}
        if settings.get("case_sensitive"):
            result["case_sensitive"] = True
        return result

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        answers = []
        for row in rows:
            answer: dict[str, Any] = {"id": row["id"], "text": row["text"]}
            if row["credit"] is not None:
                answer["credit"] = row["credit"]
            answers.append(with_feedback(answer, row))
        return {"answers": answers, "case_sensitive": bool(fields.get("case_sensitive"))}


class Essay(QuestionType):
    """A written answer an instructor grades, with a comment."""

    name = "essay"
    label = _l("Essay or reflection")
    keys = ("min_words", "max_words", "guidance")
    auto_graded = False

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        settings: dict[str, Any] = {
            "min_words": f.integer("min_words", default=0, minimum=0),
            "max_words": f.integer("max_words", minimum=1),
        }
        if settings["max_words"] is not None and settings["max_words"] < (
                settings["min_words"] or 0):
            f.problem("max_words", _("'max_words' must not be smaller than 'min_words'"))
        guidance = f.bilingual("guidance", required=False, both=False)
        if guidance:
            settings["guidance"] = guidance
        return settings, []

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        return _typed(question, form, MAX_ESSAY)

    def grade(self, question: Snapshot, response: Any) -> float | None:
        # An empty essay needs no reader: it earns nothing.
        return None if isinstance(response, str) and response.strip() else 0.0

    def notice(self, question: Snapshot, response: Any) -> Any:
        if not isinstance(response, str) or not response.strip():
            return None
        words = count_words(response)
        low = question["settings"].get("min_words") or 0
        high = question["settings"].get("max_words")
        if words < low:
            return _("Your answer has %(num)d words; this question asks for at least "
                     "%(min)d.", num=words, min=low)
        if high and words > high:
            return _("Your answer has %(num)d words; this question asks for at most %(max)d.",
                     num=words, max=high)
        return None

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if settings.get("min_words"):
            result["min_words"] = settings["min_words"]
        if settings.get("max_words"):
            result["max_words"] = settings["max_words"]
        if settings.get("guidance"):
            result["guidance"] = text_value(settings["guidance"])
        return result

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        result = {key: fields[key] for key in ("min_words", "max_words", "guidance")
                  if fields.get(key)}
        return result


class Description(QuestionType):
    """Text to read between questions; not a question and worth nothing."""

    name = "description"
    label = _l("Description (text only)")
    graded = False

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        return {}, []

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        return None, None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        return 0.0

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        return {}
