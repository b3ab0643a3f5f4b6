"""Finding published courses: text search and filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager, defer

from elearn.models import (
    Course,
    CourseItem,
    CourseVersion,
    Enrollment,
    ItemKind,
    VersionStatus,
)

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


def _published_versions() -> Select[CourseVersion, int, int, datetime | None, int | None]:
    modules = (
        select(func.count(CourseItem.id))
        .where(CourseItem.version_id == CourseVersion.id, CourseItem.kind == ItemKind.MODULE)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    minutes = (
        select(func.coalesce(func.sum(CourseItem.minutes), 0))
        .where(CourseItem.version_id == CourseVersion.id)
        .correlate(CourseVersion)
        .scalar_subquery()
    )
    # The learner's enrolment in each course (at most one: unique per user and course), so
    # the cards say "in progress" or "done" without a statement of their own.
    mine = and_(Enrollment.course_id == Course.id, Enrollment.user_id == bindparam("user_id"))
    return (
        select(CourseVersion, modules, minutes, Enrollment.completed_at, Enrollment.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .outerjoin(Enrollment, mine)
        # The catalog's cards never show a course's overview, its largest column (the course
        # page reads it with its own statement); reading it here fails loudly.
        .options(
            contains_eager(CourseVersion.course),
            defer(CourseVersion.overview_html, raiseload=True),
        )
        .where(CourseVersion.status == VersionStatus.PUBLISHED)
        .order_by(CourseVersion.title)
    )


# Built once: the unfiltered catalog (most views) runs this as it is, and building it
# cost about as much as running it (SQLAlchemy caches the compiled SQL, not the statement).
PUBLISHED_VERSIONS = _published_versions()


def published_versions(
    query: CatalogQuery,
) -> Select[CourseVersion, int, int, datetime | None, int | None]:
    """Select the published version of every course matching ``query``, by title.

    Each row also counts the version's modules and adds up their minutes, and carries the
    completion time and id of the enrolment of the learner bound as ``user_id`` (None when
    not enrolled), so the catalog reads its cards in one statement whatever the number of
    courses.
    """
    statement = PUBLISHED_VERSIONS
    if query.text.strip():
        like = f"%{query.text.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(CourseVersion.title).like(like),
                func.lower(CourseVersion.summary).like(like),
            )
        )
    if query.category:
        statement = statement.where(CourseVersion.category == query.category)
    if query.competency:
        statement = statement.where(CourseVersion.competency == query.competency)
    if query.jp in JP_BANDS:
        low, high = JP_BANDS[query.jp]
        statement = statement.where(CourseVersion.jp >= low)
        if high is not None:
            statement = statement.where(CourseVersion.jp <= high)
    return statement


CATEGORIES = (
    select(CourseVersion.category)
    .where(CourseVersion.status == VersionStatus.PUBLISHED)
    .distinct()
    .order_by(CourseVersion.category)
)


def categories() -> Select[str]:
    """Select the categories that have a published course."""
    return CATEGORIES
