"""A learner's page view: the enrolment read in one query, the visit noted in one short write."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import contains_eager, defer, joinedload

from elearn.database import WHOLE_TRANSACTION, runs_alone, write_in_place
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
from elearn.models.rows import Columns
from elearn.settings import LearningSettings

log = logging.getLogger(__name__)
# On SQLite, how long a page view waits for the write lock to note the visit.
VISIT_WAIT_MS = 250


@dataclass(frozen=True)
class CourseRow:
    id: int
    slug: str


@dataclass(frozen=True)
class EnrollmentRow:
    """What the study page reads of an enrolment: plain values, not a session's object."""

    id: int
    user_id: int
    course_id: int
    version_id: int
    last_item_id: int | None
    last_seen_at: datetime | None
    completed_at: datetime | None
    course: CourseRow

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


@dataclass(frozen=True)
class ProgressRow:
    item_id: int
    first_opened_at: datetime
    seconds_spent: int
    completed_at: datetime | None


@dataclass(frozen=True)
class StudyPage:
    """A module page or quiz landing as read: the enrolment, its progress rows, the outline."""

    enrollment: EnrollmentRow
    rows: tuple[ProgressRow, ...]  # every progress row, older versions' items too
    outline: Outline
    newer: bool  # a newer published version exists and the course is not finished

    @cached_property
    def progress(self) -> dict[int, ProgressRow]:
        return self.outline.progress_of(self.rows)

    @cached_property
    def done(self) -> frozenset[int]:
        """The ids of this version's items the learner completed: the outline's marks."""
        return frozenset(i for i, p in self.progress.items() if p.completed_at is not None)


@dataclass(frozen=True)
class EnrolledOutline:
    """The enrolment as a session's object with its progress, for the views that change it."""

    enrollment: Enrollment
    outline: Outline


_ENROLLMENT = Columns(
    Enrollment,
    keys=(
        "id",
        "user_id",
        "course_id",
        "version_id",
        "last_item_id",
        "last_seen_at",
        "completed_at",
    ),
)
_PROGRESS = Columns(
    ItemProgress, keys=("item_id", "first_opened_at", "seconds_spent", "completed_at")
)


def _study_page_statement() -> Select[Any]:
    """The enrolment, its course's slug, its version's hash, the published version, the progress.

    Plain columns, one row per progress row (one with nulls when there is none): the page
    only reads them, and the ORM's set-up, row processing and identity map cost more than
    the query did (the visit's commit then expired every object it had loaded).
    """
    enrollment, course, version, progress = (
        m.__table__ for m in (Enrollment, Course, CourseVersion, ItemProgress)
    )
    current = version.alias("current")
    published = (
        select(current.c.id)
        .where(
            current.c.course_id == enrollment.c.course_id,
            current.c.status == VersionStatus.PUBLISHED,
        )
        .correlate(enrollment)
        .scalar_subquery()
    )
    return (
        select(
            *_ENROLLMENT.columns,
            course.c.slug,
            version.c.content_hash,
            published,
            *_PROGRESS.columns,
        )
        .select_from(
            enrollment.join(course, enrollment.c.course_id == course.c.id)
            .join(version, version.c.id == enrollment.c.version_id)
            .outerjoin(progress, progress.c.enrollment_id == enrollment.c.id)
        )
        .where(course.c.slug == bindparam("slug"), enrollment.c.user_id == bindparam("user_id"))
    )


def _enrolled_outline_statement() -> Select[Enrollment, str]:
    return (
        select(Enrollment, CourseVersion.content_hash)
        .join(Course, Enrollment.course_id == Course.id)
        .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
        .where(Course.slug == bindparam("slug"), Enrollment.user_id == bindparam("user_id"))
        .options(contains_eager(Enrollment.course), joinedload(Enrollment.progress))
    )


# The page's statements are built once with bound parameters: building them anew on every
# view cost more than running them (SQLAlchemy caches the compiled SQL, not the objects).
STUDY_PAGE = _study_page_statement()
ENROLLED_OUTLINE = _enrolled_outline_statement()
RESUME_POINT = (
    update(Enrollment)
    .where(Enrollment.id == bindparam("enrollment_id"))
    .values(
        last_item_id=bindparam("item_id", type_=Integer),
        last_seen_at=bindparam("seen_at", type_=UTCDateTime()),
        # Named, not left to the column's onupdate: SQLAlchemy fills that in for a plain
        # UPDATE but not for one carrying the visit's upsert as a CTE (PostgreSQL).
        updated_at=bindparam("seen_at", type_=UTCDateTime()),
    )
    .execution_options(synchronize_session=False)
)
# The landing lists each attempt's number, times, score and verdict: the drawn paper, the
# answers and the per-question results (JSON it never shows, parsed for every attempt) are
# read only when an expired attempt is submitted on the way (``finish_if_expired``).
ATTEMPTS = (
    select(QuizAttempt)
    .options(defer(QuizAttempt.paper), defer(QuizAttempt.answers), defer(QuizAttempt.results))
    .where(
        QuizAttempt.enrollment_id == bindparam("enrollment_id"),
        QuizAttempt.item_id == bindparam("item_id"),
    )
    .order_by(QuizAttempt.number)
)
_AT_SLUG = len(_ENROLLMENT.keys)  # the course's slug, then the hash, the published version id
_AT_PROGRESS = _AT_SLUG + 3


def study_page(user_id: int, slug: str) -> StudyPage | None:
    """The user's enrolment in ``slug`` with its progress and version outline, read only."""
    # On the session's connection: plain columns need none of Session.execute's set-up.
    result = db.session.connection().execute(STUDY_PAGE, {"slug": slug, "user_id": user_id}).all()
    if not result:
        return None
    first = result[0]
    values = _ENROLLMENT.values(first)
    course_slug, content_hash, published_id = first[_AT_SLUG:_AT_PROGRESS]
    enrollment = EnrollmentRow(**values, course=CourseRow(values["course_id"], course_slug))
    rows = tuple(
        ProgressRow(**_PROGRESS.values(row, _AT_PROGRESS))
        for row in result
        if row[_AT_PROGRESS] is not None  # the outer join's row of an enrolment without progress
    )
    outline = outline_of(enrollment.version_id, content_hash)
    newer = (
        not enrollment.is_complete
        and published_id is not None
        and published_id != enrollment.version_id
    )
    return StudyPage(enrollment, rows, outline, newer)


def enrolled_outline(user_id: int, slug: str) -> EnrolledOutline | None:
    """The user's enrolment in ``slug`` (course and progress loaded) and its version outline."""
    result = db.session.execute(ENROLLED_OUTLINE, {"slug": slug, "user_id": user_id})
    row = result.unique().first()
    if row is None:
        return None
    enrollment, content_hash = row
    return EnrolledOutline(enrollment, outline_of(enrollment.version_id, content_hash))


def _progress_upsert(insert: Any) -> Any:
    statement = insert(ItemProgress)
    return statement.on_conflict_do_update(
        index_elements=[ItemProgress.enrollment_id, ItemProgress.item_id],
        set_={"seconds_spent": ItemProgress.seconds_spent + statement.excluded.seconds_spent},
    )


# Built once and run on the connection with the rows as parameters (one statement,
# executemany): building it per visit cost more than running it.
SQLITE_PROGRESS_UPSERT = _progress_upsert(sqlite.insert)


def _visit_statement(rows: int, *, alone: bool) -> Any:
    """PostgreSQL: the resume point and ``rows`` progress upserts as one statement.

    One statement is atomic by itself, so a page view, which reads in autocommit, writes
    its visit without a transaction block: one round trip instead of BEGIN, two statements
    and COMMIT. (SQLite has no INSERT inside WITH; it runs the two statements.)

    ``alone``: the statement is its transaction, and that transaction's commit does not
    wait for the WAL to reach the disk (``synchronous_commit`` off for it alone, set as the
    row is matched). A crash of the database server can lose the last fraction of a second
    of visits, so a learner resumes a page earlier; nothing else changes, and the database
    stays consistent (PostgreSQL's "asynchronous commit"). When the page wrote something
    before (an expired attempt submitted), the visit joins that transaction and its commit
    stays synchronous.
    """
    statement = RESUME_POINT
    if alone:
        relaxed = func.set_config("synchronous_commit", "off", True).is_not(None)
        statement = statement.where(relaxed)
    if rows:
        upsert = _progress_upsert(postgresql.insert).values(
            [
                {
                    "enrollment_id": bindparam("enrollment_id"),
                    "item_id": bindparam(f"progress_item_{row}", type_=Integer),
                    "first_opened_at": bindparam("seen_at"),
                    "seconds_spent": bindparam(f"progress_seconds_{row}", type_=Integer),
                }
                for row in range(rows)
            ]
        )
        statement = statement.add_cte(upsert.cte("progress"))
    return statement.execution_options(**WHOLE_TRANSACTION)


# A visit credits at most two items: the one viewed before and the one opened.
POSTGRESQL_VISITS = {
    alone: tuple(_visit_statement(rows, alone=alone) for rows in range(3))
    for alone in (True, False)
}


def note_visit(page: StudyPage, item: OutlineItem, now: datetime, cap: timedelta) -> None:
    """Make ``item`` the resume point and credit the previous view's time (capped).

    Without loading anything: one UPDATE of the enrolment, plus one upsert of
    progress rows when the item is opened for the first time or time is due; on
    PostgreSQL the two are one statement. On SQLite it goes in the page's read
    transaction when no other write has committed since the page read (it then credits
    exactly what the page read); otherwise in a short transaction of its own, waiting at
    most ``VISIT_WAIT_MS`` for the write lock (``write_in_place``).
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
    resume: dict[str, Any] = {"enrollment_id": enrollment.id, "item_id": item.id, "seen_at": now}

    def write(connection: Connection) -> None:
        # On the session's connection as Core statements: the ORM's bulk-statement set-up
        # cost more than the statements, and no loaded object is touched.
        if connection.dialect.name == "postgresql":
            for row, (item_id, spent) in enumerate(seconds.items()):
                resume[f"progress_item_{row}"] = item_id
                resume[f"progress_seconds_{row}"] = spent
            connection.execute(POSTGRESQL_VISITS[runs_alone(connection)][len(seconds)], resume)
            return
        if seconds:
            rows = [
                {
                    "enrollment_id": enrollment.id,
                    "item_id": item_id,
                    "first_opened_at": now,
                    "seconds_spent": spent,
                }
                for item_id, spent in seconds.items()
            ]
            connection.execute(SQLITE_PROGRESS_UPSERT, rows)
        connection.execute(RESUME_POINT, resume)

    try:
        write_in_place(write, wait_ms=VISIT_WAIT_MS)
    except OperationalError as exc:
        # SQLite's write lock is held by something long (a backup, an import):
        # the page is shown all the same; the next view notes the visit.
        log.warning("visit of enrollment %s not noted: %s", enrollment.id, exc.orig)


def attempts_at(
    enrollment_id: int, item_id: int, *, learning: LearningSettings
) -> list[QuizAttempt]:
    """The learner's attempts at a quiz, oldest first, expired ones submitted."""
    attempts = list(
        db.session.scalars(ATTEMPTS, {"enrollment_id": enrollment_id, "item_id": item_id})
    )
    for attempt in attempts:
        finish_if_expired(attempt, learning=learning)
    return attempts
