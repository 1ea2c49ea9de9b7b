"""Packages without a terminal: an admin uploads a zip, reads the report, and loads it."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from lms.audit.services import FAILURE, record
from lms.auth.decorators import role_required
from lms.auth.models import Role
from lms.courses.authoring import package_zip
from lms.courses.authoring.forms import PackageZipForm
from lms.courses.authoring.models import PackageUpload, UploadStatus
from lms.courses.loader import PackageInvalid
from lms.db_types import utcnow
from lms.extensions import db

bp = Blueprint("package_admin", __name__, url_prefix="/admin/packages",
               template_folder="templates")


def _limits() -> package_zip.ZipLimits:
    config = current_app.config
    return package_zip.ZipLimits(
        max_entries=int(config.get("PACKAGE_ZIP_MAX_ENTRIES", package_zip.DEFAULT_MAX_ENTRIES)),
        max_uncompressed=int(config.get("PACKAGE_ZIP_MAX_UNCOMPRESSED",
                                        package_zip.DEFAULT_MAX_UNCOMPRESSED)))


def _storage() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


@bp.route("", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def uploads() -> str | Response | tuple[str, int]:
    """Upload a package zip; the twenty latest uploads with their state."""
    form = PackageZipForm()
    if form.validate_on_submit():
        data = form.file.data.stream.read()
        upload = package_zip.receive(form.file.data.filename or "", data, current_user,
                                     utcnow(), _storage(), _limits())
        record(current_user, "package.upload", upload, filename=upload.filename,
               result=upload.status.value, problems=len(upload.problems))
        db.session.commit()
        return redirect(url_for("package_admin.report", upload_id=upload.id))
    items = db.session.scalars(select(PackageUpload).order_by(PackageUpload.id.desc())
                               .limit(20)).all()
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/packages.html", form=form, uploads=items), status


@bp.get("/<int:upload_id>")
@role_required(Role.ADMIN)
def report(upload_id: int) -> str:
    """The validation report of an upload (each problem with file and line), or its load."""
    upload = db.session.get(PackageUpload, upload_id)
    if upload is None:
        abort(404)
    return render_template("authoring/package_report.html", upload=upload)


@bp.post("/<int:upload_id>/load")
@role_required(Role.ADMIN)
def load(upload_id: int) -> Response:
    """Load a valid upload in one transaction; conflicts with browser edits are reported."""
    upload = db.session.get(PackageUpload, upload_id)
    if upload is None:
        abort(404)
    try:
        summary = package_zip.load_upload(upload, current_user, utcnow(), _storage(),
                                          _limits())
    except package_zip.AlreadyLoaded:
        db.session.rollback()
        flash(_("Only a package that passed validation, and was not loaded yet, can be "
                "loaded."), "error")
        return redirect(url_for("package_admin.report", upload_id=upload_id))
    except PackageInvalid as invalid:
        db.session.rollback()
        upload = db.session.get(PackageUpload, upload_id)
        assert upload is not None
        upload.status = UploadStatus.INVALID
        upload.problems = [{"file": p.file, "line": p.line, "message": p.message}
                           for p in invalid.problems]
        record(current_user, "package.load", upload, FAILURE, package=upload.package_slug)
        db.session.commit()
        flash(_("The package could not be loaded; nothing was changed."), "error")
        return redirect(url_for("package_admin.report", upload_id=upload.id))
    record(current_user, "package.load", upload, package=summary.package,
           conflicts=sum(1 for line in summary.notes if line.startswith("CONFLICT")))
    db.session.commit()
    flash(_("The package is loaded."), "success")
    return redirect(url_for("package_admin.report", upload_id=upload.id))
