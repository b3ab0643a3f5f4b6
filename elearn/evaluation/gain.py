"""The learning gain (Kirkpatrick level 2): first pre-test score against first post-test score.

Only a learner's **first** submitted attempt of each counts: a retry of the pre-test after
studying, or a post-test retried after reading its answer key, would measure the retries.
Everything is summed in SQL per course and learner's unit (the unit at enrolment, as on the
dashboard); the course rows add the unit sums up, so no attempt is loaded into Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Subquery, and_, case, func, literal, select

from elearn.content.quiz import QuizRole
from elearn.extensions import db
from elearn.models import CourseItem, Enrollment, QuizAttempt


@dataclass(frozen=True)
class GainSums:
    """Sums over the learners of one course (and unit) who took both tests."""

    learners: int
    pre: float
    post: float
    normalised: float  # the sum of (post − pre) / (100 − pre) over learners with pre < 100
    normalised_learners: int

    def __add__(self, other: GainSums) -> GainSums:
        return GainSums(
            self.learners + other.learners,
            self.pre + other.pre,
            self.post + other.post,
            self.normalised + other.normalised,
            self.normalised_learners + other.normalised_learners,
        )


@dataclass(frozen=True)
class Gain:
    """One row of the gain table; scores in percent, gains in percentage points."""

    course_id: int
    unit_id: int | None  # None: the whole course (within the viewer's scope)
    sums: GainSums

    @property
    def learners(self) -> int:
        return self.sums.learners

    @property
    def mean_pre(self) -> float:
        return self.sums.pre / self.sums.learners

    @property
    def mean_post(self) -> float:
        return self.sums.post / self.sums.learners

    @property
    def mean_gain(self) -> float:
        return self.mean_post - self.mean_pre

    @property
    def normalised_gain(self) -> float | None:
        """Hake's g averaged over learners (those who scored 100 on the pre-test left out)."""
        if not self.sums.normalised_learners:
            return None
        return self.sums.normalised / self.sums.normalised_learners

    @property
    def class_normalised_gain(self) -> float | None:
        """Hake's class-average form: (mean post − mean pre) / (100 − mean pre)."""
        if self.mean_pre >= 100:
            return None
        return self.mean_gain / (100 - self.mean_pre)


def _first_scores(unit_ids: set[int] | None) -> Subquery:
    """Each enrolment's first submitted pre-test and post-test score, one row per enrolment."""
    ranked = (
        select(
            QuizAttempt.enrollment_id,
            CourseItem.quiz_role.label("role"),
            QuizAttempt.score,
            func.row_number()
            .over(
                partition_by=(QuizAttempt.enrollment_id, CourseItem.quiz_role),
                order_by=(QuizAttempt.submitted_at, QuizAttempt.id),
            )
            .label("rank"),
        )
        .join(CourseItem, CourseItem.id == QuizAttempt.item_id)
        .where(
            CourseItem.quiz_role.is_not(None),
            QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.score.is_not(None),
        )
    )
    if unit_ids is not None:
        ranked = ranked.join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id).where(
            Enrollment.unit_id.in_(unit_ids)
        )
    first = ranked.subquery()

    def score_of(role: QuizRole) -> ColumnElement[float]:
        return func.max(case((first.c.role == role.value, first.c.score)))

    pre, post = score_of(QuizRole.PRE_TEST), score_of(QuizRole.POST_TEST)
    return (
        select(first.c.enrollment_id, pre.label("pre"), post.label("post"))
        .where(first.c.rank == 1)
        .group_by(first.c.enrollment_id)
        .having(and_(pre.is_not(None), post.is_not(None)))
        .subquery()
    )


def gains(unit_ids: set[int] | None) -> list[Gain]:
    """Per course, its row then one per unit, for learners in ``unit_ids`` (None: all)."""
    pairs = _first_scores(unit_ids)
    pre, post = pairs.c.pre, pairs.c.post
    below_full = pre < 100
    statement = (
        select(
            Enrollment.course_id,
            Enrollment.unit_id,
            func.count(),
            func.sum(pre),
            func.sum(post),
            func.sum(case((below_full, (post - pre) / (literal(100.0) - pre)), else_=0.0)),
            func.sum(case((below_full, 1), else_=0)),
        )
        .join(pairs, pairs.c.enrollment_id == Enrollment.id)
        .group_by(Enrollment.course_id, Enrollment.unit_id)
        .order_by(Enrollment.course_id, Enrollment.unit_id)
    )
    return _with_course_rows(
        (course_id, unit_id, GainSums(int(n), float(a), float(b), float(g), int(m)))
        for course_id, unit_id, n, a, b, g, m in db.session.execute(statement)
    )


def _with_course_rows(rows: Iterable[tuple[int, int, GainSums]]) -> list[Gain]:
    result: list[Gain] = []
    course_at = -1
    for course_id, unit_id, sums in rows:
        if not result or result[course_at].course_id != course_id:
            course_at = len(result)
            result.append(Gain(course_id, None, sums))
        else:
            total = result[course_at]
            result[course_at] = Gain(course_id, None, total.sums + sums)
        result.append(Gain(course_id, unit_id, sums))
    return result
