"""The cohort directory pages: browsing it, and one's own opt-in listing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.audit.services import record
from lms.auth import directory
from lms.auth.account_forms import DirectoryForm
from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.auth.services import AccountError
from lms.db_types import utcnow
from lms.extensions import db

bp = Blueprint("directory", __name__, url_prefix="/directory", template_folder="templates")


@bp.get("")
@login_required
def index() -> str:
    """Listed people of the viewer's editions and alumni of earlier editions."""
    groups = directory.directory(current_user, utcnow().date())
    own = directory.entry_of(current_user.id) if current_user.role == Role.PARTICIPANT else None
    return render_template("directory/index.html", groups=groups, own=own)


@bp.route("/me", methods=["GET", "POST"])
@role_required(Role.PARTICIPANT)
def mine() -> str | Response | tuple[str, int]:
    """Opt in to the directory, or change what it shows."""
    entry = directory.entry_of(current_user.id)
    form = DirectoryForm(obj=entry if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            entry, created = directory.save_entry(
                current_user, form.position.data or "", form.areas_of_work.data or "",
                bool(form.show_contact.data), form.contact_email.data or "", utcnow())
        except AccountError as error:
            form.contact_email.errors = [str(error)]
        else:
            record(current_user, "directory.opt_in" if created else "directory.update",
                   current_user._get_current_object())
            db.session.commit()
            flash(_("You are listed in the directory.") if created
                  else _("Your listing is saved."), "success")
            return redirect(url_for("directory.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("directory/me.html", form=form, entry=entry), status


@bp.post("/me/withdraw")
@role_required(Role.PARTICIPANT)
def withdraw() -> Response:
    """Leave the directory; the listing is deleted, not hidden."""
    if directory.withdraw(current_user):
        record(current_user, "directory.withdraw", current_user._get_current_object())
        db.session.commit()
        flash(_("You are no longer listed in the directory."), "success")
    return redirect(url_for("directory.index"))
