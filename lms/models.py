"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from lms.audit.models import AuditEvent
from lms.auth.models import ModuleInstructor, PasswordToken, Role, TokenPurpose, User, UserSession
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
from lms.mail.models import OutboxMessage
from lms.progress.models import Edition, Enrolment, EnrolmentStatus, LessonCompletion
from lms.quizzes.models import Option, Question, Quiz, QuizAttempt

__all__ = [
    "AuditEvent", "OutboxMessage", "PasswordToken", "TokenPurpose", "UserSession",
    "CoursePackage", "Edition", "Enrolment", "EnrolmentStatus", "GlossaryTerm", "Lesson",
    "LessonCompletion", "MediaFile", "Module", "ModuleInstructor", "Option", "Programme",
    "Question", "Quiz", "QuizAttempt", "Role", "Topic", "Unit", "User", "UnitTopic",
]
