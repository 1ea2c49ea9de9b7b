"""Running accounts: profile fields, email and role changes, deactivation, module rights.

Used by the admin pages and by people editing their own profile. Every function flushes; the
caller records the audit event and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from lms.auth.models import (
    EMAIL_LENGTH,
    Gender,
    ModuleInstructor,
    Role,
    User,
    normalise_email,
)
from lms.auth.services import AccountError, notify_email_changed
from lms.auth.sessions import end_all_sessions
from lms.auth.tokens import cancel_links
from lms.courses.models import Module
from lms.extensions import db
from lms.progress.models import Edition, Enrolment

PROFILE_FIELDS = ("full_name", "full_name_ar", "organisation", "country", "preferred_language")


@dataclass
class Profile:
    full_name: str
    full_name_ar: str | None
    organisation: str | None
    country: str | None
    preferred_language: str


def ensure_not_anonymised(user: User) -> None:
    """:raises AccountError: for an anonymised account, which nothing may fill in again."""
    if user.anonymised_at is not None:
        raise AccountError(_("This account is anonymised: it can no longer be changed."))


def update_profile(user: User, profile: Profile) -> list[str]:
    """Store the profile fields; returns the names of the fields that changed."""
    ensure_not_anonymised(user)
    if not profile.full_name.strip():
        raise AccountError(_("A name in Latin script is required."))
    changed = []
    for name in PROFILE_FIELDS:
        value = getattr(profile, name)
        value = value.strip() or None if isinstance(value, str) and name != "full_name" else value
        if name == "full_name":
            value = profile.full_name.strip()
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    db.session.flush()
    return changed


def change_email(user: User, new_email: str, now: datetime) -> str:
    """Give the account a new address and tell the old one; returns the old address.

    Unused password links die: they went to the old address (a typo corrected, say, or a
    mailbox the person no longer controls), which must not set the password any more.

    :raises AccountError: when the address is invalid or another account uses it.
    """
    ensure_not_anonymised(user)
    new_email = normalise_email(new_email)
    if "@" not in new_email or len(new_email) > EMAIL_LENGTH:
        raise AccountError(_("Enter an email address such as name@example.org."))
    old = user.email
    if new_email == old:
        return old
    if db.session.scalar(select(User.id).filter_by(email=new_email)) is not None:
        raise AccountError(_("Another account already uses this address."))
    user.email = new_email
    cancel_links(user.id, now)
    db.session.flush()
    notify_email_changed(user, old)
    return old


def change_role(user: User, role: Role, by: User) -> Role:
    """Give the account another role; an instructor who stops being one loses module rights
    and the units they teach.

    :raises AccountError: when admins try to change their own role (no one locks themselves
        out of administration by a slip).
    """
    if user.id == by.id:
        raise AccountError(_("You cannot change your own role. Ask another administrator."))
    ensure_not_anonymised(user)
    old = user.role
    if role != Role.INSTRUCTOR:
        # Module rights and the units they teach go with the role: left in place they would
        # list the person as a unit's instructor, and a later return to the role would quietly
        # give them back.
        from lms.progress.models import UnitInstructor

        db.session.execute(delete(ModuleInstructor).where(ModuleInstructor.user_id == user.id))
        db.session.execute(delete(UnitInstructor).where(UnitInstructor.user_id == user.id))
    user.role = role
    db.session.flush()
    return old


def deactivate(user: User, by: User, now: datetime) -> None:
    """Stop the account from logging in, at once; its records stay.

    Every session ends and every unused password link dies, so reactivating later does not
    revive an old link.
    """
    if user.id == by.id:
        raise AccountError(_("You cannot deactivate your own account."))
    user.is_active_account = False
    end_all_sessions(user.id)
    cancel_links(user.id, now)
    db.session.flush()


def reactivate(user: User) -> None:
    """Let the account log in again (an anonymised account stays closed)."""
    if user.anonymised_at is not None:
        raise AccountError(_("An anonymised account cannot be reactivated."))
    user.is_active_account = True
    db.session.flush()


def module_ids_of(user_id: int) -> set[int]:
    return set(db.session.scalars(select(ModuleInstructor.module_id).where(
        ModuleInstructor.user_id == user_id)))


def set_modules(user: User, module_ids: set[int]) -> tuple[set[int], set[int]]:
    """Make the instructor a module instructor of exactly these live modules.

    :returns: the module ids added and removed.
    :raises AccountError: for an account that is not an instructor, or an unknown module.
    """
    ensure_not_anonymised(user)
    if user.role != Role.INSTRUCTOR:
        raise AccountError(_("Only instructors are given modules."))
    live = set(db.session.scalars(select(Module.id).where(Module.is_retired.is_(False))))
    if not module_ids <= live:
        raise AccountError(_("One of the modules does not exist any more. Please try again."))
    current = module_ids_of(user.id)
    added, removed = module_ids - current, current - module_ids
    for module_id in added:
        db.session.add(ModuleInstructor(module_id=module_id, user_id=user.id))
    if removed:
        db.session.execute(delete(ModuleInstructor).where(
            ModuleInstructor.user_id == user.id, ModuleInstructor.module_id.in_(removed)))
    db.session.flush()
    return added, removed


def set_gender(user: User, gender: Gender | None, consent: bool, now: datetime) -> None:
    """Store the optional gender only with consent; withdrawing consent erases it."""
    if gender is None or not consent:
        user.gender, user.gender_consent_at = None, None
    else:
        if user.gender != gender or user.gender_consent_at is None:
            user.gender_consent_at = now
        user.gender = gender
    db.session.flush()


@dataclass(frozen=True)
class RosterGender:
    """The gender an enrolling organisation's roster gave for one of the person's editions."""

    edition: str
    gender: str


def roster_genders(user: User) -> list[RosterGender]:
    """What the rosters of the person's editions say of their gender, oldest enrolment first.

    Rosters come from the organisations that nominate participants, without the person's own
    consent, so the person is shown what they say and may remove it.
    """
    rows = db.session.execute(
        select(Edition.name, Enrolment.gender).join(Edition, Edition.id == Enrolment.edition_id)
        .where(Enrolment.user_id == user.id, Enrolment.gender.is_not(None),
               Enrolment.gender != "")
        .order_by(Enrolment.enrolled_at, Enrolment.id))
    return [RosterGender(name, gender or "") for name, gender in rows]


def remove_roster_genders(user: User) -> int:
    """Erase the gender every roster gave for the person; how many enrolments had one."""
    result = db.session.execute(
        update(Enrolment).where(Enrolment.user_id == user.id, Enrolment.gender.is_not(None))
        .values(gender=None).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0  # type: ignore[attr-defined]

