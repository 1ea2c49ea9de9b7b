"""Public Open Badges endpoints (issuer profile, keys, achievements) and the credential
download for the holder."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.auth.models import Role
from lms.certificates import badges
from lms.certificates.codes import CodeInvalid, parse_code
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.views import VERIFY_LIMIT
from lms.courses.models import CoursePackage
from lms.extensions import db
from lms.ratelimit import limiter

bp = Blueprint("badges", __name__, url_prefix="/ob")


@bp.get("/issuer")
def issuer() -> Response:
    """The issuer profile that credentials name."""
    package = db.session.scalar(select(CoursePackage).order_by(CoursePackage.id))
    profile = badges.issuer_profile(package.issuers if package else [])
    profile["publicKey"] = badges.public_jwk()
    return jsonify(profile)


@bp.get("/jwks.json")
def jwks() -> Response:
    """The public keys that verify issued credentials."""
    return jsonify({"keys": [badges.public_jwk()]})


@bp.get("/achievements/<code>")
@limiter.limit(VERIFY_LIMIT)
def achievement(code: str) -> Response:
    """The achievement a credential names (limited like the verification page: it answers
    for any code, so it must not serve to try codes one after another).

    :raises 404: for an unknown or malformed code.
    """
    try:
        certificate = db.session.scalar(select(Certificate).filter_by(code=parse_code(code)))
    except CodeInvalid:
        abort(404)
    if certificate is None:
        abort(404)
    return jsonify(badges.credential(certificate)["credentialSubject"]["achievement"])


@bp.get("/credentials/<int:certificate_id>.jwt")
@login_required
def download(certificate_id: int) -> Response:
    """The signed credential, for the holder and for admins.

    :raises 404: for anyone else, and for revoked or replaced certificates.
    """
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.status != CertificateStatus.VALID or not (
            current_user.role == Role.ADMIN or certificate.user_id == current_user.id):
        abort(404)
    return Response(badges.signed_credential(certificate), mimetype="application/jwt",
                    headers={"Content-Disposition":
                             f"attachment; filename=credential-{certificate.code}.jwt"})
