"""Instructor pages for moving quizzes in and out: importing a file, exporting GIFT or Aiken."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.db_types import utcnow
from lms.extensions import db
from lms.quizzes.aiken_export import quiz_to_aiken
from lms.quizzes.forms import ImportForm
from lms.quizzes.gift_export import quiz_to_gift
from lms.quizzes.importing import ImportInvalid, import_quiz, package_images, read_quiz_file
from lms.quizzes.permissions import NotFound, quiz_to_edit, topic_to_edit
from lms.quizzes.snapshot import live_questions
from lms.quizzes.store import question_spec

bp = Blueprint("quiz_transfer", __name__, url_prefix="/author/quizzes", template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)


def upload_name(sent: str | None) -> str:
    """The uploaded file's own name, without any folder a browser sent with it.

    Kept as the person named it (``secure_filename`` would turn "اختبار.yaml" into "yaml",
    losing the extension the format is told by); it is only ever shown and recorded as text.
    """
    name = (sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()[:200]
    return name or "quiz.txt"


@bp.route("/topics/<slug>/import", methods=["GET", "POST"])
@role_required(*STAFF)
def import_file(slug: str) -> str | Response | tuple[str, int]:
    """Upload a GIFT, Aiken or quiz YAML file as the topic's quiz; all of it or nothing.

    :raises 404: for a topic outside the user's modules.
    """
    try:
        topic, _module, quiz = topic_to_edit(current_user, slug)
    except NotFound:
        abort(404)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload_name(upload.filename)
        try:
            imported = read_quiz_file(upload.read(), filename, form.format.data,
                                      package_images(topic))
            quiz, _summary = import_quiz(topic, imported, current_user, filename,
                                         replace=form.mode.data != "add", now=utcnow())
        except ImportInvalid as invalid:
            db.session.rollback()
            problems = invalid.problems
        else:
            db.session.commit()
            flash(_("%(num)d questions imported from %(file)s.",
                    num=len(imported.spec.questions), file=filename), "success")
            return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))
    status = 400 if request.method == "POST" else 200
    return render_template("quizzes/manage/import.html", form=form, topic=topic, quiz=quiz,
                           problems=problems), status


@bp.get("/<int:quiz_id>/export.gift")
@role_required(*STAFF)
def export_gift(quiz_id: int) -> Response:
    """The quiz's questions as a GIFT file to download.

    :raises 404: for a quiz outside the user's modules.
    """
    try:
        quiz, topic, _module = quiz_to_edit(current_user, quiz_id)
    except NotFound:
        abort(404)
    text = quiz_to_gift(quiz.title.get("en", topic.slug),
                        [question_spec(q) for q in live_questions(quiz.id)])
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{topic.slug}.gift"'
    return response


@bp.get("/<int:quiz_id>/export.aiken.txt")
@role_required(*STAFF)
def export_aiken(quiz_id: int) -> Response:
    """The quiz's questions that Aiken can hold (single choice, one right answer, plain text)
    as a file to download; back to the quiz with a message when there is none.

    :raises 404: for a quiz outside the user's modules.
    """
    try:
        quiz, topic, _module = quiz_to_edit(current_user, quiz_id)
    except NotFound:
        abort(404)
    exported = quiz_to_aiken([question_spec(q) for q in live_questions(quiz.id)])
    if not exported.written:
        flash(_("None of this quiz's questions can be written in Aiken, which holds only "
                "single-choice questions with one right answer, in plain text."), "error")
        return redirect(url_for("quiz_authoring.edit_quiz", quiz_id=quiz.id))
    response = Response(exported.text, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{topic.slug}.aiken.txt"'
    return response
