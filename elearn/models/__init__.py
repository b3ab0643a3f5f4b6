"""All models, imported here so Alembic and the app see every table."""

from elearn.models.assignment import (
    Assignee,
    AssigneeState,
    Assignment,
    AssignmentTarget,
    TargetKind,
)
from elearn.models.badge import JpBadge
from elearn.models.base import Base, utcnow
from elearn.models.blob import Blob, BlobChunk
from elearn.models.certificate import Certificate, CertificateCounter
from elearn.models.course import (
    Course,
    CourseAsset,
    CourseItem,
    CourseVersion,
    ItemKind,
    VersionStatus,
)
from elearn.models.job import Job, JobState
from elearn.models.learning import (
    AttemptState,
    CourseEvaluation,
    Enrollment,
    ItemProgress,
    LearningEvent,
    QuizAttempt,
    Verb,
)
from elearn.models.record import ExternalTraining, ReviewStatus
from elearn.models.reminder import Reminder
from elearn.models.reporting import ApiToken, AuditEntry, StatementOutbox
from elearn.models.rollup import (
    CourseEvaluationCount,
    EnrollmentMonthCount,
    EnrollmentSpanCount,
    JpBandCount,
    LearnerJpTotal,
    LearnerJpYear,
    QuestionScoreCount,
    QuizScoreCount,
    ScoreSpanCount,
    UnitUserCount,
)
from elearn.models.unit import Unit, UnitKind
from elearn.models.upload import CourseUpload, UploadStatus
from elearn.models.user import EmployeeType, Role, RoleGrant, RoleScope, User

__all__ = [
    "Assignee",
    "AssigneeState",
    "Assignment",
    "AssignmentTarget",
    "TargetKind",
    "AttemptState",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Blob",
    "BlobChunk",
    "Job",
    "JobState",
    "StatementOutbox",
    "Certificate",
    "CertificateCounter",
    "ExternalTraining",
    "ReviewStatus",
    "Reminder",
    "JpBadge",
    "CourseEvaluation",
    "Enrollment",
    "EnrollmentMonthCount",
    "EnrollmentSpanCount",
    "LearnerJpYear",
    "QuestionScoreCount",
    "QuizScoreCount",
    "ScoreSpanCount",
    "CourseEvaluationCount",
    "JpBandCount",
    "LearnerJpTotal",
    "UnitUserCount",
    "ItemProgress",
    "LearningEvent",
    "QuizAttempt",
    "Verb",
    "Course",
    "CourseAsset",
    "CourseItem",
    "CourseUpload",
    "UploadStatus",
    "CourseVersion",
    "ItemKind",
    "VersionStatus",
    "EmployeeType",
    "Role",
    "RoleGrant",
    "RoleScope",
    "Unit",
    "UnitKind",
    "User",
    "utcnow",
]
