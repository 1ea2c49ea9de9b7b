"""Who may see and change what in editions: the unit-instructor link and its checks.

Admins see every edition; an instructor sees only the units they teach in an edition (the
unit-instructor link); a participant sees only their own records.
"""

from __future__ import annotations

from lms.auth.models import Role, User
from lms.extensions import db
from lms.progress.models import InPersonSession, UnitInstructor


def can_teach_unit(user: User, edition_id: int, unit_id: int) -> bool:
    """Admins, and the edition's unit instructors of this unit, take its attendance."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.INSTRUCTOR:
        return False
    return db.session.get(UnitInstructor, (edition_id, unit_id, user.id)) is not None


def can_teach_session(user: User, session: InPersonSession) -> bool:
    return can_teach_unit(user, session.edition_id, session.unit_id)
