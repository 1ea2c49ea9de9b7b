"""A person's own account: profile, email, optional gender, privacy notice, and their data."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.audit.services import FAILURE, record
from lms.auth import accounts, privacy, retention
from lms.auth.account_forms import EmailChangeForm, GenderForm, ProfileForm
from lms.auth.models import Gender
from lms.auth.personal_data import personal_data
from lms.auth.services import AccountError
from lms.db_types import utcnow
from lms.extensions import db
from lms.urls import safe_next

bp = Blueprint("account", __name__, template_folder="templates")


@bp.app_context_processor
def privacy_context() -> dict[str, object]:
    def privacy_notice_needed() -> bool:
        return bool(current_user and current_user.is_authenticated
                    and privacy.needs_notice(current_user))

    return {"privacy_notice_needed": privacy_notice_needed}


def _gender_form() -> GenderForm:
    user = current_user
    return GenderForm(formdata=None, gender=user.gender.value if user.gender else "",
                      consent=user.gender_consent_at is not None)


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response | tuple[str, int]:
    """Edit one's own names (as printed on the certificate), organisation, country, language."""
    user = current_user._get_current_object()
    form = ProfileForm(obj=None if request.method == "POST" else user)
    if request.method == "GET":
        form.language.data = user.preferred_language
    if form.validate_on_submit():
        try:
            changed = accounts.update_profile(user, accounts.Profile(
                form.full_name.data or "", form.full_name_ar.data, form.organisation.data,
                form.country.data, form.language.data or "en"))
        except AccountError as error:
            form.full_name.errors = [str(error)]
        else:
            if changed:
                record(user, "profile.update", user, fields=",".join(changed))
            db.session.commit()
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("account.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/profile.html", form=form, gender_form=_gender_form(),
                           roster_genders=accounts.roster_genders(user)), status


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def change_email() -> str | Response | tuple[str, int]:
    """Change one's email address, asking for the password; the old address is told."""
    user = current_user._get_current_object()
    form = EmailChangeForm()
    if form.validate_on_submit():
        if not user.check_password(form.current.data or ""):
            form.current.errors = [_("The current password is not correct.")]
            record(user, "profile.email_change", user, FAILURE)
            db.session.commit()
        else:
            try:
                old = accounts.change_email(user, form.email.data or "", utcnow())
            except AccountError as error:
                form.email.errors = [str(error)]
            else:
                if old != user.email:
                    record(user, "profile.email_change", user)
                db.session.commit()
                flash(_("Your email address is changed. A notice went to the previous "
                        "address."), "success")
                return redirect(url_for("account.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/email.html", form=form), status


@bp.post("/account/gender")
@login_required
def gender() -> Response:
    """Give or withdraw the optional gender; without consent nothing is kept."""
    user = current_user._get_current_object()
    form = GenderForm()
    if not form.validate_on_submit():
        flash(_("Please choose one of the answers."), "error")
        return redirect(url_for("account.profile"))
    chosen = Gender(form.gender.data) if form.gender.data else None
    if chosen is not None and not form.consent.data:
        flash(_("Your answer was not kept, because you did not agree to its use. Nothing is "
                "stored without your consent."), "info")
    had = user.gender is not None
    accounts.set_gender(user, chosen, bool(form.consent.data), utcnow())
    if had or user.gender is not None:
        record(user, "profile.gender", user,
               consent="given" if user.gender is not None else "withdrawn")
    db.session.commit()
    if user.gender is not None or had:
        flash(_("Your choice is saved."), "success")
    return redirect(url_for("account.profile"))


@bp.post("/account/gender/roster")
@login_required
def remove_roster_gender() -> Response:
    """Erase the gender that enrolling organisations' rosters gave for the person."""
    user = current_user._get_current_object()
    removed = accounts.remove_roster_genders(user)
    if removed:
        record(user, "profile.roster_gender_removed", user, enrolments=removed)
    db.session.commit()
    flash(_("The gender given by the rosters is removed."), "success")
    return redirect(url_for("account.profile"))


@bp.get("/privacy")
def notice() -> str:
    """The privacy notice, in English and Arabic, readable by anyone."""
    config = current_app.config
    return render_template(
        "account/privacy.html", version=privacy.NOTICE_VERSION,
        audit_days=config.get("RETENTION_AUDIT_DAYS", retention.DEFAULT_AUDIT_DAYS),
        notes_days=config.get("RETENTION_ATTENDANCE_NOTES_DAYS", retention.DEFAULT_NOTES_DAYS),
        outbox_days=config.get("RETENTION_OUTBOX_DAYS", retention.DEFAULT_OUTBOX_DAYS))


@bp.post("/privacy/acknowledge")
@login_required
def acknowledge() -> Response:
    """Record that the person has read the privacy notice, then return to where they were."""
    user = current_user._get_current_object()
    if privacy.acknowledge(user, utcnow()):
        record(user, "privacy.acknowledge", user, version=privacy.NOTICE_VERSION)
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("courses.home"))


@bp.get("/account/data")
@login_required
def data() -> str:
    """What the download holds, with links to both forms of it."""
    return render_template("account/data.html")


@bp.get("/account/data.json")
@login_required
def data_json() -> Response:
    """Everything held about the logged-in person, as a JSON file."""
    now = utcnow()
    body = json.dumps(personal_data(current_user, now), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="my-data-{now:%Y-%m-%d}.json"')
    return response


@bp.get("/account/data/print")
@login_required
def data_print() -> str:
    """The same as the JSON file, as a page laid out for printing or saving as PDF."""
    return render_template("account/data_print.html",
                           data=personal_data(current_user, utcnow()))
