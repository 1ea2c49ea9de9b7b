"""Instructors' pages: the units they teach, attendance rosters, check-in codes, apologies."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.db_types import column_length, utcnow
from lms.extensions import db
from lms.progress import attendance as service
from lms.progress.admin_views import edition_or_404
from lms.progress.checkin import CODE_PERIOD_SECONDS, current_code, qr_data_uri
from lms.progress.dashboard import teaching_units, unit_view
from lms.progress.errors import ProgressError
from lms.progress.messages import message_for
from lms.progress.models import Apology, Attendance, AttendanceStatus, InPersonSession
from lms.progress.permissions import can_teach_session, can_teach_unit
from lms.urls import public_url
from lms.whole_numbers import whole_number

bp = Blueprint("teaching", __name__, url_prefix="/teaching", template_folder="templates")
STAFF = (Role.INSTRUCTOR, Role.ADMIN)
DISPLAY_REFRESH_SECONDS = 20


def taught_session_or_404(session_id: int) -> InPersonSession:
    """The day, if the current user teaches its unit; 404 otherwise, as for an unknown id."""
    session = db.session.get(InPersonSession, session_id)
    if session is None or not can_teach_session(current_user, session):
        abort(404)
    return session


@bp.get("")
@role_required(*STAFF)
def my_units() -> str:
    """The units the instructor teaches, each with its in-person days."""
    return render_template("progress/teaching.html", items=teaching_units(current_user),
                           now=utcnow())


@bp.get("/editions/<int:edition_id>/units/<int:unit_id>")
@role_required(*STAFF)
def unit(edition_id: int, unit_id: int) -> str:
    """The unit's participants by topic and by day, with those at risk first.

    :raises 404: for an edition or unit the user does not teach.
    """
    edition = edition_or_404(edition_id)
    if not can_teach_unit(current_user, edition.id, unit_id):
        abort(404)
    view = unit_view(edition, unit_id, utcnow())
    if view is None:
        abort(404)
    return render_template("progress/unit.html", edition=edition, view=view)


def _parse_marks(session: InPersonSession) -> dict[int, tuple[AttendanceStatus, str]]:
    marks: dict[int, tuple[AttendanceStatus, str]] = {}
    for key, value in request.form.items():
        if not key.startswith("status-"):
            continue
        field = key.removeprefix("status-")
        user_id = whole_number(field)
        if user_id is None or value not in AttendanceStatus._value2member_map_:
            raise ProgressError("bad_mark")
        note = request.form.get(f"note-{field}", "")
        if len(note) > column_length(Attendance.note):
            raise ProgressError("bad_mark")
        marks[user_id] = (AttendanceStatus(value), note)
    return marks


def _shown_versions() -> dict[int, str]:
    """The version of each mark as the page showed it (``was-<user id>``)."""
    shown = {}
    for key, value in request.form.items():
        if key.startswith("was-") and (user_id := whole_number(key.removeprefix("was-"))):
            shown[user_id] = value[:64]
    return shown


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@role_required(*STAFF)
def roster(session_id: int) -> str | Response | tuple[str, int]:
    """The day's roster: mark each participant present, late, excused or absent, with a note.

    :raises 404: for a day the user does not teach.
    """
    session = taught_session_or_404(session_id)
    if request.method == "POST":
        try:
            changed, kept = service.save_roster(session, _parse_marks(session), current_user,
                                                utcnow(), _shown_versions())
        except ProgressError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            db.session.commit()
            flash(ngettext("Attendance saved (%(num)d change).",
                           "Attendance saved (%(num)d changes).", changed), "success")
            if kept:
                flash(ngettext(
                    "%(num)d mark changed while this page was open (a check-in, or another "
                    "instructor) and was kept as it is now: check it below.",
                    "%(num)d marks changed while this page was open (check-ins, or another "
                    "instructor) and were kept as they are now: check them below.", kept),
                    "error")
            return redirect(url_for("teaching.roster", session_id=session.id))
    entries = service.session_roster(session)
    status = 400 if request.method == "POST" else 200
    return render_template("progress/roster.html", session=session, entries=entries,
                           statuses=list(AttendanceStatus),
                           mark_version=service.mark_version), status


@bp.post("/sessions/<int:session_id>/all-present")
@role_required(*STAFF)
def all_present(session_id: int) -> Response:
    """Mark everyone not yet marked as present; the instructor then adjusts the exceptions.

    :raises 404: for a day the user does not teach.
    """
    session = taught_session_or_404(session_id)
    try:
        changed = service.mark_all_present(session, current_user, utcnow())
    except ProgressError as error:
        flash(message_for(error), "error")
    else:
        db.session.commit()
        flash(ngettext("%(num)d participant marked present.",
                       "%(num)d participants marked present.", changed), "success")
    return redirect(url_for("teaching.roster", session_id=session.id))


@bp.get("/sessions/<int:session_id>/history")
@role_required(*STAFF)
def history(session_id: int) -> str:
    """Every change to the day's attendance: who marked what, when, and what it replaced.

    :raises 404: for a day the user does not teach.
    """
    session = taught_session_or_404(session_id)
    return render_template("progress/history.html", session=session,
                           changes=service.history(session))


@bp.get("/sessions/<int:session_id>/code")
@role_required(*STAFF)
def code(session_id: int) -> Response:
    """The check-in code to show on a screen, as text and QR; the page refreshes itself.

    :raises 404: for a day the user does not teach.
    """
    session = taught_session_or_404(session_id)
    now = utcnow()
    display = current_code(current_app.config["SECRET_KEY"], session, now)
    url = public_url("participation.check_in", code=display.code)
    refresh = 0 if request.args.get("still") else DISPLAY_REFRESH_SECONDS
    page = render_template("progress/code.html", session=session, display=display,
                           qr=qr_data_uri(url) if display.is_open else None,
                           refresh=refresh, period=CODE_PERIOD_SECONDS)
    response = make_response(page)
    if refresh:
        # The HTTP form of <meta http-equiv="refresh">: no script, and the page offers a way
        # to stop it, as WCAG 2.2.1 asks of anything that updates by itself.
        response.headers["Refresh"] = str(refresh)
    return response


@bp.post("/apologies/<int:apology_id>")
@role_required(*STAFF)
def decide(apology_id: int) -> Response:
    """Excuse the day an apology is for, or decline the apology.

    :raises 404: for an apology of a day the user does not teach.
    """
    apology = db.session.get(Apology, apology_id)
    if apology is None:
        abort(404)
    session = taught_session_or_404(apology.session_id)
    try:
        service.decide_apology(apology, session, request.form.get("decision") == "excuse",
                               current_user, utcnow())
    except ProgressError as error:
        flash(message_for(error), "error")
    else:
        db.session.commit()
        flash(_("The apology has been decided."), "success")
    return redirect(url_for("teaching.roster", session_id=session.id))
