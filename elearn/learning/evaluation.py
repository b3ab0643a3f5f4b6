"""The post-course reaction survey (Kirkpatrick level 1) and its summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from elearn import clock
from elearn.extensions import db
from elearn.learning.events import record_event
from elearn.models import CourseEvaluation, CourseEvaluationCount, Enrollment, User, Verb


def submit_evaluation(
    enrollment: Enrollment, *, relevance: int, clarity: int, applicability: int, comment: str
) -> CourseEvaluation:
    """Save (or replace) the learner's survey answers for a completed course."""
    if not enrollment.is_complete:
        raise ValueError("only completed enrolments are evaluated")
    for value in (relevance, clarity, applicability):
        if not 1 <= value <= 5:
            raise ValueError("ratings are 1–5")
    survey = db.session.scalar(
        select(CourseEvaluation).where(CourseEvaluation.enrollment_id == enrollment.id)
    )
    first = survey is None
    survey = survey or CourseEvaluation(enrollment_id=enrollment.id)
    survey.relevance, survey.clarity, survey.applicability = relevance, clarity, applicability
    survey.comment = comment.strip()[:2000]
    db.session.add(survey)
    if first:
        record_event(enrollment, Verb.EVALUATED, clock.now())
    return survey


@dataclass(frozen=True)
class EvaluationSummary:
    course_id: int
    responses: int
    relevance: float
    clarity: float
    applicability: float


def summaries(
    course_ids: list[int], learner_unit_ids: set[int] | None
) -> dict[int, EvaluationSummary]:
    """Average ratings per course, from learners in ``learner_unit_ids`` (None: all).

    Read from the per-unit sums kept with every survey (``CourseEvaluationCount``),
    so the cost does not grow with the number of surveys.
    """
    counts = CourseEvaluationCount
    responses = func.sum(counts.responses)
    statement = (
        select(
            counts.course_id,
            responses,
            func.sum(counts.relevance),
            func.sum(counts.clarity),
            func.sum(counts.applicability),
        )
        .where(counts.course_id.in_(course_ids))
        .group_by(counts.course_id)
        .having(responses > 0)
    )
    if learner_unit_ids is not None:
        statement = statement.where(counts.unit_id.in_(learner_unit_ids))
    return {
        course_id: EvaluationSummary(course_id, n, int(a) / n, int(b) / n, int(c) / n)
        for course_id, n, a, b, c in (
            (row[0], int(row[1]), *row[2:]) for row in db.session.execute(statement)
        )
    }


def comments(course_id: int, learner_unit_ids: set[int] | None) -> list[CourseEvaluation]:
    """The surveys of one course with a comment, newest first (learner names not shown)."""
    statement = _scoped(
        select(CourseEvaluation)
        .join(Enrollment, CourseEvaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.course_id == course_id, CourseEvaluation.comment != "")
        .order_by(CourseEvaluation.created_at.desc()),
        learner_unit_ids,
    )
    return list(db.session.scalars(statement))


def _scoped(statement: Select[Any], learner_unit_ids: set[int] | None) -> Select[Any]:
    if learner_unit_ids is None:
        return statement
    return statement.join(User, Enrollment.user_id == User.id).where(
        User.unit_id.in_(learner_unit_ids)
    )
