"""The data subject's rights (UU 27/2022): a copy of one's data, and anonymisation."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update

from elearn import clock
from elearn.accounts.passwords import hash_password
from elearn.extensions import db
from elearn.models import (
    ApiToken,
    Certificate,
    Competency,
    CompetencyAssessment,
    CourseEvaluation,
    Enrollment,
    ExternalTraining,
    ItemProgress,
    JpBadge,
    LearningEvent,
    MentoringSession,
    QuizAttempt,
    SessionStatus,
    User,
)
from elearn.models.user import new_session_token
from elearn.reminders.digest import forget_learner


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user`` (not password hashes or token secrets)."""
    enrollments = db.session.scalars(select(Enrollment).where(Enrollment.user_id == user.id)).all()
    enrollment_ids = [e.id for e in enrollments]

    def rows(model: Any, condition: Any, fields: list[str]) -> list[dict[str, Any]]:
        return [_row(obj, fields) for obj in db.session.scalars(select(model).where(condition))]

    return {
        "generated_at": clock.now().isoformat(),
        "profile": {
            **_row(
                user,
                [
                    "nip",
                    "full_name",
                    "email",
                    "position",
                    "rank",
                    "locale",
                    "is_active",
                    "created_at",
                    "last_login_at",
                ],
            ),  # fmt: skip
            "employee_type": str(user.employee_type),
            "unit": user.unit.path,
            "roles": sorted(user.roles),
        },
        "enrollments": [
            {
                **_row(e, ["id", "enrolled_at", "completed_at"]),
                "course": e.course.slug,
                "version": e.version.number,
                "course_title": e.version.title,
            }
            for e in enrollments
        ],
        "progress": rows(
            ItemProgress,
            ItemProgress.enrollment_id.in_(enrollment_ids),
            ["enrollment_id", "item_id", "first_opened_at", "seconds_spent", "completed_at"],
        ),  # fmt: skip
        "quiz_attempts": rows(
            QuizAttempt,
            QuizAttempt.enrollment_id.in_(enrollment_ids),
            [
                "enrollment_id",
                "item_id",
                "number",
                "started_at",
                "submitted_at",
                "answers",
                "score",
                "passed",
            ],
        ),  # fmt: skip
        "course_evaluations": rows(
            CourseEvaluation,
            CourseEvaluation.enrollment_id.in_(enrollment_ids),
            ["enrollment_id", "relevance", "clarity", "applicability", "comment", "created_at"],
        ),  # fmt: skip
        "certificates": [
            {**c.payload, "revoked_at": _plain(c.revoked_at), "revoked_reason": c.revoked_reason}
            for c in db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))
        ],
        "badges": [
            {**b.payload, "issued_at": _plain(b.issued_at)}
            for b in db.session.scalars(
                select(JpBadge).where(JpBadge.user_id == user.id).order_by(JpBadge.year)
            )
        ],
        "external_trainings": rows(
            ExternalTraining,
            ExternalTraining.user_id == user.id,
            [
                "name",
                "organiser",
                "route",
                "competency",
                "started_on",
                "finished_on",
                "jp",
                "certificate_number",
                "evidence_name",
                "status",
                "review_note",
                "created_at",
            ],
        ),  # fmt: skip
        "mentoring_sessions": rows(
            MentoringSession,
            MentoringSession.mentee_id == user.id,
            [
                "kind",
                "mentor_id",
                "held_on",
                "starts_at",
                "duration_minutes",
                "topic",
                "competency",
                "outcome",
                "status",
                "jp",
                "decision_note",
                "created_at",
            ],
        ),  # fmt: skip
        "mentoring_sessions_as_mentor": rows(
            MentoringSession,
            MentoringSession.mentor_id == user.id,
            ["mentee_id", "kind", "held_on", "duration_minutes", "topic", "status", "decided_at"],
        ),  # fmt: skip
        "learning_events": rows(
            LearningEvent,
            LearningEvent.user_id == user.id,
            ["verb", "enrollment_id", "item_id", "score", "duration_seconds", "created_at"],
        ),  # fmt: skip
        "api_tokens": rows(
            ApiToken,
            ApiToken.user_id == user.id,
            ["name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"],
        ),  # fmt: skip
        "supervisor_nip": user.supervisor.nip if user.supervisor else None,
        "competency_assessments": [
            {**_row(a, ["level", "assessed_on", "source", "created_at"]), "competency": code}
            for a, code in db.session.execute(
                select(CompetencyAssessment, Competency.code)
                .join(Competency, Competency.id == CompetencyAssessment.competency_id)
                .where(CompetencyAssessment.user_id == user.id)
                .order_by(CompetencyAssessment.assessed_on, Competency.code)
            )
        ],
    }


def anonymise(user: User) -> None:
    """Remove a departed user's identity; issued certificates keep their signed snapshot.

    Certificates are archive records (their verification must keep working),
    so their payload is kept as issued; everything else that names the person
    goes, and the account can never sign in again.
    """
    forget_learner(user.nip, f"Pengguna terhapus #{user.id}")
    user.full_name = f"Pengguna terhapus #{user.id}"
    # NIP is unique and 18 characters wide; a random placeholder keeps both.
    user.nip = "X" + secrets.token_hex(9)[:17]
    user.email = None
    user.position = None
    user.rank = None
    # Assessment results describe the person; the supervisor links name who they worked with.
    user.supervisor_id = None
    db.session.execute(delete(CompetencyAssessment).where(CompetencyAssessment.user_id == user.id))
    db.session.execute(update(User).where(User.supervisor_id == user.id).values(supervisor_id=None))
    user.locale = None
    user.is_active = False
    user.must_change_password = False
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.session_token = new_session_token()
    for grant in list(user.role_grants):
        user.role_grants.remove(grant)
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or clock.now()
    for training in db.session.scalars(
        select(ExternalTraining).where(ExternalTraining.user_id == user.id)
    ):
        training.evidence = b""
        training.evidence_name = "(dihapus)"
    _forget_mentoring(user)
    for evaluation in db.session.scalars(
        select(CourseEvaluation)
        .join(Enrollment, CourseEvaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user.id)
    ):
        evaluation.comment = ""


def _forget_mentoring(user: User) -> None:
    """Keep the sessions' JP (archive of a confirmed development activity) but drop the free
    text the departed mentee wrote; names follow the anonymised account. Requests still
    waiting for a departed mentor can never be confirmed: they are closed as rejected so the
    mentee knows to record them with someone else."""
    for session in db.session.scalars(
        select(MentoringSession).where(MentoringSession.mentee_id == user.id)
    ):
        session.outcome = ""
    for session in db.session.scalars(
        select(MentoringSession).where(
            MentoringSession.mentor_id == user.id,
            MentoringSession.status == SessionStatus.PENDING,
        )
    ):
        session.status = SessionStatus.REJECTED
        session.decided_at = clock.now()
        session.decision_note = "Akun mentor dihapus; catat sesi dengan mentor lain."
