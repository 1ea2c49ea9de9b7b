"""Per-question statistics of a quiz: how easy each question was, and how well it separates.

The facility index is the mean share of the marks earned on the question. The discrimination
index is the correlation between the marks on the question and the marks on the rest of the
same attempt (the corrected item-total correlation Moodle also reports): near +1 the strong
attempts get it right and the weak ones wrong; near 0 or below, the question tells them apart
badly, often because it is ambiguous or its key is wrong.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from lms.extensions import db
from lms.quizzes.models import AttemptAnswer, Question, QuizAttempt

# Below this many answers an index says more about chance than about the question.
MIN_FOR_DISCRIMINATION = 5


@dataclass
class QuestionStatistics:
    key: str
    question: Question | None  # None for a question since removed from the quiz
    answers: int
    facility: float | None  # percent
    discrimination: float | None  # percent, -100 to 100

    @property
    def verdict(self) -> str:
        """good, weak or poor discrimination, or unknown without enough answers."""
        if self.discrimination is None:
            return "unknown"
        if self.discrimination >= 30:
            return "good"
        return "weak" if self.discrimination >= 15 else "poor"


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def question_statistics(quiz_id: int) -> tuple[int, list[QuestionStatistics]]:
    """The number of submitted attempts and each question's statistics (two queries)."""
    found = db.session.execute(
        select(AttemptAnswer.attempt_id, AttemptAnswer.question_key, AttemptAnswer.marks,
               AttemptAnswer.max_marks)
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.submitted_at.is_not(None),
               AttemptAnswer.marks.is_not(None))).all()
    rows = [(attempt_id, key, float(marks or 0.0), float(max_marks))
            for attempt_id, key, marks, max_marks in found]
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for attempt_id, _key, marks, max_marks in rows:
        totals[attempt_id][0] += marks
        totals[attempt_id][1] += max_marks
    by_question: dict[str, list[tuple[float | None, float | None]]] = defaultdict(list)
    for attempt_id, key, marks, max_marks in rows:
        # An answer worth no marks says nothing of how hard the question is: counted as an
        # answer, left out of the facility (it is not 0 %) and the discrimination.
        credit = marks / max_marks if max_marks else None
        rest_max = totals[attempt_id][1] - max_marks
        rest = (totals[attempt_id][0] - marks) / rest_max if rest_max else None
        by_question[key].append((credit, rest))
    questions = {q.key: q for q in db.session.scalars(
        select(Question).where(Question.quiz_id == quiz_id))}
    live = sorted((q for q in questions.values() if not q.is_retired),
                  key=lambda q: (q.position, q.id))
    keys = [q.key for q in live] + sorted(k for k in by_question if k not in
                                          {q.key for q in live})
    result = []
    for key in keys:
        values = by_question.get(key, [])
        question = questions.get(key)
        if question is not None and question.points == 0 and not values:
            continue
        credits = [credit for credit, _rest in values if credit is not None]
        paired = [(credit, rest) for credit, rest in values
                  if credit is not None and rest is not None]
        correlation = (_correlation([c for c, _r in paired], [r for _c, r in paired])
                       if len(paired) >= MIN_FOR_DISCRIMINATION else None)
        result.append(QuestionStatistics(
            key, question if question is not None and not question.is_retired else None,
            len(values), round(100 * sum(credits) / len(credits), 1) if credits else None,
            None if correlation is None else round(100 * correlation, 1)))
    return len(totals), result
