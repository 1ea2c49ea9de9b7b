"""Admin pages for certificates: an edition's graduation day, exceptions, revocation, re-issue."""

from __future__ import annotations

import io
import zipfile

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.auth.decorators import role_required
from lms.auth.models import Role, User
from lms.certificates import services
from lms.certificates.codes import display_code
from lms.certificates.forms import IssueForm, ReissueForm, RevokeForm
from lms.certificates.models import Certificate, CertificateStatus
from lms.db_types import utcnow
from lms.extensions import db
from lms.progress.models import Edition, Enrolment, EnrolmentStatus

bp = Blueprint("certificate_admin", __name__, url_prefix="/admin/certificates",
               template_folder="templates")


def _edition_or_404(edition_id: int) -> Edition:
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        abort(404)
    return edition


def _certificate_or_404(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.get("")
@role_required(Role.ADMIN)
def editions() -> str:
    """Every edition, each linking to its certificates page."""
    rows = db.session.scalars(select(Edition).order_by(Edition.starts_on.desc())).all()
    return render_template("certificates/admin_editions.html", editions=rows)


def _edition_overview(edition: Edition):  # type: ignore[no-untyped-def]
    people = db.session.scalars(
        select(User).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.edition_id == edition.id, Enrolment.status == EnrolmentStatus.ACTIVE,
               User.anonymised_at.is_(None))
        .order_by(User.full_name)).all()
    issued = {c.user_id: c for c in db.session.scalars(select(Certificate).filter_by(
        edition_id=edition.id, status=CertificateStatus.VALID))}
    states = services.eligibility_for_edition(edition, utcnow())
    return people, issued, states


@bp.get("/editions/<int:edition_id>")
@role_required(Role.ADMIN)
def edition(edition_id: int) -> str:
    """Graduation day: who has a certificate, who can get one, and what the others miss."""
    edition = _edition_or_404(edition_id)
    people, issued, states = _edition_overview(edition)
    history = db.session.scalars(select(Certificate).where(
        Certificate.edition_id == edition.id,
        Certificate.status != CertificateStatus.VALID).order_by(Certificate.issued_at)).all()
    revoked = {c.user_id for c in history if c.status == CertificateStatus.REVOKED}
    return render_template("certificates/admin_edition.html", edition=edition, people=people,
                           issued=issued, states=states, history=history, revoked=revoked,
                           display_code=display_code, issue_form=IssueForm())


@bp.post("/editions/<int:edition_id>/issue-all")
@role_required(Role.ADMIN)
def issue_all(edition_id: int) -> Response:
    """Issue every eligible participant's certificate in one action."""
    edition = _edition_or_404(edition_id)
    people, issued, states = _edition_overview(edition)
    now, count = utcnow(), 0
    for person in people:
        state = states.get(person.id)
        if person.id in issued or state is None or not state.eligible:
            continue
        try:
            _certificate, created = services.issue_certificate(
                person, edition, current_user._get_current_object(), now, state)
        except services.WasRevoked:
            continue  # only one by one, with a reason
        count += int(created)
    db.session.commit()
    flash(ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", count),
          "success")
    return redirect(url_for("certificate_admin.edition", edition_id=edition.id))


@bp.get("/editions/<int:edition_id>/certificates.zip")
@role_required(Role.ADMIN)
def archive(edition_id: int) -> Response:
    """Every valid certificate PDF of the edition in one archive."""
    edition = _edition_or_404(edition_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for certificate in db.session.scalars(select(Certificate).filter_by(
                edition_id=edition.id, status=CertificateStatus.VALID)):
            archive_file.write(services.stored_pdf(certificate),
                               f"certificate-{display_code(certificate.code)}.pdf")
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"certificates-edition-{edition.id}.zip")


@bp.post("/editions/<int:edition_id>/issue")
@role_required(Role.ADMIN)
def issue_one(edition_id: int) -> Response:
    """Issue one participant's certificate; by exception only with a written reason.

    :raises 404: for a person not enrolled in the edition.
    """
    edition = _edition_or_404(edition_id)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    person = db.session.get(User, form.user_id.data)
    enrolled = person is not None and db.session.scalar(select(Enrolment.id).filter_by(
        edition_id=edition.id, user_id=person.id)) is not None
    if person is None or not enrolled or person.anonymised_at is not None:
        abort(404)
    now = utcnow()
    try:
        services.issue_certificate(person, edition, current_user._get_current_object(), now,
                                   services.eligibility(person.id, edition, now),
                                   exception_reason=form.reason.data)
    except services.WasRevoked:
        flash(_("%(name)s's certificate for this edition was revoked. To issue a new one, "
                "write the reason.", name=person.full_name), "error")
        return redirect(url_for("certificate_admin.edition", edition_id=edition.id))
    except services.NotEligible:
        flash(_("%(name)s has not completed every unit. To issue by exception, write the "
                "reason.", name=person.full_name), "error")
        return redirect(url_for("certificate_admin.edition", edition_id=edition.id))
    db.session.commit()
    flash(_("Certificate issued to %(name)s.", name=person.full_name), "success")
    return redirect(url_for("certificate_admin.edition", edition_id=edition.id))


@bp.get("/<int:certificate_id>")
@role_required(Role.ADMIN)
def detail(certificate_id: int) -> str:
    """One certificate: what it says, its status and history, revoke and re-issue."""
    certificate = _certificate_or_404(certificate_id)
    return render_template("certificates/admin_detail.html", certificate=certificate,
                           c=certificate.snapshot, display_code=display_code,
                           revoke_form=RevokeForm(), reissue_form=ReissueForm())


@bp.post("/<int:certificate_id>/revoke")
@role_required(Role.ADMIN)
def revoke(certificate_id: int) -> Response | tuple[str, int]:
    """Revoke a certificate with a reason."""
    certificate = _certificate_or_404(certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            services.revoke_certificate(certificate, current_user._get_current_object(),
                                        form.reason.data or "", utcnow())
        except services.CertificateError:
            flash(_("Only a valid certificate can be revoked."), "error")
        else:
            db.session.commit()
            flash(_("The certificate has been revoked."), "success")
        return redirect(url_for("certificate_admin.detail", certificate_id=certificate.id))
    return render_template("certificates/admin_detail.html", certificate=certificate,
                           c=certificate.snapshot, display_code=display_code,
                           revoke_form=form, reissue_form=ReissueForm()), 400


@bp.post("/<int:certificate_id>/reissue")
@role_required(Role.ADMIN)
def reissue(certificate_id: int) -> Response:
    """Replace a certificate with a new one (new code), linked to the old."""
    certificate = _certificate_or_404(certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        new = services.reissue_certificate(certificate, current_user._get_current_object(),
                                           utcnow(), bool(form.keep_issue_date.data))
    except services.CertificateError:
        flash(_("Only a valid certificate of an account that still holds its name can be "
                "re-issued."), "error")
        return redirect(url_for("certificate_admin.detail", certificate_id=certificate.id))
    db.session.commit()
    flash(_("A new certificate replaces the old one."), "success")
    return redirect(url_for("certificate_admin.detail", certificate_id=new.id))
