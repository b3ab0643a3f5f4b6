"""A learner's path through a course: enrolment, progress, attempts, events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import Course, CourseItem, CourseVersion
from elearn.models.user import User


class Enrollment(Base):
    """One learner in one course, studying one version of it."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # The reports' date filters (enrolled or completed in a range), covering what the
        # dashboard's range counts filter on (unit, version, the other date), so they count
        # from the index alone, neither visiting the table nor joining the learner (see
        # "Dashboard at 1,000,000 learners × 10" in docs/performance.md).
        Index(
            "ix_enrollment_enrolled_at_unit", "enrolled_at", "unit_id", "version_id", "completed_at"
        ),
        Index(
            "ix_enrollment_completed_at_unit",
            "completed_at",
            "unit_id",
            "version_id",
            "enrolled_at",
        ),
        # The API's unit-scoped pages: each unit's next enrolments in id order, a range of
        # this index (migration 0019); the dates its filters test come after the id, so a
        # row that does not match is skipped without reading the table (migration 0031a).
        Index(
            "ix_enrollment_unit_id_id_dates",
            "unit_id",
            "id",
            "enrolled_at",
            "completed_at",
            "updated_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # The learner's unit, kept equal to ``user.unit_id`` (set on enrolment, moved with the
    # learner in ``rollups.learner_moved``) so unit-scoped counts need not join the learner.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="RESTRICT"), index=True
    )
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Where "Lanjutkan" resumes, and when the learner was last seen there
    # (the start of the visit whose time has not been counted yet).
    last_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_item.id", ondelete="SET NULL")
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
    last_item: Mapped[CourseItem | None] = relationship()
    progress: Mapped[list[ItemProgress]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan"
    )

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


@event.listens_for(Enrollment, "before_insert")
def _unit_of_learner(
    _mapper: Mapper[Enrollment], connection: Connection, target: Enrollment
) -> None:
    # Enrolling sets the unit itself; this covers enrolments created elsewhere (imports,
    # fixtures) with one look-up, so the column can never disagree with the learner's unit.
    if target.unit_id is None:
        target.unit_id = connection.scalar(select(User.unit_id).where(User.id == target.user_id))


class ItemProgress(Base):
    """Time spent on, and completion of, one module or quiz of an enrolment's version."""

    __tablename__ = "item_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("course_item.id", ondelete="CASCADE"))
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seconds_spent: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime()
    )  # module done / quiz passed

    enrollment: Mapped[Enrollment] = relationship(back_populates="progress")
    item: Mapped[CourseItem] = relationship()


class AttemptState(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class QuizAttempt(Base):
    """One sitting of a quiz: the drawn paper, saved answers, and the score once submitted.

    ``(enrollment_id, item_id, number)`` is unique and ``number`` never exceeds
    the quiz's max_attempts, so parallel starts cannot add an extra attempt.
    """

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "item_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        # At most one open attempt per learner and quiz.
        Index(
            "uq_quiz_attempt_one_open",
            "enrollment_id",
            "item_id",
            unique=True,
            sqlite_where=text("submitted_at IS NULL"),
            postgresql_where=text("submitted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("course_item.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paper: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    answers_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None]  # percent, 0–100
    passed: Mapped[bool | None]
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    enrollment: Mapped[Enrollment] = relationship()
    item: Mapped[CourseItem] = relationship()

    @property
    def state(self) -> AttemptState:
        return AttemptState.OPEN if self.submitted_at is None else AttemptState.SUBMITTED


class CourseEvaluation(Base):
    """The learner's reaction survey at completion (Kirkpatrick level 1)."""

    __tablename__ = "course_evaluation"
    __table_args__ = (
        UniqueConstraint("enrollment_id"),
        CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        CheckConstraint("clarity BETWEEN 1 AND 5", name="clarity_range"),
        CheckConstraint("applicability BETWEEN 1 AND 5", name="applicability_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    relevance: Mapped[int]
    clarity: Mapped[int]
    applicability: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()


class Verb(StrEnum):
    ENROLLED = "enrolled"
    MODULE_COMPLETED = "module-completed"
    ATTEMPT_STARTED = "attempt-started"
    ATTEMPT_SUBMITTED = "attempt-submitted"
    PASSED = "passed"
    FAILED = "failed"
    COMPLETED = "completed"
    EVALUATED = "evaluated"
    VERSION_CHANGED = "version-changed"


class LearningEvent(Base):
    """Every state change of a learner's study, for reports and xAPI export."""

    __tablename__ = "learning_event"
    __table_args__ = (Index("ix_learning_event_created_at_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="RESTRICT"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("course_item.id", ondelete="RESTRICT"))
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="SET NULL")
    )
    verb: Mapped[Verb] = mapped_column(String(24))
    score: Mapped[float | None]  # percent, for attempts
    duration_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    version: Mapped[CourseVersion] = relationship()
    item: Mapped[CourseItem | None] = relationship()
