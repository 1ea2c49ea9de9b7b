"""Forms of the quiz authoring pages, and turning the question form into a definition."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lms.db_types import column_length
from lms.number_fields import finite
from lms.quizzes.grading import MAX_COMMENT
from lms.quizzes.importing.gift import option_key
from lms.quizzes.models import Option
from lms.quizzes.question_types import QUESTION_TYPES
from lms.quizzes.quiz_file import MAX_ATTEMPTS, MAX_OPTIONS
from lms.quizzes.review import REVIEW_POLICIES
from lms.quizzes.specs import QuestionSpec

MAX_UPLOAD = 2 * 1024 * 1024
MAX_ROWS = MAX_OPTIONS
BLANK_ROWS = 3


class QuizSettingsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    title_ar = StringField(_l("Title in Arabic (optional)"),
                           validators=[Optional(), Length(max=300)])
    pass_mark = IntegerField(_l("Pass mark (percent)"),
                             validators=[InputRequired(), NumberRange(0, 100)])
    attempts_allowed = IntegerField(_l("Attempts allowed (leave empty for no limit)"),
                                    validators=[Optional(), NumberRange(1, MAX_ATTEMPTS)])
    grading = SelectField(_l("Grade recorded"), choices=[
        SelectChoice("highest", _l("The highest attempt")),
        SelectChoice("last", _l("The last attempt"))])
    time_limit_minutes = IntegerField(_l("Time limit in minutes (leave empty for none)"),
                                      validators=[Optional(), NumberRange(1, 1440)])
    draw_count = IntegerField(
        _l("Questions drawn at random for each attempt (leave empty to ask them all)"),
        validators=[Optional(), NumberRange(1, 500)])
    shuffle_questions = BooleanField(_l("Shuffle the order of the questions"))
    shuffle_choices = BooleanField(_l("Shuffle the order of the choices"))
    review_policy = SelectField(_l("Show the right answers and feedback"), choices=[
        SelectChoice("after_each_attempt", _l("After each attempt")),
        SelectChoice("after_pass_or_last", _l("Once passed, or after the last attempt")),
        SelectChoice("never", _l("Never (score only)"))])

    def validate_review_policy(self, field: Any) -> None:
        if field.data not in REVIEW_POLICIES:
            raise ValidationError(_l("Choose one of the options."))


class OptionRowForm(Form):
    """One choice, accepted answer, matching pair or numeric answer of a question."""

    key = HiddenField(validators=[Optional(), Length(max=column_length(Option.key))])
    text = StringField(_l("Text"), validators=[Optional(), Length(max=2000)])
    text_ar = StringField(_l("Text in Arabic (optional)"),
                          validators=[Optional(), Length(max=2000)])
    answer = StringField(_l("Matching answer"), validators=[Optional(), Length(max=300)])
    answer_ar = StringField(_l("Matching answer in Arabic (optional)"),
                            validators=[Optional(), Length(max=300)])
    credit = FloatField(_l("Marks (percent)"),
                        validators=[Optional(), finite, NumberRange(-100, 100)])
    value = FloatField(_l("Value"), validators=[Optional(), finite])
    tolerance = FloatField(_l("Tolerance (plus or minus)"),
                           validators=[Optional(), finite, NumberRange(min=0)])
    minimum = FloatField(_l("Or a range from"), validators=[Optional(), finite])
    maximum = FloatField(_l("to"), validators=[Optional(), finite])
    feedback = StringField(_l("Feedback for this answer"),
                           validators=[Optional(), Length(max=2000)])
    feedback_ar = StringField(_l("Feedback in Arabic (optional)"),
                              validators=[Optional(), Length(max=2000)])

    def is_filled(self) -> bool:
        texts = (self.text, self.text_ar, self.answer, self.feedback)
        numbers = (self.credit, self.value, self.minimum, self.maximum)
        return any((f.data or "").strip() for f in texts) or any(
            f.data is not None for f in numbers)


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Question text (Markdown)"),
                         validators=[DataRequired(), Length(max=20_000)])
    text_ar = TextAreaField(_l("Question text in Arabic (optional)"),
                            validators=[Optional(), Length(max=20_000)])
    points = FloatField(_l("Marks"), default=1.0,
                        validators=[Optional(), finite, NumberRange(0, 1000)])
    feedback = TextAreaField(_l("General feedback, shown in the review whatever the answer"),
                             validators=[Optional(), Length(max=20_000)])
    feedback_ar = TextAreaField(_l("General feedback in Arabic (optional)"),
                                validators=[Optional(), Length(max=20_000)])
    ref = SelectField(_l("Lesson section this question is about"), choices=[], default="",
                      validate_choice=True)
    # A new question's key, chosen when the form is drawn: posting the form twice adds it once.
    new_key = HiddenField(validators=[Optional(), Length(max=64)])
    rows = FieldList(FormField(OptionRowForm), max_entries=MAX_ROWS)
    answer = RadioField(_l("Correct answer"), default="true", choices=[
        SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))])
    feedback_true = StringField(_l("Feedback for those who answer True"),
                                validators=[Optional(), Length(max=2000)])
    feedback_true_ar = StringField(_l("In Arabic (optional)"),
                                   validators=[Optional(), Length(max=2000)])
    feedback_false = StringField(_l("Feedback for those who answer False"),
                                 validators=[Optional(), Length(max=2000)])
    feedback_false_ar = StringField(_l("In Arabic (optional)"),
                                    validators=[Optional(), Length(max=2000)])
    case_sensitive = BooleanField(_l("Upper and lower case must match"))
    distractors = TextAreaField(_l("Extra wrong answers to choose from, one per line"),
                                validators=[Optional(), Length(max=5000)])
    other_feedback = StringField(_l("Feedback for any other answer"),
                                 validators=[Optional(), Length(max=2000)])
    other_feedback_ar = StringField(_l("In Arabic (optional)"),
                                    validators=[Optional(), Length(max=2000)])
    min_words = IntegerField(_l("At least this many words (optional)"),
                             validators=[Optional(), NumberRange(0, 10_000)])
    max_words = IntegerField(_l("At most this many words (optional)"),
                             validators=[Optional(), NumberRange(1, 10_000)])
    guidance = TextAreaField(_l("Guidance for the instructors who grade it"),
                             validators=[Optional(), Length(max=5000)])
    guidance_ar = TextAreaField(_l("Guidance in Arabic (optional)"),
                                validators=[Optional(), Length(max=5000)])


def _bilingual(english: str | None, arabic: str | None) -> dict[str, str] | None:
    english, arabic = (english or "").strip(), (arabic or "").strip()
    if not english and not arabic:
        return None
    result = {"en": english}
    if arabic:
        result["ar"] = arabic
    return result


def question_definition(form: QuestionForm, type_name: str, key: str) -> dict[str, Any]:
    """The question as a quiz file would define it, for the same checks a file gets."""
    rows = []
    taken = {row.form.key.data for row in form.rows if row.form.key.data}
    index = 0
    for entry in form.rows:
        row = entry.form
        if not row.is_filled():
            continue
        row_key = row.key.data
        if not row_key:
            while option_key(index) in taken:
                index += 1
            row_key = option_key(index)
            taken.add(row_key)
        rows.append({
            "id": row_key, "text": _bilingual(row.text.data, row.text_ar.data),
            "answer": _bilingual(row.answer.data, row.answer_ar.data),
            "feedback": _bilingual(row.feedback.data, row.feedback_ar.data),
            "credit": row.credit.data, "value": row.value.data,
            "tolerance": row.tolerance.data, "min": row.minimum.data,
            "max": row.maximum.data})
    fields = {
        "answer": form.answer.data,
        "feedback_true": _bilingual(form.feedback_true.data, form.feedback_true_ar.data),
        "feedback_false": _bilingual(form.feedback_false.data, form.feedback_false_ar.data),
        "case_sensitive": form.case_sensitive.data,
        "distractors": [line.strip() for line in (form.distractors.data or "").splitlines()
                        if line.strip()],
        "other_feedback": _bilingual(form.other_feedback.data, form.other_feedback_ar.data),
        "min_words": form.min_words.data, "max_words": form.max_words.data,
        "guidance": _bilingual(form.guidance.data, form.guidance_ar.data),
    }
    kind = QUESTION_TYPES[type_name]
    definition: dict[str, Any] = {"id": key, "type": type_name,
                                  "text": _bilingual(form.text.data, form.text_ar.data),
                                  "points": (1.0 if form.points.data is None else form.points.data)
                                  if kind.graded else 0}
    feedback = _bilingual(form.feedback.data, form.feedback_ar.data)
    if feedback:
        definition["feedback"] = feedback
    if form.ref.data:
        definition["ref"] = form.ref.data
    definition.update({k: v for k, v in kind.from_editor(rows, fields).items()
                       if v is not None})
    return definition


def fill_question_form(form: QuestionForm, spec: QuestionSpec) -> None:
    """Put a stored question into the form, for editing."""
    form.text.data = spec.text.get("en", "")
    form.text_ar.data = spec.text.get("ar", "")
    form.points.data = spec.points
    form.feedback.data = spec.feedback.get("en", "")
    form.feedback_ar.data = spec.feedback.get("ar", "")
    form.ref.data = spec.ref or ""
    settings = spec.settings
    form.answer.data = "true" if settings.get("answer", True) else "false"
    for side in ("true", "false"):
        text = settings.get(f"feedback_{side}") or {}
        getattr(form, f"feedback_{side}").data = text.get("en", "")
        getattr(form, f"feedback_{side}_ar").data = text.get("ar", "")
    form.case_sensitive.data = bool(settings.get("case_sensitive"))
    other = settings.get("other_feedback") or {}
    form.other_feedback.data, form.other_feedback_ar.data = other.get("en", ""), other.get(
        "ar", "")
    form.min_words.data = settings.get("min_words") or None
    form.max_words.data = settings.get("max_words")
    guidance = settings.get("guidance") or {}
    form.guidance.data, form.guidance_ar.data = guidance.get("en", ""), guidance.get("ar", "")
    form.distractors.data = "\n".join(o.text["en"] for o in spec.options
                                      if o.kind == "distractor")
    while len(form.rows):
        form.rows.pop_entry()
    for option in spec.options:
        if option.kind == "distractor":
            continue
        form.rows.append_entry()
        row = form.rows[-1].form
        row.key.data = option.key
        row.text.data, row.text_ar.data = option.text.get("en", ""), option.text.get("ar", "")
        row.answer.data = option.match.get("en", "")
        row.answer_ar.data = option.match.get("ar", "")
        row.feedback.data = option.feedback.get("en", "")
        row.feedback_ar.data = option.feedback.get("ar", "")
        bounds = option.settings
        row.credit.data = option.credit
        row.value.data = bounds.get("value")
        row.tolerance.data = bounds.get("tolerance") if "value" in bounds else None
        if "value" not in bounds:
            row.minimum.data, row.maximum.data = bounds.get("min"), bounds.get("max")


def add_blank_rows(form: QuestionForm, count: int = BLANK_ROWS) -> None:
    """Empty rows to fill in, as many as the page may carry."""
    for _index in range(max(0, min(count, MAX_ROWS - len(form.rows)))):
        form.rows.append_entry()


class ImportForm(FlaskForm):
    file = FileField(_l("Quiz file"), validators=[
        FileRequired(_l("Choose a file to import.")),
        FileSize(MAX_UPLOAD, message=_l("The file is larger than 2 MB."))])
    format = SelectField(_l("Format"), choices=[
        SelectChoice("auto", _l("Tell from the file")),
        SelectChoice("gift", _l("GIFT (Moodle)")),
        SelectChoice("aiken", _l("Aiken")),
        SelectChoice("yaml", _l("Quiz file of a course package (.quiz.yaml)"))])
    mode = RadioField(_l("What to do with the quiz's current questions"), default="replace",
                      choices=[
                          SelectChoice("replace", _l("Replace them with the file's questions")),
                          SelectChoice("add", _l("Keep them and add the file's questions"))])


class GradeForm(FlaskForm):
    marks = FloatField(_l("Marks"), validators=[InputRequired(), finite, NumberRange(min=0)])
    comment = TextAreaField(_l("Comment for the participant"),
                            validators=[Optional(), Length(max=MAX_COMMENT)])
