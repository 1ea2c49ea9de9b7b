"""Logging in and out, password links, and the user's own sessions and password."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.audit.services import FAILURE, record
from lms.auth import sessions
from lms.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from lms.auth.passwords import password_problem
from lms.auth.services import authenticate, notify_password_changed, send_password_reset
from lms.auth.tokens import (
    PasswordRejected,
    TokenInvalid,
    change_password,
    check_token,
    set_password_with_token,
)
from lms.db_types import utcnow
from lms.extensions import db
from lms.ratelimit import throttle_login, throttle_password_links
from lms.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")


def _begin_session(user_id: int) -> None:
    """Replace whatever session the browser had with a new server-side one (no fixation)."""
    from lms.auth.models import User

    user = db.session.get(User, user_id)
    assert user is not None
    ip, agent = sessions.client_details()
    token = sessions.start_session(user, utcnow(), sessions.absolute_lifetime(), ip, agent)
    language = session.get("language")
    session.clear()
    session[sessions.SESSION_KEY] = token
    if language:
        session["language"] = language
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@throttle_login
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
            _begin_session(user.id)
            record(user, "login", user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("courses.home"))
        record(None, "login", None, FAILURE, actor_label=form.email.data or "")
        db.session.commit()
        flash(_("The email or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session on the server, so the cookie is worthless from now on."""
    token = session.get(sessions.SESSION_KEY)
    if token:
        sessions.end_session(str(token))
    record(current_user, "logout", current_user._get_current_object())
    db.session.commit()
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle_password_links
def forgot_password() -> str | Response:
    """Send a password link; the answer never says whether the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        valid_for = timedelta(minutes=current_app.config["RESET_VALID_MINUTES"])
        user = send_password_reset(form.email.data or "", utcnow(), valid_for)
        record(user, "password.reset_requested", user, actor_label=form.email.data or "")
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to set a new "
                "password. The link works once, within %(num)d minutes.",
                num=current_app.config["RESET_VALID_MINUTES"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/set", methods=["GET", "POST"])
def set_password() -> str | Response | tuple[str, int]:
    """Set a password from an invitation or reset link (single use, expiring)."""
    form = SetPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    try:
        check_token(form.token.data or "", utcnow())
    except TokenInvalid:
        return render_template("auth/link_invalid.html"), 410
    if form.validate_on_submit():
        try:
            user = set_password_with_token(form.token.data or "", form.password.data or "",
                                           utcnow())
        except PasswordRejected as rejected:
            form.password.errors = [str(rejected)]
        except TokenInvalid:
            return render_template("auth/link_invalid.html"), 410
        else:
            record(user, "password.set_from_link", user)
            notify_password_changed(user)
            db.session.commit()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_own_password() -> str | Response | tuple[str, int]:
    """Change the password, asking for the current one; other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data or ""):
            form.current.errors = [_("The current password is not correct.")]
            record(user, "password.change", user, FAILURE)
            db.session.commit()
        elif problem := password_problem(form.password.data or "", user.email):
            form.password.errors = [problem]
        else:
            change_password(user, form.password.data or "", utcnow(),
                            keep_session=session.get(sessions.SESSION_KEY))
            record(user, "password.change", user)
            notify_password_changed(user)
            db.session.commit()
            flash(_("Your password has been changed. Your other sessions have ended."),
                  "success")
            return redirect(url_for("auth.own_sessions"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form), status


@bp.get("/account/sessions")
@login_required
def own_sessions() -> str:
    """The user's own login sessions, with a button to end each."""
    return render_template("auth/sessions.html", sessions=sessions.sessions_of(current_user.id),
                           is_current=sessions.is_current)


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_own_session(session_id: int) -> Response:
    """End one of the user's own sessions.

    :raises 404: for a session that is not the user's (or does not exist).
    """
    if not sessions.end_own_session(current_user.id, session_id):
        abort(404)
    record(current_user, "session.end", str(session_id))
    db.session.commit()
    flash(_("The session has ended."), "info")
    return redirect(url_for("auth.own_sessions"))
