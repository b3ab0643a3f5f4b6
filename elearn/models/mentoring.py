"""Coaching and mentoring sessions a mentee records and the named mentor confirms."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.user import User


class SessionKind(StrEnum):
    """The PerLAN 10/2018 nonclassical routes a session belongs to (records/routes.py)."""

    MENTORING = "mentoring"
    COACHING = "coaching"


class SessionStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class MentoringSession(Base):
    """One session; its JP are fixed when the mentor confirms it and count from then on.

    The partial unique index is the guard against double counting: a mentee cannot have
    two live (pending or confirmed) records of the same session with the same mentor on
    the same day and start, whoever inserts them at the same moment. A rejected record
    leaves the slot free for a corrected one.
    """

    __tablename__ = "mentoring_session"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("jp >= 0", name="jp_not_negative"),
        CheckConstraint("mentor_id IS NULL OR mentor_id <> mentee_id", name="not_own_mentor"),
        Index(
            "uq_mentoring_session_live",
            "mentee_id",
            "mentor_id",
            "held_on",
            "starts_at",
            unique=True,
            sqlite_where=text("status <> 'rejected'"),
            postgresql_where=text("status <> 'rejected'"),
        ),
        # The mentor's page: their pending requests.
        Index("ix_mentoring_session_mentor_id_status", "mentor_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # SET NULL: a mentor's deleted account must not take the mentee's JP with it.
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: Mapped[SessionKind] = mapped_column(String(10))
    held_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    topic: Mapped[str] = mapped_column(String(300))
    competency: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SessionStatus] = mapped_column(String(10), default=SessionStatus.PENDING)
    jp: Mapped[int] = mapped_column(default=0)  # set on confirmation, by the rule then in force
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")

    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])
    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])
