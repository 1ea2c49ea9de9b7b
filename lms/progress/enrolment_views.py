"""Admin pages for an edition's people: enrolling, roster and attendance imports, changes."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms.audit.services import record
from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.db_types import utcnow
from lms.extensions import db
from lms.formatting import local_date
from lms.i18n import current_language
from lms.progress import enrolments as service
from lms.progress.admin_views import edition_or_404
from lms.progress.attendance_import import AttendancePlan, import_attendance, plan_attendance
from lms.progress.csvfiles import CsvUnreadable, decode
from lms.progress.editions import edition_sessions, lock_edition
from lms.progress.errors import ProgressError
from lms.progress.forms import EnrolForm, MakeUpForm, StatusForm, UploadForm
from lms.progress.messages import csv_message, message_for
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, InPersonSession
from lms.progress.models import OrganisationType as OrgType
from lms.progress.roster import RosterPlan, import_roster, plan_roster

bp = Blueprint("enrolments", __name__, url_prefix="/admin/editions", template_folder="templates")


def _invitation_valid_for() -> timedelta:
    return timedelta(hours=current_app.config["INVITATION_VALID_HOURS"])


@bp.route("/<int:edition_id>/enrol", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def enrol_one(edition_id: int) -> str | Response | tuple[str, int]:
    """Enrol one participant; a new account gets the invitation email.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = EnrolForm()
    if form.validate_on_submit():
        person = service.Person(
            full_name=form.full_name.data or "", email=form.email.data or "",
            full_name_ar=form.full_name_ar.data or "", organisation=form.organisation.data or "",
            organisation_type=OrgType(form.organisation_type.data)
            if form.organisation_type.data else None,
            country=form.country.data or "", gender=form.gender.data or "",
            language=form.language.data or "en")
        try:
            enrolled = service.enrol_person(edition, person, utcnow(), _invitation_valid_for())
        except ProgressError as error:
            form.email.errors = [message_for(error)]
        else:
            if enrolled.is_new:
                record(current_user, "enrolment.create", enrolled.enrolment,
                       user=enrolled.enrolment.user_id, new_account=enrolled.new_account)
            db.session.commit()
            flash(_("%(email)s is enrolled.", email=person.email.lower()), "success")
            return redirect(url_for("editions.show_edition", edition_id=edition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/enrol.html", form=form, edition=edition), status


def _uploaded_text(form: UploadForm) -> str:
    """The CSV text: the file on the first step, the checked text sent back on the second."""
    if form.text.data:
        return str(form.text.data)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise CsvUnreadable("empty")
    return decode(upload.read())


def _import_page(edition: Edition, kind: str) -> str | Response | tuple[str, int]:
    form = UploadForm()
    template = f"progress/import_{kind}.html"
    if request.method == "GET":
        return render_template(template, form=form, edition=edition, plan=None, text="")
    if not form.validate_on_submit():
        return render_template(template, form=form, edition=edition, plan=None, text=""), 400
    confirmed = bool(request.form.get("confirm"))
    if confirmed:
        # Two confirmations of one import (a double click, two admins) then run in turn.
        lock_edition(edition)
    try:
        text = _uploaded_text(form)
        plan: RosterPlan | AttendancePlan = (plan_roster(edition, text) if kind == "roster"
                                             else plan_attendance(edition, text))
    except CsvUnreadable as error:
        flash(csv_message(error), "error")
        return render_template(template, form=form, edition=edition, plan=None, text=""), 400
    if confirmed and isinstance(plan, RosterPlan) and plan.already_imported:
        db.session.rollback()
        flash(_("Everyone on this roster is already enrolled."), "info")
        return redirect(url_for("editions.show_edition", edition_id=edition.id))
    if not confirmed or not plan.ok:
        return render_template(template, form=form, edition=edition, plan=plan,
                               text=text), 200 if plan.ok else 400
    try:
        done: RosterPlan | AttendancePlan
        if kind == "roster":
            done = import_roster(edition, text, utcnow(), _invitation_valid_for())
        else:
            done = import_attendance(edition, text, current_user, utcnow())
    except ProgressError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return redirect(request.path)
    record(current_user, f"{kind}.import", edition, rows=len(done.lines))
    db.session.commit()
    flash(_("%(num)d rows imported.", num=len(done.lines)), "success")
    return redirect(url_for("editions.show_edition", edition_id=edition.id))


@bp.route("/<int:edition_id>/roster", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_roster_page(edition_id: int) -> str | Response | tuple[str, int]:
    """Upload a roster CSV, see what it will do, then enrol everyone or no one.

    :raises 404: for an unknown edition.
    """
    return _import_page(edition_or_404(edition_id), "roster")


@bp.route("/<int:edition_id>/attendance-import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_attendance_page(edition_id: int) -> str | Response | tuple[str, int]:
    """Upload attendance recorded on paper, check it, then record all of it or none.

    :raises 404: for an unknown edition.
    """
    return _import_page(edition_or_404(edition_id), "attendance")


@bp.post("/enrolments/<int:enrolment_id>/status")
@role_required(Role.ADMIN)
def change_status(enrolment_id: int) -> Response:
    """Withdraw, reactivate, or defer an enrolment to a later edition.

    :raises 404: for an unknown enrolment.
    """
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None:
        abort(404)
    form = StatusForm()
    later = service.later_editions(enrolment.edition)
    form.target.choices = [SelectChoice(e.id, e.name) for e in later]
    back = url_for("board.participant", edition_id=enrolment.edition_id,
                   user_id=enrolment.user_id)
    if not form.validate_on_submit():
        flash(_("Choose a change."), "error")
        return redirect(back)
    now = utcnow()
    try:
        if form.action.data == "withdraw":
            service.withdraw(enrolment, now)
        elif form.action.data == "reactivate":
            service.reactivate(enrolment, now)
        else:
            # One of those offered: a number posted by hand is never looked up as it is.
            target = next((e for e in later if e.id == form.target.data), None)
            if target is None:
                raise ProgressError("bad_target")
            service.defer(enrolment, target, now)
    except ProgressError as error:
        flash(message_for(error), "error")
        return redirect(back)
    record(current_user, f"enrolment.{form.action.data}", enrolment, user=enrolment.user_id,
           to_edition=form.target.data if form.action.data == "defer" else "")
    db.session.commit()
    flash(_("The enrolment has been changed."), "success")
    return redirect(back)


def _make_up_choices(edition: Edition, form: MakeUpForm) -> None:
    language = current_language()
    people = db.session.scalars(select(User).join(Enrolment, Enrolment.user_id == User.id)
                                .where(Enrolment.edition_id == edition.id,
                                       Enrolment.status == EnrolmentStatus.ACTIVE)
                                .order_by(User.full_name)).all()
    form.participant.choices = [SelectChoice(u.id, f"{u.full_name} <{u.email}>") for u in people]
    own = edition_sessions(edition.id)
    form.missed.choices = [SelectChoice(s.id, f"{local_date(s.day)} · {s.unit.title(language)}")
                           for s in own]
    unit_ids = {s.unit_id for s in own}
    others = db.session.execute(
        select(InPersonSession, Edition).join(Edition, Edition.id == InPersonSession.edition_id)
        .where(InPersonSession.unit_id.in_(unit_ids), InPersonSession.edition_id != edition.id)
        .order_by(InPersonSession.starts_at)).all()
    form.attended.choices = [
        SelectChoice(s.id, f"{local_date(s.day)} · {s.unit.title(language)} · {e.name}")
        for s, e in others]


@bp.route("/<int:edition_id>/make-ups", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def make_ups(edition_id: int) -> str | Response | tuple[str, int]:
    """Record that a participant made up a missed day in another edition, and list make-ups.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    form = MakeUpForm()
    _make_up_choices(edition, form)
    if form.validate_on_submit():
        missed = db.session.get(InPersonSession, form.missed.data)
        attended = db.session.get(InPersonSession, form.attended.data)
        assert missed is not None and attended is not None
        try:
            make_up, new = service.record_make_up(missed, attended, form.participant.data,
                                                  current_user, utcnow(), form.note.data or "")
        except ProgressError as error:
            flash(message_for(error), "error")
        else:
            if new:
                record(current_user, "enrolment.make_up", make_up, user=make_up.user_id)
            db.session.commit()
            flash(_("The make-up day has been recorded."), "success")
            return redirect(url_for("enrolments.make_ups", edition_id=edition.id))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/make_ups.html", form=form, edition=edition,
                           make_ups=service.edition_make_ups(edition.id)), status
