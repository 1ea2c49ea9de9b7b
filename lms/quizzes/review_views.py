"""Instructor pages for looking at quizzes: preview, statistics, and grading essays."""

from __future__ import annotations

import random
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses.models import Topic
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.services import topic_timezone
from lms.quizzes.forms import GradeForm
from lms.quizzes.grading import GradeError, grade_answer, grading_queue
from lms.quizzes.models import Quiz
from lms.quizzes.permissions import NotFound, answer_to_grade, editable_module_ids, quiz_to_edit
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.review import preview_items
from lms.quizzes.snapshot import build_snapshot, live_questions, numbered
from lms.quizzes.statistics import question_statistics
from lms.whole_numbers import page_number, whole_number

bp = Blueprint("quiz_review", __name__, url_prefix="/author/quizzes", template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)


def _quiz(quiz_id: int) -> tuple[Quiz, Topic]:
    try:
        quiz, topic, _module = quiz_to_edit(current_user, quiz_id)
    except NotFound:
        abort(404)
    return quiz, topic


@bp.route("/<int:quiz_id>/preview", methods=["GET", "POST"])
@role_required(*STAFF)
def preview(quiz_id: int) -> str:
    """The quiz as a participant sees it; checking the answers grades them and stores nothing.

    :raises 404: for a quiz outside the user's modules.
    """
    quiz, topic = _quiz(quiz_id)
    # The same seed draws and shuffles the same way when the answers come back to be checked.
    seed = whole_number(request.form.get("seed"), 10**12)
    seed = secrets.randbelow(10**12) if seed is None else seed
    rng = random.Random(seed)  # noqa: S311  (shuffling a preview, not a secret)
    snapshot = build_snapshot(quiz, live_questions(quiz.id), rng)
    responses, problems, items = {}, {}, []
    if request.method == "POST":
        form = request.form.to_dict(flat=False)
        for question in snapshot:
            response, problem = QUESTION_TYPES[question["type"]].read_response(question, form)
            responses[question["key"]] = response
            if problem:
                problems[question["key"]] = problem
        items = preview_items(snapshot, responses)
    return render_template("quizzes/manage/preview.html", quiz=quiz, topic=topic, seed=seed,
                           questions=numbered(snapshot), responses=responses,
                           problems=problems, items=items, checked=request.method == "POST")


@bp.get("/<int:quiz_id>/statistics")
@role_required(*STAFF)
def statistics(quiz_id: int) -> str:
    """Each question's facility and discrimination over the submitted attempts.

    :raises 404: for a quiz outside the user's modules.
    """
    quiz, topic = _quiz(quiz_id)
    attempts, rows = question_statistics(quiz.id)
    return render_template("quizzes/manage/statistics.html", quiz=quiz, topic=topic,
                           attempts=attempts, rows=rows)


@bp.get("/grading")
@role_required(*STAFF)
def grading_queue_page() -> str:
    """Essays waiting for a grade in the modules the user teaches (every module for admins),
    oldest first, fifty to a page."""
    page = page_number()
    queue = grading_queue(editable_module_ids(current_user), page)
    return render_template("quizzes/manage/grading_queue.html", queue=queue,
                           waiting=queue.waiting, page=queue.page, pages=queue.pages)


@bp.route("/grading/<int:answer_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def grade(answer_id: int) -> str | Response | tuple[str, int]:
    """Grade one essay with a comment; grading it again replaces the grade.

    :raises 404: for an answer outside the user's modules or not yet submitted.
    """
    try:
        answer, attempt, quiz, topic, participant = answer_to_grade(current_user, answer_id)
    except NotFound:
        abort(404)
    form = GradeForm()
    if request.method == "GET" and answer.marks is not None:
        form.marks.data, form.comment.data = answer.marks, answer.comment
    if form.validate_on_submit():
        try:
            grade_answer(answer, current_user, form.marks.data or 0.0,
                         form.comment.data or "", utcnow())
        except GradeError:
            most = f"{answer.max_marks:g}"
            form.marks.errors = [_("Give between 0 and %(max)s marks.", max=most)]
        else:
            db.session.commit()
            flash(_("The grade has been saved."), "success")
            return redirect(url_for("quiz_review.grading_queue_page"))
    question = next((q for q in attempt.snapshot if q["key"] == answer.question_key), None)
    if question is None:
        abort(404)
    status = 400 if request.method == "POST" else 200
    zone = topic_timezone(participant.id, topic.id)
    return render_template("quizzes/manage/grade.html", form=form, answer=answer,
                           attempt=attempt, quiz=quiz, topic=topic, participant=participant,
                           question=question, zone=zone), status
