"""Reminders and nudges: each one a row, created once, shown in the app and sent on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from elearn.models.base import Base, UTCDateTime, utcnow


class Reminder(Base):
    """One reminder to one learner: about an assignment's deadline, or a nudge on an enrolment.

    The row is the in-app notification; ``delivered_at`` records that the other channels
    (e-mail) were handed it. The unique constraints make each (learner, assignment, kind)
    and (learner, enrolment, kind) exist once, whichever of two parallel passes inserts it:
    NULLs never collide, so each constraint only bites on its own kind of reminder.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        CheckConstraint(
            "(assignment_id IS NOT NULL AND enrollment_id IS NULL)"
            " OR (assignment_id IS NULL AND enrollment_id IS NOT NULL)",
            name="one_subject",
        ),
        UniqueConstraint("assignment_id", "user_id", "kind"),
        UniqueConstraint("enrollment_id", "user_id", "kind"),
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
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE")
    )
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE")
    )
    # due_in_14, due_in_3, due_today, overdue_week_2, inactive_14 (elearn/reminders/kinds.py)
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
