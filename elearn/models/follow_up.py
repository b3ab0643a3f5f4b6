"""The level-3 follow-up survey: is the competency applied at work? (docs/evaluation.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.learning import Enrollment
from elearn.models.user import User


class Respondent(StrEnum):
    """Who answers: the learner about themselves, or their supervisor about the learner."""

    LEARNER = "learner"
    SUPERVISOR = "supervisor"


class FollowUpSurvey(Base):
    """One question sent once per completion and recipient, answered (at most) once.

    The unique constraints are what make the job's "exactly once" hold when two passes
    run at the same time: the second insert finds the row and sends nothing.
    """

    __tablename__ = "follow_up_survey"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "recipient_id"),
        UniqueConstraint("enrollment_id", "respondent"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    # The supervisor at the time of sending: a later change of supervisor asks nobody else.
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    respondent: Mapped[Respondent] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None]  # 1 (not applied) – 5 (applied fully)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enrollment: Mapped[Enrollment] = relationship()
    recipient: Mapped[User] = relationship()
