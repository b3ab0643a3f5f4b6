"""The locks of a sequential program: a course waits until the steps before it are met.

The lock is kept where a course is started: ``elearn.learning.enrollment.enroll`` asks
``lock_reason`` before enrolling, so a locked course cannot be begun by any route, and the
learner's pages of a course they are not enrolled in say why (``programs.views.locked_page``).
A course already begun (assigned, or started before joining) stays open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from elearn.models import ProgramCourse, ProgramEnrollment, ProgramVersion
from elearn.problem_text import Problem
from elearn.programs.progress import DbSession, progresses_of


@dataclass(frozen=True)
class Lock:
    """Why a course cannot be started yet, and the program page that explains it."""

    reason: Problem
    program_slug: str


def lock_reason(session: DbSession, user_id: int, course_id: int) -> Lock | None:
    """Why ``user_id`` may not start ``course_id`` yet: a sequential program they follow
    has it in a step after one not yet met. None when nothing holds it."""
    enrollments = session.scalars(
        select(ProgramEnrollment)
        .join(ProgramVersion, ProgramEnrollment.version_id == ProgramVersion.id)
        .join(ProgramCourse, ProgramCourse.version_id == ProgramVersion.id)
        .where(
            ProgramEnrollment.user_id == user_id,
            ProgramCourse.course_id == course_id,
            ProgramVersion.sequential.is_(True),
        )
        .options(contains_eager(ProgramEnrollment.version).joinedload(ProgramVersion.program))
    ).all()
    progresses = progresses_of(session, user_id, [e.version for e in enrollments])
    for enrollment, progress in zip(enrollments, progresses, strict=True):
        found = progress.state_of(course_id)
        if found is None or not found[0].locked:
            continue
        waiting = next(step for step in progress.steps if not step.met)
        previous = ", ".join(course.title for course in waiting.courses)
        return Lock(
            Problem(
                "Kursus ini masih terkunci dalam program %(program)s: selesaikan dahulu "
                "%(previous)s.",
                program=enrollment.version.title,
                previous=previous,
            ),
            enrollment.version.program.slug,
        )
    return None
