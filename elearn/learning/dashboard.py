"""What the learner's dashboard shows: courses in progress, completed, JP this year."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from elearn.learning.enrollment import enrollments_of
from elearn.learning.progress import CourseProgress, course_progress
from elearn.models import Enrollment, User
from elearn.records.entries import current_year, jp_total_for_year


@dataclass(frozen=True)
class DashboardCourse:
    enrollment: Enrollment
    progress: CourseProgress


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


def dashboard_for(user: User) -> Dashboard:
    """Gather the dashboard of ``user``."""
    year = current_year(user)
    in_progress, completed = [], []
    for enrollment in enrollments_of(user):
        entry = DashboardCourse(enrollment, course_progress(enrollment))
        if enrollment.completed_at is None:
            in_progress.append(entry)
            continue
        completed.append(entry)
    in_progress.sort(
        key=lambda e: e.enrollment.last_seen_at or e.enrollment.enrolled_at, reverse=True
    )
    jp = jp_total_for_year(user, year)
    return Dashboard(in_progress, completed, year, jp, current_app.config["JP_TARGET_PER_YEAR"])
