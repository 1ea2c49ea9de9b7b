"""Participants' own actions: checking in with the day's code, apologies, the calendar file."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.db_types import utcnow
from lms.extensions import db
from lms.i18n import current_language
from lms.progress.attendance import send_apology
from lms.progress.checkin import check_in as record_check_in
from lms.progress.checkin import normalise_code
from lms.progress.dashboard import participant_unit, schedule_events
from lms.progress.errors import ProgressError
from lms.progress.forms import ApologyForm, CheckInForm
from lms.progress.ical import calendar as ical_document
from lms.progress.messages import message_for
from lms.progress.models import Apology, Enrolment, EnrolmentStatus, InPersonSession
from lms.ratelimit import limiter

bp = Blueprint("participation", __name__, template_folder="templates")
CHECK_IN_LIMIT = "10 per 5 minutes"


def _user_key() -> str:
    return f"check-in:{current_user.get_id()}"


@bp.route("/checkin", methods=["GET", "POST"])
@role_required(Role.PARTICIPANT)
@limiter.limit(CHECK_IN_LIMIT, key_func=_user_key, methods=["POST"])
def check_in() -> str | Response | tuple[str, int]:
    """Confirm and check in with the code shown in the room; opening the page changes nothing."""
    form = CheckInForm()
    if request.method == "GET":
        form.code.data = normalise_code(request.args.get("code", ""))
        return render_template("progress/check_in.html", form=form)
    if form.validate_on_submit():
        try:
            session, changed = record_check_in(current_user, form.code.data or "",
                                               current_app.config["SECRET_KEY"], utcnow())
        except ProgressError as error:
            form.code.errors = [message_for(error)]
        else:
            db.session.commit()
            flash(_("You are checked in for %(unit)s.", unit=session.unit.title(
                current_language())) if changed else _("You were already checked in."),
                "success")
            return redirect(url_for("courses.home"))
    return render_template("progress/check_in.html", form=form), 400


@bp.get("/my/schedule.ics")
@role_required(Role.PARTICIPANT)
def calendar() -> Response:
    """The participant's in-person days as an iCalendar file."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    events = schedule_events(current_user, base.rstrip("/"), current_language())
    body = ical_document(events, _("Certificate in Migration Governance"), utcnow())
    return Response(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=in-person-days.ics"})


@bp.get("/my/editions/<int:edition_id>/units/<int:unit_id>")
@role_required(Role.PARTICIPANT)
def unit_progress(edition_id: int, unit_id: int) -> str:
    """The participant's own record in one unit: each in-person day, lesson and quiz.

    :raises 404: for an edition the participant is not actively enrolled in, or a unit outside it.
    """
    now = utcnow()
    progress = participant_unit(current_user, edition_id, unit_id, now)
    if progress is None:
        abort(404)
    return render_template("progress/my_unit.html", progress=progress, now=now)


@bp.route("/my/sessions/<int:session_id>/apology", methods=["GET", "POST"])
@role_required(Role.PARTICIPANT)
def apology(session_id: int) -> str | Response | tuple[str, int]:
    """Send an apology for an upcoming in-person day of one's own edition.

    :raises 404: for a day outside the participant's active editions.
    """
    session = db.session.scalar(
        select(InPersonSession).join(Enrolment, Enrolment.edition_id == InPersonSession.edition_id)
        .where(InPersonSession.id == session_id, Enrolment.user_id == current_user.id,
               Enrolment.status == EnrolmentStatus.ACTIVE))
    if session is None:
        abort(404)
    existing = db.session.scalar(select(Apology).filter_by(session_id=session.id,
                                                           user_id=current_user.id))
    form = ApologyForm(data=None if request.method == "POST" or existing is None
                       else {"reason": existing.reason})
    if form.validate_on_submit():
        try:
            send_apology(current_user, session, form.reason.data or "", utcnow())
        except ProgressError as error:
            form.reason.errors = [message_for(error)]
        else:
            db.session.commit()
            flash(_("Your apology has been sent to the instructors."), "success")
            return redirect(url_for("courses.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("progress/apology.html", form=form, session=session,
                           existing=existing), status
