"""Forms of the accounts feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from lms.auth.models import EMAIL_LENGTH, NAME_LENGTH, User
from lms.auth.passwords import MAX_LENGTH
from lms.db_types import column_length

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=EMAIL_LENGTH)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField(validators=[Length(max=2000)])


# Phones show a number pad, and password managers and phones offer the code they received.
APP_CODE_FIELD = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class LoginCodeForm(FlaskForm):
    code = StringField(_l("Code from your app"), validators=[Optional(), Length(max=20)],
                       render_kw=APP_CODE_FIELD)
    recovery_code = StringField(_l("Recovery code"), validators=[Optional(), Length(max=40)],
                                render_kw={"autocomplete": "off", "spellcheck": "false"})


class TwoStepConfirmForm(FlaskForm):
    code = StringField(_l("Code from your app"), validators=[DataRequired(), Length(max=20)],
                       render_kw=APP_CODE_FIELD)


class TwoStepPasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=EMAIL_LENGTH),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.org."))])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])


class SetPasswordForm(NewPasswordForm):
    token = HiddenField(validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=MAX_LENGTH)])


class InviteForm(FlaskForm):
    full_name = StringField(_l("Full name (Latin script)"), validators=[
        DataRequired(), Length(max=NAME_LENGTH)])
    full_name_ar = StringField(_l("Full name (Arabic script)"), validators=[
        Optional(), Length(max=NAME_LENGTH)])
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=EMAIL_LENGTH),
        Regexp(EMAIL_PATTERN, message=_l("Enter an email address such as name@example.org."))])
    organisation = StringField(_l("Organisation"), validators=[
        Optional(), Length(max=column_length(User.organisation))])
    country = StringField(_l("Country"), validators=[
        Optional(), Length(max=column_length(User.country))])
    role = SelectField(_l("Role"), choices=[
        SelectChoice("participant", _l("Participant")),
        SelectChoice("instructor", _l("Instructor")), SelectChoice("admin", _l("Admin"))])
    language = SelectField(_l("Language of the invitation"), choices=[
        SelectChoice("en", "English"), SelectChoice("ar", "العربية")])
    edition = SelectField(_l("Enrol in edition"), coerce=int, choices=[], validate_choice=True)
