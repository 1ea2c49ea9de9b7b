"""Forms for profiles, account administration, privacy choices and the directory."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from lms.auth.directory_models import DirectoryEntry
from lms.auth.forms import EMAIL_PATTERN
from lms.auth.models import EMAIL_LENGTH, NAME_LENGTH, User
from lms.auth.passwords import MAX_LENGTH
from lms.db_types import column_length

LANGUAGE_CHOICES = [SelectChoice("en", "English"), SelectChoice("ar", "العربية")]


def _email_validators(required: bool = True, length: int = EMAIL_LENGTH) -> list[object]:
    return [DataRequired() if required else Optional(), Length(max=length),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.org."))]


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Name as printed on the certificate (Latin script)"),
                            validators=[DataRequired(), Length(max=NAME_LENGTH)])
    full_name_ar = StringField(_l("Name as printed on the certificate (Arabic script)"),
                               validators=[Optional(), Length(max=NAME_LENGTH)])
    organisation = StringField(_l("Organisation"), validators=[
        Optional(), Length(max=column_length(User.organisation))])
    country = StringField(_l("Country"), validators=[
        Optional(), Length(max=column_length(User.country))])
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)


class AccountForm(ProfileForm):
    email = EmailField(_l("Email"), validators=_email_validators())


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=_email_validators())
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[
        SelectChoice("participant", _l("Participant")),
        SelectChoice("instructor", _l("Instructor")), SelectChoice("admin", _l("Admin"))])
    current = PasswordField(_l("Your own password, to confirm"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])


class ConfirmPasswordForm(FlaskForm):
    current = PasswordField(_l("Your own password, to confirm"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])


class AnonymiseForm(FlaskForm):
    confirm = StringField(_l("Type the account's email address to confirm"), validators=[
        DataRequired(), Length(max=EMAIL_LENGTH)])


class GenderForm(FlaskForm):
    gender = SelectField(_l("Gender"), choices=[
        SelectChoice("", _l("I prefer not to say")), SelectChoice("female", _l("Female")),
        SelectChoice("male", _l("Male"))])
    consent = BooleanField(_l("I agree that my answer is kept for anonymous statistics about "
                              "the programme's participants, and for nothing else."))


class DirectoryForm(FlaskForm):
    position = StringField(_l("Position"), validators=[
        Optional(), Length(max=column_length(DirectoryEntry.position))])
    areas_of_work = TextAreaField(_l("Areas of work"), validators=[Optional(), Length(max=1000)])
    show_contact = BooleanField(_l("Show a contact address in the directory"))
    contact_email = EmailField(_l("Contact address (leave empty to use your account's)"),
                               validators=_email_validators(
                                   required=False,
                                   length=column_length(DirectoryEntry.contact_email)))
