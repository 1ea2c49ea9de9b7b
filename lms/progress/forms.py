"""Forms of editions, schedules, enrolment, attendance and check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.auth.forms import EMAIL_PATTERN
from lms.auth.models import EMAIL_LENGTH, NAME_LENGTH, User
from lms.db_types import column_length
from lms.number_fields import finite
from lms.progress.models import DEFAULT_TIMEZONE, Edition, Enrolment, InPersonSession, MakeUp

ORGANISATION_TYPE_CHOICES = [
    SelectChoice("", _l("Not given")), SelectChoice("government", _l("Government")),
    SelectChoice("ngo", _l("NGO")), SelectChoice("other", _l("Other"))]


class EditionForm(FlaskForm):
    programme = SelectField(_l("Programme"), coerce=int, choices=[], validate_choice=True)
    name = StringField(_l("Name"), validators=[
        DataRequired(), Length(max=column_length(Edition.name))])
    starts_on = DateField(_l("Start date"), validators=[DataRequired()])
    ends_on = DateField(_l("End date"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[
        Optional(), Length(max=column_length(Edition.venue))])
    timezone = StringField(_l("Time zone"), default=DEFAULT_TIMEZONE, validators=[
        DataRequired(), Length(max=column_length(Edition.timezone))])


class ScheduleForm(FlaskForm):
    unit = SelectField(_l("Units"), coerce=int, choices=[], validate_choice=True)
    first_day = DateField(_l("First day"), validators=[DataRequired()])
    starts = TimeField(_l("Start time"), validators=[DataRequired()])
    ends = TimeField(_l("End time"), validators=[DataRequired()])
    contact_hours = DecimalField(_l("Contact hours per day (blank: the unit's)"), places=1,
                                 validators=[Optional(), finite, NumberRange(min=0, max=24)])
    include_weekend = BooleanField(_l("Include weekend days (Friday and Saturday)"))


class SessionForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int, choices=[], validate_choice=True)
    day = DateField(_l("Date"), validators=[DataRequired()])
    starts = TimeField(_l("Start time"), validators=[DataRequired()])
    ends = TimeField(_l("End time"), validators=[DataRequired()])
    contact_hours = DecimalField(_l("Contact hours"), places=1,
                                 validators=[InputRequired(), finite, NumberRange(min=0, max=24)])
    venue = StringField(_l("Venue (blank: the edition's)"), validators=[
        Optional(), Length(max=column_length(InPersonSession.venue))])


class MoveSessionForm(SessionForm):
    notify = BooleanField(_l("Email the participants about the change"), default=True)


class InstructorForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int, choices=[], validate_choice=True)
    instructor = SelectField(_l("Instructor"), coerce=int, choices=[], validate_choice=True)


class EnrolForm(FlaskForm):
    full_name = StringField(_l("Full name (Latin script)"), validators=[
        DataRequired(), Length(max=NAME_LENGTH)])
    full_name_ar = StringField(_l("Full name (Arabic script)"), validators=[
        Optional(), Length(max=NAME_LENGTH)])
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=EMAIL_LENGTH),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.org."))])
    organisation = StringField(_l("Organisation"), validators=[
        Optional(), Length(max=column_length(User.organisation))])
    organisation_type = SelectField(_l("Organisation type"), choices=ORGANISATION_TYPE_CHOICES)
    country = StringField(_l("Country"), validators=[
        Optional(), Length(max=column_length(User.country))])
    gender = StringField(_l("Gender (optional)"), validators=[
        Optional(), Length(max=column_length(Enrolment.gender))])
    language = SelectField(_l("Language of the invitation"), choices=[
        SelectChoice("en", "English"), SelectChoice("ar", "العربية")])


class UploadForm(FlaskForm):
    """Step one of an import: the file. Step two sends the checked text back to confirm."""

    file = FileField(_l("CSV file (UTF-8)"))
    text = HiddenField(validators=[Optional(), Length(max=2 * 1024 * 1024)])


class StatusForm(FlaskForm):
    action = SelectField(_l("Change"), choices=[
        SelectChoice("withdraw", _l("Withdraw")), SelectChoice("reactivate", _l("Reactivate")),
        SelectChoice("defer", _l("Defer to a later edition"))])
    target = SelectField(_l("Later edition"), coerce=int, choices=[], validate_choice=False)


class MakeUpForm(FlaskForm):
    participant = SelectField(_l("Participant"), coerce=int, choices=[], validate_choice=True)
    missed = SelectField(_l("Missed day in this edition"), coerce=int, choices=[],
                         validate_choice=True)
    attended = SelectField(_l("Day attended in another edition"), coerce=int, choices=[],
                           validate_choice=True)
    note = StringField(_l("Note"), validators=[
        Optional(), Length(max=column_length(MakeUp.note))])


class CheckInForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(), Length(max=20)])


class ApologyForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
