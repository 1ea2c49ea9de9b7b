"""Accounts and the links that give instructors rights over modules."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from lms.db_types import UTCDateTime, column_length, utcnow
from lms.extensions import db


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.PARTICIPANT,
    )
    full_name: Mapped[str] = mapped_column(String(200))
    full_name_ar: Mapped[str | None] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    preferred_language: Mapped[str] = mapped_column(String(5), default="en")
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Asked only with consent and used only in aggregate reports (Egypt's Law 151 of 2020).
    gender: Mapped[Gender | None] = mapped_column(
        Enum(Gender, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    gender_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    privacy_notice_version: Mapped[str | None] = mapped_column(String(20))
    privacy_notice_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-step login (RFC 6238). The secret is the one the person's app shares; it has to be
    # readable to check codes, so it is never shown again, exported or logged. The last time
    # step accepted keeps a code from working twice.
    # Sealed (lms/auth/sealed_keys.py): a Fernet token, about 140 characters.
    two_step_secret: Mapped[str | None] = mapped_column(String(255))
    two_step_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    two_step_last_step: Mapped[int | None] = mapped_column(Integer)

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return bool(self.password_hash) and check_password_hash(self.password_hash or "", password)

    @property
    def has_two_step(self) -> bool:
        return self.two_step_enabled_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


# The longest name in either script, for every form and command that sets one.
NAME_LENGTH = column_length(User.full_name, User.full_name_ar)
# The longest email an account can have, for every form and command that sets or looks one up.
EMAIL_LENGTH = column_length(User.email)


def normalise_email(value: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return value.strip().lower()


class ModuleInstructor(db.Model):  # type: ignore[name-defined,misc]
    """A module instructor may edit the module's content and quizzes, across editions."""

    __tablename__ = "module_instructors"

    module_id: Mapped[int] = mapped_column(
        ForeignKey("modules.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """A login session; the browser's signed cookie holds only the random id behind ``id_hash``.

    Only the hash is stored, so a copy of the database gives no live sessions.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


class PasswordToken(db.Model):  # type: ignore[name-defined,misc]
    """A single-use link to set a password; only the token's hash is stored."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecoveryCode(db.Model):  # type: ignore[name-defined,misc]
    """A one-time code that stands in for the app's code when the phone is lost.

    Only the hash is kept; ``used_at`` is set once, by a conditional update, so a code works a
    single time even when sent twice at the same moment.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
