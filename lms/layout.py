"""What every page's layout needs: language and direction, the forms' CSRF token, and the
response headers."""

from __future__ import annotations

import secrets
from collections import OrderedDict

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from lms.i18n import current_language, text_direction

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


SIGNED_TOKENS_KEPT = 4096


def page_csrf_token() -> str:
    """The CSRF token for the page's forms: Flask-WTF's, signed once per login and kept.

    Every page has forms (the language switch, logging out), and signing the session's token
    anew for each page was a noticeable part of a page's cost. Tokens do not expire by age here
    (``WTF_CSRF_TIME_LIMIT`` is None), so the signed form of a session's token stays valid
    as long as the session does; with a time limit set, each page signs afresh as before.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if (current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None or not isinstance(raw, str)
            or field in g):
        return generate_csrf()
    kept: OrderedDict[str, str] = current_app.extensions.setdefault("lms_signed_csrf",
                                                                    OrderedDict())
    token = kept.get(raw)
    if token is None:
        token = kept[raw] = generate_csrf()
        if len(kept) > SIGNED_TOKENS_KEPT:
            kept.popitem(last=False)
    else:
        # Forms built by Flask-WTF later in the request read it from here.
        setattr(g, field, token)
    return token


def register_layout(app: Flask) -> None:
    # Flask-WTF offers its own ``csrf_token`` as a global and in every rendering's context;
    # this context is applied after its, so pages use the kept token.
    app.jinja_env.globals["csrf_token"] = page_csrf_token

    @app.context_processor
    def layout_context() -> dict[str, object]:
        language = current_language()
        return {"lang": language, "dir": text_direction(language), "csrf_token": page_csrf_token,
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
