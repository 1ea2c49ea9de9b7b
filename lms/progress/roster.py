"""Roster import: a CSV of participants, previewed, then enrolled all together or not at all."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import EMAIL_LENGTH, NAME_LENGTH, Role, User, normalise_email
from lms.db_types import column_length
from lms.extensions import db
from lms.progress.csvfiles import CsvUnreadable, LineError, read_table
from lms.progress.editions import lock_edition
from lms.progress.enrolments import Person, enrol_person
from lms.progress.errors import ProgressError, ensure_open
from lms.progress.models import Edition, Enrolment, OrganisationType

COLUMNS = ("name", "name_ar", "email", "organisation", "organisation_type", "country", "gender",
           "language")
# The language of a new account's invitation and pages; empty is English.
LANGUAGES = ("en", "ar")
REQUIRED = ("name", "email")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ORGANISATION_TYPES = {"government": OrganisationType.GOVERNMENT, "ngo": OrganisationType.NGO,
                      "other": OrganisationType.OTHER, "": None}
LIMITS = {"name": NAME_LENGTH, "name_ar": NAME_LENGTH, "email": EMAIL_LENGTH,
          "organisation": column_length(User.organisation), "country": column_length(User.country),
          "gender": column_length(Enrolment.gender)}


@dataclass
class RosterLine:
    line: int
    person: Person
    action: str  # "new" account, "existing" account


@dataclass
class RosterPlan:
    lines: list[RosterLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    repeated: int = 0  # rows whose one problem is that the person is already enrolled

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.lines)

    @property
    def already_imported(self) -> bool:
        """Every row names someone already enrolled: this roster was imported before (a
        double click, or two admins confirming at once), so there is nothing left to do."""
        return not self.lines and bool(self.errors) and self.repeated == len(self.errors)

    @property
    def new_accounts(self) -> int:
        return sum(1 for line in self.lines if line.action == "new")


def plan_roster(edition: Edition, text: str) -> RosterPlan:
    """Check every row and say what importing would do; nothing is written.

    :raises CsvUnreadable: when the file as a whole cannot be read.
    """
    table = read_table(text, REQUIRED, COLUMNS)
    plan = RosterPlan()
    emails = [normalise_email(row.get("email", "")) for _line, row in table.rows]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(
        Enrolment.edition_id == edition.id)))
    seen: dict[str, int] = {}
    for line, row in table.rows:
        problems = _row_problems(row)
        email = normalise_email(row.get("email", ""))
        if email in seen:
            problems.append(_("the email %(email)s is also on line %(line)d",
                              email=email, line=seen[email]))
        seen.setdefault(email, line)
        user = users.get(email)
        if user is not None and user.role != Role.PARTICIPANT:
            problems.append(_("%(email)s belongs to a staff account", email=email))
        elif user is not None and not user.is_active_account:
            # Enrolled, they could not log in and no invitation would tell them so.
            problems.append(_("%(email)s belongs to a deactivated account: reactivate it "
                              "under People first, or leave the line out", email=email))
        elif user is not None and user.id in enrolled:
            problems.append(_("%(email)s is already enrolled in this edition", email=email))
            if len(problems) == 1:
                plan.repeated += 1
        for problem in problems:
            plan.errors.append(LineError(line, problem))
        if not problems:
            plan.lines.append(RosterLine(line, Person(
                full_name=row["name"], email=email, full_name_ar=row.get("name_ar", ""),
                organisation=row.get("organisation", ""),
                organisation_type=ORGANISATION_TYPES[row.get("organisation_type", "").lower()],
                country=row.get("country", ""), gender=row.get("gender", ""),
                language=row.get("language", "").lower() or "en"),
                "existing" if user else "new"))
    if not table.rows:
        raise CsvUnreadable("empty")
    return plan


def _row_problems(row: dict[str, str]) -> list[str]:
    problems = []
    if not row.get("name"):
        problems.append(_("the name is missing"))
    if not EMAIL.match(row.get("email", "")):
        problems.append(_("'%(value)s' is not an email address", value=row.get("email", "")))
    if row.get("language", "").lower() not in ("", *LANGUAGES):
        problems.append(_("the language must be en or ar, not '%(value)s'",
                          value=row.get("language", "")))
    if row.get("organisation_type", "").lower() not in ORGANISATION_TYPES:
        problems.append(_("the organisation type must be government, ngo or other, not "
                          "'%(value)s'", value=row.get("organisation_type", "")))
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            problems.append(_("'%(column)s' is longer than %(num)d characters",
                              column=column, num=limit))
    return problems


def import_roster(edition: Edition, text: str, now: datetime,
                  invitation_valid_for: timedelta) -> RosterPlan:
    """Enrol everyone on the roster, or no one when any row has a problem.

    Importing a roster that is already enrolled does nothing and returns a plan without lines.

    :raises ProgressError: when the plan has errors (the caller rolls back).
    """
    ensure_open(edition)
    lock_edition(edition)
    plan = plan_roster(edition, text)
    if plan.already_imported:
        return plan
    if not plan.ok:
        raise ProgressError("roster_invalid")
    for line in plan.lines:
        enrol_person(edition, line.person, now, invitation_valid_for)
    return plan
