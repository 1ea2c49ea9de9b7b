"""Setting up and turning off one's own two-step login, and requiring it of admins."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from lms.auth import two_step
from lms.auth.forms import TwoStepConfirmForm, TwoStepPasswordForm
from lms.auth.models import Role, User
from lms.auth.services import notify_two_step_off
from lms.db_types import utcnow
from lms.extensions import db

bp = Blueprint("two_step", __name__, template_folder="templates")
# The secret being set up waits in the signed session until a code confirms the app has it;
# an account row never holds a secret its owner could not use.
SETUP_KEY = "two_step_setup"
# What an admin without two-step login may still open where it is required.
OPEN_WHILE_REQUIRED = frozenset({"two_step.setup", "auth.logout", "account.notice",
                                 "account.acknowledge", "i18n.switch_language", "static"})


def required_for(user: User) -> bool:
    return bool(current_app.config.get("ADMIN_TWO_STEP_REQUIRED")) and user.role == Role.ADMIN


@bp.before_app_request
def send_admins_to_set_up() -> Response | None:
    """Where admins must use two-step login, an admin without it can only set it up."""
    if (not current_app.config.get("ADMIN_TWO_STEP_REQUIRED") or request.endpoint is None
            or request.endpoint in OPEN_WHILE_REQUIRED):
        return None
    user = current_user
    if not user.is_authenticated or user.role != Role.ADMIN or user.has_two_step:
        return None
    flash(_("Admin accounts on this platform must use two-step login. Set it up to "
            "continue."), "info")
    return redirect(url_for("two_step.setup"))


def _pending_secret() -> str:
    secret = session.get(SETUP_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP_KEY] = two_step.new_secret()
    return secret


def _status_page(user: User, off_form: TwoStepPasswordForm | None = None,
                 codes_form: TwoStepPasswordForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    # Two password forms share the page; the prefix gives each field its own id.
    return render_template("account/two_step.html", off_form=off_form or TwoStepPasswordForm(),
                           codes_form=codes_form or TwoStepPasswordForm(prefix="codes"),
                           codes_left=two_step.recovery_codes_left(user),
                           required=required_for(user)), status


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def setup() -> str | tuple[str, int]:
    """Two-step login: its status when on; otherwise a new secret to scan and confirm."""
    user = current_user._get_current_object()
    if user.has_two_step:
        return _status_page(user)
    secret = _pending_secret()
    form = TwoStepConfirmForm()
    if form.validate_on_submit():
        codes = two_step.switch_on(user, secret, form.code.data or "", utcnow())
        if codes is not None:
            session.pop(SETUP_KEY, None)
            record(user, "two_step.switch_on", user)
            db.session.commit()
            return render_template("account/two_step_codes.html", codes=codes)
        record(user, "two_step.switch_on", user, FAILURE)
        db.session.commit()
        form.code.errors = [_("This is not the code your app shows now. Check that you added "
                              "the account shown here, then type the newest code.")]
    status = 400 if request.method == "POST" else 200
    return render_template("account/two_step.html", form=form, required=required_for(user),
                           qr=two_step.qr_data_uri(two_step.setup_uri(secret, user.email)),
                           secret=two_step.grouped(secret)), status


@bp.post("/account/two-step/off")
@login_required
def turn_off() -> Response | tuple[str, int]:
    """Turn one's own two-step login off, with the password; not for admins who need it."""
    user = current_user._get_current_object()
    if not user.has_two_step:
        return redirect(url_for("two_step.setup"))
    if required_for(user):
        flash(_("Admin accounts must keep two-step login on."), "error")
        return redirect(url_for("two_step.setup"))
    form = TwoStepPasswordForm()
    if form.validate_on_submit():
        if user.check_password(form.current.data or ""):
            two_step.switch_off(user)
            record(user, "two_step.switch_off", user)
            notify_two_step_off(user, by_admin=False)
            db.session.commit()
            flash(_("Two-step login is off. Your password alone logs you in."), "success")
            return redirect(url_for("two_step.setup"))
        form.current.errors = [_("The current password is not correct.")]
        record(user, "two_step.switch_off", user, FAILURE)
        db.session.commit()
    return _status_page(user, off_form=form, status=400)


@bp.post("/account/two-step/codes")
@login_required
def renew_codes() -> str | Response | tuple[str, int]:
    """Ten new recovery codes, with the password; the old ones stop working."""
    user = current_user._get_current_object()
    if not user.has_two_step:
        return redirect(url_for("two_step.setup"))
    form = TwoStepPasswordForm(prefix="codes")
    if form.validate_on_submit():
        if user.check_password(form.current.data or ""):
            codes = two_step.renew_recovery_codes(user)
            record(user, "two_step.new_codes", user)
            db.session.commit()
            return render_template("account/two_step_codes.html", codes=codes, renewed=True)
        form.current.errors = [_("The current password is not correct.")]
        record(user, "two_step.new_codes", user, FAILURE)
        db.session.commit()
    return _status_page(user, codes_form=form, status=400)
