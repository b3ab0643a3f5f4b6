"""The follow-up surveys still waiting for one user's answer: their own and their team's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import literal, select
from sqlalchemy.orm import aliased

from elearn.evaluation.answers import OPEN_DAYS
from elearn.extensions import db
from elearn.models import Course, Enrollment, FollowUpSurvey, Respondent, User
from elearn.models.base import UTCDateTime
from elearn.reminders.inbox import course_title


@dataclass(frozen=True)
class PendingSurvey:
    """One open, unanswered survey addressed to the user."""

    id: int
    respondent: Respondent
    course: str
    learner_name: str
    created_at: datetime

    @property
    def closes_at(self) -> datetime:
        return self.created_at + timedelta(days=OPEN_DAYS)


@dataclass(frozen=True)
class PendingSurveys:
    own: list[PendingSurvey]
    team: list[PendingSurvey]  # asked of the user as atasan langsung, about a team member


def pending_surveys(user_id: int, now: datetime) -> PendingSurveys:
    """The surveys ``user_id`` has not answered and may still answer, in one query."""
    learner = aliased(User)
    opened_after = now - timedelta(days=OPEN_DAYS)
    rows = db.session.execute(
        select(
            FollowUpSurvey.id,
            FollowUpSurvey.respondent,
            course_title(),
            learner.full_name,
            FollowUpSurvey.created_at,
        )
        .join(Enrollment, Enrollment.id == FollowUpSurvey.enrollment_id)
        .join(learner, learner.id == Enrollment.user_id)
        .join(Course, Course.id == Enrollment.course_id)
        .where(
            FollowUpSurvey.recipient_id == user_id,
            FollowUpSurvey.answered_at.is_(None),
            FollowUpSurvey.created_at > literal(opened_after, UTCDateTime()),
        )
        .order_by(FollowUpSurvey.created_at, FollowUpSurvey.id)
    ).all()
    surveys = [
        PendingSurvey(id_, Respondent(who), title, name, created)
        for id_, who, title, name, created in rows
    ]
    return PendingSurveys(
        own=[s for s in surveys if s.respondent is Respondent.LEARNER],
        team=[s for s in surveys if s.respondent is Respondent.SUPERVISOR],
    )
