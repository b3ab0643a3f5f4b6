"""Enrolling in a course, prerequisites, and moving to a newer version."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from elearn import clock
from elearn.extensions import db
from elearn.learning.events import record_event
from elearn.models import (
    Course,
    CourseVersion,
    Enrollment,
    ItemProgress,
    QuizAttempt,
    User,
    Verb,
)
from elearn.problem_text import Problem
from elearn.programs.locking import lock_reason
from elearn.reports import rollups


class EnrollmentRefused(ValueError):
    """The learner may not enrol; the message says why (Indonesian)."""


@dataclass(frozen=True)
class PrerequisiteStatus:
    slug: str
    title: str
    completed: bool


def prerequisite_status(user: User, version: CourseVersion) -> list[PrerequisiteStatus]:
    """List the version's prerequisite courses and whether ``user`` completed each."""
    if not version.prerequisites:
        return []
    courses = {
        c.slug: c
        for c in db.session.scalars(select(Course).where(Course.slug.in_(version.prerequisites)))
    }
    done = set(
        db.session.scalars(
            select(Enrollment.course_id).where(
                Enrollment.user_id == user.id, Enrollment.completed_at.is_not(None)
            )
        )
    )
    result = []
    for slug in version.prerequisites:
        course = courses.get(slug)
        latest = course.latest_version if course else None
        title = latest.title if latest else slug
        result.append(PrerequisiteStatus(slug, title, bool(course and course.id in done)))
    return result


def find_enrollment(user: User, course: Course) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)
    )


def enroll(
    user: User,
    course: Course,
    *,
    waive_prerequisites: bool = False,
    batch: rollups.RollupBatch | None = None,
) -> Enrollment:
    """Enrol ``user`` in the published version; enrolling twice returns the first enrolment.

    ``waive_prerequisites`` is for assigned courses: the coordinator's assignment makes the
    course mandatory, so missing prerequisites do not keep the learner out. ``batch``
    collects the rollup counts of many enrolments to write last (see ``assign_learners``).
    """
    existing = find_enrollment(user, course)
    if existing is not None:
        return existing
    version = course.published_version
    if version is None:
        raise EnrollmentRefused(Problem("Kursus ini tidak sedang dibuka."))
    missing = [p.title for p in prerequisite_status(user, version) if not p.completed]
    if missing and not waive_prerequisites:
        raise EnrollmentRefused(
            Problem("Selesaikan dahulu kursus prasyarat: %(courses)s.", courses=", ".join(missing))
        )
    # A sequential program's order binds its learners as prerequisites do (assignments waive it).
    lock = None if waive_prerequisites else lock_reason(db.session, user.id, course.id)
    if lock is not None:
        raise EnrollmentRefused(lock.reason)
    now = clock.now()
    enrollment = Enrollment(
        user_id=user.id,
        unit_id=user.unit_id,
        course_id=course.id,
        version_id=version.id,
        enrolled_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
            db.session.flush()
    except IntegrityError:
        # A parallel request enrolled first (double click): use that one.
        found = find_enrollment(user, course)
        if found is None:
            raise
        return found
    record_event(enrollment, Verb.ENROLLED, now)
    rollups.enrolled(enrollment, batch)
    return enrollment


def newer_version(enrollment: Enrollment) -> CourseVersion | None:
    """Return the course's published version when it differs from the enrolment's."""
    if enrollment.is_complete:
        return None
    current = enrollment.course.published_version
    return current if current is not None and current.id != enrollment.version_id else None


def move_to_version(enrollment: Enrollment, version: CourseVersion) -> int:
    """Move an unfinished enrolment to ``version``; return how many items kept their progress.

    Progress and quiz attempts carry over to items whose source is unchanged
    (same content hash); changed items start afresh.
    """
    by_hash = {item.content_hash: item for item in version.items}
    carried = 0
    for progress in list(enrollment.progress):
        target = by_hash.get(progress.item.content_hash)
        if target is not None and progress.item.version_id == enrollment.version_id:
            progress.item_id = target.id
            carried += 1
    attempts = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.enrollment_id == enrollment.id)
    )
    for attempt in attempts:
        target = by_hash.get(attempt.item.content_hash)
        if target is not None and attempt.item.version_id == enrollment.version_id:
            attempt.item_id = target.id
    rollups.version_changed(enrollment, version.id)
    enrollment.version_id = version.id
    enrollment.last_item_id = None
    enrollment.last_seen_at = None
    db.session.flush()
    db.session.expire(enrollment)
    record_event(enrollment, Verb.VERSION_CHANGED, clock.now())
    return carried


def progress_for(enrollment: Enrollment) -> dict[int, ItemProgress]:
    """Map item id → progress row for the enrolment's current version."""
    return {p.item_id: p for p in enrollment.progress if p.item.version_id == enrollment.version_id}
