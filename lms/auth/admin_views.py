"""Admin pages for accounts: the list of people and invitations."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from lms.audit.services import record
from lms.auth.decorators import role_required
from lms.auth.forms import InviteForm
from lms.auth.models import Role, User
from lms.auth.people_search import name_or_email_contains
from lms.auth.services import AccountError, invite_user, send_invitation
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition
from lms.whole_numbers import page_number

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users",
               template_folder="templates")
PER_PAGE = 50


@bp.get("")
@role_required(Role.ADMIN)
def list_users() -> str:
    """Every account, searchable by name or email, fifty to a page."""
    search = (request.args.get("q") or "").strip()[:100]
    query = select(User)
    if search:
        query = query.where(name_or_email_contains(search))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = page_number()
    users = db.session.scalars(query.order_by(User.full_name, User.id)
                               .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template("admin/users.html", users=users, search=search, page=page,
                           pages=max(1, -(-total // PER_PAGE)), total=total)


def _edition_choices() -> list[SelectChoice]:
    # An archived edition takes no one new.
    editions = db.session.scalars(select(Edition).where(Edition.archived_at.is_(None))
                                  .order_by(Edition.starts_on.desc())).all()
    return [SelectChoice(0, _("No edition"))] + [SelectChoice(e.id, e.name) for e in editions]


@bp.route("/invite", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def invite() -> str | Response | tuple[str, int]:
    """Create an account and email it a link to set its password."""
    form = InviteForm()
    form.edition.choices = _edition_choices()
    if form.validate_on_submit():
        if form.edition.data and form.role.data != Role.PARTICIPANT.value:
            form.edition.errors = [_("Only participants are enrolled in an edition: choose "
                                     "“No edition” for an instructor or an admin.")]
        else:
            invited = _create_invited(form)
            if invited is not None:
                flash(_("%(email)s has been invited.", email=invited.email), "success")
                return redirect(url_for("admin_users.list_users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/invite.html", form=form), status


def _create_invited(form: InviteForm) -> User | None:
    """The account the form describes, enrolled and sent its invitation (or the one another
    admin invited at the same moment); None (with the reason on the email field) when the
    account cannot be made."""
    role = Role(form.role.data)
    try:
        user, new = invite_user(
            form.email.data or "", form.full_name.data or "", role, utcnow(),
            timedelta(hours=current_app.config["INVITATION_VALID_HOURS"]),
            form.edition.data or None, full_name_ar=form.full_name_ar.data or None,
            organisation=form.organisation.data or None, country=form.country.data or None,
            preferred_language=form.language.data or "en")
    except AccountError as error:
        form.email.errors = [str(error)]
        return None
    if new:
        record(current_user, "user.invite", user, role=role.value)
    db.session.commit()
    return user


@bp.post("/<int:user_id>/invitation")
@role_required(Role.ADMIN)
def resend_invitation(user_id: int) -> Response:
    """Send a fresh invitation link to an account.

    :raises 404: for an unknown account.
    """
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if not user.is_active_account or user.anonymised_at is not None:
        # A link would let the account in again as soon as it is reactivated, and an
        # anonymised account has no address to send to.
        flash(_("%(email)s is deactivated: reactivate the account before sending an "
                "invitation.", email=user.email), "error")
        return redirect(url_for("admin_users.list_users"))
    valid_for = timedelta(hours=current_app.config["INVITATION_VALID_HOURS"])
    send_invitation(user, utcnow(), valid_for)
    record(current_user, "user.invitation_resent", user)
    db.session.commit()
    flash(_("A new invitation has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin_users.list_users"))
