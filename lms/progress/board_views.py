"""Admin views of an edition's progress: the board, a participant's detail, reports, exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.db_types import utcnow
from lms.extensions import db
from lms.formatting import local_date
from lms.i18n import current_language
from lms.progress import board as service
from lms.progress import charts, exports
from lms.progress.admin_views import edition_or_404
from lms.progress.board_cells import cell_labels, row_cells
from lms.progress.completion import completion_for
from lms.progress.enrolments import later_editions, possible_changes
from lms.progress.forms import StatusForm
from lms.progress.models import Enrolment
from lms.whole_numbers import page_number

bp = Blueprint("board", __name__, url_prefix="/admin/editions", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter() -> service.BoardFilter:
    return service.BoardFilter(
        status=(request.args.get("status") or "")[:20],
        organisation_type=(request.args.get("organisation_type") or "")[:20],
        country=(request.args.get("country") or "").strip()[:100],
        search=(request.args.get("q") or "").strip()[:100])


@bp.get("/<int:edition_id>/board")
@role_required(Role.ADMIN)
def board(edition_id: int) -> str:
    """Participants × units, a hundred to a page, filtered by status, type, country and name.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    page = page_number()
    result = service.board_page(edition, _filter(), page, utcnow())
    return render_template("progress/board.html", edition=edition, board=result,
                           args=request.args, page=result.page, pages=result.pages,
                           row_cells=row_cells, cell_labels=cell_labels())


@bp.get("/<int:edition_id>/participants/<int:user_id>")
@role_required(Role.ADMIN)
def participant(edition_id: int, user_id: int) -> str:
    """One participant's units, days, lessons and quizzes in the edition, and enrolment changes.

    :raises 404: for an unknown edition or someone not enrolled in it.
    """
    edition = edition_or_404(edition_id)
    row = db.session.execute(select(Enrolment, User).join(User, User.id == Enrolment.user_id)
                             .filter(Enrolment.edition_id == edition.id,
                                     Enrolment.user_id == user_id)).first()
    if row is None:
        abort(404)
    enrolment, person = row
    form = StatusForm(formdata=None)
    form.target.choices = [SelectChoice(e.id, e.name) for e in later_editions(edition)]
    allowed = possible_changes(enrolment, bool(form.target.choices))
    form.action.choices = [c for c in form.action.choices  # type: ignore[union-attr]
                           if c.value in allowed]
    return render_template("progress/participant.html", edition=edition, enrolment=enrolment,
                           person=person, completion=completion_for(person, edition, utcnow()),
                           form=form)


@bp.get("/<int:edition_id>/report")
@role_required(Role.ADMIN)
def report(edition_id: int) -> str:
    """Counts for sponsors and the charts: completion by unit, attendance by day, quiz scores.

    :raises 404: for an unknown edition.
    """
    edition = edition_or_404(edition_id)
    language = current_language()
    data = service.sponsor_report(edition, utcnow(), language)
    bins = [_("0–49%"), _("50–69%"), _("70–89%"), _("90–100%"), _("No attempt")]
    chart_list = [
        charts.percent_chart("completion-by-unit", _("Completion by unit"),
                             [(title, value) for _slug, title, value in data.unit_rates],
                             _("no one yet")),
        charts.percent_chart("attendance-by-day", _("Attendance rate by day"),
                             [(f"{local_date(day)} · {title}", value)
                              for day, title, value in data.day_rates], _("no one yet")),
        charts.stacked_chart("scores-by-topic", _("Quiz score distribution by topic"),
                             [(title, counts) for _slug, title, counts in data.score_bins],
                             bins),
    ]
    return render_template("progress/report.html", edition=edition, report=data,
                           charts=chart_list, bins=bins)


def _download(edition_id: int, kind: str, fmt: str) -> Response:
    edition = edition_or_404(edition_id)
    language = current_language()
    build = exports.board_table if kind == "board" else exports.register_table
    table = build(edition, utcnow(), language)
    name = f"edition-{edition.id}-{kind}"
    if fmt == "xlsx":
        body, mimetype = exports.as_xlsx(table, kind), XLSX
    else:
        body, mimetype = exports.as_csv(table), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={name}.{fmt}"})


@bp.get("/<int:edition_id>/board.<any(csv, xlsx):fmt>")
@role_required(Role.ADMIN)
def export_board(edition_id: int, fmt: str) -> Response:
    """The whole board as CSV (UTF-8 with BOM) or XLSX.

    :raises 404: for an unknown edition.
    """
    return _download(edition_id, "board", fmt)


@bp.get("/<int:edition_id>/register.<any(csv, xlsx):fmt>")
@role_required(Role.ADMIN)
def export_register(edition_id: int, fmt: str) -> Response:
    """The attendance register, participants × in-person days, as CSV or XLSX.

    :raises 404: for an unknown edition.
    """
    return _download(edition_id, "register", fmt)
