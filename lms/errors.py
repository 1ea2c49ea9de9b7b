"""Plain error pages: a clear message, the right status, never a traceback."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lms.extensions import db

log = logging.getLogger(__name__)

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


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        title = _l("Form expired")
        message = _l("The form was open too long or came from another site. Please go back, "
                     "reload the page and try again.")
        return render_template("errors/error.html", title=title, message=message,
                               status=400), 400

    @app.errorhandler(403)
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
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        status = error.code or 500
        if status < 400:
            return error
        title, message = MESSAGES.get(status, (error.name, error.description))
        return render_template("errors/error.html", title=title, message=message,
                               status=status), status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        error_id = secrets.token_hex(6)
        log.exception("unhandled error %s", error_id)
        db.session.rollback()
        title, message = MESSAGES[500]
        return render_template("errors/error.html", title=title, message=message, status=500,
                               error_id=error_id), 500
