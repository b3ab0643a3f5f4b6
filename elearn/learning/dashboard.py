"""What the learner's dashboard shows: courses in progress, completed, JP this year."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from elearn.extensions import db
from elearn.learning.outline import outline_of
from elearn.learning.progress import CourseProgress
from elearn.models import CourseVersion, Enrollment, User
from elearn.records.entries import (
    RecordSources,
    certificates_of,
    current_year,
    jp_total_for_year,
    trainings_of,
)


@dataclass(frozen=True)
class DashboardCourse:
    enrollment: Enrollment
    progress: CourseProgress
    last_title: str | None  # the item "Lanjutkan" goes back to


@dataclass(frozen=True)
class Dashboard:
    in_progress: list[DashboardCourse]
    completed: list[DashboardCourse]
    year: int
    jp_this_year: int
    jp_target: int

    @property
    def jp_percent(self) -> int:
        return min(100, round(100 * self.jp_this_year / self.jp_target)) if self.jp_target else 100


def _enrollments(user: User) -> list[Enrollment]:
    # Course, version and progress come in the same statement; the version
    # outlines come from the cache.
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.user_id == user.id)
            .options(
                joinedload(Enrollment.course),
                joinedload(Enrollment.version),
                joinedload(Enrollment.progress),
            )
            .order_by(Enrollment.enrolled_at.desc())
        ).unique()
    )


def _course(enrollment: Enrollment, version: CourseVersion) -> DashboardCourse:
    outline = outline_of(version.id, version.content_hash)
    last = next((i.title for i in outline.items if i.id == enrollment.last_item_id), None)
    return DashboardCourse(enrollment, outline.summary(enrollment.progress), last)


def dashboard_for(user: User, jp_target: int) -> Dashboard:
    """Gather the dashboard of ``user``, whose yearly JP target is ``jp_target``."""
    year = current_year(user)
    enrollments = _enrollments(user)
    in_progress: list[DashboardCourse] = []
    completed: list[DashboardCourse] = []
    for enrollment in enrollments:
        entry = _course(enrollment, enrollment.version)
        (completed if enrollment.is_complete else in_progress).append(entry)
    in_progress.sort(
        key=lambda e: e.enrollment.last_seen_at or e.enrollment.enrolled_at, reverse=True
    )
    sources = RecordSources(
        certificates_of(user), [e for e in enrollments if e.is_complete], trainings_of(user)
    )
    jp = jp_total_for_year(user, year, sources)
    return Dashboard(in_progress, completed, year, jp, jp_target)
