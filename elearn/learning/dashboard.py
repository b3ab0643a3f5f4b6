"""What the learner's dashboard shows: mandatory courses, in progress, completed, JP this year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload

from elearn import clock
from elearn.extensions import db
from elearn.learning.outline import outline_of
from elearn.learning.progress import CourseProgress
from elearn.models import (
    Assignee,
    AssigneeState,
    Assignment,
    CourseVersion,
    Enrollment,
    JpBadge,
    User,
)
from elearn.records.entries import (
    RecordSources,
    current_year,
    entries_of,
    jp_total_for_year,
)


@dataclass(frozen=True)
class Duty:
    """The earliest-due assignment that makes a course mandatory for the learner."""

    reason: str
    due_on: date
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        return now >= self.due_at


@dataclass(frozen=True)
class DashboardCourse:
    enrollment: Enrollment
    progress: CourseProgress
    last_title: str | None  # the item "Lanjutkan" goes back to
    duty: Duty | None = None
    overdue: bool = False  # unfinished past its due date
    on_time: bool | None = None  # a finished mandatory course: before its due date or not


@dataclass(frozen=True)
class Dashboard:
    assigned: list[DashboardCourse]  # unfinished mandatory courses, soonest due first
    in_progress: list[DashboardCourse]
    completed: list[DashboardCourse]
    year: int
    jp_this_year: int
    jp_target: int
    badge: JpBadge | None = None  # this year's Pembelajar ASN badge, once issued

    @property
    def jp_percent(self) -> int:
        return min(100, round(100 * self.jp_this_year / self.jp_target)) if self.jp_target else 100


# Built once, with the user as a bound parameter: building it cost about as much as
# running it (SQLAlchemy caches the compiled SQL, not the statement object).
ENROLLMENTS_WITH_DUTIES = (
    select(Enrollment, Assignment.reason, Assignment.due_on, Assignment.due_at)
    .outerjoin(
        Assignee,
        and_(
            Assignee.user_id == Enrollment.user_id,
            Assignee.course_id == Enrollment.course_id,
            Assignee.state == AssigneeState.ASSIGNED,
        ),
    )
    .outerjoin(Assignment, Assignment.id == Assignee.assignment_id)
    .where(Enrollment.user_id == bindparam("user_id"))
    .options(
        joinedload(Enrollment.course),
        # The dashboard never shows a course's overview, the largest column of a version;
        # reading it anyway fails loudly rather than costing a statement per course.
        joinedload(Enrollment.version).defer(CourseVersion.overview_html, raiseload=True),
        joinedload(Enrollment.progress),
    )
    .order_by(Enrollment.enrolled_at.desc())
)


def _enrollments(user: User) -> dict[Enrollment, Duty | None]:
    """Every enrolment of ``user`` with its soonest-due assignment, in one statement.

    Course, version and progress come in the same statement (the version outlines from
    the cache); an assigned course has one row per running assignment, folded here.
    """
    rows = db.session.execute(ENROLLMENTS_WITH_DUTIES, {"user_id": user.id}).unique()
    found: dict[Enrollment, Duty | None] = {}
    for enrollment, reason, due_on, due_at in rows:
        duty = Duty(reason, due_on, due_at) if due_at is not None else None
        known = found.get(enrollment)
        if enrollment not in found or (duty and (known is None or duty.due_at < known.due_at)):
            found[enrollment] = duty
    return found


def _course(
    enrollment: Enrollment, version: CourseVersion, duty: Duty | None, now: datetime
) -> DashboardCourse:
    outline = outline_of(version.id, version.content_hash)
    last = next((i.title for i in outline.items if i.id == enrollment.last_item_id), None)
    completed = enrollment.completed_at
    return DashboardCourse(
        enrollment,
        outline.summary(enrollment.progress),
        last,
        duty,
        overdue=duty is not None and completed is None and duty.overdue(now),
        on_time=None if duty is None or completed is None else completed < duty.due_at,
    )


def dashboard_for(user: User, jp_target: int) -> Dashboard:
    """Gather the dashboard of ``user``, whose yearly JP target is ``jp_target``."""
    year = current_year(user)
    now = clock.now()
    duties = _enrollments(user)
    enrollments = list(duties)
    assigned: list[DashboardCourse] = []
    in_progress: list[DashboardCourse] = []
    completed: list[DashboardCourse] = []
    for enrollment, duty in duties.items():
        entry = _course(enrollment, enrollment.version, duty, now)
        if enrollment.is_complete:
            completed.append(entry)
        else:
            (assigned if duty else in_progress).append(entry)
    assigned.sort(key=lambda e: (e.duty.due_at if e.duty else now, e.enrollment.id))
    in_progress.sort(
        key=lambda e: e.enrollment.last_seen_at or e.enrollment.enrolled_at, reverse=True
    )
    entries = entries_of(user)
    sources = RecordSources(
        entries.certificates,
        [e for e in enrollments if e.is_complete],
        entries.trainings,
        entries.badges,
        entries.sessions,
    )
    jp = jp_total_for_year(user, year, sources)
    badge = next((b for b in entries.badges if b.year == year), None)
    return Dashboard(assigned, in_progress, completed, year, jp, jp_target, badge)
