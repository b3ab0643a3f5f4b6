"""Enrolling in a program, and the courses joining it starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn.models import (
    Course,
    Program,
    ProgramCourse,
    ProgramEnrollment,
    ProgramVersion,
    User,
)
from elearn.problem_text import Problem
from elearn.programs.progress import CourseState, DbSession, ProgramProgress


class ProgramRefused(ValueError):
    """The program cannot be joined now; the message says why (Indonesian)."""


def find_program_enrollment(
    session: DbSession, user_id: int, program_id: int
) -> ProgramEnrollment | None:
    return session.scalar(
        select(ProgramEnrollment).where(
            ProgramEnrollment.user_id == user_id, ProgramEnrollment.program_id == program_id
        )
    )


def enroll_in_program(
    session: DbSession, user: User, program: Program, now: datetime
) -> ProgramEnrollment:
    """Enrol ``user`` in the published version; enrolling twice returns the first enrolment."""
    existing = find_program_enrollment(session, user.id, program.id)
    if existing is not None:
        return existing
    version = program.published_version
    if version is None:
        raise ProgramRefused(Problem("Program ini tidak sedang dibuka."))
    enrollment = ProgramEnrollment(
        user_id=user.id, program_id=program.id, version_id=version.id, enrolled_at=now
    )
    try:
        with session.begin_nested():
            session.add(enrollment)
            session.flush()
    except IntegrityError:
        found = find_program_enrollment(session, user.id, program.id)
        if found is None:
            raise
        return found
    return enrollment


def first_courses(progress: ProgramProgress) -> list[int]:
    """The courses joining a program starts: the open required courses (of a sequential
    program, only the first step's); elective groups wait for the learner's choice."""
    return [
        course.course_id
        for step in progress.steps
        if not step.is_elective and not step.locked
        for course in step.courses
        if course.state == CourseState.AVAILABLE
    ][: 1 if progress.version.sequential else None]


def courses_of(session: DbSession, version: ProgramVersion) -> dict[int, Course]:
    return {
        course.id: course
        for course in session.scalars(
            select(Course)
            .join(ProgramCourse, ProgramCourse.course_id == Course.id)
            .where(ProgramCourse.version_id == version.id)
        )
    }
