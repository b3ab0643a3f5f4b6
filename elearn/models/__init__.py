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
from elearn.models.certificate import Certificate, CertificateCounter, StatusListEntry
from elearn.models.competency import (
    Competency,
    CompetencyAssessment,
    CompetencyKind,
    CompetencyLevel,
    CompetencyStandard,
    CourseCompetency,
)
from elearn.models.course import (
    Course,
    CourseAsset,
    CourseItem,
    CourseVersion,
    ItemKind,
    VersionStatus,
)
from elearn.models.development_plan import (
    ActivityKind,
    DevelopmentPlan,
    PlanActivity,
    PlanDecision,
    PlanDecisionKind,
    PlanStatus,
)
from elearn.models.draft import CourseDraft, CourseDraftFile, CourseSource
from elearn.models.follow_up import FollowUpSurvey, Respondent
from elearn.models.issuer import PLATFORM_SLUG, IssuerKey, IssuerProfile
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
from elearn.models.mentoring import MentoringSession, SessionKind, SessionStatus
from elearn.models.program import (
    Program,
    ProgramCertificate,
    ProgramCourse,
    ProgramEnrollment,
    ProgramVersion,
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
from elearn.models.siasn import CodeList, PushShape, PushState, SiasnCode, SiasnPerson, SiasnPush
from elearn.models.unit import Unit, UnitKind
from elearn.models.upload import CourseUpload, UploadStatus
from elearn.models.user import EmployeeType, Role, RoleGrant, RoleScope, User

__all__ = [
    "FollowUpSurvey",
    "Respondent",
    "ActivityKind",
    "DevelopmentPlan",
    "PlanActivity",
    "PlanDecision",
    "PlanDecisionKind",
    "PlanStatus",
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
    "CourseDraft",
    "CourseDraftFile",
    "CourseSource",
    "BlobChunk",
    "IssuerKey",
    "IssuerProfile",
    "Job",
    "PLATFORM_SLUG",
    "JobState",
    "StatementOutbox",
    "Certificate",
    "CertificateCounter",
    "StatusListEntry",
    "ExternalTraining",
    "MentoringSession",
    "SessionKind",
    "SessionStatus",
    "ReviewStatus",
    "Reminder",
    "CodeList",
    "PushShape",
    "PushState",
    "SiasnCode",
    "SiasnPerson",
    "SiasnPush",
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
    "Competency",
    "CompetencyAssessment",
    "CompetencyKind",
    "CompetencyLevel",
    "CompetencyStandard",
    "CourseCompetency",
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
    "Program",
    "ProgramCertificate",
    "ProgramCourse",
    "ProgramEnrollment",
    "ProgramVersion",
]
