"""Reading a package's `.quiz.yaml` files into quiz specs, with every problem reported."""

from __future__ import annotations

from pathlib import Path

from lms.courses.fields import Fields
from lms.courses.problems import Report, load_yaml, read_text
from lms.quizzes.question_types import QUESTION_TYPES, question_keys
from lms.quizzes.specs import QuestionSpec, QuizSpec

SETTINGS_KEYS = ("pass_mark", "attempts", "grading", "shuffle_questions", "shuffle_choices",
                 "time_limit_minutes", "draw", "review")
REVIEW_POLICIES = ("after_each_attempt", "after_pass_or_last", "never")


def read_quiz(path: Path, report: Report) -> QuizSpec | None:
    """Read and check a quiz file; returns None when it cannot be parsed at all."""
    text = read_text(path, report)
    if text is None:
        return None
    data = load_yaml(text, path, report)
    if data is None:
        if text.strip() == "":
            report.add(path, 1, "the quiz file is empty")
        return None
    f = Fields(data, path, report, "the quiz")
    f.allow_only("title", "settings", "questions")
    quiz = QuizSpec(file=report.relative(path), title=f.bilingual("title", required=False))
    if f.has("settings"):
        _read_settings(Fields(f.raw("settings"), path, report, "'settings'"), quiz)
    seen: dict[str, int] = {}
    for item, _line in f.items("questions"):
        question = _read_question(Fields(item, path, report, "a question"))
        if question is None:
            continue
        if question.key in seen:
            report.add(path, question.line,
                       f"duplicate question id '{question.key}' (first used on line "
                       f"{seen[question.key]})")
            continue
        seen[question.key] = question.line
        quiz.questions.append(question)
    if f.has("questions") and not quiz.questions and report.ok:
        f.problem("questions", "the quiz has no questions")
    if quiz.draw_count is not None and quiz.draw_count > len(quiz.questions):
        report.add(path, None, f"'draw' asks for {quiz.draw_count} questions but the quiz has "
                               f"{len(quiz.questions)}")
    return quiz


def _read_settings(f: Fields, quiz: QuizSpec) -> None:
    f.allow_only(*SETTINGS_KEYS)
    quiz.pass_mark = f.integer("pass_mark", default=70, minimum=0, maximum=100) or 0
    quiz.attempts_allowed = f.integer("attempts", minimum=1)
    quiz.grading = f.choice("grading", ("highest", "last"), default="highest")
    quiz.shuffle_questions = f.boolean("shuffle_questions", default=False)
    quiz.shuffle_choices = f.boolean("shuffle_choices", default=False)
    quiz.time_limit_minutes = f.integer("time_limit_minutes", minimum=1, maximum=1440)
    quiz.draw_count = f.integer("draw", minimum=1)
    quiz.review_policy = f.choice("review", REVIEW_POLICIES, default="after_each_attempt")


def _read_question(f: Fields) -> QuestionSpec | None:
    key = f.key()
    type_name = f.raw("type")
    if type_name not in QUESTION_TYPES:
        f.problem("type" if f.has("type") else None,
                  f"unknown question type {type_name!r} (use one of: "
                  f"{', '.join(QUESTION_TYPES)})")
        return None
    f.allow_only(*question_keys(type_name))
    question_type = QUESTION_TYPES[type_name]
    text = f.bilingual("text", both=False)
    feedback = f.bilingual("feedback", required=False, both=False) or {}
    default_points = 1.0 if question_type.graded else 0.0
    points = f.number("points", default=default_points, minimum=0, maximum=1000)
    ref = None
    if question_type.graded or f.has("ref"):
        ref = f.text("ref")
    settings, options = question_type.parse(f)
    if key is None or text is None:
        return None
    return QuestionSpec(key=key, type=type_name, line=f.line, points=points or 0.0, text=text,
                        feedback=feedback, ref=ref, settings=settings, options=options)
