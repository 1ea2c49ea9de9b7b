"""Participant-facing content pages: home, lessons, glossary and lesson media."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses import services
from lms.courses.permissions import (
    can_read_package_media,
    can_read_topic,
    followed_package_ids,
    is_staff,
)
from lms.db_types import utcnow
from lms.extensions import db
from lms.i18n import current_language
from lms.progress import services as progress
from lms.progress.dashboard import participant_dashboard

bp = Blueprint("courses", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> str:
    """The participant's programmes with their progress; staff see the course content."""
    if is_staff(current_user):
        return render_template("courses/overview.html", modules=services.content_overview())
    now = utcnow()
    return render_template("progress/dashboard.html",
                           boards=participant_dashboard(current_user, now), now=now)


@bp.get("/topics/<slug>")
@login_required
def lesson(slug: str) -> str:
    """A lesson in the reader's language (or the one asked for), with navigation.

    :raises 404: for unknown topics and for topics outside the participant's programmes.
    """
    interface = current_language()
    language = request.args.get("lang") or interface
    if language not in current_app.config["LANGUAGES"]:
        language = interface
    try:
        page = services.lesson_page(current_user, slug, language, interface)
    except services.NotFound:
        abort(404)
    return render_template("courses/lesson.html", page=page)


@bp.post("/topics/<slug>/complete")
@role_required(Role.PARTICIPANT)
def complete_lesson(slug: str) -> Response:
    """Mark the lesson complete, or not complete again, for the logged-in participant.

    :raises 404: for a topic the participant does not follow.
    """
    try:
        topic = services.topic_for_progress(slug)
    except services.NotFound:
        abort(404)
    if not can_read_topic(current_user, topic):
        abort(404)
    if request.form.get("action") == "undo":
        progress.mark_lesson_incomplete(current_user.id, topic.id)
        flash(_("The lesson is no longer marked as complete."), "info")
    else:
        progress.mark_lesson_complete(current_user.id, topic.id, utcnow())
        flash(_("Lesson marked as complete."), "success")
    db.session.commit()
    language = request.form.get("lang")
    return redirect(url_for("courses.lesson", slug=slug, lang=language
                            if language in current_app.config["LANGUAGES"] else None))


@bp.get("/glossary")
@login_required
def glossary() -> str:
    """Every glossary term, alphabetical in the reader's language, each with an anchor."""
    return render_template("courses/glossary.html", terms=services.glossary(
        current_language(), followed_package_ids(current_user)))


@bp.get("/media/<package>/<path:name>")
@login_required
def media(package: str, name: str) -> Response:
    """A lesson's image or reading from storage; PDFs download, nothing renders as a page.

    :raises 404: for unknown files.
    """
    try:
        item = services.media_file(package, name)
    except services.NotFound:
        abort(404)
    if not can_read_package_media(current_user, item.package_id):
        abort(404)
    folder = Path(current_app.config["STORAGE_DIR"]) / "media"
    response = send_from_directory(
        folder, item.stored_name, mimetype=item.content_type,
        as_attachment=item.content_type == "application/pdf",
        download_name=Path(name).name, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
