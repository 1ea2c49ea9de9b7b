"""Reading quiz definitions (`.quiz.yaml` files, or questions built by an importer or a form)
into quiz specs, with every problem reported with its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lms.courses.fields import Fields
from lms.courses.problems import LineDict, LineList, Report, load_yaml, read_text
from lms.db_types import column_length
from lms.quizzes.messages import _
from lms.quizzes.models import Question
from lms.quizzes.question_types import QUESTION_TYPES, question_keys
from lms.quizzes.specs import QuestionSpec, QuizSpec

SETTINGS_KEYS = ("pass_mark", "attempts", "grading", "shuffle_questions", "shuffle_choices",
                 "time_limit_minutes", "draw", "review")
REVIEW_POLICIES = ("after_each_attempt", "after_pass_or_last", "never")
# The most attempts a quiz may allow, in a quiz file as on the settings page.
MAX_ATTEMPTS = 100
# The most choices, answers or pairs a question may have (distractors of a matching question
# aside): the question's page in the browser edits them as rows, and holds this many.
MAX_OPTIONS = 50


def read_quiz(path: Path, report: Report) -> QuizSpec | None:
    """Read and check a quiz file (`.quiz.yaml`, or GIFT with the default settings).

    Returns None when it cannot be parsed at all.
    """
    text = read_text(path, report)
    if text is None:
        return None
    if path.name.endswith(".gift"):
        return read_gift_text(text, path, report)
    return read_quiz_text(text, path, report)


def read_gift_text(text: str, path: Path, report: Report) -> QuizSpec:
    """A GIFT quiz: its questions checked as a `.quiz.yaml` file's are; GIFT has no ``ref``."""
    from lms.quizzes.importing.gift import parse_gift

    parsed = parse_gift(text)
    for line, message in parsed.problems:
        report.add(path, line, message)
    quiz = QuizSpec(file=report.relative(path), title=None)
    for definition in parsed.definitions:
        question = read_question(Fields(definition, path, report, _("a question")),
                                 require_ref=False)
        if question is not None:
            quiz.questions.append(question)
    if not quiz.questions and not parsed.problems:
        report.add(path, None, _("the quiz file has no questions"))
    return quiz


def read_quiz_text(text: str, path: Path, report: Report, *,
                   require_ref: bool = True) -> QuizSpec | None:
    """Read and check a quiz in the `.quiz.yaml` format from its text."""
    data = load_yaml(text, path, report)
    if data is None:
        if text.strip() == "":
            report.add(path, 1, _("the quiz file is empty"))
        return None
    f = Fields(data, path, report, _("the quiz"))
    f.allow_only("title", "settings", "questions")
    quiz = QuizSpec(file=report.relative(path), title=f.bilingual("title", required=False))
    if f.has("settings"):
        _read_settings(Fields(f.raw("settings"), path, report, "'settings'"), quiz)
    seen: dict[str, int] = {}
    for item, _line in f.items("questions"):
        question = read_question(Fields(item, path, report, _("a question")),
                                 require_ref=require_ref)
        if question is None:
            continue
        if question.key in seen:
            report.add(path, question.line,
                       _("duplicate question id '%(key)s' (first used on line %(line)s)",
                         key=question.key, line=seen[question.key]))
            continue
        seen[question.key] = question.line
        quiz.questions.append(question)
    if f.has("questions") and not quiz.questions and report.ok:
        f.problem("questions", _("the quiz has no questions"))
    if quiz.draw_count is not None and quiz.draw_count > len(quiz.questions):
        report.add(path, None, _("'draw' asks for %(num)d questions but the quiz has %(count)d",
                                 num=quiz.draw_count, count=len(quiz.questions)))
    return quiz


def _read_settings(f: Fields, quiz: QuizSpec) -> None:
    f.allow_only(*SETTINGS_KEYS)
    quiz.settings_given = frozenset(key for key in SETTINGS_KEYS if f.has(key))
    quiz.pass_mark = f.integer("pass_mark", default=70, minimum=0, maximum=100) or 0
    quiz.attempts_allowed = f.integer("attempts", minimum=1, maximum=MAX_ATTEMPTS)
    quiz.grading = f.choice("grading", ("highest", "last"), default="highest")
    quiz.shuffle_questions = f.boolean("shuffle_questions", default=False)
    quiz.shuffle_choices = f.boolean("shuffle_choices", default=False)
    quiz.time_limit_minutes = f.integer("time_limit_minutes", minimum=1, maximum=1440)
    quiz.draw_count = f.integer("draw", minimum=1)
    quiz.review_policy = f.choice("review", REVIEW_POLICIES, default="after_each_attempt")


def read_question(f: Fields, *, require_ref: bool = True) -> QuestionSpec | None:
    """One question's definition, checked by its type; None when it cannot be used."""
    key = f.key()
    type_name = f.raw("type")
    # A list or mapping cannot be looked up in the registry; it is no type name either.
    if not isinstance(type_name, str) or type_name not in QUESTION_TYPES:
        f.problem("type" if f.has("type") else None,
                  _("unknown question type %(name)s (use one of: %(types)s)",
                    name=repr(type_name), types=", ".join(QUESTION_TYPES)))
        return None
    f.allow_only(*question_keys(type_name))
    question_type = QUESTION_TYPES[type_name]
    text = f.bilingual("text", both=False)
    feedback = f.bilingual("feedback", required=False, both=False) or {}
    default_points = 1.0 if question_type.graded else 0.0
    points = f.number("points", default=default_points, minimum=0, maximum=1000)
    ref = None
    if (question_type.graded and require_ref) or f.has("ref"):
        ref = f.text("ref", max_length=column_length(Question.ref))
    settings, options = question_type.parse(f)
    rows = sum(1 for option in options if option.kind != "distractor")
    if rows > MAX_OPTIONS:
        f.problem(None, _("a question has at most %(max)d choices, answers or pairs; this one "
                          "has %(num)d", max=MAX_OPTIONS, num=rows))
        return None
    if key is None or text is None:
        return None
    return QuestionSpec(key=key, type=type_name, line=f.line, points=points or 0.0, text=text,
                        feedback=feedback, ref=ref, settings=settings, options=options)


def as_line_data(value: Any, line: int) -> Any:
    """Plain dicts and lists as the line-keeping ones the YAML reader makes, all at ``line``.

    Definitions built by an importer or a form then go through the same checks as a file.
    """
    if isinstance(value, dict):
        mapping = LineDict((k, as_line_data(v, line)) for k, v in value.items())
        mapping.line = line
        mapping.key_lines = {k: line for k in value}
        return mapping
    if isinstance(value, list):
        items = LineList(as_line_data(v, line) for v in value)
        items.line = line
        items.item_lines = [line] * len(value)
        return items
    return value
