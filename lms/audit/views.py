"""The audit log for admins: read, filter, export. Nothing here can change it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context

from lms.audit import services
from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.whole_numbers import page_number

bp = Blueprint("audit", __name__, url_prefix="/admin/audit", template_folder="templates")
PER_PAGE = 50


def _date(name: str) -> datetime | None:
    value = request.args.get(name, "")
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=UTC)


def _filter() -> services.AuditFilter:
    until = _date("until")
    return services.AuditFilter(
        action=(request.args.get("action") or "")[:64],
        actor=(request.args.get("actor") or "").strip()[:254],
        outcome=request.args.get("outcome") or "",
        since=_date("since"),
        # The whole of the last day; the last day of all has nothing after it.
        until=until + timedelta(days=1) if until and until.date() < date.max else None,
    )


@bp.get("")
@role_required(Role.ADMIN)
def list_events() -> str:
    """The audit log, newest first, filtered by action, actor, outcome and dates."""
    page = page_number()
    events, total = services.events(_filter(), page, PER_PAGE)
    return render_template("audit/events.html", events=events, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)), actions=services.known_actions(),
                           outcomes=services.OUTCOMES, args=request.args)


@bp.get("/export.csv")
@role_required(Role.ADMIN)
def export() -> Response:
    """The filtered audit log as CSV (UTF-8 with BOM, so spreadsheets show Arabic)."""
    body = stream_with_context(services.export_csv(_filter()))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=audit-log.csv"})
