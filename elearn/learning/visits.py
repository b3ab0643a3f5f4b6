"""A learner's page view: the enrolment read in one query, the visit noted in one short write."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import aliased, contains_eager, joinedload

from elearn.database import writes
from elearn.extensions import db
from elearn.learning.attempts import finish_if_expired
from elearn.learning.outline import Outline, OutlineItem, outline_of
from elearn.models import (
    Course,
    CourseVersion,
    Enrollment,
    ItemProgress,
    QuizAttempt,
    VersionStatus,
)
from elearn.models.base import UTCDateTime
from elearn.settings import LearningSettings

log = logging.getLogger(__name__)
# On SQLite, how long a page view waits for the write lock to note the visit.
VISIT_WAIT_MS = 250


@dataclass(frozen=True)
class StudyPage:
    enrollment: Enrollment
    outline: Outline
    newer: bool  # a newer published version exists and the course is not finished

    @property
    def progress(self) -> dict[int, ItemProgress]:
        return self.outline.progress_of(self.enrollment.progress)


def _study_page_statement() -> Select[Any]:
    current = aliased(CourseVersion)
    published = (
        select(current.id)
        .where(current.course_id == Enrollment.course_id, current.status == VersionStatus.PUBLISHED)
        .correlate(Enrollment)
        .scalar_subquery()
    )
    return (
        select(Enrollment, CourseVersion.content_hash, published)
        .join(Course, Enrollment.course_id == Course.id)
        .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
        .where(Course.slug == bindparam("slug"), Enrollment.user_id == bindparam("user_id"))
        .options(contains_eager(Enrollment.course), joinedload(Enrollment.progress))
    )


# The page's statements are built once with bound parameters: building them anew on every
# view cost more than running them (SQLAlchemy caches the compiled SQL, not the objects).
STUDY_PAGE = _study_page_statement()
RESUME_POINT = (
    update(Enrollment)
    .where(Enrollment.id == bindparam("enrollment_id"))
    .values(
        last_item_id=bindparam("item_id", type_=Integer),
        last_seen_at=bindparam("seen_at", type_=UTCDateTime()),
    )
    .execution_options(synchronize_session=False)
)
ATTEMPTS = (
    select(QuizAttempt)
    .where(
        QuizAttempt.enrollment_id == bindparam("enrollment_id"),
        QuizAttempt.item_id == bindparam("item_id"),
    )
    .order_by(QuizAttempt.number)
)


def study_page(user_id: int, slug: str) -> StudyPage | None:
    """The user's enrolment in ``slug`` with its course, progress and version outline."""
    result = db.session.execute(STUDY_PAGE, {"slug": slug, "user_id": user_id})
    row = result.unique().first()
    if row is None:
        return None
    enrollment, content_hash, published_id = row
    outline = outline_of(enrollment.version_id, content_hash)
    newer = (
        not enrollment.is_complete
        and published_id is not None
        and published_id != enrollment.version_id
    )
    return StudyPage(enrollment, outline, newer)


def _progress_upsert(insert: Any) -> Any:
    statement = insert(ItemProgress)
    return statement.on_conflict_do_update(
        index_elements=[ItemProgress.enrollment_id, ItemProgress.item_id],
        set_={"seconds_spent": ItemProgress.seconds_spent + statement.excluded.seconds_spent},
    )


# Built once per dialect and run on the connection with the rows as parameters (one
# statement, executemany): building it per visit cost more than running it.
PROGRESS_UPSERTS = {
    "postgresql": _progress_upsert(postgresql.insert),
    "sqlite": _progress_upsert(sqlite.insert),
}


def note_visit(page: StudyPage, item: OutlineItem, now: datetime, cap: timedelta) -> None:
    """Make ``item`` the resume point and credit the previous view's time (capped).

    Without loading anything: one UPDATE of the enrolment, plus one upsert of
    progress rows when the item is opened for the first time or time is due.
    Its own short transaction, so on SQLite it waits for the write lock instead
    of failing on the page's read snapshot, and a reader never waits long.
    """
    enrollment = page.enrollment
    known = {i.id for i in page.outline.items}
    seconds: dict[int, int] = {}
    if enrollment.last_item_id in known and enrollment.last_seen_at is not None:
        elapsed = max(timedelta(0), min(now - enrollment.last_seen_at, cap))
        if int(elapsed.total_seconds()) > 0:
            seconds[enrollment.last_item_id] = int(elapsed.total_seconds())
    if item.id not in page.progress:
        seconds.setdefault(item.id, 0)
    rows = [
        {"enrollment_id": enrollment.id, "item_id": i, "first_opened_at": now, "seconds_spent": s}
        for i, s in seconds.items()
    ]
    enrollment_id = enrollment.id
    try:
        with writes(wait_ms=VISIT_WAIT_MS):
            # On the session's connection as Core statements: the ORM's bulk-statement
            # set-up cost more than the two statements, and no loaded object is touched.
            connection = db.session.connection()
            if rows:
                connection.execute(PROGRESS_UPSERTS[connection.dialect.name], rows)
            connection.execute(
                RESUME_POINT, {"enrollment_id": enrollment_id, "item_id": item.id, "seen_at": now}
            )
    except OperationalError as exc:
        # SQLite's write lock is held by something long (a backup, an import):
        # the page is shown all the same; the next view notes the visit.
        log.warning("visit of enrollment %s not noted: %s", enrollment_id, exc.orig)


def attempts_at(
    enrollment: Enrollment, item_id: int, *, learning: LearningSettings
) -> list[QuizAttempt]:
    """The learner's attempts at a quiz, oldest first, expired ones submitted."""
    attempts = list(
        db.session.scalars(ATTEMPTS, {"enrollment_id": enrollment.id, "item_id": item_id})
    )
    for attempt in attempts:
        finish_if_expired(attempt, learning=learning)
    return attempts
