"""Learners with JP from external trainings, and their badges."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from elearn.extensions import db
from elearn.models import ExternalTraining, JpBadge, ReviewStatus, User


def training(
    user: User,
    jp: int,
    finished_on: date = date(2026, 2, 10),
    status: ReviewStatus = ReviewStatus.VERIFIED,
) -> ExternalTraining:
    """An external training of ``jp`` JP, verified unless told otherwise (committed)."""
    row = ExternalTraining(
        user_id=user.id, name="Bimtek SAKIP", organiser="BPSDM Sulteng", route="bimbingan-teknis",
        competency="teknis", started_on=finished_on, finished_on=finished_on, jp=jp,
        evidence_name="bukti.pdf", evidence_type="application/pdf", evidence=b"%PDF-1.4",
        status=status,
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


def badges_of(user: User) -> dict[int, JpBadge]:
    """The learner's badges by year (the unique constraint makes one a year)."""
    db.session.expire_all()
    rows = db.session.scalars(select(JpBadge).where(JpBadge.user_id == user.id))
    return {badge.year: badge for badge in rows}
