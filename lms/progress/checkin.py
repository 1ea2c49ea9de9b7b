"""Self check-in: a short code that changes every few minutes, shown as text and as a QR code.

Codes are derived from the secret key, the session and the time period, so every worker and
host computes the same code without storing it. The code of the period just ended still
works: a participant who read it a moment before it changed, or who scanned the QR code and
then had to log in, is not refused. Older codes are simply wrong.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import segno
from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.progress.attendance import ATTENDED, current_mark, lock_day, set_mark
from lms.progress.errors import ProgressError
from lms.progress.models import (
    AttendanceSource,
    AttendanceStatus,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
)
from lms.progress.plan import edition_rules
from lms.whole_numbers import ascii_digits

CODE_PERIOD_SECONDS = 180
CODE_DIGITS = 6
OPENS_BEFORE = timedelta(minutes=30)
LATE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class CodeDisplay:
    code: str
    changes_at: datetime
    is_open: bool


def _period(now: datetime) -> int:
    return int(now.timestamp()) // CODE_PERIOD_SECONDS


def code_for(secret: str, session_id: int, period: int) -> str:
    digest = hmac.new(secret.encode(), f"check-in:{session_id}:{period}".encode(),
                      hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def window_open(session: InPersonSession, now: datetime) -> bool:
    return session.starts_at - OPENS_BEFORE <= now <= session.ends_at


def current_code(secret: str, session: InPersonSession, now: datetime) -> CodeDisplay:
    period = _period(now)
    changes_at = datetime.fromtimestamp((period + 1) * CODE_PERIOD_SECONDS, UTC)
    return CodeDisplay(code_for(secret, session.id, period), changes_at,
                       window_open(session, now))


def normalise_code(text: str) -> str:
    return ascii_digits(text)[:CODE_DIGITS]


def check_in(user: User, typed: str, secret: str, now: datetime) -> tuple[InPersonSession, bool]:
    """Mark the participant present (or late) for the open day whose current code this is.

    Returns the day and whether the mark changed (False when already marked).

    :raises ProgressError: ``no_open_day`` when none of the participant's days is open now,
        ``wrong_code`` for any other code, including one older than the previous period's.
    """
    code = normalise_code(typed)
    candidates = db.session.scalars(
        select(InPersonSession)
        .join(Enrolment, Enrolment.edition_id == InPersonSession.edition_id)
        .join(Edition, Edition.id == InPersonSession.edition_id)
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.ACTIVE,
               Edition.archived_at.is_(None),
               InPersonSession.starts_at <= now + OPENS_BEFORE,
               InPersonSession.ends_at >= now)).all()
    if not candidates:
        raise ProgressError("no_open_day")
    period = _period(now)
    for session in candidates:
        for accepted in (period, period - 1):
            if len(code) == CODE_DIGITS and hmac.compare_digest(
                    code, code_for(secret, session.id, accepted)):
                return session, _mark(session, user, now)
    raise ProgressError("wrong_code")


def _mark(session: InPersonSession, user: User, now: datetime) -> bool:
    lock_day(session)
    current = current_mark(session, user.id)
    if current is not None and current.status in ATTENDED:
        return False  # an instructor's present or late stands
    # Absent or excused (an apology for a day they came to after all): the right code during
    # the day says they are here.
    status = AttendanceStatus.LATE if now > session.starts_at + LATE_AFTER else \
        AttendanceStatus.PRESENT
    if current is not None and current.status == AttendanceStatus.EXCUSED:
        rules = edition_rules(session.edition)
        if rules.counts(AttendanceStatus.EXCUSED) and not rules.counts(status):
            # Where excused days count and late ones do not, coming late after all must not
            # cost the participant the day they were excused for.
            return False
    # The instructor's note on an absence (why, who phoned) still explains the day.
    note = current.note if current is not None else ""
    return set_mark(session, user.id, status, note, user, AttendanceSource.CHECK_IN, now,
                    current, known=True)


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI, which the page's CSP allows as an image."""
    return str(segno.make(url, error="m").svg_data_uri(scale=8, border=2))
