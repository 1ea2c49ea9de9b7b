"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from lms.auth.forms import LoginForm
from lms.auth.services import authenticate
from lms.extensions import db
from lms.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form and log the user in; the same message for any wrong detail."""
    if current_user.is_authenticated:
        return redirect(url_for("courses.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            language = session.get("language")
            session.clear()  # a fresh session on login: nothing carried over from before
            if language and not user.preferred_language:
                user.preferred_language = language
            login_user(user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("courses.home"))
        flash(_("The email or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))
