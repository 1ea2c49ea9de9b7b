"""Logging in and out, password links, and the user's own sessions and password."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.audit.services import FAILURE, record
from lms.auth import sessions, two_step
from lms.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginCodeForm,
    LoginForm,
    SetPasswordForm,
)
from lms.auth.models import User
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
from lms.ratelimit import throttle_login, throttle_login_code, throttle_password_links
from lms.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")
# A login whose password was right and whose code is still to come: in the signed session
# cookie, apart from the login session itself, so no page treats the browser as logged in.
PENDING_LOGIN = "two_step_login"
PENDING_MINUTES = 5


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
        if user is not None and user.has_two_step:
            _await_code(user, safe_next(form.next.data) or "", utcnow())
            record(user, "login.password", user)
            db.session.commit()
            return redirect(url_for("auth.login_code"))
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


def _await_code(user: User, next_url: str, now: datetime) -> None:
    session.pop(sessions.SESSION_KEY, None)
    session[PENDING_LOGIN] = {"user": user.id, "at": int(now.timestamp()), "next": next_url}


def _pending_login(now: datetime) -> tuple[User | None, dict[str, Any]]:
    """The account waiting for its code and the pending login; no account once it expired."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None, {}
    if now.timestamp() - pending["at"] > PENDING_MINUTES * 60:
        return None, pending
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or not user.has_two_step:
        return None, {}
    return user, pending


def _pending_account() -> str:
    pending = session.get(PENDING_LOGIN)
    return str(pending.get("user", "")) if isinstance(pending, dict) else ""


@bp.route("/login/code", methods=["GET", "POST"])
@throttle_login_code(_pending_account)
def login_code() -> str | Response | tuple[str, int]:
    """The second step: a code from the app, or a recovery code, then the session starts."""
    if current_user.is_authenticated:
        return redirect(url_for("courses.home"))
    now = utcnow()
    user, pending = _pending_login(now)
    if user is None:
        session.pop(PENDING_LOGIN, None)
        if pending:
            flash(_("More than %(num)d minutes passed before the code came. Please log in "
                    "again.", num=PENDING_MINUTES), "error")
        else:
            flash(_("Log in with your email and password first."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        field = form.recovery_code if (form.recovery_code.data or "").strip() else form.code
        accepted = two_step.check_code(user, field.data or "", now)
        if accepted is not None:
            next_url = safe_next(pending.get("next")) or url_for("courses.home")
            _begin_session(user.id)
            record(user, "login", user,
                   second_step="recovery code" if accepted.recovery_code else "app code")
            db.session.commit()
            if accepted.recovery_code:
                flash(ngettext("You logged in with a recovery code; it will not work again. "
                               "%(num)d code is left. If you lost your phone, set two-step "
                               "login up again on your account page.",
                               "You logged in with a recovery code; it will not work again. "
                               "%(num)d codes are left. If you lost your phone, set two-step "
                               "login up again on your account page.",
                               accepted.recovery_codes_left), "info")
            return redirect(next_url)
        if (field.data or "").strip():
            record(user, "login.code", user, FAILURE)
            db.session.commit()
            field.errors = [_("This code is not right, or it was used already. Type the "
                              "code your app shows now, or an unused recovery code.")]
            return render_template("auth/login_code.html", form=form), 401
        form.code.errors = [_("Type the code your app shows, or a recovery code.")]
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login_code.html", form=form), status


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
    """Change the password, asking for the current one.

    Every session of the user ends, this browser's too, which goes on in a new one: a copy of
    its old cookie taken before the change is worth nothing after it.
    """
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
            change_password(user, form.password.data or "", utcnow())
            _begin_session(user.id)
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
