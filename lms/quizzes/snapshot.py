"""What an attempt shows: the questions drawn, in the order shown, with their texts rendered.

The snapshot is kept with the attempt, so later edits to the quiz never change a past attempt,
and pages render from it without querying or rendering Markdown again.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.extensions import db
from lms.markdown import render_inline
from lms.quizzes.models import Option, Question, Quiz
from lms.quizzes.question_types import QUESTION_TYPES

QUESTIONS_PER_PAGE = 5
# The wrapper imported HTML is kept in (see importing.text_formats), once rendered.
_IMPORTED_BLOCK = re.compile(r'<div class="imported-html">(.*)</div>', re.DOTALL)


def render_text(text: dict[str, str] | None) -> dict[str, str]:
    """Each language's Markdown as sanitised HTML."""
    return {language: render_inline(value) for language, value in (text or {}).items()
            if value}


def render_phrase(text: dict[str, str] | None) -> dict[str, str]:
    """Like ``render_text``, without the paragraph around a one-paragraph text.

    Choices sit inside labels, which may hold only inline content.
    """
    result = {}
    for language, html in render_text(text).items():
        block = _IMPORTED_BLOCK.fullmatch(html)
        if block:
            html = block.group(1).strip()
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        result[language] = html
    return result


def _render_setting(value: Any) -> Any:
    # Bilingual settings (true/false feedback, essay guidance) are Markdown too.
    return render_text(value) if isinstance(value, dict) and "en" in value else value


def live_questions(quiz_id: int) -> list[Question]:
    """The quiz's questions in order with their options (two queries)."""
    return list(db.session.scalars(
        select(Question).where(Question.quiz_id == quiz_id, Question.is_retired.is_(False))
        .options(selectinload(Question.options)).order_by(Question.position, Question.id)))


def question_snapshot(question: Question, rng: random.Random,
                      shuffle_options: bool) -> dict[str, Any]:
    """One question as an attempt keeps it."""
    options: list[Option] = [o for o in question.options if not o.is_retired]
    entry: dict[str, Any] = {
        "key": question.key,
        "type": question.type,
        "points": question.points if QUESTION_TYPES[question.type].graded else 0.0,
        "ref": question.ref,
        "text": render_text(question.text),
        "feedback": render_text(question.feedback),
        "settings": {k: _render_setting(v) for k, v in (question.settings or {}).items()},
        "options": [{
            "key": option.key,
            "kind": option.kind,
            "text": render_phrase(option.text),
            "raw": dict(option.text),
            "match_raw": dict(option.match or {}),
            "credit": option.credit,
            "feedback": render_text(option.feedback),
            "settings": dict(option.settings or {}),
        } for option in options],
    }
    QUESTION_TYPES[question.type].arrange(entry, rng, shuffle_options)
    return entry


def build_snapshot(quiz: Quiz, questions: list[Question],
                   rng: random.Random) -> list[dict[str, Any]]:
    """The questions of a new attempt: drawn, ordered and shuffled as the quiz's settings say.

    A random draw takes questions that carry marks; descriptions are left out, since they
    introduce questions that may not be drawn.
    """
    chosen = [q for q in questions if not q.is_retired]
    if quiz.draw_count:
        pool = [q for q in chosen if QUESTION_TYPES[q.type].graded]
        drawn = {q.id for q in rng.sample(pool, min(quiz.draw_count, len(pool)))}
        chosen = [q for q in chosen if q.id in drawn]
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return [question_snapshot(q, rng, quiz.shuffle_choices) for q in chosen]


def page_count(snapshot: list[dict[str, Any]]) -> int:
    return max(1, math.ceil(len(snapshot) / QUESTIONS_PER_PAGE))


def numbered(snapshot: list[dict[str, Any]]) -> list[tuple[int | None, dict[str, Any]]]:
    """Each question with its number; descriptions are not numbered."""
    result: list[tuple[int | None, dict[str, Any]]] = []
    number = 0
    for question in snapshot:
        if QUESTION_TYPES[question["type"]].graded:
            number += 1
            result.append((number, question))
        else:
            result.append((None, question))
    return result


def page_of(snapshot: list[dict[str, Any]],
            page: int) -> list[tuple[int | None, dict[str, Any]]]:
    """The numbered questions on one page (pages count from 0)."""
    start = page * QUESTIONS_PER_PAGE
    return numbered(snapshot)[start:start + QUESTIONS_PER_PAGE]


def page_of_question(snapshot: list[dict[str, Any]], key: str) -> int:
    for index, question in enumerate(snapshot):
        if question["key"] == key:
            return index // QUESTIONS_PER_PAGE
    return 0
