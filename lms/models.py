"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from lms.auth.models import ModuleInstructor, Role, User
from lms.courses.models import (
    CoursePackage,
    GlossaryTerm,
    Lesson,
    MediaFile,
    Module,
    Programme,
    Topic,
    Unit,
    UnitTopic,
)
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, LessonCompletion
from lms.quizzes.models import Option, Question, Quiz

__all__ = [
    "CoursePackage", "Edition", "Enrolment", "EnrolmentStatus", "GlossaryTerm", "Lesson",
    "LessonCompletion", "MediaFile", "Module", "ModuleInstructor", "Option", "Programme",
    "Question", "Quiz", "Role", "Topic", "Unit", "User", "UnitTopic",
]
