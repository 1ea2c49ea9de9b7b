"""What every page's layout needs: language and direction, and the response headers."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.i18n import current_language, text_direction

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def register_layout(app: Flask) -> None:
    @app.context_processor
    def layout_context() -> dict[str, object]:
        language = current_language()
        return {"lang": language, "dir": text_direction(language),
                "other_languages": [x for x in app.config["LANGUAGES"] if x != language]}

    @app.before_request
    def assign_request_id() -> None:
        g.request_id = secrets.token_hex(8)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config.get("PREFERRED_URL_SCHEME") == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static" and _logged_in():
            response.headers["Cache-Control"] = "no-store"
        return response


def _logged_in() -> bool:
    """Whether the request was made by a logged-in user.

    Reads the user the request already loaded where it can: after a view commits, the user's
    columns are expired and ``is_authenticated`` would query them again.
    """
    user = g.get("_login_user")
    if user is None:
        return bool(current_user and current_user.is_authenticated)
    return not user.is_anonymous
