"""Authoring pages for modules: their topics, new topics, order, and media."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.audit.services import record
from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses.authoring import topics as topic_services
from lms.courses.authoring import uploads
from lms.courses.authoring.access import editable_module, editable_topic
from lms.courses.authoring.forms import MediaForm, TopicForm
from lms.courses.authoring.models import VersionStatus
from lms.courses.authoring.versions import current_version, draft_of, history
from lms.courses.models import CoursePackage
from lms.db_types import utcnow
from lms.extensions import db
from lms.whole_numbers import whole_number

bp = Blueprint("authoring", __name__, url_prefix="/author", template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)


@bp.get("")
@role_required(*STAFF)
def index() -> str:
    """The modules the user may edit."""
    return render_template("authoring/index.html",
                           modules=topic_services.editable_modules(current_user))


@bp.get("/modules/<int:module_id>")
@role_required(*STAFF)
def module(module_id: int) -> str:
    """The module's topics in order, with the state of each lesson, and the order form.

    :raises 404: unknown module. :raises 403: a module the user does not teach.
    """
    item = editable_module(module_id)
    return render_template("authoring/module.html", module=item,
                           rows=topic_services.module_topics(item))


@bp.route("/modules/<int:module_id>/topics/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_topic(module_id: int) -> str | Response | tuple[str, int]:
    """Create a draft topic; its lesson is written next, and participants see nothing yet."""
    item = editable_module(module_id)
    form = TopicForm()
    if form.validate_on_submit():
        try:
            topic, new = topic_services.create_topic(item, form.slug.data or "",
                                                     form.title_en.data or "",
                                                     form.title_ar.data or "", utcnow())
        except topic_services.TopicError as error:
            form.slug.errors = [str(error)]
        else:
            if new:
                record(current_user, "topic.create", topic, module=item.slug, slug=topic.slug)
            db.session.commit()
            flash(_("The draft topic is created. Write or upload its English lesson."),
                  "success")
            return redirect(url_for("lesson_authoring.edit", topic_id=topic.id,
                                    language="en"))
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/new_topic.html", module=item, form=form), status


@bp.post("/modules/<int:module_id>/order")
@role_required(*STAFF)
def reorder(module_id: int) -> Response:
    """Save the order typed into the module page; progress belongs to topics and stays."""
    item = editable_module(module_id)
    rows = topic_services.module_topics(item)
    keyed = []
    for index, row in enumerate(rows):
        value = request.form.get(f"position-{row.topic.id}", "")
        number = whole_number(value, 99_999)
        if number is None:
            flash(_("Give every topic a whole number for its place."), "error")
            return redirect(url_for("authoring.module", module_id=item.id))
        keyed.append((number, index, row.topic.id))
    order = [topic_id for _number, _index, topic_id in sorted(keyed)]
    try:
        topic_services.reorder(item, order)
    except topic_services.TopicError as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.module", module_id=item.id))
    record(current_user, "topic.reorder", item, order=",".join(str(t) for t in order))
    db.session.commit()
    flash(_("The new order is saved."), "success")
    return redirect(url_for("authoring.module", module_id=item.id))


@bp.get("/topics/<int:topic_id>")
@role_required(*STAFF)
def topic(topic_id: int) -> str:
    """One topic: each language's current version, draft and waiting package version."""
    item = editable_topic(topic_id)
    languages = []
    for language in current_app.config["LANGUAGES"]:
        versions = history(item.id, language)
        languages.append({
            "code": language, "current": current_version(item.id, language),
            "draft": draft_of(item.id, language),
            "pending": [v for v in versions if v.status == VersionStatus.PENDING],
            "count": len(versions)})
    return render_template("authoring/topic.html", topic=item, languages=languages)


@bp.route("/modules/<int:module_id>/media", methods=["GET", "POST"])
@role_required(*STAFF)
def media(module_id: int) -> str | Response | tuple[str, int]:
    """The files lessons may link to, and the form to upload another."""
    item = editable_module(module_id)
    form = MediaForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(_max_bytes() + 1)
        try:
            stored = uploads.store_upload(
                item, upload.filename or "", data, current_user, utcnow(),
                Path(current_app.config["STORAGE_DIR"]), max_bytes=_max_bytes(),
                quota_bytes=int(current_app.config.get("MEDIA_UPLOAD_QUOTA_BYTES",
                                                       uploads.DEFAULT_QUOTA_BYTES)))
        except uploads.UploadRefused as refused:
            form.file.errors = [str(refused)]
        else:
            record(current_user, "media.upload", stored, module=item.slug, name=stored.name,
                   content_type=stored.content_type, size=len(data))
            db.session.commit()
            flash(_("Uploaded. Link to it in a lesson as %(link)s.", link=stored.name),
                  "success")
            return redirect(url_for("authoring.media", module_id=item.id))
    package = db.session.get(CoursePackage, item.package_id)
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/media.html", module=item, form=form, package=package,
                           items=uploads.package_media(item.package_id),
                           max_mib=_max_bytes() // 2**20), status


def _max_bytes() -> int:
    return int(current_app.config.get("MEDIA_UPLOAD_MAX_BYTES", uploads.DEFAULT_MAX_BYTES))
