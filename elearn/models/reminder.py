"""Reminders and nudges: each one a row, created once, shown in the app and sent on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow


class Reminder(Base):
    """One reminder to one person: about an assignment's deadline, a nudge on an enrolment,
    or one of a period (a month's JP-pace line, a coordinator's weekly overdue digest).

    The row is the in-app notification; ``delivered_at`` records that the other channels
    (e-mail) were handed it. The unique constraints make each (learner, assignment, kind),
    (learner, enrolment, kind) and (person, kind, period) exist once, whichever of two
    parallel passes inserts it: NULLs never collide, so each constraint only bites on its
    own kind of reminder.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        # About a course (an assignment or an enrolment, exactly one), or about a period.
        CheckConstraint(
            "(course_id IS NOT NULL AND period IS NULL AND ("
            "(assignment_id IS NOT NULL AND enrollment_id IS NULL)"
            " OR (assignment_id IS NULL AND enrollment_id IS NOT NULL)))"
            " OR (course_id IS NULL AND assignment_id IS NULL AND enrollment_id IS NULL"
            " AND period IS NOT NULL)",
            name="one_subject_or_period",
        ),
        UniqueConstraint("assignment_id", "user_id", "kind"),
        UniqueConstraint("enrollment_id", "user_id", "kind"),
        UniqueConstraint("user_id", "kind", "period"),
        # The notifications page, newest first.
        Index("ix_reminder_user_id_created_at", "user_id", "created_at"),
        # The unread count read with the signed-in user on every page.
        Index(
            "ix_reminder_unread",
            "user_id",
            sqlite_where=text("read_at IS NULL"),
            postgresql_where=text("read_at IS NULL"),
        ),
        # What a pass still has to hand to the channels.
        Index(
            "ix_reminder_undelivered",
            "id",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE")
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    # due_in_14, due_in_3, due_today, overdue_week_2, inactive_14, jp_pace, overdue_digest
    # (elearn/reminders/kinds.py)
    kind: Mapped[str] = mapped_column(String(24))
    # The month ("2026-03") of a JP-pace line, the ISO week ("2026-W10") of a digest.
    period: Mapped[str | None] = mapped_column(String(8))
    # What a period reminder says, fixed when it is made so the page and the e-mail agree:
    # the learner's JP and target; the digest's overdue count and first learners.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
