"""Account operations that do not depend on a request."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms.auth.models import EMAIL_LENGTH, NAME_LENGTH, Role, TokenPurpose, User, normalise_email
from lms.auth.passwords import password_problem
from lms.auth.tokens import issue_token
from lms.database import savepoint
from lms.extensions import db
from lms.mail import services as mail
from lms.progress.models import Enrolment
from lms.urls import public_url


@cache
def _timing_hash() -> str:
    # Checked when the account does not exist, so a wrong email and a wrong password take the
    # same time.
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


class CreatedMeanwhile(AccountError):
    """Another request created an account with this email at the same moment.

    Its message is the one for any taken email; callers that can treat the other request's
    account as the one they wanted look it up instead.
    """


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = db.session.scalar(select(User).filter_by(email=normalise_email(email)))
    if user is None or not user.password_hash:
        # An invited account has no password yet: it takes as long to refuse as an unknown
        # address, so timing tells no one who has been invited.
        check_password_hash(_timing_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def create_user(email: str, full_name: str, role: Role, password: str | None = None,
                **fields: str | None) -> User:
    """Add an account; raises AccountError if the email is taken, a field is invalid or the
    password breaks the rule the password forms apply (``password_problem``).

    :raises CreatedMeanwhile: when another request created an account with the same email
        after the check; this request's transaction stays usable.
    """
    email = normalise_email(email)
    if "@" not in email or len(email) > EMAIL_LENGTH:
        raise AccountError(_("'%(value)s' is not an email address", value=email))
    if not full_name.strip():
        raise AccountError(_("a full name is required"))
    if len(full_name.strip()) > NAME_LENGTH:
        raise AccountError(_("the full name is longer than %(num)d characters", num=NAME_LENGTH))
    if len((fields.get("full_name_ar") or "").strip()) > NAME_LENGTH:
        raise AccountError(_("the full name in Arabic script is longer than %(num)d characters",
                             num=NAME_LENGTH))
    if password is not None and (problem := password_problem(password, email)):
        raise AccountError(problem)
    if db.session.scalar(select(User.id).filter_by(email=email)) is not None:
        raise AccountError(_("an account with the email %(email)s already exists", email=email))
    user = User(email=email, full_name=full_name.strip(), role=role, **fields)
    if password is not None:
        user.set_password(password)
    try:
        with savepoint():
            db.session.add(user)
    except IntegrityError:
        raise CreatedMeanwhile(_("an account with the email %(email)s already exists",
                                 email=email)) from None
    return user


def invite_user(email: str, full_name: str, role: Role, now: datetime, valid_for: timedelta,
                edition_id: int | None = None, **fields: str | None) -> tuple[User, bool]:
    """Create an account and email it a link to set its password; with an edition, a
    participant is enrolled in it. Returns the account and whether it is new.

    When another admin invited the same email with the same role at the same moment, their
    account is returned (and False) and no second invitation is sent.

    :raises AccountError: if the email is taken or a field is invalid.
    """
    try:
        user = create_user(email, full_name, role, **fields)
    except CreatedMeanwhile:
        existing = find_user_by_email(email)
        if existing is None or existing.role != role:
            raise
        return existing, False
    if edition_id and role == Role.PARTICIPANT:
        db.session.add(Enrolment(edition_id=edition_id, user_id=user.id, enrolled_at=now))
    send_invitation(user, now, valid_for)
    return user, True


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).filter_by(email=normalise_email(email)))


def send_invitation(user: User, now: datetime, valid_for: timedelta) -> None:
    """Email the user a single-use link to set their password."""
    token = issue_token(user, TokenPurpose.INVITATION, now, valid_for)
    mail.send(user.email, "invitation", user.preferred_language, user=user,
              link=public_url("auth.set_password", token=token),
              hours=int(valid_for.total_seconds() // 3600))


def send_password_reset(email: str, now: datetime, valid_for: timedelta) -> User | None:
    """Email a reset link if an active account has this address; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return None
    token = issue_token(user, TokenPurpose.RESET, now, valid_for)
    mail.send(user.email, "password_reset", user.preferred_language, after_response=True,
              user=user, link=public_url("auth.set_password", token=token),
              minutes=int(valid_for.total_seconds() // 60))
    return user


def notify_password_changed(user: User) -> None:
    mail.send(user.email, "password_changed", user.preferred_language, user=user,
              link=public_url("auth.forgot_password"))


def notify_two_step_off(user: User, by_admin: bool) -> None:
    """Tell the person their second step is gone, so a takeover that removed it is noticed."""
    mail.send(user.email, "two_step_off", user.preferred_language, user=user, by_admin=by_admin,
              setup=public_url("two_step.setup"), reset=public_url("auth.forgot_password"))


def notify_email_changed(user: User, old_email: str) -> None:
    """Tell the previous address, so a takeover by someone else does not go unnoticed."""
    mail.send(old_email, "email_changed", user.preferred_language, user=user,
              old_email=old_email)
