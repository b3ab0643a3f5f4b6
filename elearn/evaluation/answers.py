"""Answering a follow-up survey, and the level-3 results per course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.models import Enrollment, FollowUpSurvey, Respondent

# The answer may be changed until the survey closes; after that it is part of the results.
OPEN_DAYS = 30


class SurveyClosed(Exception):
    """The survey is past its answering period."""


def survey_for(survey_id: int, user_id: int) -> FollowUpSurvey | None:
    """The survey, only for its addressee (anyone else gets None, shown as 404)."""
    return db.session.scalar(
        select(FollowUpSurvey).where(
            FollowUpSurvey.id == survey_id, FollowUpSurvey.recipient_id == user_id
        )
    )


def closes_at(survey: FollowUpSurvey) -> datetime:
    return survey.created_at + timedelta(days=OPEN_DAYS)


def answer_survey(survey: FollowUpSurvey, rating: int, comment: str, now: datetime) -> None:
    """Save (or change, while open) the addressee's answer."""
    if now >= closes_at(survey):
        raise SurveyClosed
    if not 1 <= rating <= 5:
        raise ValueError("ratings are 1–5")
    survey.rating = rating
    survey.comment = comment.strip()[:2000]
    survey.answered_at = now


@dataclass(frozen=True)
class FollowUpResult:
    """One course's answers from one kind of respondent."""

    course_id: int
    respondent: Respondent
    sent: int
    answered: int
    mean_rating: float | None


def follow_up_results(unit_ids: set[int] | None) -> list[FollowUpResult]:
    """Per course and respondent, for learners in ``unit_ids`` (None: all), in one query."""
    statement = (
        select(
            Enrollment.course_id,
            FollowUpSurvey.respondent,
            func.count(),
            func.count(FollowUpSurvey.answered_at),
            func.avg(FollowUpSurvey.rating),
        )
        .join(Enrollment, Enrollment.id == FollowUpSurvey.enrollment_id)
        .group_by(Enrollment.course_id, FollowUpSurvey.respondent)
        .order_by(Enrollment.course_id, FollowUpSurvey.respondent)
    )
    if unit_ids is not None:
        statement = statement.where(Enrollment.unit_id.in_(unit_ids))
    return [
        FollowUpResult(course, Respondent(who), int(n), int(a), float(m) if m is not None else None)
        for course, who, n, a, m in db.session.execute(statement)
    ]
