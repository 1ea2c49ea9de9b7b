"""Matching: each prompt paired with one answer picked from a shared, shuffled list."""

from __future__ import annotations

import random
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
    text_value,
    with_feedback,
)
from lms.quizzes.specs import OptionSpec


def pairs(question: Snapshot) -> list[dict[str, Any]]:
    return [option for option in question["options"] if option["kind"] == "pair"]


class Matching(QuestionType):
    name = "matching"
    label = _l("Matching")
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

        found = self._options(f, "pairs", "pair", read)
        if len(found) < 2 and f.has("pairs"):
            f.problem("pairs", _("a matching question needs at least two pairs"))
        distractors = []
        taken = {pair.key for pair in found}
        for index, (item, line) in enumerate(f.items("distractors", required=False)):
            if isinstance(item, str) and item.strip():
                # Named after their place, passing over a pair's id that happens to read the
                # same: two options of one question cannot share an id.
                key = f"distractor-{index + 1}"
                while key in taken:
                    key += "-extra"
                taken.add(key)
                distractors.append(OptionSpec(key=key, kind="distractor",
                                              text={"en": item.strip()}))
            else:
                f.report.add(f.path, line, _("each distractor must be non-empty text"))
        return {}, found + distractors

    def arrange(self, question: Snapshot, rng: random.Random, shuffle_options: bool) -> None:
        # The answer list is always shuffled, and numbered after shuffling: in the prompts'
        # order, or numbered in it, it would give the pairs away.
        texts: dict[str, dict[str, str]] = {}
        for option in question["options"]:
            text = option["match_raw"] if option["kind"] == "pair" else option["raw"]
            texts.setdefault(text["en"], text)
        order = list(texts)
        rng.shuffle(order)
        ids = {english: f"m{index + 1}" for index, english in enumerate(order)}
        question["choices"] = [{"id": ids[english], "text": texts[english]}
                               for english in order]
        for option in question["options"]:
            if option["kind"] == "pair":
                option["answer_id"] = ids[option["match_raw"]["en"]]
        if shuffle_options:
            rng.shuffle(question["options"])

    def read_response(self, question: Snapshot, form: Form) -> tuple[Any, str | None]:
        ids = {choice["id"] for choice in question["choices"]}
        response = {}
        for pair in pairs(question):
            value = first(form, field_name(question, pair["key"]))
            if value in ids:
                response[pair["key"]] = value
        return response, None

    def grade(self, question: Snapshot, response: Any) -> float | None:
        given = response if isinstance(response, dict) else {}
        prompts = pairs(question)
        if not prompts:
            return 0.0
        right = sum(1 for pair in prompts if given.get(pair["key"]) == pair["answer_id"])
        return right / len(prompts)

    def feedback(self, question: Snapshot, response: Any) -> list[dict[str, str]]:
        return [pair["feedback"] for pair in pairs(question) if pair.get("feedback")]

    def definition(self, settings: dict[str, Any], options: list[OptionSpec]) -> dict[str, Any]:
        result: dict[str, Any] = {"pairs": []}
        for option in options:
            if option.kind == "pair":
                pair: dict[str, Any] = {"id": option.key, "prompt": text_value(option.text),
                                        "answer": text_value(option.match)}
                if option.feedback:
                    pair["feedback"] = text_value(option.feedback)
                result["pairs"].append(pair)
        distractors = [option.text["en"] for option in options if option.kind == "distractor"]
        if distractors:
            result["distractors"] = distractors
        return result

    def from_editor(self, rows: list[Row], fields: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"pairs": [
            with_feedback({"id": row["id"], "prompt": row["text"], "answer": row["answer"]}, row)
            for row in rows]}
        if fields.get("distractors"):
            result["distractors"] = fields["distractors"]
        return result
