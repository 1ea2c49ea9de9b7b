"""Helpers quiz templates call: the language to show a text in, a type's template, links."""

from __future__ import annotations

from typing import Any

from lms.i18n import current_language, text_direction
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.snapshot import numbered, page_of_question


def text_language(text: dict[str, str] | None) -> str | None:
    """The reader's language if the text has it, else English, else whatever it has."""
    if not text:
        return None
    language = current_language()
    for candidate in (language, "en", *text):
        if text.get(candidate):
            return candidate
    return None


def lesson_ref_url(topic_slug: str, ref: str) -> str:
    """The lesson heading a question's ``ref`` names (``anchor`` or ``topic#anchor``)."""
    slug, _, anchor = ref.rpartition("#")
    return f"/topics/{slug or topic_slug}#{anchor}"


def question_template(question: dict[str, Any]) -> str:
    return QUESTION_TYPES[question["type"]].template


def question_notice(question: dict[str, Any], response: Any) -> Any:
    return QUESTION_TYPES[question["type"]].notice(question, response)


def is_answered(question: dict[str, Any], response: Any) -> bool:
    return QUESTION_TYPES[question["type"]].is_answered(response)


def quiz_template_helpers() -> dict[str, Any]:
    return {
        "text_language": text_language, "text_direction": text_direction,
        "lesson_ref_url": lesson_ref_url, "question_template": question_template,
        "question_notice": question_notice, "is_answered": is_answered,
        "numbered": numbered, "page_of_question": page_of_question,
        "question_types": QUESTION_TYPES,
    }
