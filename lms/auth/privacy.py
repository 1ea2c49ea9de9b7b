"""The privacy notice shown at first login (Egypt's Law 151 of 2020).

Until a person confirms they have read the current version, every page shows it; changing
the notice means raising ``NOTICE_VERSION``, and everyone is asked again.
"""

from __future__ import annotations

from datetime import datetime

from lms.auth.models import User
from lms.extensions import db

NOTICE_VERSION = "2026-2"


def needs_notice(user: User) -> bool:
    return user.privacy_notice_version != NOTICE_VERSION


def acknowledge(user: User, now: datetime) -> bool:
    """Record that the person has read the current notice; False if they had already."""
    if not needs_notice(user):
        return False
    user.privacy_notice_version = NOTICE_VERSION
    user.privacy_notice_seen_at = now
    db.session.flush()
    return True
