"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from lms.audit.models import AuditEvent
from lms.auth.directory_models import DirectoryEntry
from lms.auth.models import (
    ModuleInstructor,
    PasswordToken,
    RecoveryCode,
    Role,
    TokenPurpose,
    User,
    UserSession,
)
from lms.certificates.models import Certificate, CertificateStatus
from lms.courses.authoring.models import LessonVersion, MediaUpload, PackageUpload
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
from lms.progress.models import (
    Apology,
    Attendance,
    AttendanceChange,
    Edition,
    Enrolment,
    EnrolmentStatus,
    InPersonSession,
    LessonCompletion,
    MakeUp,
    SessionReminder,
    UnitInstructor,
)
from lms.progress.stamps import ChangeStamp
from lms.quizzes.models import AttemptAnswer, Option, Question, Quiz, QuizAttempt

__all__ = [
    "Certificate", "CertificateStatus",
    "AuditEvent", "OutboxMessage", "PasswordToken", "RecoveryCode", "TokenPurpose", "UserSession",
    "CoursePackage", "Edition", "Enrolment", "EnrolmentStatus", "GlossaryTerm", "Lesson",
    "LessonCompletion", "MediaFile", "Module", "ModuleInstructor", "Option", "Programme",
    "Question", "Quiz", "QuizAttempt", "Role", "Topic", "Unit", "User", "UnitTopic",
    "Apology", "Attendance", "AttendanceChange", "InPersonSession", "MakeUp",
    "SessionReminder", "UnitInstructor",
    "AttemptAnswer", "ChangeStamp",
    "DirectoryEntry", "LessonVersion", "MediaUpload", "PackageUpload",
]
