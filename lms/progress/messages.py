"""What each domain error of the progress feature says to the person who caused it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.progress.csvfiles import CsvUnreadable
from lms.progress.errors import EditionArchived, ProgressError

MESSAGES = {
    "name": _l("The edition needs a name."),
    "dates": _l("The end date cannot be before the start date."),
    "timezone": _l("That time zone is not known; use a name such as Africa/Cairo."),
    "times": _l("The end time must be after the start time."),
    "hours": _l("Contact hours must be between 0 and 24."),
    "already_scheduled": _l("These units already have days scheduled: move or add days one "
                            "by one below."),
    "too_many_days": _l("That is more days than can be scheduled at once."),
    "no_days_to_schedule": _l("These units are taught online only: they have no in-person "
                              "days to schedule."),
    "same_day": _l("This unit already meets on that date."),
    "outside_edition": _l("In-person days must fall within the edition's dates; if the edition "
                          "runs longer, change its dates first."),
    "has_records": _l("This day has attendance or make-ups recorded, so it cannot be removed; "
                      "move it to another date instead."),
    "not_instructor": _l("Only instructor accounts can teach units."),
    "staff_account": _l("That email belongs to a staff account, which cannot be enrolled."),
    "inactive_account": _l("That email belongs to a deactivated account: reactivate it under "
                           "People first, so the person can log in."),
    "already_enrolled": _l("That person is already enrolled in this edition."),
    "not_active": _l("Only an active enrolment can be withdrawn or deferred."),
    "not_withdrawn": _l("Only a withdrawn enrolment can be reactivated."),
    "bad_target": _l("Choose a later edition of the same programme."),
    "bad_make_up": _l("A make-up must be a day of the same unit in another edition."),
    "make_up_not_held": _l("The make-up day has not taken place yet."),
    "days_outside_dates": _l("Some in-person days fall outside these dates: move or remove "
                             "them on the schedule first, then change the dates."),
    "make_up_day_used": _l("That day already makes up another day this participant missed: "
                           "one day attended makes up one day missed."),
    "make_up_missed_too": _l("That day's roster marks the participant absent or excused, so it "
                             "cannot make up another day. Correct the mark there first if "
                             "they did attend."),
    "not_enrolled": _l("That participant is not enrolled in this edition."),
    "already_made_up": _l("A make-up is already recorded for that day."),
    "not_on_roster": _l("Some marks were for people not on this day's roster; nothing was "
                        "saved."),
    "day_started": _l("Apologies can only be sent before the day starts."),
    "no_reason": _l("Please give a reason."),
    "already_decided": _l("This apology has already been decided."),
    "no_open_day": _l("None of your in-person days is open for check-in now. Check-in opens "
                      "30 minutes before the day starts."),
    "wrong_code": _l("That code is not valid. Codes change every few minutes: type the one "
                     "shown now."),
    "bad_mark": _l("A mark was not understood; nothing was saved."),
    "roster_invalid": _l("The roster has problems; nothing was imported."),
    "attendance_invalid": _l("The file has problems; nothing was imported."),
}


def message_for(error: ProgressError) -> str:
    if isinstance(error, EditionArchived):
        return _("This edition is archived: its records can no longer be changed.")
    return str(MESSAGES.get(str(error), error))


def csv_message(error: CsvUnreadable) -> str:
    code = str(error)
    if code.startswith("nul:"):
        return _("Line %(line)s holds a NUL character, which no text file has: the file may be "
                 "saved as UTF-16, or not be a CSV file. Save it as \"CSV UTF-8\" and try "
                 "again.", line=code.split(":", 1)[1])
    if code.startswith("missing_columns:"):
        return _("The first line must name the columns; missing: %(columns)s.",
                 columns=code.split(":", 1)[1].replace(",", ", "))
    return {
        "too_big": _("The file is larger than 2 MB."),
        "not_utf8": _("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and try again."),
        "empty": _("The file has no rows."),
        "too_many_rows": _("The file has more than 5,000 rows."),
        "malformed": _("The file is not a well-formed CSV file."),
    }.get(code, code)
