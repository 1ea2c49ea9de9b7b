"""Issuing, revoking, re-issuing and verifying certificates.

Eligibility comes from the completion rule and nothing else; an admin may issue by exception
only with a written reason, which is kept on the certificate and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import User
from lms.certificates.codes import CodeInvalid, display_code, new_code, parse_code
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.pdf import render_pdf
from lms.courses.models import CoursePackage, Module, Programme, Unit
from lms.database import lock_row, savepoint
from lms.extensions import db
from lms.mail import services as mail
from lms.progress.completion import ParticipantCompletion, completion_for_edition
from lms.progress.editions import local_today
from lms.progress.models import Edition, InPersonSession
from lms.transaction_files import remove_unless_committed
from lms.urls import public_url
from lms.whole_files import write_whole


class WasRevoked(Exception):
    """The participant's certificate of the edition was revoked: a new one needs an admin
    and a written reason, never a claim or the edition-wide issue."""


class NotEligible(Exception):
    """The participant has not completed every unit; ``missing`` says what is left."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("not eligible: " + "; ".join(missing))
        self.missing = missing


class CertificateError(ValueError):
    """The action does not apply to this certificate (for example revoking a revoked one)."""


@dataclass
class Eligibility:
    eligible: bool
    completion: ParticipantCompletion | None  # what is still missing, unit by unit

    @property
    def missing(self) -> list[str]:
        if self.completion is None:
            return ["not enrolled in this edition"]
        return [f"{unit.unit.slug}: {item.kind}" for unit in self.completion.units
                for item in unit.missing]


def eligibility(user_id: int, edition: Edition, now: datetime) -> Eligibility:
    """Whether the completion rule unlocks the participant's certificate in the edition."""
    result = completion_for_edition(edition, now, [user_id]).get(user_id)
    return Eligibility(bool(result and result.is_complete), result)


def eligibility_for_edition(edition: Edition, now: datetime) -> dict[int, Eligibility]:
    """Every enrolled participant's eligibility, in the rule's batch form."""
    return {user_id: Eligibility(result.is_complete, result)
            for user_id, result in completion_for_edition(edition, now).items()}


def storage_folder() -> Path:
    folder = Path(current_app.config["STORAGE_DIR"]) / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pdf_path(certificate: Certificate) -> Path:
    return storage_folder() / certificate.pdf_name


def verify_url(code: str) -> str:
    return public_url("certificates.verify_code", code=code)


def valid_certificate(user_id: int, edition_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).filter_by(
        user_id=user_id, edition_id=edition_id, status=CertificateStatus.VALID))


def revoked_certificate(user_id: int, edition_id: int) -> Certificate | None:
    """The participant's latest revoked certificate of the edition, if any."""
    return db.session.scalar(select(Certificate).filter_by(
        user_id=user_id, edition_id=edition_id, status=CertificateStatus.REVOKED)
        .order_by(Certificate.issued_at.desc()).limit(1))


def build_snapshot(user: User, edition: Edition, issue_date: date, code: str) -> dict[str, Any]:
    """Everything the certificate says, frozen now."""
    programme = db.session.get(Programme, edition.programme_id)
    assert programme is not None
    package = db.session.get(CoursePackage, programme.package_id)
    assert package is not None
    rows = db.session.execute(
        select(Unit, Module).outerjoin(Module, Module.id == Unit.module_id)
        .where(Unit.programme_id == programme.id, Unit.is_retired.is_(False))
        .order_by(Unit.position)).all()
    # The hours this edition gave each unit, as its days were planned and edited (a day
    # shortened, added or removed), not the package's usual number of days and hours.
    scheduled: dict[int, float] = {unit_id: hours for unit_id, hours in db.session.execute(
        select(InPersonSession.unit_id, func.sum(InPersonSession.contact_hours))
        .where(InPersonSession.edition_id == edition.id)
        .group_by(InPersonSession.unit_id))}
    units: list[dict[str, Any]] = []
    for unit, module in rows:
        title_en = unit.title_en or (module.title_en if module else unit.slug)
        title_ar = unit.title_ar or (module.title_ar if module else unit.slug)
        units.append({"en": title_en, "ar": title_ar,
                      "hours": hours_figure(scheduled.get(unit.id) or 0.0)})
    wording = package.certificate or {}
    return {
        "name_en": user.full_name,
        "name_ar": user.full_name_ar or "",
        "programme": {"en": programme.title_en, "ar": programme.title_ar},
        "certificate_title": wording.get("title", {"en": package.title_en,
                                                    "ar": package.title_ar}),
        "statement": wording.get("statement", {"en": "", "ar": ""}),
        "edition": edition.name,
        "starts_on": edition.starts_on.isoformat(),
        "ends_on": edition.ends_on.isoformat(),
        "units": units,
        "contact_hours": hours_figure(sum(scheduled.get(unit.id) or 0.0 for unit, _ in rows)),
        "issuers": package.issuers,
        "issue_date": issue_date.isoformat(),
        "code": code,
        "code_display": display_code(code),
    }


def hours_figure(hours: float) -> int | float:
    """Hours as the certificate prints them: a whole number, or to a tenth (days are planned
    in tenths of an hour)."""
    rounded = round(hours, 1)
    return int(rounded) if rounded.is_integer() else rounded


def _write_pdf(pdf: bytes, code: str) -> str:
    name = f"{code}.pdf"
    target = storage_folder() / name
    write_whole(target, pdf)
    # No row names the file until the certificate is committed: a request that fails after
    # this point (or loses to another at the same moment) must not leave it in storage.
    remove_unless_committed(target)
    return name


def stored_pdf(certificate: Certificate) -> Path:
    """The certificate's PDF in storage, drawn again from its snapshot if the file is gone.

    The snapshot holds everything the PDF shows, so a file lost from storage (a database
    restored without its storage folder, a disk replaced) comes back with the same content.
    """
    path = pdf_path(certificate)
    if not path.is_file():
        write_whole(path, render_pdf(certificate.snapshot, verify_url(certificate.code)))
    return path


def _create(user: User, edition: Edition, issued_by: User | None, now: datetime,
            issue_date: date, exception_reason: str | None,
            replaces: Certificate | None = None) -> Certificate:
    """Store a new valid certificate with its PDF, in a savepoint.

    The PDF stays in storage only if the transaction commits.

    :raises IntegrityError: when another valid certificate exists by now (a request at the
        same moment issued it); the savepoint rolls back, taking the PDF written for this one.
    """
    code = new_code()
    snapshot = build_snapshot(user, edition, issue_date, code)
    pdf = render_pdf(snapshot, verify_url(code))
    with savepoint():
        pdf_name = _write_pdf(pdf, code)
        certificate = Certificate(
            code=code, user_id=user.id, edition_id=edition.id,
            status=CertificateStatus.VALID, issue_date=issue_date, issued_at=now,
            issued_by_id=issued_by.id if issued_by else None, exception_reason=exception_reason,
            snapshot=snapshot, pdf_name=pdf_name, replaces_id=replaces.id if replaces else None)
        db.session.add(certificate)
    return certificate


def issue_certificate(user: User, edition: Edition, issued_by: User | None, now: datetime,
                      eligibility: Eligibility, exception_reason: str | None = None
                      ) -> tuple[Certificate, bool]:
    """Issue the certificate, or return the valid one that exists (and False for 'not new').

    A second request racing the first meets the partial unique index and gets the first's
    certificate, so a double click gives one certificate and no error.

    :raises WasRevoked: when an earlier certificate of the edition was revoked and no reason
        is given: revoking would mean nothing if the holder could claim a new one at once.
    :raises NotEligible: when the rule says not yet and no exception reason is given.
    :raises CertificateError: for an anonymised account.
    """
    existing = valid_certificate(user.id, edition.id)
    if existing is not None:
        return existing, False
    if user.anonymised_at is not None:
        raise CertificateError("the account was anonymised: no name to print")
    reason = (exception_reason or "").strip() or None
    if reason is None and revoked_certificate(user.id, edition.id) is not None:
        raise WasRevoked()
    if not eligibility.eligible and reason is None:
        raise NotEligible(eligibility.missing)
    try:
        # The date it says is the day in the edition's zone: at 01:30 in Cairo on 1 April it
        # is still 31 March in UTC.
        certificate = _create(user, edition, issued_by, now, local_today(edition.timezone, now),
                              reason)
    except IntegrityError:
        existing = valid_certificate(user.id, edition.id)
        if existing is None:
            raise
        return existing, False
    record(issued_by or user, "certificate.issue", certificate, edition=edition.id,
           holder=user.id, exception=reason or "")
    mail.send(user.email, "certificate_issued", user.preferred_language, user=user,
              certificate=certificate, link=verify_url(certificate.code))
    return certificate, True


def _lock(certificate: Certificate) -> None:
    """Hold the certificate until this transaction ends and read its status as it is now.

    Two admins acting on one certificate at the same moment then take turns, and the second
    sees what the first did instead of the status its page was drawn with.
    """
    lock_row(Certificate, certificate.id)
    db.session.refresh(certificate)


def revoke_certificate(certificate: Certificate, by: User, reason: str, now: datetime) -> None:
    """Revoke a valid certificate with a reason; its public page then says revoked.

    Revoking it again (a double click, or two admins at once) changes nothing: the first
    reason stays, and the holder is told once.

    :raises CertificateError: when it is not valid or no reason is given.
    """
    if not reason.strip():
        raise CertificateError("a reason is required")
    _lock(certificate)
    if certificate.status == CertificateStatus.REVOKED:
        return
    if certificate.status != CertificateStatus.VALID:
        raise CertificateError("only a valid certificate can be revoked")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = now
    certificate.revoke_reason = reason.strip()
    record(by, "certificate.revoke", certificate, reason=reason.strip())
    _notify_holder(certificate, "certificate_revoked")


def reissue_certificate(old: Certificate, by: User, now: datetime,
                        keep_issue_date: bool) -> Certificate:
    """Replace a valid certificate (after a name correction, say) with a new code.

    Re-issuing it again (a double click, or two admins at once) gives the successor the first
    request made, with no second certificate, PDF or email.

    :raises CertificateError: when the certificate is not valid or its holder is gone.
    """
    _lock(old)
    if old.status == CertificateStatus.REPLACED and old.replaced_by_id is not None:
        successor = db.session.get(Certificate, old.replaced_by_id)
        if successor is not None and successor.status == CertificateStatus.VALID:
            return successor
    if old.status != CertificateStatus.VALID:
        raise CertificateError("only a valid certificate can be re-issued")
    user = db.session.get(User, old.user_id) if old.user_id else None
    edition = db.session.get(Edition, old.edition_id)
    if user is None or edition is None or user.anonymised_at is not None:
        # An anonymised account no longer holds the name: a successor would print
        # "Anonymised participant" in place of the name the certificate keeps.
        raise CertificateError("the holder's account no longer exists")
    old.status = CertificateStatus.REPLACED
    db.session.flush()  # frees the one-valid index for the successor
    issue_date = old.issue_date if keep_issue_date else local_today(edition.timezone, now)
    new = _create(user, edition, by, now, issue_date, old.exception_reason, replaces=old)
    db.session.flush()
    old.replaced_by_id = new.id
    record(by, "certificate.reissue", new, replaces=old.id, keep_issue_date=keep_issue_date)
    _notify_holder(new, "certificate_reissued")
    return new


def _notify_holder(certificate: Certificate, template: str) -> None:
    user = db.session.get(User, certificate.user_id) if certificate.user_id else None
    if user is not None and user.anonymised_at is None:
        mail.send(user.email, template, user.preferred_language, user=user,
                  certificate=certificate, link=verify_url(certificate.code))


def find_by_code(text: str) -> Certificate | None:
    """The certificate with this code, or None.

    :raises CodeInvalid: when the text is not a well-formed code (a typo, most often).
    """
    code = parse_code(text)
    return db.session.scalar(select(Certificate).filter_by(code=code))


__all__ = ["CodeInvalid", "Eligibility", "NotEligible", "find_by_code", "issue_certificate",
           "reissue_certificate", "revoke_certificate"]
