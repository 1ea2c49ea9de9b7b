"""Plain error pages: a clear message, the right status, never a traceback."""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Response

from lms.extensions import db, login_manager

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30
E = TypeVar("E", bound=Exception)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and "
                                "try again.")),
    401: (_l("Please log in"), _l("You need to log in to see this page.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is no page at this address, or it is not "
                                   "available to you.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("The file or form you sent is larger than the platform "
                              "accepts.")),
    429: (_l("Too many attempts"), _l("Too many requests in a short time. Please wait a "
                                      "little and try again.")),
    500: (_l("Something went wrong"), _l("The platform could not complete your request. "
                                         "Please try again later.")),
    503: (_l("Temporarily unavailable"), _l("The platform cannot reach its database at "
                                            "the moment. Please try again in a minute.")),
}


# Connection exceptions, the server shutting down or starting, too many connections.
UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unavailable(error: BaseException) -> bool:
    """Whether the error means the database cannot be reached right now: down, restarting,
    dropping connections, or every pooled connection busy."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if type(error.orig).__module__ == "sqlite3":
        # SQLite reports a missing table as an OperationalError too: that is a bug, not an
        # outage, and keeps its 500 and traceback.
        return "locked" in str(error.orig) or "unable to open" in str(error.orig)
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    # PostgreSQL says what went wrong. Deadlocks, timeouts, a full disk or a value too long
    # for an index are OperationalErrors too, but bugs or load to look into, not an outage:
    # they keep the 500 with its error id and traceback. No code at all means the server
    # never answered.
    state = getattr(error.orig, "sqlstate", None)
    return state is None or state.startswith(UNAVAILABLE_STATES)


def unavailable_page(error: BaseException) -> Response:
    """503 with a plain page in the visitor's language, built without touching the database."""
    # One line, no traceback: while the database is down every request would log one.
    cause = str(getattr(error, "orig", None) or error).strip().splitlines()
    log.warning("database unavailable: %s: %s", type(error).__name__, cause[0] if cause else "")
    with contextlib.suppress(SQLAlchemyError):  # the connection is gone; the pool replaces it
        db.session.rollback()
    # The logged-in user comes from the database, so this page (and the language choice and
    # headers that ask for the user) treat the visitor as anonymous.
    g._login_user = login_manager.anonymous_user()  # where Flask-Login keeps the request's user
    title, message = MESSAGES[503]
    response = make_response(render_template("errors/unavailable.html", title=title,
                                              message=message), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _or_unavailable(handler: Callable[[E], Any]) -> Callable[[E], Any]:
    """An error page that needs the database (the audit of a 403, the menu of the logged-in
    user) falls back to the 503 page when the database fails while it is being made."""

    @functools.wraps(handler)
    def wrapped(error: E) -> Any:
        try:
            return handler(error)
        except SQLAlchemyError as database_error:
            return unavailable_page(database_error)

    return wrapped


class UnstorableText(BadRequest):
    """A form field or address parameter holds a NUL character."""


def refuse_nul_characters() -> None:
    """Stop a request whose form, query or path holds a NUL character, before any view reads
    it.

    No one types one, but text pasted from some programs carries it, and PostgreSQL refuses
    to store or even compare it: every view would fail with a server error.

    :raises UnstorableText: answered with a 400 page saying what to do.
    """
    for values in (request.args, request.form):
        if any("\x00" in value for _key, items in values.lists() for value in items):
            raise UnstorableText()
    # The address itself: a slug or a file name with %00 in it.
    if "\x00" in request.path:
        raise UnstorableText()


def register_error_handlers(app: Flask) -> None:
    app.before_request(refuse_nul_characters)

    @app.errorhandler(UnstorableText)
    @_or_unavailable
    def unstorable_text(_error: UnstorableText) -> tuple[str, int]:
        title = _l("Invisible character in the form")
        message = _l("What you sent holds an invisible control character (NUL), often carried "
                     "by text pasted from another program, which cannot be stored. Go back, "
                     "type the text again or paste it as plain text, and send the form again.")
        return render_template("errors/error.html", title=title, message=message,
                               status=400), 400

    @app.errorhandler(CSRFError)
    @_or_unavailable
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        title = _l("Form expired")
        message = _l("The form was open too long or came from another site. Please go back, "
                     "reload the page and try again.")
        return render_template("errors/error.html", title=title, message=message,
                               status=400), 400

    @app.errorhandler(403)
    @_or_unavailable
    def forbidden(error: HTTPException) -> tuple[str, int]:
        from flask import request
        from flask_login import current_user

        from lms.audit.services import DENIED, record

        db.session.rollback()
        user = current_user if current_user.is_authenticated else None
        record(user, "access.denied", request.path[:64], DENIED, method=request.method)
        db.session.commit()
        title, message = MESSAGES[403]
        return render_template("errors/error.html", title=title, message=message,
                               status=403), 403

    @app.errorhandler(HTTPException)
    @_or_unavailable
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        status = error.code or 500
        if status < 400:
            return error
        title, message = MESSAGES.get(status, (error.name, error.description))
        return render_template("errors/error.html", title=title, message=message,
                               status=status), status

    @app.errorhandler(Exception)
    @_or_unavailable
    def unexpected_error(error: Exception) -> tuple[str, int] | Response:
        if database_unavailable(error):
            return unavailable_page(error)
        error_id = secrets.token_hex(6)
        log.exception("unhandled error %s", error_id)
        with contextlib.suppress(SQLAlchemyError):  # the error page must render regardless
            db.session.rollback()
        if "_login_user" not in g:
            # Loading the user is what failed: the error page must not try it again.
            g._login_user = login_manager.anonymous_user()
        title, message = MESSAGES[500]
        return render_template("errors/error.html", title=title, message=message, status=500,
                               error_id=error_id), 500
