"""Single-use, expiring links to set a password: invitations and password resets."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from lms.auth.models import PasswordToken, TokenPurpose, User
from lms.auth.passwords import password_problem
from lms.auth.sessions import end_all_sessions
from lms.extensions import db


class TokenInvalid(Exception):
    """The link is unknown, used, expired, or its account cannot log in."""


class PasswordRejected(ValueError):
    """The new password breaks the password rule; the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, now: datetime, valid_for: timedelta) -> str:
    """A new random link token (256 bits) for the user; earlier unused ones stay valid."""
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordToken(token_hash=_hash(token), user_id=user.id, purpose=purpose,
                                 created_at=now, expires_at=now + valid_for))
    db.session.flush()
    return token


def check_token(token: str, now: datetime) -> PasswordToken:
    """The live token row for ``token``.

    :raises TokenInvalid: when it is unknown, used, expired, or the account is inactive.
    """
    if not token or len(token) > 200:
        raise TokenInvalid
    row = db.session.scalar(select(PasswordToken).filter_by(token_hash=_hash(token)))
    if row is None or row.used_at is not None or now >= row.expires_at:
        raise TokenInvalid
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise TokenInvalid
    return row


def set_password_with_token(token: str, password: str, now: datetime) -> User:
    """Set the password from a link; the link and every other link of the user die.

    :raises TokenInvalid: see ``check_token``.
    :raises PasswordRejected: when the password breaks the rule.
    """
    row = check_token(token, now)
    user = db.session.get(User, row.user_id)
    assert user is not None
    problem = password_problem(password, user.email)
    if problem:
        raise PasswordRejected(problem)
    # Marking the row used in the same UPDATE that checks it was unused makes a double
    # submission set the password once.
    claimed = db.session.execute(
        update(PasswordToken).where(PasswordToken.id == row.id, PasswordToken.used_at.is_(None))
        .values(used_at=now))
    if not claimed.rowcount:  # type: ignore[attr-defined]
        raise TokenInvalid
    change_password(user, password, now)
    return user


def cancel_links(user_id: int, now: datetime) -> None:
    """Every unused invitation or reset link of the account stops working."""
    db.session.execute(update(PasswordToken).where(PasswordToken.user_id == user_id,
                                                   PasswordToken.used_at.is_(None))
                       .values(used_at=now))


def change_password(user: User, password: str, now: datetime) -> None:
    """Store a new password; end every session of the user and every unused link."""
    user.set_password(password)
    cancel_links(user.id, now)
    end_all_sessions(user.id)
