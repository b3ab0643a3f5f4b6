"""Assigned learning: a course a coordinator makes mandatory for units, a jabatan or NIPs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.course import Course
from elearn.models.unit import Unit
from elearn.models.user import User


class TargetKind(StrEnum):
    UNIT = "unit"  # everyone in a unit, optionally with its sub-units
    POSITION = "position"  # everyone with a jabatan inside a unit and its sub-units
    LEARNER = "learner"  # one learner named by NIP (from a CSV list)


class AssigneeState(StrEnum):
    ASSIGNED = "assigned"
    EXEMPT = "exempt"


class Assignment(Base):
    """A course made mandatory, with a start and a due date and the reason for it.

    The dates are calendar days in ``timezone`` (the assigner's); ``due_at`` is the first
    instant after the due day there, so "on time" is ``completed_at < due_at`` in SQL.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("due_on >= starts_on", name="due_after_start"),
        # The target of Assignee's (assignment_id, course_id) foreign key.
        UniqueConstraint("id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    targets: Mapped[list[AssignmentTarget]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", order_by="AssignmentTarget.id"
    )


class AssignmentTarget(Base):
    """Who an assignment is for; unit and jabatan targets also reach later arrivals."""

    __tablename__ = "assignment_target"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'unit' AND unit_id IS NOT NULL AND position IS NULL AND user_id IS NULL)"
            " OR (kind = 'position' AND unit_id IS NOT NULL AND position IS NOT NULL"
            " AND user_id IS NULL)"
            " OR (kind = 'learner' AND user_id IS NOT NULL AND unit_id IS NULL"
            " AND position IS NULL)",
            name="kind_columns",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TargetKind] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    include_subunits: Mapped[bool] = mapped_column(default=False)
    # Compared case-insensitively with User.position; stored as the coordinator typed it.
    position: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))

    assignment: Mapped[Assignment] = relationship(back_populates="targets")
    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()


class Assignee(Base):
    """One learner under one assignment, exactly once: assigned, or exempt with a reason.

    Completion on time or late is not stored: it follows from the learner's enrolment
    (``completed_at`` against the assignment's ``due_at``).
    """

    __tablename__ = "assignee"
    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id"),
        # The copied course_id cannot drift from the assignment's.
        ForeignKeyConstraint(
            ["assignment_id", "course_id"],
            ["assignment.id", "assignment.course_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "(state = 'assigned' AND exempt_reason IS NULL)"
            " OR (state = 'exempt' AND exempt_reason IS NOT NULL)",
            name="exempt_has_reason",
        ),
        # /me finds a learner's assignments by learner and course.
        Index("ix_assignee_user_id_course_id", "user_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    # Copied from the assignment so the learner's page joins enrolments on it directly.
    course_id: Mapped[int]
    state: Mapped[AssigneeState] = mapped_column(String(10), default=AssigneeState.ASSIGNED)
    exempt_reason: Mapped[str | None] = mapped_column(String(200))
    exempted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    exempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assignment: Mapped[Assignment] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
