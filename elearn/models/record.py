"""Development activities outside this platform that a learner reports for their record."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearn.models.base import Base, UTCDateTime, utcnow
from elearn.models.user import User


class ReviewStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class ExternalTraining(Base):
    """A training, seminar, coaching… reported by the learner, verified by a coordinator."""

    __tablename__ = "external_training"
    __table_args__ = (
        CheckConstraint("jp >= 0", name="jp_not_negative"),
        CheckConstraint("finished_on >= started_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(300))
    route: Mapped[str] = mapped_column(String(60))
    competency: Mapped[str] = mapped_column(String(20))
    started_on: Mapped[date] = mapped_column(Date)
    finished_on: Mapped[date] = mapped_column(Date)
    jp: Mapped[int]
    certificate_number: Mapped[str] = mapped_column(String(120), default="")
    evidence_name: Mapped[str] = mapped_column(String(200))
    evidence_type: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[ReviewStatus] = mapped_column(String(10), default=ReviewStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    review_note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
