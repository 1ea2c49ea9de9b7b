"""Writing checked quiz specs into the database, by key, never deleting what attempts used.

Imports and the authoring pages both end here: a question with a known key is updated in
place, a new key adds a question, and a question or option left out is retired (hidden, kept).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.courses.models import Topic
from lms.database import savepoint
from lms.extensions import db
from lms.quizzes.models import SOURCE_BROWSER, Option, Question, Quiz
from lms.quizzes.specs import OptionSpec, QuestionSpec, QuizSpec


@dataclass
class StoreSummary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    retired: Counter[str] = field(default_factory=Counter)


def _set(row: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def sync_question(quiz: Quiz, spec: QuestionSpec, position: int, question: Question | None,
                  summary: StoreSummary | None = None) -> Question:
    """Create the question, or update it and its options to match the spec."""
    summary = summary or StoreSummary()
    values = {"quiz_id": quiz.id, "key": spec.key, "type": spec.type, "position": position,
              "points": spec.points, "text": spec.text, "feedback": spec.feedback,
              "ref": spec.ref, "settings": spec.settings, "is_retired": False}
    if question is None:
        question = Question(**values)
        db.session.add(question)
        db.session.flush()
        summary.created["questions"] += 1
    elif _set(question, values):
        summary.updated["questions"] += 1
    existing = {option.key: option for option in db.session.scalars(
        select(Option).where(Option.question_id == question.id))}
    for index, option in enumerate(spec.options):
        _sync_option(question, option, index, existing.get(option.key), summary)
    wanted = {option.key for option in spec.options}
    for key, option in existing.items():
        if key not in wanted and not option.is_retired:
            option.is_retired = True
            summary.retired["options"] += 1
    return question


def _sync_option(question: Question, spec: OptionSpec, position: int, option: Option | None,
                 summary: StoreSummary) -> None:
    values = {"question_id": question.id, "key": spec.key, "kind": spec.kind,
              "position": position, "text": spec.text, "match": spec.match,
              "credit": spec.credit, "feedback": spec.feedback, "settings": spec.settings,
              "is_retired": False}
    if option is None:
        db.session.add(Option(**values))
        summary.created["options"] += 1
    elif _set(option, values):
        summary.updated["options"] += 1


def all_questions(quiz_id: int) -> dict[str, Question]:
    """Every question of the quiz by key, retired ones too (their keys stay taken)."""
    return {q.key: q for q in db.session.scalars(select(Question).where(
        Question.quiz_id == quiz_id))}


def free_key(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… whichever is not taken yet."""
    key, number = wanted, 1
    while key in taken:
        number += 1
        key = f"{wanted[:58]}-{number}"
    return key


def store_questions(quiz: Quiz, specs: list[QuestionSpec], *, replace: bool) -> StoreSummary:
    """Put imported questions into the quiz: instead of its questions, or after them."""
    summary = StoreSummary()
    existing = all_questions(quiz.id)
    if replace:
        for position, spec in enumerate(specs):
            sync_question(quiz, spec, position, existing.get(spec.key), summary)
        wanted = {spec.key for spec in specs}
        for key, question in existing.items():
            if key not in wanted and not question.is_retired:
                question.is_retired = True
                summary.retired["questions"] += 1
    else:
        start = (db.session.scalar(select(func.max(Question.position)).where(
            Question.quiz_id == quiz.id, Question.is_retired.is_(False))) or 0) + 1
        taken = set(existing)
        for offset, spec in enumerate(specs):
            spec.key = free_key(spec.key, taken)
            taken.add(spec.key)
            sync_question(quiz, spec, start + offset, None, summary)
    quiz.source = SOURCE_BROWSER
    db.session.flush()
    return summary


def apply_settings(quiz: Quiz, spec: QuizSpec) -> None:
    """The settings of a `.quiz.yaml` file, for a quiz imported from one."""
    if spec.title:
        quiz.title = spec.title
    quiz.pass_mark = spec.pass_mark
    quiz.attempts_allowed = spec.attempts_allowed
    quiz.grading = spec.grading
    quiz.shuffle_questions = spec.shuffle_questions
    quiz.shuffle_choices = spec.shuffle_choices
    quiz.time_limit_minutes = spec.time_limit_minutes
    quiz.draw_count = spec.draw_count
    quiz.review_policy = spec.review_policy


# Each key of a quiz file's ``settings`` and the quiz's attribute it sets.
SETTING_ATTRIBUTES = {"pass_mark": "pass_mark", "attempts": "attempts_allowed",
                      "grading": "grading", "shuffle_questions": "shuffle_questions",
                      "shuffle_choices": "shuffle_choices",
                      "time_limit_minutes": "time_limit_minutes", "draw": "draw_count",
                      "review": "review_policy"}


def apply_given_settings(quiz: Quiz, spec: QuizSpec) -> None:
    """Only the title and settings a file imported into a quiz states; the rest stay as the
    quiz has them (a file of questions alone changes no setting)."""
    if spec.title:
        quiz.title = spec.title
    for key in spec.settings_given:
        attribute = SETTING_ATTRIBUTES[key]
        setattr(quiz, attribute, getattr(spec, attribute))


def new_quiz(topic: Topic) -> tuple[Quiz, bool]:
    """A quiz for a topic that has none, with the default settings, owned by the platform;
    and True. When another request gave the topic its quiz since the caller looked, that
    quiz, and False."""
    quiz = Quiz(topic_id=topic.id, title={"en": topic.title_en, "ar": topic.title_ar},
                pass_mark=70, grading="highest", review_policy="after_each_attempt",
                shuffle_questions=False, shuffle_choices=False, source=SOURCE_BROWSER,
                source_file="")
    try:
        with savepoint():
            db.session.add(quiz)
    except IntegrityError:
        existing = db.session.scalar(select(Quiz).where(Quiz.topic_id == topic.id))
        if existing is None:
            raise
        return existing, False
    return quiz, True


def question_spec(question: Question) -> QuestionSpec:
    """A stored question as a spec (live options only), for exporting and editing."""
    return QuestionSpec(
        key=question.key, type=question.type, line=0, points=question.points,
        text=dict(question.text), feedback=dict(question.feedback or {}), ref=question.ref,
        settings=dict(question.settings or {}),
        options=[OptionSpec(key=o.key, kind=o.kind, text=dict(o.text), credit=o.credit,
                            feedback=dict(o.feedback or {}), match=dict(o.match or {}),
                            settings=dict(o.settings or {}))
                 for o in question.options if not o.is_retired])
