"""Participant-facing content pages: home, lessons, glossary and lesson media."""

from __future__ import annotations

from datetime import datetime
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
from markupsafe import escape
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role, User
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
from lms.layout import page_part, token_mark, with_page_token
from lms.page_cache import Parts, page_cache
from lms.progress import services as progress
from lms.progress.dashboard import participant_dashboard
from lms.progress.stamps import stamps_for

bp = Blueprint("courses", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home() -> str:
    """The participant's programmes with their progress; staff see the course content."""
    if is_staff(current_user):
        return render_template("courses/overview.html", modules=services.content_overview())
    return render_template("progress/dashboard.html", body=_dashboard_body(utcnow())[0])


def _dashboard_body(now: datetime) -> Parts:
    """The home page's own part, drawn anew only when something it shows has changed: the
    change stamps are read before anything the page shows, so a change made meanwhile makes
    the next request draw it again."""
    user = current_user._get_current_object()
    key = (user.id, current_language(), request.script_root, user.full_name)

    def draw() -> tuple[Parts, datetime | None]:
        boards = participant_dashboard(user, now)
        html = page_part("progress/_dashboard_body.html", boards=boards, now=now)
        return (html,), min((b.changes_at for b in boards if b.changes_at), default=None)

    return page_cache("dashboard").drawn(key, stamps_for(user.id), now, draw)


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
    user = current_user._get_current_object()
    if is_staff(user):
        title, body = _lesson_parts(user, slug, language, interface)
    else:
        # Kept as the home page is (see _dashboard_body).
        key = (user.id, slug, language, interface, request.script_root)
        title, body = page_cache("lesson").drawn(
            key, stamps_for(user.id), utcnow(),
            lambda: (_lesson_parts(user, slug, language, interface), None))
    return render_template("courses/lesson.html", title=title, body=with_page_token(body))


def _lesson_parts(user: User, slug: str, language: str, interface: str) -> Parts:
    """The lesson's title and the page's own part, drawn with a stand-in for the token."""
    try:
        page = services.lesson_page(user, slug, language, interface)
    except services.NotFound:
        abort(404)
    body = page_part("courses/_lesson_body.html", page=page, csrf_token=token_mark)
    return escape(page.topic.title(page.lesson.language)), body


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
