"""The question types: one class each, registered in ``QUESTION_TYPES`` by the type's name.

Each class reads its definition from a quiz file (``parse``), reporting every problem with its
line. Adding a type means adding one class here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from lms.courses.fields import Fields
from lms.courses.problems import LineDict
from lms.quizzes.specs import OptionSpec

COMMON_KEYS = ("id", "type", "ref", "points", "text", "feedback")


class QuestionType(ABC):
    name: ClassVar[str]
    keys: ClassVar[tuple[str, ...]] = ()
    graded: ClassVar[bool] = True

    @abstractmethod
    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        """Read the type's own keys; return its settings and options."""

    @staticmethod
    def _options(f: Fields, key: str, kind: str, read: Any) -> list[OptionSpec]:
        options: list[OptionSpec] = []
        seen: set[str] = set()
        texts: set[str] = set()
        for item, _line in f.items(key):
            sub = Fields(item, f.path, f.report, f"an item of '{key}'")
            option = read(sub, kind)
            if option is None:
                continue
            if option.key in seen:
                sub.problem("id", f"duplicate {kind} id '{option.key}' in this question")
                continue
            text = option.text.get("en", "")
            if text and text in texts and kind != "answer":
                sub.problem("text", f"duplicate {kind} text '{text}' in this question")
            seen.add(option.key)
            texts.add(text)
            options.append(option)
        return options


def _choice(f: Fields, kind: str, credit_key: str | None = None) -> OptionSpec | None:
    key = f.key()
    text = f.bilingual("text", both=False)
    feedback = f.bilingual("feedback", required=False, both=False) or {}
    if key is None or text is None:
        return None
    return OptionSpec(key=key, kind=kind, text=text, feedback=feedback)


class SingleChoice(QuestionType):
    name = "single"
    keys = ("choices",)

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "correct", "feedback")
            option = _choice(sub, kind)
            if option is not None:
                option.credit = 100.0 if sub.boolean("correct", default=False) else 0.0
            return option

        options = self._options(f, "choices", "choice", read)
        correct = [o for o in options if o.credit == 100.0]
        if len(options) < 2:
            f.problem("choices", "a single-choice question needs at least two choices")
        if options and len(correct) != 1:
            f.problem("choices", "a single-choice question needs exactly one correct choice "
                                 f"(found {len(correct)})")
        return {}, options


class MultipleChoice(QuestionType):
    name = "multiple"
    keys = ("choices",)

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "weight", "feedback")
            option = _choice(sub, kind)
            weight = sub.number("weight", required=True, minimum=-100, maximum=100)
            if option is not None and weight is not None:
                option.credit = weight
            return option

        options = self._options(f, "choices", "choice", read)
        positive = sum(o.credit for o in options if o.credit > 0)
        if options and positive == 0:
            f.problem("choices", "a multiple-answer question needs at least one correct choice "
                                 "(a positive weight)")
        elif options and abs(positive - 100) > 0.01:
            f.problem("choices", f"the positive weights must add up to 100 (they add up to "
                                 f"{positive:g})")
        return {}, options


class TrueFalse(QuestionType):
    name = "true_false"
    keys = ("answer", "feedback_true", "feedback_false")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        answer = f.raw("answer")
        if not isinstance(answer, bool):
            f.problem("answer" if f.has("answer") else None,
                      "a true/false question needs 'answer: true' or 'answer: false' "
                      "(its correct answer)")
        settings: dict[str, Any] = {"answer": bool(answer)}
        for side in ("true", "false"):
            feedback = f.bilingual(f"feedback_{side}", required=False, both=False)
            if feedback:
                settings[f"feedback_{side}"] = feedback
        return settings, []


class ShortAnswer(QuestionType):
    name = "short_answer"
    keys = ("answers", "case_sensitive")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "text", "credit", "feedback")
            option = _choice(sub, kind)
            credit = sub.number("credit", default=100.0, minimum=1, maximum=100)
            if option is not None and credit is not None:
                option.credit = credit
            return option

        options = self._options(f, "answers", "answer", read)
        if options and not any(o.credit == 100 for o in options):
            f.problem("answers", "a short-answer question needs at least one answer worth 100%")
        return {"case_sensitive": f.boolean("case_sensitive", default=False)}, options


class Matching(QuestionType):
    name = "matching"
    keys = ("pairs", "distractors")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "prompt", "answer", "feedback")
            key = sub.key()
            prompt = sub.bilingual("prompt", both=False)
            answer = sub.bilingual("answer", both=False)
            feedback = sub.bilingual("feedback", required=False, both=False) or {}
            if key is None or prompt is None or answer is None:
                return None
            return OptionSpec(key=key, kind=kind, text=prompt, match=answer, feedback=feedback,
                              credit=100.0)

        pairs = self._options(f, "pairs", "pair", read)
        if len(pairs) < 2 and f.has("pairs"):
            f.problem("pairs", "a matching question needs at least two pairs")
        distractors = []
        for index, (item, line) in enumerate(f.items("distractors", required=False)):
            if isinstance(item, str) and item.strip():
                distractors.append(OptionSpec(key=f"distractor-{index + 1}", kind="distractor",
                                              text={"en": item.strip()}))
            else:
                f.report.add(f.path, line, "each distractor must be non-empty text")
        return {}, pairs + distractors


class Numeric(QuestionType):
    name = "numeric"
    keys = ("answers",)

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        def read(sub: Fields, kind: str) -> OptionSpec | None:
            sub.allow_only("id", "value", "tolerance", "min", "max", "credit", "feedback")
            key = sub.key()
            feedback = sub.bilingual("feedback", required=False, both=False) or {}
            credit = sub.number("credit", default=100.0, minimum=1, maximum=100) or 100.0
            settings: dict[str, float] = {}
            if sub.has("value"):
                value = sub.number("value")
                tolerance = sub.number("tolerance", default=0.0, minimum=0)
                if value is not None:
                    settings = {"min": value - (tolerance or 0), "max": value + (tolerance or 0),
                                "value": value, "tolerance": tolerance or 0.0}
            elif sub.has("min") and sub.has("max"):
                low, high = sub.number("min"), sub.number("max")
                if low is not None and high is not None:
                    if low > high:
                        sub.problem("min", "'min' must not be greater than 'max'")
                    settings = {"min": low, "max": high}
            else:
                sub.problem(None, "a numeric answer needs 'value' (with optional 'tolerance') "
                                  "or 'min' and 'max'")
            if key is None or not settings:
                return None
            text = {"en": f"{settings.get('value', settings['min'])}"}
            return OptionSpec(key=key, kind=kind, text=text, credit=credit, feedback=feedback,
                              settings=settings)

        options = self._options(f, "answers", "answer", read)
        if options and not any(o.credit == 100 for o in options):
            f.problem("answers", "a numeric question needs at least one answer worth 100%")
        return {}, options


class Essay(QuestionType):
    name = "essay"
    keys = ("min_words", "max_words", "guidance")

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        settings: dict[str, Any] = {
            "min_words": f.integer("min_words", default=0, minimum=0),
            "max_words": f.integer("max_words", minimum=1),
        }
        guidance = f.bilingual("guidance", required=False, both=False)
        if guidance:
            settings["guidance"] = guidance
        return settings, []


class Description(QuestionType):
    name = "description"
    graded = False

    def parse(self, f: Fields) -> tuple[dict[str, Any], list[OptionSpec]]:
        return {}, []


QUESTION_TYPES: dict[str, QuestionType] = {
    t.name: t
    for t in (SingleChoice(), MultipleChoice(), TrueFalse(), ShortAnswer(), Matching(),
              Numeric(), Essay(), Description())
}


def question_keys(type_name: str) -> tuple[str, ...]:
    """Every key a question of this type may have."""
    return COMMON_KEYS + QUESTION_TYPES[type_name].keys


def is_mapping(value: Any) -> bool:
    return isinstance(value, LineDict)
