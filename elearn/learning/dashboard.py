"""What the learner's dashboard shows: mandatory courses, in progress, completed, JP this year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, select

from elearn import clock
from elearn.extensions import db
from elearn.learning.outline import outline_of
from elearn.learning.progress import CourseProgress
from elearn.learning.visits import CourseRow, ProgressRow
from elearn.models import (
    Assignee,
    AssigneeState,
    Assignment,
    Course,
    CourseVersion,
    Enrollment,
    ItemProgress,
    User,
)
from elearn.models.rows import Columns
from elearn.records.entries import (
    BadgeRow,
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
class VersionRow:
    id: int
    content_hash: str
    title: str
    competency: str
    jp: int


@dataclass(frozen=True)
class EnrollmentRow:
    """What the dashboard reads of an enrolment: plain values, not a session's objects."""

    id: int
    enrolled_at: datetime
    completed_at: datetime | None
    last_item_id: int | None
    last_seen_at: datetime | None
    course: CourseRow
    version: VersionRow
    progress: tuple[ProgressRow, ...]

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class DashboardCourse:
    enrollment: EnrollmentRow
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
    badge: BadgeRow | None = None  # this year's Pembelajar ASN badge, once issued

    @property
    def jp_percent(self) -> int:
        return min(100, round(100 * self.jp_this_year / self.jp_target)) if self.jp_target else 100


_ENROLLMENT = Columns(
    Enrollment,
    keys=("id", "enrolled_at", "completed_at", "last_item_id", "last_seen_at", "course_id"),
)
_VERSION = Columns(CourseVersion, keys=("id", "content_hash", "title", "competency", "jp"))
_PROGRESS = Columns(
    ItemProgress, keys=("item_id", "first_opened_at", "seconds_spent", "completed_at")
)
_AT_VERSION = len(_ENROLLMENT.keys) + 1  # after the enrolment's columns and the course's slug
_AT_DUTY = _AT_VERSION + len(_VERSION.keys)  # the assignment's reason, due date and time
_AT_PROGRESS = _AT_DUTY + 3


def _enrollments_statement() -> Select[Any]:
    """Every enrolment of a learner with its course's slug, its version, its running
    assignments and its progress rows, as plain columns: one row per assignment and
    progress row (nulls where there is none).

    The page only reads them: the ORM's set-up, row processing and identity map for
    four entities cost more than the query did. A version's overview, its largest
    column, is not read.
    """
    enrollment, course, version, progress, assignee, assignment = (
        m.__table__ for m in (Enrollment, Course, CourseVersion, ItemProgress, Assignee, Assignment)
    )
    return (
        select(
            *_ENROLLMENT.columns,
            course.c.slug,
            *_VERSION.columns,
            assignment.c.reason,
            assignment.c.due_on,
            assignment.c.due_at,
            *_PROGRESS.columns,
        )
        .select_from(
            enrollment.join(course, enrollment.c.course_id == course.c.id)
            .join(version, version.c.id == enrollment.c.version_id)
            .outerjoin(
                assignee,
                and_(
                    assignee.c.user_id == enrollment.c.user_id,
                    assignee.c.course_id == enrollment.c.course_id,
                    assignee.c.state == AssigneeState.ASSIGNED,
                ),
            )
            .outerjoin(assignment, assignment.c.id == assignee.c.assignment_id)
            .outerjoin(progress, progress.c.enrollment_id == enrollment.c.id)
        )
        .where(enrollment.c.user_id == bindparam("user_id"))
        .order_by(enrollment.c.enrolled_at.desc())
    )


# Built once, with the user as a bound parameter: building it cost about as much as
# running it (SQLAlchemy caches the compiled SQL, not the statement object).
ENROLLMENTS_WITH_DUTIES = _enrollments_statement()


def _enrollments(user: User) -> list[tuple[EnrollmentRow, Duty | None]]:
    """Every enrolment of ``user`` with its soonest-due assignment, in one statement.

    Course, version and progress come in the same statement (the version outlines from
    the cache); an enrolment has one row per running assignment and progress row, folded
    here, in the order the statement gives (newest enrolment first).
    """
    # On the session's connection: plain columns need none of Session.execute's set-up.
    rows = db.session.connection().execute(ENROLLMENTS_WITH_DUTIES, {"user_id": user.id}).all()
    heads: dict[int, Any] = {}  # enrolment id → its first row
    duties: dict[int, Duty | None] = {}
    progress: dict[int, dict[int, ProgressRow]] = {}
    for row in rows:
        enrollment_id = row[0]
        if enrollment_id not in heads:
            heads[enrollment_id], duties[enrollment_id] = row, None
            progress[enrollment_id] = {}
        reason, due_on, due_at = row[_AT_DUTY:_AT_PROGRESS]
        known = duties[enrollment_id]
        if due_at is not None and (known is None or due_at < known.due_at):
            duties[enrollment_id] = Duty(reason, due_on, due_at)
        if row[_AT_PROGRESS] is not None:  # the outer join's row of an enrolment without any
            mark = ProgressRow(**_PROGRESS.values(row, _AT_PROGRESS))
            progress[enrollment_id].setdefault(mark.item_id, mark)
    found = []
    for enrollment_id, row in heads.items():
        values = _ENROLLMENT.values(row)
        course = CourseRow(values.pop("course_id"), row[_AT_VERSION - 1])
        version = VersionRow(**_VERSION.values(row, _AT_VERSION))
        marks = tuple(progress[enrollment_id].values())
        enrollment = EnrollmentRow(**values, course=course, version=version, progress=marks)
        found.append((enrollment, duties[enrollment_id]))
    return found


def _course(
    enrollment: EnrollmentRow, version: VersionRow, duty: Duty | None, now: datetime
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
    enrollments = [enrollment for enrollment, _duty in duties]
    assigned: list[DashboardCourse] = []
    in_progress: list[DashboardCourse] = []
    completed: list[DashboardCourse] = []
    for enrollment, duty in duties:
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
