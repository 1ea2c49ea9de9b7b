"""Forms of the certificates feature."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.whole_numbers import MAX_ROW_ID


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form that changes nothing

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=60)])


class IssueForm(FlaskForm):
    user_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ROW_ID)])
    reason = TextAreaField(_l("Reason for issuing by exception"), validators=[
        Optional(), Length(max=2000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(),
                                                                 Length(max=2000)])


class ReissueForm(FlaskForm):
    keep_issue_date = BooleanField(_l("Keep the original issue date"))
