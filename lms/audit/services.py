"""Recording and reading the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, insert, select

from lms.audit.models import AuditEvent
from lms.auth.models import User
from lms.db_types import column_length, utcnow
from lms.extensions import db

SUCCESS = "success"
FAILURE = "failure"
DENIED = "denied"
OUTCOMES = (SUCCESS, FAILURE, DENIED)


def _clean(value: str, limit: int) -> str:
    # Control characters (newlines above all) could forge lines in exports and logs.
    return "".join(c if c.isprintable() else "?" for c in value)[:limit]


# Read once: records are written on busy paths such as quiz submission.
_LABEL_LENGTH = column_length(AuditEvent.actor_label)
_TARGET_LENGTH = column_length(AuditEvent.target_id)
_IP_LENGTH = column_length(AuditEvent.ip)


def record(actor: User | None, action: str, target: Any = None, outcome: str = SUCCESS,
           *, actor_label: str | None = None, ip: str | None = None,
           request_id: str | None = None, **details: Any) -> None:
    """Append an event; the client address and request id come from the request if not given.

    ``target`` is a model instance (its class name and id are kept) or a plain string. The
    event is written in the current transaction at once; the caller commits.
    """
    write_event(event_row(actor, action, target, outcome, actor_label=actor_label, ip=ip,
                          request_id=request_id, **details))


def write_event(row: dict[str, Any]) -> None:
    """Write an event made by ``event_row`` in the current transaction."""
    # A plain INSERT on the transaction's connection rather than an object for the session
    # to flush: records are written on busy paths, and nothing reads the event back.
    db.session.connection().execute(_INSERT, row)


def event_row(actor: User | None, action: str, target: Any = None, outcome: str = SUCCESS,
              *, actor_label: str | None = None, ip: str | None = None,
              request_id: str | None = None, **details: Any) -> dict[str, Any]:
    """The row of ``audit_events`` that ``record`` writes, taking the same arguments, for a
    statement that writes it along with other changes; nothing is written."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if has_request_context():
        ip = ip if ip is not None else (request.remote_addr or "")
        request_id = request_id if request_id is not None else g.get("request_id", "")
    if target is None:
        target_type, target_id = "", ""
    elif isinstance(target, str):
        target_type, target_id = "", target
    else:
        target_type, target_id = type(target).__name__, str(getattr(target, "id", ""))
    label = actor_label if actor_label is not None else (actor.email if actor else "")
    return {"at": utcnow(), "actor_id": actor.id if actor else None,
            "actor_label": _clean(label, _LABEL_LENGTH), "action": action,
            "target_type": target_type, "target_id": _clean(target_id, _TARGET_LENGTH),
            "outcome": outcome, "ip": _clean(ip or "", _IP_LENGTH), "request_id": request_id or "",
            "details": {k: _clean(str(v), 500) for k, v in details.items()}}


_INSERT = insert(AuditEvent.__table__)


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(f: AuditFilter) -> Select[Any]:
    query = select(AuditEvent)
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.actor:
        # Failed logins keep the address as typed, capitals and all; PostgreSQL's LIKE,
        # unlike SQLite's, tells cases apart.
        query = query.where(func.lower(AuditEvent.actor_label).contains(f.actor.lower(),
                                                                         autoescape=True))
    if f.outcome in OUTCOMES:
        query = query.where(AuditEvent.outcome == f.outcome)
    if f.since:
        query = query.where(AuditEvent.at >= f.since)
    if f.until:
        query = query.where(AuditEvent.at < f.until)
    return query


def events(f: AuditFilter, page: int, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and the number of matches."""
    query = _filtered(f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def known_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)))


def csv_header() -> list[str]:
    """Column names in the exporting admin's language; the cells stay as recorded."""
    return [_("Time (UTC)"), _("Actor ID"), _("Actor"), _("Action"), _("Target type"),
            _("Target ID"), _("Outcome"), _("Address"), _("Request ID"), _("Details")]


def export_csv(f: AuditFilter) -> Iterator[str]:
    """Matching events as CSV lines, oldest first, streamed in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(csv_header())
    yield "\ufeff" + flush()
    query = _filtered(f).order_by(AuditEvent.at, AuditEvent.id).execution_options(
        yield_per=500)
    for event in db.session.scalars(query):
        writer.writerow([event.at.isoformat(), event.actor_id or "", _cell(event.actor_label),
                         event.action, event.target_type, event.target_id, event.outcome,
                         event.ip, event.request_id,
                         _cell("; ".join(f"{k}={v}" for k, v in sorted(event.details.items())))])
        yield flush()


def _cell(value: str) -> str:
    # A cell starting with these runs as a formula in spreadsheet programs.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
