"""The cohort directory: participants who opt in, shown to their edition and to alumni.

Who sees whom: a participant sees the listed people of the editions they are actively
enrolled in, and the listed alumni of editions that have ended; an instructor, those of the
editions they teach and the alumni; an admin, every listed participant. Only logged-in people
see it; a contact address appears only where its owner chose to show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import Role, User, normalise_email
from lms.auth.services import AccountError
from lms.database import savepoint
from lms.db_types import column_length
from lms.extensions import db
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, UnitInstructor


@dataclass
class Listing:
    user: User
    entry: DirectoryEntry

    @property
    def contact(self) -> str | None:
        if not self.entry.show_contact:
            return None
        return self.entry.contact_email or self.user.email


@dataclass
class EditionGroup:
    edition: Edition
    is_own: bool  # the participant's own edition
    has_ended: bool  # its people are alumni
    people: list[Listing] = field(default_factory=list)


def entry_of(user_id: int) -> DirectoryEntry | None:
    return db.session.get(DirectoryEntry, user_id)


def save_entry(user: User, position: str, areas: str, show_contact: bool, contact_email: str,
               now: datetime) -> tuple[DirectoryEntry, bool]:
    """Create or update the person's listing; returns it and whether it is new.

    :raises AccountError: for staff (the directory lists participants) or a bad address.
    """
    if user.role != Role.PARTICIPANT:
        raise AccountError(_("The directory lists participants."))
    contact = normalise_email(contact_email) if contact_email.strip() else ""
    longest = column_length(DirectoryEntry.contact_email)
    if contact and ("@" not in contact or len(contact) > longest):
        raise AccountError(_("Enter an email address such as name@example.org."))
    entry = entry_of(user.id)
    created = entry is None
    if entry is None:
        entry = DirectoryEntry(user_id=user.id, opted_in_at=now)
        try:
            with savepoint():
                db.session.add(entry)
        except IntegrityError:
            # The same person opted in from another tab at the same moment: that listing
            # stays, and what this form says, saved last, updates it below.
            entry = entry_of(user.id)
            if entry is None:
                raise
            created = False
    entry.position = position.strip()
    entry.areas_of_work = areas.strip()
    entry.show_contact = show_contact
    entry.contact_email = contact
    entry.updated_at = now
    db.session.flush()
    return entry, created


def withdraw(user: User) -> bool:
    """Remove the listing entirely; False when there was none."""
    result = db.session.execute(delete(DirectoryEntry).where(DirectoryEntry.user_id == user.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def directory(viewer: User, today: date) -> list[EditionGroup]:
    """The groups the viewer may see, own editions first, newest first (two queries).

    Only active enrolments make a cohort: a participant who withdrew or deferred neither sees
    the running edition's listings nor is listed in it. Participants see their own editions
    and the alumni of every edition that has ended; instructors see the editions they teach
    and those alumni; admins see every edition.
    """
    own: set[int] = set()
    if viewer.role == Role.PARTICIPANT:
        own = set(db.session.scalars(select(Enrolment.edition_id).where(
            Enrolment.user_id == viewer.id, Enrolment.status == EnrolmentStatus.ACTIVE)))
    elif viewer.role == Role.INSTRUCTOR:
        own = set(db.session.scalars(select(UnitInstructor.edition_id).where(
            UnitInstructor.user_id == viewer.id).distinct()))
    query = (
        select(Edition, User, DirectoryEntry)
        .join(Enrolment, Enrolment.edition_id == Edition.id)
        .join(User, User.id == Enrolment.user_id)
        .join(DirectoryEntry, DirectoryEntry.user_id == User.id)
        .where(User.is_active_account.is_(True), User.anonymised_at.is_(None),
               User.role == Role.PARTICIPANT, Enrolment.status == EnrolmentStatus.ACTIVE)
        .order_by(Edition.starts_on.desc(), Edition.id, User.full_name, User.id))
    if viewer.role != Role.ADMIN:
        query = query.where(or_(Edition.id.in_(own), Edition.ends_on < today))
    groups: dict[int, EditionGroup] = {}
    for edition, user, entry in db.session.execute(query):
        group = groups.setdefault(edition.id, EditionGroup(
            edition, is_own=edition.id in own and viewer.role == Role.PARTICIPANT,
            has_ended=edition.ends_on < today))
        group.people.append(Listing(user, entry))
    return sorted(groups.values(), key=lambda g: not g.is_own)
