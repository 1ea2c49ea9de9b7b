"""Two-step login: a code from an authenticator app (RFC 6238) after the password.

The app and the platform share a random secret; a code is the secret's HMAC of the current
30-second time step. A code is accepted for the step before and after the current one (clocks
drift), and never for a step at or before the last one accepted, so an overheard code cannot
be used again. Ten recovery codes, kept only as hashes, each stand in once for a lost phone.

A recovery code has about 79 bits, so its plain SHA-256 cannot be reversed by trying codes,
even by someone holding a copy of the database (the codes of ten letters issued before, about
50 bits, could be: they keep working until the person asks for new ones).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update

from lms.auth.models import RecoveryCode, User
from lms.auth.sealed_keys import seal, unseal
from lms.extensions import db
from lms.whole_numbers import ascii_digits

ISSUER = "Certificate in Migration Governance"
CODE_DIGITS = 6
STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
# No letters that read like others (0/o, 1/l/i) in a code copied by hand.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16  # shown as four groups of four
RECOVERY_GROUP = 4
EARLIER_RECOVERY_LENGTH = 10


def new_secret() -> str:
    """A random 160-bit secret in base 32, as the apps expect it (RFC 4226 advises 160)."""
    return pyotp.random_base32(32)


def setup_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of ``uri`` as an SVG data URI, which the page's CSP allows as an image."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def as_app_code(text: str) -> str | None:
    """The six digits typed (spaces allowed, any script's digits), or None if it is not that."""
    compact = "".join(text.split())
    if not compact or not compact.isdecimal():
        return None
    digits = ascii_digits(compact)
    return digits if len(digits) == CODE_DIGITS else None


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step, within the allowed drift, whose code ``code`` is; None if none is."""
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every step is compared, so the time taken does not tell which one matched.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal_recovery_code(text: str) -> str:
    kept = [c for c in text.casefold() if not c.isspace() and c != "-"]
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in kept)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all([RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code))
                        for code in codes])
    return ["-".join(code[i:i + RECOVERY_GROUP] for i in range(0, RECOVERY_LENGTH, RECOVERY_GROUP))
            for code in codes]


def renew_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes, to be shown once; the unused old ones stop working."""
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def switch_on(user: User, secret: str, code: str, now: datetime) -> list[str] | None:
    """Turn two-step login on once ``code`` shows the app holds ``secret``.

    Returns the new recovery codes, to be shown once; None when the code is not right.
    """
    digits = as_app_code(code)
    step = matching_step(secret, digits, now) if digits else None
    if step is None:
        return None
    user.two_step_secret = seal(secret)
    user.two_step_enabled_at = now
    user.two_step_last_step = step
    codes = _new_recovery_codes(user)
    db.session.flush()
    return codes


def switch_off(user: User) -> None:
    """Forget the secret and the recovery codes: the password alone logs in again."""
    user.two_step_secret = None
    user.two_step_enabled_at = None
    user.two_step_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


@dataclass(frozen=True)
class Accepted:
    recovery_code: bool
    recovery_codes_left: int = 0


def check_code(user: User, text: str, now: datetime) -> Accepted | None:
    """Accept an app code or an unused recovery code of the user, using it up; else None.

    Both are used up by a conditional update, which only one of two requests sent at the same
    moment can make: PostgreSQL makes the second wait for the first's row and then finds the
    condition false; SQLite lets one writer at a time.
    """
    if not user.has_two_step or not user.two_step_secret:
        return None
    digits = as_app_code(text)
    if digits is not None:
        secret = unseal(user.two_step_secret)
        step = matching_step(secret, digits, now) if secret else None
        if secret is None or step is None:
            return None
        # Sealed again each time: a key stored before SECRET_KEY changed (or before keys were
        # sealed at all) moves to the current one.
        used = db.session.execute(
            update(User).where(User.id == user.id, or_(User.two_step_last_step.is_(None),
                                                       User.two_step_last_step < step))
            .values(two_step_last_step=step, two_step_secret=seal(secret))
            .execution_options(synchronize_session=False))
        return Accepted(False) if used.rowcount == 1 else None  # type: ignore[attr-defined]
    code = _normal_recovery_code(text)
    if len(code) not in (RECOVERY_LENGTH, EARLIER_RECOVERY_LENGTH):
        return None
    used = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                      RecoveryCode.code_hash == _recovery_hash(code),
                                      RecoveryCode.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return Accepted(True, recovery_codes_left(user))


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
