"""Server-side login sessions.

The signed session cookie carries a random session id and nothing else about the login. The
``user_sessions`` row behind it decides whether the login is alive: logging out deletes it, a
password change deletes every row of the user, and idle and absolute timeouts end it, so a
copied cookie stops working the moment the session ends on the server.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, delete, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from werkzeug.wrappers import Response

from lms.auth.models import User, UserSession
from lms.db_types import column_length, utcnow
from lms.extensions import db

SESSION_KEY = "sid"
TOUCH_INTERVAL = timedelta(minutes=1)
_PENDING_TOUCH = "_session_last_seen"  # on ``g``: (session row id, time) still to be written


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, now: datetime, lifetime: timedelta, ip: str = "",
                  user_agent: str = "") -> str:
    """Create a session row for the user and return the random id for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id_hash=_hash(token), user_id=user.id, created_at=now,
                               last_seen_at=now, expires_at=now + lifetime,
                               ip=ip[:column_length(UserSession.ip)],
                               user_agent=user_agent[:column_length(UserSession.user_agent)]))
    db.session.flush()
    return token


@cache
def _session_statement() -> Executable:
    # Built once: every request runs it, and building it cost more than running it. The
    # session's own columns are read as plain values: only the user needs to be an object.
    return (select(User, UserSession.id, UserSession.expires_at, UserSession.last_seen_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.id_hash == bindparam("id_hash")))


def user_for_session(token: str, now: datetime, idle: timedelta) -> User | None:
    """The active user of a live session (one query); None if it ended or timed out.

    ``last_seen_at`` is written at most once a minute, so reading pages costs no writes. The
    write is left to the end of the request (``write_last_seen``): a request that commits
    anyway, such as a quiz submission, carries it in its own transaction instead of paying a
    second commit for it.
    """
    row = db.session.execute(_session_statement(), {"id_hash": _hash(token)}).first()
    if row is None:
        return None
    user, session_id, expires_at, last_seen_at = row
    if now >= expires_at or now - last_seen_at >= idle:
        db.session.execute(delete(UserSession).where(UserSession.id == session_id))
        db.session.commit()
        return None
    if not user.is_active:
        return None
    if now - last_seen_at >= TOUCH_INTERVAL and has_request_context():
        setattr(g, _PENDING_TOUCH, (session_id, now))
    return user


def _write_last_seen(orm_session: Session, pending: tuple[int, datetime]) -> None:
    session_id, now = pending
    # On the table rather than the mapped class: the ORM's form of the statement would also
    # bring the session's copies of the row up to date, and the request holds none.
    orm_session.connection().execute(_LAST_SEEN, {"session_id": session_id, "now": now})


_SESSIONS = UserSession.__table__
_LAST_SEEN = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("session_id"))
              .values(last_seen_at=bindparam("now")))


@event.listens_for(Session, "before_commit")
def _last_seen_with_commit(orm_session: Session) -> None:
    """Add the request's pending "last seen" write to the request's own commit."""
    # A savepoint's commit is not the request's: what it holds can still be rolled back.
    if (not has_request_context() or orm_session is not db.session.registry()
            or orm_session.in_nested_transaction()):
        return
    pending = g.get(_PENDING_TOUCH)
    if pending is not None:
        _write_last_seen(orm_session, pending)


@event.listens_for(Session, "after_commit")
def _last_seen_written(orm_session: Session) -> None:
    if (has_request_context() and orm_session is db.session.registry()
            and not orm_session.in_nested_transaction()):
        g.pop(_PENDING_TOUCH, None)


def write_last_seen(response: Response) -> Response:
    """Write the "last seen" time the request did not commit with its own work.

    Not after a server error: the database may be what failed, and the next request writes it.
    """
    pending = g.pop(_PENDING_TOUCH, None)
    if pending is not None and response.status_code < 500:
        orm_session = db.session()
        # What the view left uncommitted is thrown away at the end of the request in any case;
        # throwing it away first keeps it out of this commit.
        orm_session.rollback()
        _write_last_seen(orm_session, pending)
        # Nothing the response still reads needs reloading after this commit.
        orm_session.expire_on_commit = False
        try:
            orm_session.commit()
        finally:
            orm_session.expire_on_commit = True
    return response


def end_session(token: str) -> None:
    db.session.execute(delete(UserSession).where(UserSession.id_hash == _hash(token)))


def end_all_sessions(user_id: int) -> int:
    """End every session of the user (after a password change); how many there were."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    return db.session.execute(query).rowcount or 0  # type: ignore[attr-defined]


def sessions_of(user_id: int) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                   .order_by(UserSession.last_seen_at.desc())))


def is_current(user_session: UserSession) -> bool:
    token = session.get(SESSION_KEY)
    return bool(token) and user_session.id_hash == _hash(str(token))


def end_own_session(user_id: int, session_id: int) -> bool:
    """End one of the user's own sessions; False if there is no such session of theirs."""
    result = db.session.execute(delete(UserSession).where(UserSession.id == session_id,
                                                          UserSession.user_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def absolute_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def init_sessions(app: Flask, manager: LoginManager) -> None:
    app.after_request(write_last_seen)
    init_login_manager(manager)


def init_login_manager(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to see this page.")
    manager.login_message_category = "info"
    # Our own session rows replace Flask-Login's cookie-bound protection.
    manager.session_protection = None

    @manager.request_loader
    def load_user(_request: object) -> User | None:
        token = session.get(SESSION_KEY)
        if not token or not isinstance(token, str):
            return None
        user = user_for_session(token, utcnow(), idle_timeout())
        if user is None:
            session.pop(SESSION_KEY, None)
        return user


def client_details() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")
