"""Individual development plans (IDP): a learner's yearly plan, agreed with the atasan langsung.

The plan's activities also feed the instansi's AKPK (kebutuhan pengembangan kompetensi): each
carries the seven items the AKPK asks for, namely the competency, the target PNS (the plan's
owner), the learning route, the organiser, the schedule, the fit with the curriculum and the
budget.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import Course
from elearn.models.user import User


class PlanStatus(StrEnum):
    """Where a plan stands; only a draft or a plan sent back can be edited by its owner."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class ActivityKind(StrEnum):
    """What a planned activity is; a course or program is followed here, the rest elsewhere."""

    COURSE = "course"
    PROGRAM = "program"
    EXTERNAL = "external"  # a training outside the platform (recorded as ExternalTraining)
    MENTORING = "mentoring"  # coaching or mentoring sessions (MentoringSession)


class PlanDecisionKind(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class DevelopmentPlan(Base):
    """One learner's plan for one year; the supervisor is the one it was submitted to."""

    __tablename__ = "development_plan"
    __table_args__ = (
        UniqueConstraint("user_id", "year"),
        # The supervisor's page: plans waiting for them.
        Index("ix_development_plan_supervisor_id_status", "supervisor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    year: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(String(20), default=PlanStatus.DRAFT)
    # Set on submission from User.supervisor_id; SET NULL keeps the plan if that account goes.
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Performance needs and career aims in the learner's words (the goals not from a gap).
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    supervisor: Mapped[User | None] = relationship(foreign_keys=[supervisor_id])
    activities: Mapped[list[PlanActivity]] = relationship(
        back_populates="plan", order_by="PlanActivity.position", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[PlanDecision]] = relationship(
        back_populates="plan", order_by="PlanDecision.id", cascade="all, delete-orphan"
    )


class PlanActivity(Base):
    """One planned activity: the goal it serves (a competency to a level) and how, when, cost."""

    __tablename__ = "plan_activity"
    __table_args__ = (
        CheckConstraint("jp >= 0", name="jp_not_negative"),
        CheckConstraint("budget_rupiah >= 0", name="budget_not_negative"),
        CheckConstraint(
            "target_level IS NULL OR target_level BETWEEN 1 AND 5", name="level_in_range"
        ),
        # A deleted course sets course_id to NULL; its stored title keeps the activity named.
        CheckConstraint(
            "kind <> 'course' OR course_id IS NOT NULL OR course_title <> ''", name="course_named"
        ),
        CheckConstraint("kind <> 'program' OR program_slug IS NOT NULL", name="program_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ActivityKind] = mapped_column(String(20))
    # The competency code (as CourseCompetency keeps it: readable if the dictionary changes);
    # None for a performance need with no dictionary entry.
    competency_code: Mapped[str | None] = mapped_column(String(20), index=True)
    target_level: Mapped[int | None]
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="SET NULL"), index=True
    )
    # The course's title when planned (kept if the course is archived or deleted later).
    course_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    program_slug: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))  # the course's title when planned, or free
    route: Mapped[str] = mapped_column(String(40))  # a value of elearn.records.routes.ROUTES
    organiser: Mapped[str] = mapped_column(String(200), default="")  # penyelenggara
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    jp: Mapped[int] = mapped_column(default=0)
    budget_rupiah: Mapped[int] = mapped_column(BigInteger, default=0)
    curriculum_fit: Mapped[str] = mapped_column(Text, default="")  # kesesuaian dengan kurikulum

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="activities")
    course: Mapped[Course | None] = relationship()


class PlanDecision(Base):
    """A supervisor's approval or request for changes, kept as the plan's history."""

    __tablename__ = "plan_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("development_plan.id", ondelete="CASCADE"), index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision: Mapped[PlanDecisionKind] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[DevelopmentPlan] = relationship(back_populates="decisions")
    decided_by: Mapped[User | None] = relationship()
