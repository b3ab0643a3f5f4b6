"""A learner's competency profile against their jabatan's standard, and courses that close gaps."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, or_, select

from elearn.extensions import db
from elearn.models import (
    Competency,
    CompetencyAssessment,
    CompetencyLevel,
    CompetencyStandard,
    Course,
    CourseCompetency,
    CourseVersion,
    Enrollment,
    User,
    VersionStatus,
)

RECOMMENDED_PER_GAP = 3


@dataclass(frozen=True)
class CompetencyStatus:
    """One competency the learner's jabatan requires, with the latest assessed level."""

    code: str
    name: str
    kind: str
    required: int
    required_description: str
    current: int | None  # None: never assessed
    assessed_on: date | None
    source: str | None

    @property
    def gap(self) -> int:
        """Levels still to go; an unassessed competency counts from zero."""
        return max(0, self.required - (self.current or 0))

    @property
    def has_gap(self) -> bool:
        return self.gap > 0


@dataclass(frozen=True)
class RecommendedCourse:
    slug: str
    title: str
    jp: int
    level: int  # the level the course develops the competency to


def profiles_for(user_ids: Iterable[int]) -> dict[int, list[CompetencyStatus]]:
    """Each user's required competencies with their current levels, in one statement."""
    ids = list(user_ids)
    if not ids:
        return {}
    latest = (
        select(CompetencyAssessment.id)
        .where(
            CompetencyAssessment.user_id == User.id,
            CompetencyAssessment.competency_id == Competency.id,
        )
        .order_by(CompetencyAssessment.assessed_on.desc(), CompetencyAssessment.id.desc())
        .limit(1)
        .correlate(User, Competency)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            User.id,
            Competency.code,
            Competency.name,
            Competency.kind,
            CompetencyStandard.required_level,
            CompetencyLevel.description,
            CompetencyAssessment.level,
            CompetencyAssessment.assessed_on,
            CompetencyAssessment.source,
        )
        .join(CompetencyStandard, CompetencyStandard.position == User.position)
        .join(Competency, Competency.id == CompetencyStandard.competency_id)
        .outerjoin(
            CompetencyLevel,
            and_(
                CompetencyLevel.competency_id == Competency.id,
                CompetencyLevel.level == CompetencyStandard.required_level,
            ),
        )
        .outerjoin(CompetencyAssessment, CompetencyAssessment.id == latest)
        .where(User.id.in_(ids))
        .order_by(User.id, Competency.kind, Competency.code)
    )
    profiles: dict[int, list[CompetencyStatus]] = defaultdict(list)
    for user_id, code, name, kind, required, description, current, on, source in rows:
        profiles[user_id].append(
            CompetencyStatus(code, name, kind, required, description or "", current, on, source)
        )
    return dict(profiles)


def recommended_courses(
    user_id: int, statuses: list[CompetencyStatus]
) -> dict[str, list[RecommendedCourse]]:
    """Published courses developing each gap's competency to at least the required level.

    Courses the learner has completed are left out; one statement for all gaps.
    """
    gaps = [s for s in statuses if s.has_gap]
    if not gaps:
        return {}
    completed = exists().where(
        Enrollment.user_id == user_id,
        Enrollment.course_id == Course.id,
        Enrollment.completed_at.is_not(None),
    )
    rows = db.session.execute(
        select(
            CourseCompetency.competency_code,
            Course.slug,
            CourseVersion.title,
            CourseVersion.jp,
            CourseCompetency.level,
        )
        .join(CourseVersion, CourseVersion.id == CourseCompetency.version_id)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(
            CourseVersion.status == VersionStatus.PUBLISHED,
            or_(
                *(
                    and_(
                        CourseCompetency.competency_code == s.code,
                        CourseCompetency.level >= s.required,
                    )
                    for s in gaps
                )
            ),
            ~completed,
        )
        .order_by(CourseCompetency.competency_code, CourseCompetency.level, CourseVersion.title)
    )
    found: dict[str, list[RecommendedCourse]] = defaultdict(list)
    for code, slug, title, jp, level in rows:
        if len(found[code]) < RECOMMENDED_PER_GAP:
            found[code].append(RecommendedCourse(slug, title, jp, level))
    return dict(found)


def direct_reports(supervisor_id: int) -> list[User]:
    """The users whose atasan langsung is ``supervisor_id``, by name."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.supervisor_id == supervisor_id, User.is_active.is_(True))
            .order_by(User.full_name)
        )
    )
