"""Forms of the authoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.courses.authoring.content import MAX_BODY_CHARS
from lms.courses.fields import SLUG_LENGTH, SLUG_PATTERN
from lms.courses.lesson_files import TITLE_LENGTH


class TopicForm(FlaskForm):
    slug = StringField(_l("Short name for links (letters a–z, digits and hyphens)"), validators=[
        DataRequired(), Length(max=SLUG_LENGTH),
        Regexp(SLUG_PATTERN, message=_l("Use lower-case letters a–z, digits and hyphens, "
                                        "starting with a letter or digit."))])
    title_en = StringField(_l("Title in English"), validators=[
        DataRequired(), Length(max=TITLE_LENGTH)])
    title_ar = StringField(_l("Title in Arabic"), validators=[
        DataRequired(), Length(max=TITLE_LENGTH)])


class LessonForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_LENGTH)])
    # InputRequired: 0 is typed, and deserves the range's message, not "required".
    minutes = IntegerField(_l("Reading time in minutes"), validators=[
        InputRequired(), NumberRange(min=1, max=600)])
    objectives = TextAreaField(_l("Learning objectives, one per line"), validators=[
        DataRequired(), Length(max=5000)])
    body = TextAreaField(_l("Lesson text (Markdown)"), validators=[
        DataRequired(), Length(max=MAX_BODY_CHARS)])
    # The version the editor was opened on and the draft's revision, to refuse stale saves.
    base = HiddenField(validators=[Optional(), Regexp(r"^\d{1,12}$")])
    revision = HiddenField(validators=[Optional(), Regexp(r"^\d{1,9}$")])


class LessonFileForm(FlaskForm):
    file = FileField(_l("Lesson file (.md, UTF-8)"), validators=[FileRequired()])


class MediaForm(FlaskForm):
    file = FileField(_l("Image (PNG, JPEG, WebP) or reading (PDF)"), validators=[FileRequired()])


class PackageZipForm(FlaskForm):
    file = FileField(_l("Course package (.zip)"), validators=[FileRequired()])
