"""Finding published courses: text search and filters."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select

from elearn.extensions import db
from elearn.learning.visits import CourseRow
from elearn.models import (
    Course,
    CourseItem,
    CourseVersion,
    Enrollment,
    ItemKind,
    VersionStatus,
)
from elearn.models.rows import Columns

# JP bands offered as a filter: (label value, lowest, highest or None).
JP_BANDS = {"1-2": (1, 2), "3-5": (3, 5), "6-10": (6, 10), "11+": (11, None)}


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    category: str = ""
    competency: str = ""
    jp: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing narrows the catalog (an unknown JP band narrows nothing either)."""
        return not (self.text.strip() or self.category or self.competency) and (
            self.jp not in JP_BANDS
        )


@dataclass(frozen=True)
class CatalogVersion:
    """What a catalog card reads of a published version: plain values, not a session's object."""

    id: int
    course_id: int
    title: str
    summary: str
    category: str
    competency: str
    jp: int
    prerequisites: list[str]
    course: CourseRow


@dataclass(frozen=True)
class CatalogRow:
    """One card: the version, its modules and minutes, the learner's enrolment if any."""

    version: CatalogVersion
    modules: int
    minutes: int
    completed_at: datetime | None
    enrollment_id: int | None


_VERSION = Columns(
    CourseVersion, keys=tuple(f.name for f in fields(CatalogVersion) if f.name != "course")
)


def _published_versions() -> Select[Any]:
    """The published versions' card columns, their counts and the learner's enrolment, as
    plain columns: the page only reads them, and the ORM's set-up, row processing and
    identity map cost more than the query. A version's overview, its largest column, is
    not read (the course page reads it with its own statement)."""
    version, course, item, enrollment = (
        m.__table__ for m in (CourseVersion, Course, CourseItem, Enrollment)
    )
    modules = (
        select(func.count(item.c.id))
        .where(item.c.version_id == version.c.id, item.c.kind == ItemKind.MODULE)
        .correlate(version)
        .scalar_subquery()
    )
    minutes = (
        select(func.coalesce(func.sum(item.c.minutes), 0))
        .where(item.c.version_id == version.c.id)
        .correlate(version)
        .scalar_subquery()
    )
    # The learner's enrolment in each course (at most one: unique per user and course), so
    # the cards say "in progress" or "done" without a statement of their own.
    mine = and_(enrollment.c.course_id == course.c.id, enrollment.c.user_id == bindparam("user_id"))
    return (
        select(
            *_VERSION.columns,
            course.c.slug,
            modules,
            minutes,
            enrollment.c.completed_at,
            enrollment.c.id,
        )
        .select_from(version.join(course, version.c.course_id == course.c.id))
        .outerjoin(enrollment, mine)
        .where(version.c.status == VersionStatus.PUBLISHED)
        .order_by(version.c.title)
    )


# Built once: the unfiltered catalog (most views) runs this as it is, and building it
# cost about as much as running it (SQLAlchemy caches the compiled SQL, not the statement).
PUBLISHED_VERSIONS = _published_versions()


def published_versions(query: CatalogQuery) -> Select[Any]:
    """Select the published version of every course matching ``query``, by title.

    Each row also counts the version's modules and adds up their minutes, and carries the
    completion time and id of the enrolment of the learner bound as ``user_id`` (None when
    not enrolled), so the catalog reads its cards in one statement whatever the number of
    courses.
    """
    version = CourseVersion.__table__.c
    statement = PUBLISHED_VERSIONS
    if query.text.strip():
        like = f"%{query.text.strip().lower()}%"
        statement = statement.where(
            or_(func.lower(version.title).like(like), func.lower(version.summary).like(like))
        )
    if query.category:
        statement = statement.where(version.category == query.category)
    if query.competency:
        statement = statement.where(version.competency == query.competency)
    if query.jp in JP_BANDS:
        low, high = JP_BANDS[query.jp]
        statement = statement.where(version.jp >= low)
        if high is not None:
            statement = statement.where(version.jp <= high)
    return statement


def catalog_rows(query: CatalogQuery, user_id: int) -> list[CatalogRow]:
    """The cards of the courses matching ``query``, by title, for the learner ``user_id``."""
    # On the session's connection: plain columns need none of Session.execute's set-up.
    found = db.session.connection().execute(published_versions(query), {"user_id": user_id})
    at = len(_VERSION.keys)
    cards = []
    for row in found:
        values = _VERSION.values(row)
        version = CatalogVersion(**values, course=CourseRow(values["course_id"], row[at]))
        cards.append(CatalogRow(version, *row[at + 1 :]))
    return cards


CATEGORIES = (
    select(CourseVersion.category)
    .where(CourseVersion.status == VersionStatus.PUBLISHED)
    .distinct()
    .order_by(CourseVersion.category)
)


def categories() -> Select[str]:
    """Select the categories that have a published course."""
    return CATEGORIES
