"""Admin pages for one account: details, role, deactivation, modules, anonymisation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from lms.audit.services import FAILURE, record
from lms.auth import accounts, two_step
from lms.auth.account_forms import AccountForm, AnonymiseForm, ConfirmPasswordForm, RoleForm
from lms.auth.anonymise import anonymise, can_anonymise
from lms.auth.decorators import role_required
from lms.auth.models import Role, User, UserSession
from lms.auth.services import AccountError, notify_two_step_off
from lms.courses.models import Module
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition, Enrolment
from lms.whole_numbers import whole_number

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin/users",
               template_folder="templates")


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _back(user: User) -> Response:
    return redirect(url_for("admin_accounts.show_user", user_id=user.id))


@bp.get("/<int:user_id>")
@role_required(Role.ADMIN)
def show_user(user_id: int) -> str:
    """One account: details, editions, modules taught, and what an admin can do with it."""
    user = _user(user_id)
    enrolments = db.session.execute(
        select(Enrolment, Edition).join(Edition, Edition.id == Enrolment.edition_id)
        .where(Enrolment.user_id == user.id).order_by(Edition.starts_on.desc())).all()
    modules = db.session.scalars(select(Module).where(Module.is_retired.is_(False))
                                 .order_by(Module.package_id, Module.position)).all()
    sessions = db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id)) or 0
    form = RoleForm(formdata=None, role=user.role.value)
    return render_template("admin/user.html", user=user, enrolments=enrolments,
                           modules=modules, assigned=accounts.module_ids_of(user.id),
                           sessions=sessions, role_form=form,
                           reset_form=ConfirmPasswordForm(formdata=None, prefix="reset"),
                           anonymise_problem=can_anonymise(user, current_user))


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    """Edit the account's names, organisation, country, language and email."""
    user = _user(user_id)
    try:
        accounts.ensure_not_anonymised(user)
    except AccountError as error:
        flash(str(error), "error")
        return _back(user)
    form = AccountForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.language.data = user.preferred_language
    if form.validate_on_submit():
        try:
            changed = accounts.update_profile(user, accounts.Profile(
                form.full_name.data or "", form.full_name_ar.data, form.organisation.data,
                form.country.data, form.language.data or "en"))
            old_email = accounts.change_email(user, form.email.data or "", utcnow())
        except AccountError as error:
            db.session.rollback()
            form.email.errors = [str(error)]
        else:
            if old_email != user.email:
                record(current_user, "user.email_change", user)
            if changed:
                record(current_user, "user.update", user, fields=",".join(changed))
            db.session.commit()
            flash(_("The account is saved."), "success")
            return _back(user)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_edit.html", user=user, form=form), status


@bp.post("/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int) -> Response:
    """Change the account's role; the admin confirms with their own password."""
    user = _user(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role and give your password."), "error")
        return _back(user)
    if not current_user.check_password(form.current.data or ""):
        record(current_user, "user.role_change", user, FAILURE, reason="wrong password")
        db.session.commit()
        flash(_("Your password is not correct; the role was not changed."), "error")
        return _back(user)
    try:
        old = accounts.change_role(user, Role(form.role.data), current_user)
    except AccountError as error:
        flash(str(error), "error")
        return _back(user)
    if old != user.role:
        record(current_user, "user.role_change", user, old=old.value, new=user.role.value)
        db.session.commit()
    flash(_("The role is now: %(role)s.", role=_role_label(user.role)), "success")
    return _back(user)


def _role_label(role: Role) -> str:
    return {Role.PARTICIPANT: _("Participant"), Role.INSTRUCTOR: _("Instructor"),
            Role.ADMIN: _("Admin")}[role]


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int) -> Response:
    """Stop the account logging in at once (its sessions end); its records stay."""
    user = _user(user_id)
    try:
        accounts.deactivate(user, current_user, utcnow())
    except AccountError as error:
        flash(str(error), "error")
        return _back(user)
    record(current_user, "user.deactivate", user)
    db.session.commit()
    flash(_("The account is deactivated: it cannot log in, and its sessions have ended."),
          "success")
    return _back(user)


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int) -> Response:
    """Let a deactivated account log in again."""
    user = _user(user_id)
    try:
        accounts.reactivate(user)
    except AccountError as error:
        flash(str(error), "error")
        return _back(user)
    record(current_user, "user.reactivate", user)
    db.session.commit()
    flash(_("The account is active again."), "success")
    return _back(user)


@bp.post("/<int:user_id>/modules")
@role_required(Role.ADMIN)
def set_modules(user_id: int) -> Response:
    """Choose the modules an instructor may edit (module instructor)."""
    user = _user(user_id)
    wanted = {number for v in request.form.getlist("module")
              if (number := whole_number(v)) is not None}
    try:
        added, removed = accounts.set_modules(user, wanted)
    except AccountError as error:
        flash(str(error), "error")
        return _back(user)
    if added or removed:
        record(current_user, "user.modules", user, added=",".join(map(str, sorted(added))),
               removed=",".join(map(str, sorted(removed))))
        db.session.commit()
    flash(_("The modules are saved."), "success")
    return _back(user)


@bp.post("/<int:user_id>/two-step/reset")
@role_required(Role.ADMIN)
def reset_two_step(user_id: int) -> Response:
    """Turn off another person's two-step login (a lost phone); they set it up again.

    The admin confirms with their own password, as for a role change: a session left open on
    an admin's computer must not be enough to strip someone's second step. The person is told.
    """
    user = _user(user_id)
    if user.id == current_user.id:
        flash(_("Your own two-step login is changed on your account page."), "error")
        return _back(user)
    form = ConfirmPasswordForm(prefix="reset")
    if not form.validate_on_submit() or not current_user.check_password(form.current.data or ""):
        record(current_user, "user.two_step_reset", user, FAILURE, reason="wrong password")
        db.session.commit()
        flash(_("Your password is not correct; two-step login was not reset."), "error")
        return _back(user)
    if user.has_two_step:
        two_step.switch_off(user)
        record(current_user, "user.two_step_reset", user)
        notify_two_step_off(user, by_admin=True)
        db.session.commit()
    flash(_("Two-step login is off for this account. The person logs in with the password "
            "and can set it up again."), "success")
    return _back(user)


@bp.route("/<int:user_id>/anonymise", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def anonymise_user(user_id: int) -> str | Response | tuple[str, int]:
    """Anonymise a former participant, after typing their email to confirm."""
    user = _user(user_id)
    problem = can_anonymise(user, current_user)
    if problem:
        flash(problem, "error")
        return _back(user)
    form = AnonymiseForm()
    if form.validate_on_submit():
        if (form.confirm.data or "").strip().lower() != user.email:
            form.confirm.errors = [_("This is not the account's email address.")]
        else:
            anonymise(user, current_user, utcnow())
            record(current_user, "user.anonymise", user)
            db.session.commit()
            flash(_("The account is anonymised."), "success")
            return _back(user)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_anonymise.html", user=user, form=form), status
