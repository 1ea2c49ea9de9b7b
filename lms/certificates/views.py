"""Certificates for participants, and the public verification page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.certificates import services
from lms.certificates.codes import CodeInvalid, display_code, parse_code
from lms.certificates.forms import VerifyForm
from lms.certificates.models import Certificate
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition
from lms.progress.services import active_enrolments
from lms.ratelimit import limiter

bp = Blueprint("certificates", __name__, template_folder="templates")
VERIFY_LIMIT = "20 per minute; 300 per day"


@bp.get("/certificates")
@role_required(Role.PARTICIPANT)
def mine() -> str:
    """The participant's certificate for each edition, or what is still missing."""
    now = utcnow()
    rows = []
    for _enrolment, edition, programme in active_enrolments(current_user.id):
        certificate = services.valid_certificate(current_user.id, edition.id)
        revoked = None if certificate else services.revoked_certificate(current_user.id,
                                                                         edition.id)
        state = None if certificate or revoked else services.eligibility(current_user.id,
                                                                          edition, now)
        rows.append((edition, programme, certificate, revoked, state))
    return render_template("certificates/mine.html", rows=rows, display_code=display_code)


@bp.post("/certificates/claim/<int:edition_id>")
@role_required(Role.PARTICIPANT)
def claim(edition_id: int) -> Response:
    """Claim the certificate of an edition the participant has completed.

    :raises 404: for an edition the participant is not enrolled in.
    """
    editions = {edition.id: edition for _e, edition, _p in active_enrolments(current_user.id)}
    edition = editions.get(edition_id)
    if edition is None:
        abort(404)
    now = utcnow()
    try:
        certificate, created = services.issue_certificate(
            current_user._get_current_object(), edition, None, now,
            services.eligibility(current_user.id, edition, now))
    except services.WasRevoked:
        flash(_("Your certificate for this edition was revoked, so it cannot be claimed "
                "again. Write to the programme team if you think this is a mistake."), "error")
        return redirect(url_for("certificates.mine"))
    except services.NotEligible:
        flash(_("Your certificate unlocks when every unit is complete."), "error")
        return redirect(url_for("certificates.mine"))
    db.session.commit()
    if created:
        flash(_("Congratulations! Your certificate is ready."), "success")
    return redirect(url_for("certificates.mine"))


@bp.get("/certificates/<int:certificate_id>/certificate.pdf")
@login_required
def download(certificate_id: int) -> Response:
    """The stored PDF (drawn again if storage lost it), for its holder and for admins.

    :raises 404: for anyone else, as for a certificate that does not exist.
    """
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not (current_user.role == Role.ADMIN
                                   or certificate.user_id == current_user.id):
        abort(404)
    return send_file(services.stored_pdf(certificate), mimetype="application/pdf",
                     as_attachment=True,
                     download_name=f"certificate-{display_code(certificate.code)}.pdf")


@bp.get("/verify")
@limiter.limit(VERIFY_LIMIT)
def verify() -> str | Response | tuple[str, int]:
    """Type a code to check a certificate; a well-formed code leads to its page."""
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return render_template("certificates/verify.html", form=form)
    if form.validate():
        try:
            code = parse_code(form.code.data or "")
        except CodeInvalid:
            form.code.errors = [_("This is not a valid code. Check each character: codes use "
                                  "the digits 0–9 and the letters A–Z without I, L, O and U, "
                                  "in groups of four, then one check character.")]
        else:
            return redirect(url_for("certificates.verify_code", code=code))
    return render_template("certificates/verify.html", form=form), 400


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify_code(code: str) -> str | tuple[str, int]:
    """What a certificate says and whether it is valid, revoked or replaced; nothing else."""
    try:
        certificate = services.find_by_code(code)
    except CodeInvalid:
        return render_template("certificates/verify.html", form=VerifyForm(
            data={"code": code}), invalid=True), 400
    if certificate is None:
        return render_template("certificates/verify.html", form=VerifyForm(
            data={"code": code}), unknown=True), 404
    successor = (db.session.get(Certificate, certificate.replaced_by_id)
                 if certificate.replaced_by_id else None)
    # The day of a revocation is the edition's, as the day of issue is.
    edition = db.session.get(Edition, certificate.edition_id) if certificate.revoked_at else None
    return render_template("certificates/verified.html", certificate=certificate,
                           c=certificate.snapshot, successor=successor,
                           zone=edition.timezone if edition else "UTC")
