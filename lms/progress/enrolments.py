"""Enrolling participants and the changes real editions see: withdrawal, deferral, make-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Role, User
from lms.auth.services import (
    AccountError,
    CreatedMeanwhile,
    create_user,
    find_user_by_email,
    send_invitation,
)
from lms.database import savepoint
from lms.extensions import db
from lms.progress.errors import ProgressError, ensure_open
from lms.progress.models import (
    Attendance,
    AttendanceStatus,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
    MakeUp,
    OrganisationType,
)


@dataclass
class Person:
    """One participant as an admin or a roster describes them."""

    full_name: str
    email: str
    full_name_ar: str = ""
    organisation: str = ""
    organisation_type: OrganisationType | None = None
    country: str = ""
    gender: str = ""
    language: str = "en"


class Enrolled(NamedTuple):
    """What ``enrol_person`` did."""

    enrolment: Enrolment
    new_account: bool
    # False when another request enrolled the same person at the same moment: the enrolment
    # is theirs, and so are its invitation and its record in the audit log.
    is_new: bool = True


def enrol_person(edition: Edition, person: Person, now: datetime,
                 invitation_valid_for: timedelta) -> Enrolled:
    """Enrol the person, matching an existing account by email or creating and inviting one.

    Returns the enrolment, whether an account was created and whether the enrolment is new.
    Blank details of an existing account are filled in; details it already has are left
    alone. Two admins enrolling the same person at the same moment make one account and one
    enrolment; the second is given the first's.

    :raises ProgressError: for a staff or deactivated account, someone already enrolled, or an
        archived edition.
    """
    ensure_open(edition)
    user = find_user_by_email(person.email)
    created = simultaneous = False
    if user is None:
        try:
            user = create_user(person.email, person.full_name, Role.PARTICIPANT,
                               full_name_ar=person.full_name_ar or None,
                               organisation=person.organisation or None,
                               country=person.country or None,
                               preferred_language=person.language)
            created = True
        except CreatedMeanwhile as error:
            # Created by another request since the lookup: enrolling them too, most likely.
            user = find_user_by_email(person.email)
            if user is None:
                raise ProgressError(str(error)) from None
            simultaneous = True
        except AccountError as error:
            raise ProgressError(str(error)) from None
    if not created:
        if user.role != Role.PARTICIPANT:
            raise ProgressError("staff_account")
        if not user.is_active_account:
            raise ProgressError("inactive_account")
        user.full_name_ar = user.full_name_ar or person.full_name_ar or None
        user.organisation = user.organisation or person.organisation or None
        user.country = user.country or person.country or None
    existing = _enrolment_of(edition.id, user.id)
    if existing is not None:
        if simultaneous:
            # The request that created the account at this same moment also enrolled it.
            return Enrolled(existing, new_account=False, is_new=False)
        raise ProgressError("already_enrolled")
    enrolment = Enrolment(edition_id=edition.id, user_id=user.id, enrolled_at=now,
                          organisation_type=person.organisation_type,
                          gender=person.gender or None)
    try:
        with savepoint():
            db.session.add(enrolment)
    except IntegrityError:
        existing = _enrolment_of(edition.id, user.id)
        if existing is None:
            raise
        return Enrolled(existing, new_account=False, is_new=False)
    if created:
        send_invitation(user, now, invitation_valid_for)
    return Enrolled(enrolment, new_account=created)


def _enrolment_of(edition_id: int, user_id: int) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).filter_by(edition_id=edition_id,
                                                         user_id=user_id))


def withdraw(enrolment: Enrolment, now: datetime) -> None:
    """The participant leaves the edition; their records stay."""
    ensure_open(enrolment.edition)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ProgressError("not_active")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.status_changed_at = now
    db.session.flush()


def reactivate(enrolment: Enrolment, now: datetime) -> None:
    """Undo a withdrawal or a deferral: the participant is back in this edition.

    Undoing a deferral (made by mistake, or the person can come after all) withdraws them
    from the later edition it moved them to, whose records stay.
    """
    ensure_open(enrolment.edition)
    if enrolment.status == EnrolmentStatus.DEFERRED:
        later = (_enrolment_of(enrolment.deferred_to_id, enrolment.user_id)
                 if enrolment.deferred_to_id else None)
        if later is not None and later.status == EnrolmentStatus.ACTIVE:
            ensure_open(later.edition)
            later.status = EnrolmentStatus.WITHDRAWN
            later.status_changed_at = now
        enrolment.deferred_to_id = None
    elif enrolment.status != EnrolmentStatus.WITHDRAWN:
        raise ProgressError("not_withdrawn")
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.status_changed_at = now
    db.session.flush()


def defer(enrolment: Enrolment, target: Edition, now: datetime) -> Enrolment:
    """Move the participant to a later edition of the same programme.

    Lessons and quiz results belong to the participant, so they come along untouched;
    attendance stays with this edition's sessions.

    :raises ProgressError: for another programme, an earlier or archived edition.
    """
    ensure_open(enrolment.edition)
    ensure_open(target)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ProgressError("not_active")
    if (target.programme_id != enrolment.edition.programme_id or target.id == enrolment.edition_id
            or target.starts_on <= enrolment.edition.starts_on):
        raise ProgressError("bad_target")
    later = db.session.scalar(select(Enrolment).filter_by(edition_id=target.id,
                                                         user_id=enrolment.user_id))
    if later is None:
        later = Enrolment(edition_id=target.id, user_id=enrolment.user_id, enrolled_at=now,
                          organisation_type=enrolment.organisation_type,
                          gender=enrolment.gender)
        db.session.add(later)
    else:
        later.status = EnrolmentStatus.ACTIVE
        later.status_changed_at = now
    enrolment.status = EnrolmentStatus.DEFERRED
    enrolment.deferred_to_id = target.id
    enrolment.status_changed_at = now
    db.session.flush()
    return later


def possible_changes(enrolment: Enrolment, can_defer: bool) -> list[str]:
    """The changes the enrolment's status allows: an active one can be withdrawn or (with a
    later edition to go to) deferred, a withdrawn or deferred one reactivated."""
    if enrolment.status == EnrolmentStatus.ACTIVE:
        return ["withdraw", "defer"] if can_defer else ["withdraw"]
    return ["reactivate"]


def later_editions(edition: Edition) -> list[Edition]:
    """Open editions of the same programme that start later: where a participant may defer."""
    return list(db.session.scalars(select(Edition).where(
        Edition.programme_id == edition.programme_id, Edition.starts_on > edition.starts_on,
        Edition.archived_at.is_(None)).order_by(Edition.starts_on)))


def record_make_up(missed: InPersonSession, attended: InPersonSession, user_id: int,
                   actor: User, now: datetime, note: str = "") -> tuple[MakeUp, bool]:
    """Record that the participant made up ``missed`` in another edition's session of the unit.

    Returns the make-up and whether it is new: when another admin recorded the same make-up
    at the same moment, the second request is given theirs, and False.

    :raises ProgressError: unless both days are of the same unit in different editions and the
        participant is enrolled in the missed day's edition; when the attended day's roster
        marks them absent or excused; when the day already has a make-up; or when the
        attended day already makes up another of the participant's days.
    """
    ensure_open(missed.edition)
    if missed.unit_id != attended.unit_id or missed.edition_id == attended.edition_id:
        raise ProgressError("bad_make_up")
    if attended.ends_at > now:
        raise ProgressError("make_up_not_held")
    # A day that edition's roster says the person missed cannot make up another. No mark at
    # all is fine: a guest joining another edition's day is often not on its roster.
    mark = db.session.scalar(select(Attendance.status).filter_by(session_id=attended.id,
                                                                 user_id=user_id))
    if mark in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        raise ProgressError("make_up_missed_too")
    enrolled = db.session.scalar(select(Enrolment.id).filter_by(edition_id=missed.edition_id,
                                                                user_id=user_id))
    if enrolled is None:
        raise ProgressError("not_enrolled")
    if _make_up_of(missed.id, user_id) is not None:
        raise ProgressError("already_made_up")
    if _made_up_with(attended.id, user_id) is not None:
        raise ProgressError("make_up_day_used")
    make_up = MakeUp(session_id=missed.id, user_id=user_id, attended_session_id=attended.id,
                     recorded_by_id=actor.id, recorded_at=now, note=note.strip()[:500])
    try:
        with savepoint():
            db.session.add(make_up)
    except IntegrityError:
        # Recorded after the look above, by a request at the same moment.
        same = _make_up_of(missed.id, user_id)
        if same is None:
            if _made_up_with(attended.id, user_id) is not None:
                raise ProgressError("make_up_day_used") from None
            raise
        if same.attended_session_id != attended.id:
            raise ProgressError("already_made_up") from None
        return same, False
    return make_up, True


def _make_up_of(session_id: int, user_id: int) -> MakeUp | None:
    return db.session.scalar(select(MakeUp).filter_by(session_id=session_id, user_id=user_id))


def _made_up_with(attended_session_id: int, user_id: int) -> MakeUp | None:
    return db.session.scalar(select(MakeUp).filter_by(attended_session_id=attended_session_id,
                                                      user_id=user_id))


def edition_make_ups(edition_id: int) -> list[tuple[MakeUp, User, InPersonSession]]:
    rows = db.session.execute(
        select(MakeUp, User, InPersonSession).join(User, User.id == MakeUp.user_id)
        .join(InPersonSession, InPersonSession.id == MakeUp.session_id)
        .where(InPersonSession.edition_id == edition_id).order_by(MakeUp.recorded_at))
    return [(m, u, s) for m, u, s in rows]
