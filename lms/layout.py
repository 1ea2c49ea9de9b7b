"""What every page's layout needs: language and direction, the forms' CSRF token, and the
response headers."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from lms.i18n import current_language, text_direction
from lms.urls import query_values, safe_next

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


SIGNED_TOKENS_KEPT = 4096
HEADERS_KEPT = 64
# Stand-ins drawn into the kept header where each page puts its own values. The token (URL-safe
# characters only) goes in first and the address last, so an address that happens to hold a
# stand-in is never replaced.
# Random per process: a lesson kept with the stand-in in it holds its author's text too, which
# must never be able to spell the stand-in and have a reader's token put into it.
_CSRF_MARK = f"\x01csrf-{secrets.token_hex(16)}\x01"
_HERE_MARK = f"\x01here-{secrets.token_hex(16)}\x01"


def token_mark() -> str:
    """What a template kept for other requests draws where a form's CSRF token goes (given
    as its ``csrf_token``); ``with_page_token`` puts this page's token there."""
    return _CSRF_MARK


def page_part(template: str, **context: object) -> Markup:
    """Part of a page drawn by its own autoescaped template, to be put into the page as it is
    (a part kept for later requests: lms.page_cache)."""
    return Markup(render_template(template, **context))  # noqa: S704


def with_page_token(html: str) -> Markup:
    """Kept HTML with this page's CSRF token where ``token_mark`` was drawn."""
    return Markup(html.replace(_CSRF_MARK, escape(page_csrf_token())))  # noqa: S704


def page_csrf_token() -> str:
    """The CSRF token for the page's forms: Flask-WTF's, signed once per login and kept.

    Every page has forms (the language switch, logging out), and signing the session's token
    anew for each page was a noticeable part of a page's cost. Tokens do not expire by age here
    (``WTF_CSRF_TIME_LIMIT`` is None), so the signed form of a session's token stays valid
    as long as the session does; with a time limit set, each page signs afresh as before.
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None or field in g:
        return generate_csrf()
    kept: OrderedDict[str, str] = current_app.extensions.setdefault("lms_signed_csrf",
                                                                    OrderedDict())
    raw = session.get(field)
    token = kept.get(raw) if isinstance(raw, str) else None
    if token is None:
        # Signing puts the login's token in the session first when it has none yet: the
        # signed form is kept under it then, so the next page gives the same (a signature
        # made a second later would differ).
        token = generate_csrf()
        raw = session.get(field)
        if isinstance(raw, str):
            kept[raw] = token
            if len(kept) > SIGNED_TOKENS_KEPT:
                kept.popitem(last=False)
    else:
        # Forms built by Flask-WTF later in the request read it from here.
        setattr(g, field, token)
    return token


def site_header() -> Markup:
    """The page header (name, menu, language switch, logging out), drawn once per worker for
    each language, role and address prefix, then given this page's token and address.

    The menu was about a tenth of a lesson page's time, for markup that only changes with
    those three. What is kept is safe to lose and the same in every worker: it depends on no
    data, only on the templates and translations the worker loaded. Where templates reload
    when edited (debug), it is drawn afresh each time.
    """
    user = g.get("_login_user") or current_user
    role = user.role.value if user.is_authenticated else None
    key = (current_language(), role, request.script_root)
    kept: dict[tuple[str, str | None, str], str] = current_app.extensions.setdefault(
        "lms_site_headers", {})
    html = kept.get(key)
    if html is None:
        html = render_template("_site_header.html", nav_role=role, nav_csrf=_CSRF_MARK,
                               here=_HERE_MARK)
        if not current_app.jinja_env.auto_reload:
            if len(kept) >= HEADERS_KEPT:
                kept.clear()
            kept[key] = html
    return Markup(html.replace(_CSRF_MARK, escape(page_csrf_token()))  # noqa: S704
                  .replace(_HERE_MARK, escape(_return_address())))


def _return_address() -> str:
    """Where the header's language switch and the privacy banner come back to: this page; or,
    for a page drawn in answer to a form posted to an address that only takes posts (a form
    with errors), the page the form was on, as going back to the post's address would answer
    405."""
    rule = request.url_rule
    if request.method == "GET" or rule is None or "GET" in (rule.methods or ()):
        return request.full_path if request.query_string else request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        return safe_next(urlunsplit(("", "", referrer.path, referrer.query, ""))) or "/"
    return "/"


def register_layout(app: Flask) -> None:
    # Flask-WTF offers its own ``csrf_token`` as a global and in every rendering's context;
    # this context is applied after its, so pages use the kept token.
    app.jinja_env.globals["csrf_token"] = page_csrf_token
    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["return_address"] = _return_address
    app.jinja_env.globals["query_values"] = query_values

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
