"""Admin pages for editions: creating them, their schedule of in-person days, instructors."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms.audit.services import record
from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.courses.models import Programme, Unit
from lms.db_types import utcnow
from lms.extensions import db
from lms.i18n import current_language
from lms.progress import editions as service
from lms.progress.day_changes import day_plan, tell_of_cancellation, tell_of_move
from lms.progress.errors import ProgressError
from lms.progress.forms import (
    EditionForm,
    InstructorForm,
    MoveSessionForm,
    ScheduleForm,
    SessionForm,
)
from lms.progress.messages import message_for
from lms.progress.models import Edition, InPersonSession

bp = Blueprint("editions", __name__, url_prefix="/admin/editions", template_folder="templates")
ALL_UNITS = 0


@bp.app_template_filter("in_zone")
def in_zone(moment: datetime, zone: str) -> datetime:
    """A UTC time as wall-clock time in an edition's zone, for display."""
    return service.to_local(zone, moment)


def edition_or_404(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        abort(404)
    return edition


def session_or_404(session_id: int) -> InPersonSession:
    session = db.session.get(InPersonSession, session_id)
    if session is None:
        abort(404)
    return session


def _unit_choices(units: list[Unit], with_all: bool = False) -> list[SelectChoice]:
    language = current_language()
    choices = [SelectChoice(u.id, u.title(language)) for u in units]
    if with_all:
        choices.insert(0, SelectChoice(ALL_UNITS, _("All units in order")))
    return choices


@bp.get("")
@role_required(Role.ADMIN)
def list_editions() -> str:
    """Every edition, newest first."""
    rows = db.session.execute(select(Edition, Programme).join(
        Programme, Programme.id == Edition.programme_id).order_by(Edition.starts_on.desc())).all()
    return render_template("progress/editions.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_edition() -> str | Response | tuple[str, int]:
    """Create an edition of a programme."""
    form = EditionForm()
    programmes = db.session.scalars(select(Programme).filter_by(is_retired=False)
                                    .order_by(Programme.position)).all()
    form.programme.choices = [SelectChoice(p.id, p.title(current_language()))
                              for p in programmes]
    if form.validate_on_submit():
        programme = db.session.get(Programme, form.programme.data)
        assert programme is not None  # the choice was validated
        try:
            edition = service.create_edition(
                programme, form.name.data or "", form.starts_on.data,  # type: ignore[arg-type]
                form.ends_on.data, form.venue.data, form.timezone.data or "")  # type: ignore[arg-type]
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            record(current_user, "edition.create", edition, name=edition.name)
            db.session.commit()
            flash(_("The edition has been created. Now schedule its in-person days."),
                  "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/edition_form.html", form=form, edition=None), status


@bp.route("/<int:edition_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_edition(edition_id: int) -> str | Response | tuple[str, int]:
    """Change an edition's name, dates, venue or time zone.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = EditionForm(obj=edition)
    form.programme.choices = [SelectChoice(edition.programme_id,
                                           edition.programme.title(current_language()))]
    if form.validate_on_submit():
        try:
            service.update_edition(edition, form.name.data or "",
                                   form.starts_on.data, form.ends_on.data,  # type: ignore[arg-type]
                                   form.venue.data, form.timezone.data or "")
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            record(current_user, "edition.update", edition)
            db.session.commit()
            flash(_("The edition has been saved."), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/edition_form.html", form=form, edition=edition), status


def _own_ids(form: FlaskForm, prefix: str) -> None:
    """Give a form that shares the page its own element ids (the posted names stay), so each
    label names the field of its own form."""
    for item in form:
        item.id = f"{prefix}-{item.name}"


def _edition_page(edition: Edition, schedule_form: ScheduleForm | None = None,
                  session_form: SessionForm | None = None) -> str:
    units = service.programme_units(edition.programme_id)
    schedule_form = schedule_form or ScheduleForm(formdata=None)
    schedule_form.unit.choices = _unit_choices(units, with_all=True)
    session_form = session_form or SessionForm(formdata=None)
    session_form.unit.choices = _unit_choices(units)
    _own_ids(session_form, "day")
    instructor_form = InstructorForm(formdata=None)
    instructor_form.unit.choices = _unit_choices(units)
    _own_ids(instructor_form, "instructor")
    instructor_form.instructor.choices = [
        SelectChoice(u.id, u.full_name) for u in db.session.scalars(
            select(User).filter_by(role=Role.INSTRUCTOR).order_by(User.full_name))]
    sessions: dict[int, list[InPersonSession]] = {}
    for session in service.edition_sessions(edition.id):
        sessions.setdefault(session.unit_id, []).append(session)
    instructors: dict[int, list[User]] = {}
    for unit_id, user in service.unit_instructors(edition.id):
        instructors.setdefault(unit_id, []).append(user)
    return render_template("progress/edition.html", edition=edition, units=units,
                           sessions=sessions, instructors=instructors,
                           schedule_form=schedule_form, session_form=session_form,
                           instructor_form=instructor_form)


@bp.get("/<int:edition_id>")
@role_required(Role.ADMIN)
def show_edition(edition_id: int) -> str:
    """The edition: its schedule per unit, its instructors, and links to its people.

    :raises 404: for an unknown edition.
    """
    return _edition_page(edition_or_404(edition_id))


@bp.post("/<int:edition_id>/schedule")
@role_required(Role.ADMIN)
def schedule(edition_id: int) -> str | Response | tuple[str, int]:
    """Give one unit (or all, in order) consecutive working days from a first day.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = ScheduleForm()
    units = service.programme_units(edition.programme_id)
    form.unit.choices = _unit_choices(units, with_all=True)
    if form.validate_on_submit():
        chosen = units if form.unit.data == ALL_UNITS else [
            u for u in units if u.id == form.unit.data]
        hours = float(form.contact_hours.data) if form.contact_hours.data is not None else None
        try:
            created = service.schedule_units(
                edition, chosen, form.first_day.data, form.starts.data,  # type: ignore[arg-type]
                form.ends.data, hours, bool(form.include_weekend.data))  # type: ignore[arg-type]
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            if created:
                record(current_user, "edition.schedule", edition, days=len(created))
                db.session.commit()
                flash(_("%(num)d in-person days scheduled.", num=len(created)), "success")
            else:
                db.session.rollback()
                flash(_("These days are already scheduled."), "info")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    return _edition_page(edition, schedule_form=form), 400


@bp.post("/<int:edition_id>/sessions")
@role_required(Role.ADMIN)
def add_session(edition_id: int) -> str | Response | tuple[str, int]:
    """Add one in-person day by hand.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = SessionForm()
    form.unit.choices = _unit_choices(service.programme_units(edition.programme_id))
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        assert unit is not None
        try:
            session, new = service.add_session(
                edition, unit, form.day.data, form.starts.data,  # type: ignore[arg-type]
                form.ends.data, float(form.contact_hours.data or 0),  # type: ignore[arg-type]
                form.venue.data)
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            if new:
                record(current_user, "edition.session_add", session)
            db.session.commit()
            flash(_("The day has been added."), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    return _edition_page(edition, session_form=form), 400


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_session(session_id: int) -> str | Response | tuple[str, int]:
    """Move an in-person day to another date or time, or change its hours or venue.

    :raises 404: for an unknown day.
    """
    session = session_or_404(session_id)
    edition = session.edition
    zone = edition.timezone
    form = MoveSessionForm(data=None if request.method == "POST" else {
        "unit": session.unit_id, "day": session.day,
        "starts": service.to_local(zone, session.starts_at).time(),
        "ends": service.to_local(zone, session.ends_at).time(),
        "contact_hours": session.contact_hours, "venue": session.venue or ""})
    form.unit.choices = _unit_choices([session.unit])
    if form.validate_on_submit():
        before = day_plan(session, edition)
        try:
            service.save_session(edition, session.unit, form.day.data,  # type: ignore[arg-type]
                                 form.starts.data, form.ends.data,  # type: ignore[arg-type]
                                 float(form.contact_hours.data or 0), form.venue.data, session)
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            told = (tell_of_move(edition, session.unit, session, before, utcnow())
                    if form.notify.data else 0)
            record(current_user, "edition.session_move", session, day=session.day.isoformat(),
                   told=told)
            db.session.commit()
            flash(_("The day has been saved."), "success")
            _flash_told(told)
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/session_form.html", form=form, session=session,
                           edition=edition), status


def _flash_told(told: int) -> None:
    if told:
        flash(ngettext("%(num)d participant has been told by email.",
                       "%(num)d participants have been told by email.", told), "info")


@bp.post("/sessions/<int:session_id>/delete")
@role_required(Role.ADMIN)
def delete_session(session_id: int) -> Response:
    """Remove a day with nothing recorded on it.

    :raises 404: for an unknown day.
    """
    session = session_or_404(session_id)
    edition, unit = session.edition, session.unit
    edition_id = edition.id
    before = day_plan(session, edition)
    day = session.day.isoformat()
    try:
        service.delete_session(session)
    except ProgressError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        told = tell_of_cancellation(edition, unit, before, utcnow())
        record(current_user, "edition.session_delete", session, day=day, told=told)
        db.session.commit()
        flash(_("The day has been removed."), "success")
        _flash_told(told)
    return redirect(url_for("editions.show_edition", edition_id=edition_id))


@bp.post("/<int:edition_id>/instructors")
@role_required(Role.ADMIN)
def assign_instructor(edition_id: int) -> Response:
    """Make an instructor a unit instructor of the edition, or remove them with ``remove``.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = InstructorForm()
    units = service.programme_units(edition.programme_id)
    form.unit.choices = _unit_choices(units)
    form.instructor.choices = [SelectChoice(u.id, u.full_name) for u in db.session.scalars(
        select(User).filter_by(role=Role.INSTRUCTOR))]
    if not form.validate_on_submit():
        flash(_("Choose a unit and an instructor."), "error")
        return redirect(url_for("editions.show_edition", edition_id=edition.id))
    unit = db.session.get(Unit, form.unit.data)
    instructor = db.session.get(User, form.instructor.data)
    assert unit is not None and instructor is not None
    try:
        if request.form.get("remove"):
            changed = service.remove_instructor(edition, unit.id, instructor.id)
            action = "edition.instructor_remove"
        else:
            changed = service.assign_instructor(edition, unit, instructor)
            action = "edition.instructor_assign"
    except ProgressError as error:
        flash(message_for(error), "error")
        return redirect(url_for("editions.show_edition", edition_id=edition.id))
    if changed:
        record(current_user, action, edition, unit=unit.slug, instructor=instructor.id)
        db.session.commit()
    flash(_("The unit's instructors have been saved."), "success")
    return redirect(url_for("editions.show_edition", edition_id=edition.id))


@bp.post("/<int:edition_id>/archive")
@role_required(Role.ADMIN)
def archive(edition_id: int) -> Response:
    """Close and archive the edition; its records become read-only.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    try:
        service.archive_edition(edition, utcnow())
    except ProgressError as error:
        flash(message_for(error), "error")
    else:
        record(current_user, "edition.archive", edition)
        db.session.commit()
        flash(_("The edition is archived; its records are now read-only."), "success")
    return redirect(url_for("editions.show_edition", edition_id=edition.id))
