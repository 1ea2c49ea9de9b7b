"""Interface language: choosing the locale, switching it, and the text direction."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, redirect, request, session
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.extensions import db
from lms.template_gettext import locale_in_effect
from lms.urls import safe_next

bp = Blueprint("i18n", __name__)
RTL_LANGUAGES = {"ar"}


def select_locale() -> str:
    """The user's saved preference, then the language switch, then the browser's languages."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    # The user behind the proxy, once: every page asks, and each look through the proxy costs.
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if user is not None and user.is_authenticated and user.preferred_language in languages:
        # Kept in the cookie as well, so a page that cannot reach the database (the 503 page)
        # still speaks the user's language.
        if session.get("language") != user.preferred_language:
            session["language"] = user.preferred_language
        return str(user.preferred_language)
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    return str(locale_in_effect() or "en")


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


@bp.post("/language")
def switch_language() -> Response:
    """Switch the interface language and return to the page the switch was pressed on."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.preferred_language = language
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or "/")
