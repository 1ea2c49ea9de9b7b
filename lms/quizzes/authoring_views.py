"""Instructor pages for editing quizzes: the list, settings, questions and their order.

Module instructors reach the quizzes of their modules, admins every quiz; any other quiz
answers 404, as an unknown one does.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses.models import Lesson, Topic
from lms.extensions import db
from lms.quizzes import authoring
from lms.quizzes.aiken_export import question_to_aiken
from lms.quizzes.forms import (
    QuestionForm,
    QuizSettingsForm,
    add_blank_rows,
    fill_question_form,
    question_definition,
)
from lms.quizzes.models import Question, Quiz
from lms.quizzes.permissions import NotFound, editable_module_ids, quiz_to_edit, topic_to_edit
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.snapshot import live_questions
from lms.quizzes.store import question_spec

bp = Blueprint("quiz_authoring", __name__, url_prefix="/author/quizzes",
               template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)


def _quiz(quiz_id: int) -> tuple[Quiz, Topic]:
    try:
        quiz, topic, _module = quiz_to_edit(current_user, quiz_id)
    except NotFound:
        abort(404)
    return quiz, topic


def _question(quiz: Quiz, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.quiz_id != quiz.id or question.is_retired:
        abort(404)
    return question


@bp.get("")
@role_required(*STAFF)
def index() -> str:
    """The quizzes of the modules the user may edit, with what waits for a grade."""
    return render_template("quizzes/manage/index.html",
                           modules=authoring.quizzes_overview(editable_module_ids(current_user)))


@bp.post("/topics/<slug>/create")
@role_required(*STAFF)
def create_quiz(slug: str) -> Response:
    """Give a topic a quiz (empty, with the default settings).

    :raises 404: for a topic outside the user's modules.
    """
    try:
        topic, _module, quiz = topic_to_edit(current_user, slug)
    except NotFound:
        abort(404)
    if quiz is None or quiz.is_retired:
        quiz = authoring.create_quiz(topic, current_user)
        db.session.commit()
        flash(_("The quiz has been created. Add its questions below."), "success")
    return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))


def _settings_form(quiz: Quiz) -> QuizSettingsForm:
    form = QuizSettingsForm()
    if request.method == "GET":
        form.title.data = quiz.title.get("en", "")
        form.title_ar.data = quiz.title.get("ar", "")
        for name in ("pass_mark", "attempts_allowed", "grading", "time_limit_minutes",
                     "draw_count", "shuffle_questions", "shuffle_choices", "review_policy"):
            getattr(form, name).data = getattr(quiz, name)
    return form


@bp.route("/<int:quiz_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_quiz(quiz_id: int) -> str | Response | tuple[str, int]:
    """A quiz's settings and its questions in order, with the actions on them.

    :raises 404: for a quiz outside the user's modules.
    """
    quiz, topic = _quiz(quiz_id)
    form = _settings_form(quiz)
    questions = live_questions(quiz.id)
    if form.validate_on_submit():
        if form.draw_count.data and form.draw_count.data > len(questions):
            form.draw_count.errors = [_("The quiz has only %(num)d questions.",
                                        num=len(questions))]
        else:
            title = {"en": form.title.data.strip()}
            if (form.title_ar.data or "").strip():
                title["ar"] = form.title_ar.data.strip()
            authoring.update_settings(quiz, authoring.QuizSettings(
                title=title, pass_mark=form.pass_mark.data,
                attempts_allowed=form.attempts_allowed.data, grading=form.grading.data,
                time_limit_minutes=form.time_limit_minutes.data,
                draw_count=form.draw_count.data,
                shuffle_questions=form.shuffle_questions.data,
                shuffle_choices=form.shuffle_choices.data,
                review_policy=form.review_policy.data), current_user)
            db.session.commit()
            flash(_("The settings have been saved."), "success")
            return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))
    status = 400 if request.method == "POST" else 200
    in_aiken = sum(question_to_aiken(question_spec(q)) is not None for q in questions)
    return render_template("quizzes/manage/quiz.html", quiz=quiz, topic=topic, form=form,
                           questions=questions, types=QUESTION_TYPES,
                           in_aiken=in_aiken), status


def _ref_choices(topic: Topic) -> list[tuple[str, str]]:
    lesson = db.session.scalar(select(Lesson).where(
        Lesson.topic_id == topic.id, Lesson.language == "en", Lesson.is_retired.is_(False)))
    choices = [("", _("No particular section"))]
    for entry in lesson.toc if lesson else []:
        choices.append((entry["id"], entry["name"]))
        choices += [(child["id"], f"– {child['name']}") for child in entry.get("children", [])]
    return choices


def _question_page(quiz: Quiz, topic: Topic, type_name: str, form: QuestionForm,
                   question: Question | None, problems: list[str],
                   status: int) -> tuple[str, int]:
    return render_template(
        "quizzes/manage/question.html", quiz=quiz, topic=topic, form=form,
        kind=QUESTION_TYPES[type_name], question=question, problems=problems), status


def _save(quiz: Quiz, topic: Topic, type_name: str, form: QuestionForm,
          question: Question | None) -> str | Response | tuple[str, int]:
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            if question is None:
                authoring.add_question(
                    quiz, lambda key: question_definition(form, type_name, key), current_user,
                    form.new_key.data or None)
            else:
                authoring.save_question(quiz, question_definition(form, type_name, question.key),
                                        current_user, question)
        except authoring.QuestionInvalid as invalid:
            problems = invalid.problems
        else:
            db.session.commit()
            flash(_("The question has been saved."), "success")
            return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))
    if request.method == "GET":
        add_blank_rows(form, 4 if question is None else 3)
        if question is None:
            form.new_key.data = authoring.new_question_key(quiz)
    status = 400 if request.method == "POST" else 200
    return _question_page(quiz, topic, type_name, form, question, problems, status)


@bp.route("/<int:quiz_id>/questions/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_question(quiz_id: int) -> str | Response | tuple[str, int]:
    """Write a new question of the type chosen; it goes at the end of the quiz.

    :raises 404: for a quiz outside the user's modules or an unknown type.
    """
    quiz, topic = _quiz(quiz_id)
    type_name = request.values.get("type", "")
    if type_name not in QUESTION_TYPES:
        abort(404)
    form = QuestionForm()
    form.ref.choices = _ref_choices(topic)
    return _save(quiz, topic, type_name, form, None)


@bp.route("/<int:quiz_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_question(quiz_id: int, question_id: int) -> str | Response | tuple[str, int]:
    """Edit a question; past attempts keep the version they showed.

    :raises 404: for a quiz outside the user's modules or a question not in it.
    """
    quiz, topic = _quiz(quiz_id)
    question = _question(quiz, question_id)
    form = QuestionForm()
    form.ref.choices = _ref_choices(topic)
    if question.ref and question.ref not in {value for value, _label in form.ref.choices}:
        form.ref.choices.append((question.ref, question.ref))
    if request.method == "GET":
        fill_question_form(form, question_spec(question))
    return _save(quiz, topic, question.type, form, question)


@bp.post("/<int:quiz_id>/questions/<int:question_id>/move")
@role_required(*STAFF)
def move_question(quiz_id: int, question_id: int) -> Response:
    """Move a question one place up or down.

    :raises 404: for a quiz outside the user's modules or a question not in it.
    """
    quiz, _topic = _quiz(quiz_id)
    question = _question(quiz, question_id)
    step = -1 if request.form.get("direction") == "up" else 1
    authoring.move_question(quiz, question, step, current_user)
    db.session.commit()
    return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id,
                            _anchor=f"question-{question.id}"))


@bp.post("/<int:quiz_id>/questions/<int:question_id>/remove")
@role_required(*STAFF)
def remove_question(quiz_id: int, question_id: int) -> Response:
    """Remove a question from the quiz; attempts that asked it keep it.

    :raises 404: for a quiz outside the user's modules or a question not in it.
    """
    quiz, _topic = _quiz(quiz_id)
    question = _question(quiz, question_id)
    authoring.remove_question(quiz, question, current_user)
    db.session.commit()
    flash(_("The question has been removed from the quiz."), "success")
    return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))
