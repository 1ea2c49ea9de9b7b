"""Anonymising a former participant (Egypt's Law 151 of 2020: keep no more than is needed).

What identifies the person goes: name, email, organisation, password and two-step login,
sessions, links, the directory entry, mail sent to them, and the free text others wrote about
their attendance.
What the programme needs stays, tied to an account that no longer names anyone: enrolments,
progress, attempts, attendance marks, consented gender and country (aggregate reports only),
and issued certificates, whose snapshot keeps the printed name so they remain verifiable.
The audit log is append-only; its entries leave with the retention purge.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, or_, update

from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import PasswordToken, RecoveryCode, Role, User, UserSession
from lms.auth.services import AccountError
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.progress.models import Apology, Attendance, AttendanceChange, MakeUp

ANONYMOUS_NAME = "Anonymised participant"
ANONYMOUS_DOMAIN = "anonymised.invalid"


def can_anonymise(user: User, by: User) -> str | None:
    """Why the account cannot be anonymised now, or None."""
    if user.id == by.id:
        return _("You cannot anonymise your own account.")
    if user.anonymised_at is not None:
        return _("This account is anonymised already.")
    if user.role != Role.PARTICIPANT:
        return _("Only participants' accounts are anonymised.")
    if user.is_active_account:
        return _("Deactivate the account first: only former participants are anonymised.")
    return None


def anonymise(user: User, by: User, now: datetime) -> None:
    """Remove what identifies the participant and keep what aggregates and certificates need.

    :raises AccountError: see ``can_anonymise``.
    """
    problem = can_anonymise(user, by)
    if problem:
        raise AccountError(problem)
    old_email = user.email
    user.email = f"anonymised-{user.id}-{secrets.token_hex(4)}@{ANONYMOUS_DOMAIN}"
    user.full_name = ANONYMOUS_NAME
    user.full_name_ar = None
    user.organisation = None
    user.password_hash = None
    user.two_step_secret = None
    user.two_step_enabled_at = None
    user.two_step_last_step = None
    user.privacy_notice_version = None
    user.privacy_notice_seen_at = None
    user.anonymised_at = now
    for model in (UserSession, PasswordToken, RecoveryCode, DirectoryEntry):
        db.session.execute(delete(model).where(model.user_id == user.id))
    # Also mail about them sent to an address they had before (the notice of a change).
    db.session.execute(delete(OutboxMessage).where(or_(OutboxMessage.recipient == old_email,
                                                       OutboxMessage.user_id == user.id)))
    db.session.execute(update(Attendance).where(Attendance.user_id == user.id)
                       .values(note=""))
    db.session.execute(update(AttendanceChange).where(AttendanceChange.user_id == user.id)
                       .values(old_note="", new_note=""))
    db.session.execute(update(MakeUp).where(MakeUp.user_id == user.id).values(note=""))
    db.session.execute(update(Apology).where(Apology.user_id == user.id).values(reason=""))
    db.session.flush()
