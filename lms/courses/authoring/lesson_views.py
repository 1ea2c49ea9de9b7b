"""Authoring pages for one lesson: the editor with its preview, uploads, versions and diffs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.audit.services import record
from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.courses.authoring import versions
from lms.courses.authoring.access import checked_language, editable_topic, editable_version
from lms.courses.authoring.content import (
    LessonContent,
    LessonFileRefused,
    check_lesson,
    objectives_from_text,
    read_lesson_file,
)
from lms.courses.authoring.forms import LessonFileForm, LessonForm
from lms.courses.authoring.models import LessonVersion, VersionSource, VersionStatus
from lms.courses.models import CoursePackage, Topic
from lms.db_types import utcnow
from lms.extensions import db

bp = Blueprint("lesson_authoring", __name__, url_prefix="/author",
               template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)
ACTIONS = ("preview", "save", "publish")


def _fill(form: LessonForm, topic: Topic, language: str) -> LessonVersion | None:
    """Put the draft, else the current version, else the topic's title into the form."""
    source = versions.draft_of(topic.id, language) or versions.current_version(topic.id,
                                                                                language)
    if source is not None:
        form.title.data, form.minutes.data = source.title, source.minutes
        form.objectives.data = "\n".join(source.objectives)
        form.body.data = source.body_markdown
        form.base.data = str(source.id)
        if source.status == VersionStatus.DRAFT:
            form.revision.data = str(source.revision)
    else:
        form.title.data = topic.title_ar if language == "ar" else topic.title_en
    return source


def _content(form: LessonForm) -> LessonContent:
    return LessonContent((form.title.data or "").strip(), form.minutes.data or 1,
                         objectives_from_text(form.objectives.data or ""), form.body.data or "")


@bp.route("/topics/<int:topic_id>/<language>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(topic_id: int, language: str) -> str | Response | tuple[str, int]:
    """Write the lesson in the browser: preview it, save a draft, or publish it."""
    topic = editable_topic(topic_id)
    language = checked_language(language)
    form = LessonForm()
    preview = None
    problems: list[str] = []
    if request.method == "GET":
        _fill(form, topic, language)
    elif form.validate_on_submit():
        action = request.form.get("action", "preview")
        action = action if action in ACTIONS else "preview"
        content = _content(form)
        if not content.objectives:
            form.objectives.errors = [_("List at least one learning objective.")]
        elif action == "preview":
            package = db.session.get(CoursePackage, topic.package_id)
            assert package is not None
            checked = check_lesson(package, topic, language, content.body)
            preview, problems = checked.rendered, checked.problems
        else:
            opened_on = (int(form.base.data) if form.base.data else None,
                         int(form.revision.data) if form.revision.data else None)
            try:
                draft = versions.save_draft(topic, language, content, current_user, utcnow(),
                                            opened_on)
            except versions.VersionError as error:
                problems = error.problems
            else:
                record(current_user, "lesson.draft_save", draft, topic=topic.slug,
                       language=language, number=draft.number)
                if action == "publish":
                    versions.publish(draft, current_user, utcnow())
                    record(current_user, "lesson.publish", draft, topic=topic.slug,
                           language=language, number=draft.number)
                    db.session.commit()
                    flash(_("Published: participants now see version %(num)d.",
                            num=draft.number), "success")
                    return redirect(url_for("authoring.topic", topic_id=topic.id))
                db.session.commit()
                flash(_("Draft saved. Participants do not see it until you publish it."),
                      "success")
                return redirect(url_for("lesson_authoring.edit", topic_id=topic.id,
                                        language=language))
    status = 400 if request.method == "POST" and (problems or form.errors) else 200
    return render_template("authoring/edit.html", topic=topic, language=language, form=form,
                           file_form=LessonFileForm(), preview=preview, problems=problems,
                           content=_content(form) if preview else None), status


@bp.post("/topics/<int:topic_id>/<language>/upload")
@role_required(*STAFF)
def upload(topic_id: int, language: str) -> str | Response | tuple[str, int]:
    """Save an uploaded `.md` file as the lesson's draft, ready to preview and publish."""
    topic = editable_topic(topic_id)
    language = checked_language(language)
    file_form = LessonFileForm()
    form = LessonForm(formdata=None)
    base = _fill(form, topic, language)
    problems: list[str] = []
    if file_form.validate_on_submit():
        try:
            uploaded = read_lesson_file(file_form.file.data.stream.read(2**20), language)
        except LessonFileRefused as refused:
            problems = [str(refused)]
        else:
            problems = uploaded.problems
            content = LessonContent(
                uploaded.title or (form.title.data or ""),
                uploaded.minutes or (base.minutes if base else 0),
                uploaded.objectives or (list(base.objectives) if base else []), uploaded.body)
            if not problems and content.minutes < 1:
                problems = [_("Give the reading time: add 'minutes:' to the file's front "
                              "matter, or write the lesson in the editor.")]
            if not problems and not content.objectives:
                problems = [_("List the learning objectives: add 'objectives:' to the file's "
                              "front matter, or write the lesson in the editor.")]
            if not problems:
                try:
                    draft = versions.save_draft(topic, language, content, current_user,
                                                utcnow(), None)
                except versions.VersionError as error:
                    problems = error.problems
                else:
                    record(current_user, "lesson.upload", draft, topic=topic.slug,
                           language=language, number=draft.number)
                    db.session.commit()
                    flash(_("The file is saved as the draft. Check the preview, then "
                            "publish."), "success")
                    return redirect(url_for("lesson_authoring.version", version_id=draft.id))
    else:
        problems = [str(e) for e in file_form.file.errors]
    return render_template("authoring/edit.html", topic=topic, language=language, form=form,
                           file_form=file_form, preview=None, problems=problems,
                           content=None), 400


@bp.get("/topics/<int:topic_id>/<language>/history")
@role_required(*STAFF)
def history(topic_id: int, language: str) -> str:
    """Every version of the lesson, newest first: who, when, from where, and its state."""
    topic = editable_topic(topic_id)
    language = checked_language(language)
    items = versions.history(topic.id, language)
    current = versions.current_version(topic.id, language)
    return render_template("authoring/history.html", topic=topic, language=language,
                           versions=items, current=current, people=_people(items))


def _people(items: list[LessonVersion]) -> dict[int, User]:
    ids = {i for v in items for i in (v.author_id, v.published_by_id) if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/versions/<int:version_id>")
@role_required(*STAFF)
def version(version_id: int) -> str:
    """One version rendered as participants see it (a draft's preview), with its actions."""
    item, topic = editable_version(version_id)
    current = versions.current_version(topic.id, item.language)
    return render_template("authoring/version.html", topic=topic, version=item,
                           current=current, people=_people([item]))


@bp.get("/versions/<int:version_id>/changes")
@role_required(*STAFF)
def changes(version_id: int) -> str:
    """What changed between two versions of the same lesson (the earlier one by default)."""
    item, topic = editable_version(version_id)
    others = [v for v in versions.history(topic.id, item.language) if v.id != item.id]
    against_id = request.args.get("against", type=int)
    against = next((v for v in others if v.id == against_id), None)
    if against is None:
        earlier = [v for v in others if v.number < item.number]
        against = earlier[0] if earlier else (others[0] if others else None)
    lines = versions.diff(against, item) if against is not None else []
    return render_template("authoring/changes.html", topic=topic, version=item,
                           against=against, others=others, lines=lines)


@bp.post("/versions/<int:version_id>/publish")
@role_required(*STAFF)
def publish(version_id: int) -> Response:
    """Publish a draft, or use a waiting package version instead of the browser's."""
    item, topic = editable_version(version_id)
    if item.status not in (VersionStatus.DRAFT, VersionStatus.PENDING):
        abort(404)
    try:
        versions.publish(item, current_user, utcnow())
    except versions.VersionError as error:
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("lesson_authoring.version", version_id=item.id))
    action = "lesson.package_accept" if item.source == VersionSource.PACKAGE else "lesson.publish"
    record(current_user, action, item, topic=topic.slug, language=item.language,
           number=item.number)
    db.session.commit()
    flash(_("Published: participants now see version %(num)d.", num=item.number), "success")
    return redirect(url_for("authoring.topic", topic_id=topic.id))


@bp.post("/versions/<int:version_id>/restore")
@role_required(*STAFF)
def restore(version_id: int) -> Response:
    """Publish a copy of an earlier version as the newest one."""
    item, topic = editable_version(version_id)
    try:
        copy = versions.restore(item, current_user, utcnow())
    except versions.VersionError as error:
        for problem in error.problems:
            flash(problem, "error")
        return redirect(url_for("lesson_authoring.version", version_id=item.id))
    record(current_user, "lesson.restore", copy, topic=topic.slug, language=item.language,
           number=copy.number, restored=item.number)
    db.session.commit()
    flash(_("Version %(old)d is published again as version %(new)d.", old=item.number,
            new=copy.number), "success")
    return redirect(url_for("lesson_authoring.history", topic_id=topic.id,
                            language=item.language))


@bp.post("/versions/<int:version_id>/dismiss")
@role_required(*STAFF)
def dismiss(version_id: int) -> Response:
    """Keep the browser's version; the waiting package version is set aside (and kept)."""
    item, topic = editable_version(version_id)
    try:
        versions.dismiss(item, current_user, utcnow())
    except versions.VersionError:
        abort(404)
    record(current_user, "lesson.package_dismiss", item, topic=topic.slug,
           language=item.language, number=item.number)
    db.session.commit()
    flash(_("Kept the version edited in the browser."), "success")
    return redirect(url_for("authoring.topic", topic_id=topic.id))


@bp.post("/versions/<int:version_id>/discard")
@role_required(*STAFF)
def discard(version_id: int) -> Response:
    """Throw away a draft."""
    item, topic = editable_version(version_id)
    number, language = item.number, item.language
    try:
        versions.discard_draft(item)
    except versions.VersionError:
        abort(404)
    record(current_user, "lesson.draft_discard", f"{topic.slug}/{language}/{number}",
           topic=topic.slug, language=language, number=number)
    db.session.commit()
    flash(_("The draft is discarded."), "info")
    return redirect(url_for("authoring.topic", topic_id=topic.id))
