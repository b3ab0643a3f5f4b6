"""Factories for AKPK tests: plans, activities, courses with competencies, assignments.

The plan pages are built elsewhere (the IDP work); these write the rows those pages would.
"""

from __future__ import annotations

import itertools
from datetime import date
from zoneinfo import ZoneInfo

from elearn.assignments.service import due_instant
from elearn.extensions import db
from elearn.models import (
    ActivityKind,
    Assignee,
    AssigneeState,
    Assignment,
    Competency,
    CompetencyKind,
    Course,
    CourseCompetency,
    CourseVersion,
    DevelopmentPlan,
    PlanActivity,
    PlanStatus,
    Unit,
    User,
    VersionStatus,
)

_sequence = itertools.count(1)


def make_competency(code: str, name: str, kind: CompetencyKind) -> Competency:
    competency = Competency(code=code, name=name, kind=kind)
    db.session.add(competency)
    db.session.commit()
    return competency


def make_plan(
    user: User, year: int = 2026, status: PlanStatus = PlanStatus.APPROVED
) -> DevelopmentPlan:
    plan = DevelopmentPlan(user_id=user.id, year=year, status=status)
    db.session.add(plan)
    db.session.commit()
    return plan


def make_activity(
    plan: DevelopmentPlan,
    *,
    title: str = "Bimbingan teknis analisis data",
    competency_code: str | None = "T.01",
    target_level: int | None = 3,
    kind: ActivityKind = ActivityKind.EXTERNAL,
    route: str = "bimbingan-teknis",
    organiser: str = "BPSDM Provinsi Sulawesi Tengah",
    starts_on: date | None = date(2026, 4, 1),
    due_on: date = date(2026, 4, 3),
    jp: int = 24,
    budget_rupiah: int = 0,
    curriculum_fit: str = "",
    course: Course | None = None,
) -> PlanActivity:
    activity = PlanActivity(
        plan_id=plan.id,
        position=next(_sequence),
        kind=kind,
        competency_code=competency_code,
        target_level=target_level,
        course_id=course.id if course else None,
        title=title,
        route=route,
        organiser=organiser,
        starts_on=starts_on,
        due_on=due_on,
        jp=jp,
        budget_rupiah=budget_rupiah,
        curriculum_fit=curriculum_fit,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def make_course(
    slug: str,
    *,
    title: str = "Keamanan Informasi",
    jp: int = 5,
    kind: str = "teknis",
    owner: Unit | None = None,
    competencies: tuple[tuple[str, int], ...] = (),
    status: VersionStatus = VersionStatus.PUBLISHED,
    number: int = 1,
    course: Course | None = None,
) -> Course:
    """A course (or, given ``course``, another version of it) declaring ``competencies``."""
    if course is None:
        course = Course(slug=slug, unit_id=owner.id if owner else None)
        db.session.add(course)
        db.session.flush()
    version = CourseVersion(
        course_id=course.id, number=number, content_hash=f"{next(_sequence):064x}", status=status,
        title=title, summary="", category="administrasi-digital", competency=kind, jp=jp,
        level="dasar", language="id", overview_html="",
    )  # fmt: skip
    db.session.add(version)
    db.session.flush()
    for code, level in competencies:
        db.session.add(CourseCompetency(version_id=version.id, competency_code=code, level=level))
    db.session.commit()
    return course


def make_assignment(
    course: Course,
    assigned: list[User],
    *,
    exempt: tuple[User, ...] = (),
    starts_on: date = date(2026, 3, 2),
    due_on: date = date(2026, 3, 10),
    reason: str = "Wajib: Keamanan Informasi 2026",
) -> Assignment:
    assignment = Assignment(
        course_id=course.id, reason=reason, starts_on=starts_on, due_on=due_on,
        due_at=due_instant(due_on, ZoneInfo("Asia/Makassar")), timezone="Asia/Makassar",
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    for user in assigned:
        db.session.add(Assignee(assignment_id=assignment.id, user_id=user.id, course_id=course.id))
    for user in exempt:
        db.session.add(
            Assignee(assignment_id=assignment.id, user_id=user.id, course_id=course.id,
                     state=AssigneeState.EXEMPT, exempt_reason="Cuti besar")
        )  # fmt: skip
    db.session.commit()
    return assignment
