"""Where a learner stands in a program: each course's state, the steps met, the JP earned.

A step is one required course, or an elective group met by completing ``choose`` of its
courses. In a sequential (``berurutan``) program a step is locked until every step before it
is met. Reading a program's standing takes two statements whatever its length, and so does
reading several programs' (``progresses_of``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, scoped_session

from elearn.models import (
    Course,
    CourseVersion,
    Enrollment,
    Program,
    ProgramCertificate,
    ProgramCourse,
    ProgramEnrollment,
    ProgramVersion,
    VersionStatus,
)

# A plain session or Flask-SQLAlchemy's scoped ``db.session``.
DbSession = Session | scoped_session[Any]


class CourseState(StrEnum):
    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class ProgramCourseState:
    course_id: int
    slug: str
    title: str  # of the learner's version, else the published one
    jp: int
    state: CourseState
    completed_at: datetime | None = None
    version_id: int | None = None  # the learner's course version, once enrolled
    version_label: str = ""  # e.g. "v2 · a1b2c3d4e5f6"
    competency: str = ""  # of the learner's version


@dataclass(frozen=True)
class StepState:
    number: int
    title: str  # an elective group's title; empty for a required course
    choose: int
    courses: tuple[ProgramCourseState, ...]
    locked: bool

    @property
    def is_elective(self) -> bool:
        return len(self.courses) > 1

    @property
    def counted(self) -> tuple[ProgramCourseState, ...]:
        """The completions that count: all of a required step, the first ``choose`` of a group."""
        done = sorted(
            (c for c in self.courses if c.state == CourseState.DONE),
            key=lambda c: (c.completed_at or datetime.max, c.course_id),
        )
        return tuple(done[: self.choose])

    @property
    def met(self) -> bool:
        return len(self.counted) >= self.choose


@dataclass(frozen=True)
class ProgramProgress:
    version: ProgramVersion
    steps: tuple[StepState, ...]

    @property
    def units_done(self) -> int:
        return sum(len(step.counted) for step in self.steps)

    @property
    def units_total(self) -> int:
        return sum(step.choose for step in self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.units_done / self.units_total) if self.units_total else 0

    @property
    def complete(self) -> bool:
        return all(step.met for step in self.steps)

    @property
    def counted(self) -> tuple[ProgramCourseState, ...]:
        """The completed course versions the program certificate sums, in program order."""
        return tuple(course for step in self.steps for course in step.counted)

    @property
    def jp_earned(self) -> int:
        return sum(course.jp for course in self.counted)

    @property
    def jp_planned(self) -> int:
        """Required courses' JP plus, per elective group, its ``choose`` smallest."""
        return sum(sum(sorted(c.jp for c in step.courses)[: step.choose]) for step in self.steps)

    def state_of(self, course_id: int) -> tuple[StepState, ProgramCourseState] | None:
        for step in self.steps:
            for course in step.courses:
                if course.course_id == course_id:
                    return step, course
        return None


def progress_of(session: DbSession, user_id: int, version: ProgramVersion) -> ProgramProgress:
    """The standing of ``user_id`` in ``version``, from its courses and the learner's enrolments."""
    return progresses_of(session, user_id, [version])[0]


def progresses_of(
    session: DbSession, user_id: int, versions: Sequence[ProgramVersion]
) -> list[ProgramProgress]:
    """The standing of ``user_id`` in each of ``versions``, in order; two statements in all."""
    if not versions:
        return []
    published = and_(
        CourseVersion.course_id == Course.id, CourseVersion.status == VersionStatus.PUBLISHED
    )
    rows = session.execute(
        select(
            ProgramCourse.version_id.label("program_version_id"),
            ProgramCourse.step,
            Course.id,
            Course.slug,
            CourseVersion.title,
            CourseVersion.jp,
        )
        .join(Course, ProgramCourse.course_id == Course.id)
        .outerjoin(CourseVersion, published)
        .where(ProgramCourse.version_id.in_(sorted({version.id for version in versions})))
        .order_by(ProgramCourse.step, ProgramCourse.position)
    ).all()
    mine = {
        row.course_id: row
        for row in session.execute(
            select(
                Enrollment.course_id,
                Enrollment.completed_at,
                CourseVersion.id.label("version_id"),
                CourseVersion.title,
                CourseVersion.jp,
                CourseVersion.number,
                CourseVersion.content_hash,
                CourseVersion.competency,
            )
            .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
            .where(
                Enrollment.user_id == user_id,
                Enrollment.course_id.in_(sorted({row.id for row in rows})),
            )
        )
    }
    return [
        _progress(version, [row for row in rows if row.program_version_id == version.id], mine)
        for version in versions
    ]


def _progress(
    version: ProgramVersion, rows: Sequence[Any], mine: Mapping[int, Any]
) -> ProgramProgress:
    """Build the standing from ``version``'s course rows (by step) and the learner's enrolments."""
    steps: list[StepState] = []
    blocked = False  # an earlier step of a sequential program is not met
    for number in sorted({row.step for row in rows}):
        rule = version.electives.get(str(number), {})
        courses = []
        for row in (r for r in rows if r.step == number):
            own = mine.get(row.id)
            if own is None:
                state = CourseState.LOCKED if blocked else CourseState.AVAILABLE
                courses.append(
                    ProgramCourseState(row.id, row.slug, row.title or row.slug, row.jp or 0, state)
                )
                continue
            done = own.completed_at is not None
            courses.append(
                ProgramCourseState(
                    row.id,
                    row.slug,
                    own.title,
                    own.jp,
                    CourseState.DONE if done else CourseState.IN_PROGRESS,
                    own.completed_at,
                    own.version_id,
                    f"v{own.number} · {own.content_hash[:12]}",
                    own.competency,
                )
            )
        step = StepState(
            number, rule.get("title", ""), int(rule.get("choose", 1)), tuple(courses), blocked
        )
        steps.append(step)
        blocked = blocked or (version.sequential and not step.met)
    return ProgramProgress(version, tuple(steps))


def completed_on(session: DbSession, user_id: int, program_slug: str) -> date | None:
    """The day (in the learner's zone) ``user_id`` completed the program, or None.

    A program is completed when its certificate is issued (the same transaction), and the
    certificate's signed payload holds that day; a revoked certificate counts as not completed.
    """
    return completed_on_each(session, user_id, [program_slug]).get(program_slug)


def completed_on_each(
    session: DbSession, user_id: int, program_slugs: Collection[str]
) -> dict[str, date]:
    """``completed_on`` for several programs in one statement: slug → day, completed ones only."""
    rows = session.execute(
        select(Program.slug, ProgramCertificate.payload)
        .join(ProgramEnrollment, ProgramCertificate.program_enrollment_id == ProgramEnrollment.id)
        .join(Program, ProgramEnrollment.program_id == Program.id)
        .where(
            Program.slug.in_(program_slugs),
            ProgramCertificate.user_id == user_id,
            ProgramCertificate.revoked_at.is_(None),
        )
    )
    return {slug: date.fromisoformat(payload["completed_on"]) for slug, payload in rows}
