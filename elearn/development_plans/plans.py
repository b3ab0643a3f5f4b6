"""A learner's plan for a year: drafting from the gaps, activities, and the status changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from elearn.competencies.gaps import CompetencyStatus, RecommendedCourse
from elearn.extensions import db
from elearn.models import (
    ActivityKind,
    Competency,
    Course,
    CourseVersion,
    DevelopmentPlan,
    PlanActivity,
    PlanDecision,
    PlanDecisionKind,
    PlanStatus,
    User,
    VersionStatus,
)
from elearn.problem_text import Problem
from elearn.records.routes import PLATFORM_ROUTE
from elearn.reports.audit import audit

EDITABLE = (PlanStatus.DRAFT, PlanStatus.CHANGES_REQUESTED)
MAX_ACTIVITIES = 30


class PlanRefused(ValueError):
    """The change cannot be made; the message is for the user (a Problem, Indonesian)."""


@dataclass(frozen=True)
class ActivityData:
    """What the learner enters for one activity (the course already resolved to its row)."""

    kind: ActivityKind
    competency_code: str | None
    target_level: int | None
    course_id: int | None
    course_title: str  # the published title, used when the learner leaves the name empty
    program_slug: str | None
    title: str
    route: str
    organiser: str
    starts_on: date | None
    due_on: date
    jp: int
    budget_rupiah: int
    curriculum_fit: str


def plan_of(user_id: int, year: int) -> DevelopmentPlan | None:
    """The plan of ``user_id`` for ``year`` with its activities and decisions."""
    return db.session.scalar(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.user_id == user_id, DevelopmentPlan.year == year)
        .options(
            selectinload(DevelopmentPlan.activities).joinedload(PlanActivity.course),
            selectinload(DevelopmentPlan.decisions).joinedload(PlanDecision.decided_by),
        )
    )


def is_editable(plan: DevelopmentPlan) -> bool:
    return plan.status in EDITABLE


def _require_editable(plan: DevelopmentPlan) -> None:
    if not is_editable(plan):
        raise PlanRefused(
            Problem(
                "Rencana ini sedang diajukan atau sudah disetujui sehingga tidak dapat diubah. "
                "Buka kembali rencana yang sudah disetujui untuk mengubahnya."
            )
        )


def start_plan(
    user: User,
    year: int,
    gaps: list[CompetencyStatus],
    recommended: dict[str, list[RecommendedCourse]],
) -> DevelopmentPlan:
    """Create the draft plan of ``user`` for ``year``, an activity per gap with a course.

    Each gap with a recommended course gets that course (the first, the lowest level
    that closes it) due at the year's end; the learner then edits dates and adds the
    rest. A second call (a double click) returns the plan the first one made.
    """
    existing = plan_of(user.id, year)
    if existing is not None:
        return existing
    slugs = [courses[0].slug for courses in recommended.values() if courses]
    rows = db.session.execute(select(Course.slug, Course.id).where(Course.slug.in_(slugs)))
    ids = {slug: course_id for slug, course_id in rows}
    plan = DevelopmentPlan(user_id=user.id, year=year, status=PlanStatus.DRAFT, notes="")
    for position, gap in enumerate(s for s in gaps if s.has_gap):
        courses = recommended.get(gap.code) or []
        if not courses or courses[0].slug not in ids:
            continue
        course = courses[0]
        plan.activities.append(
            PlanActivity(
                position=position,
                kind=ActivityKind.COURSE,
                competency_code=gap.code,
                target_level=gap.required,
                course_id=ids[course.slug],
                course_title=course.title[:300],
                title=course.title[:300],
                route=PLATFORM_ROUTE,
                organiser="",
                due_on=date(year, 12, 31),
                jp=course.jp,
                budget_rupiah=0,
                curriculum_fit="",
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(plan)
    except IntegrityError:  # the same plan started at the same moment: the constraint decided
        found = plan_of(user.id, year)
        if found is None:
            raise
        return found
    return plan


def _check(plan: DevelopmentPlan, data: ActivityData) -> None:
    if data.due_on.year != plan.year:
        raise PlanRefused(Problem("Tanggal target harus di tahun %(year)d.", year=plan.year))
    if data.starts_on is not None and data.starts_on > data.due_on:
        raise PlanRefused(Problem("Tanggal mulai tidak boleh sesudah tanggal target."))
    if data.kind == ActivityKind.COURSE and data.course_id is None:
        raise PlanRefused(Problem("Pilih kursus dari katalog."))
    if data.kind == ActivityKind.PROGRAM and not data.program_slug:
        raise PlanRefused(Problem("Isi kode program pembelajaran."))
    if data.kind != ActivityKind.COURSE and not data.title.strip():
        raise PlanRefused(Problem("Isi nama kegiatan."))


def _fill(activity: PlanActivity, data: ActivityData) -> None:
    activity.kind = data.kind
    activity.competency_code = data.competency_code or None
    activity.target_level = data.target_level
    activity.course_id = data.course_id if data.kind == ActivityKind.COURSE else None
    activity.program_slug = data.program_slug if data.kind == ActivityKind.PROGRAM else None
    activity.course_title = data.course_title[:300] if data.kind == ActivityKind.COURSE else ""
    title = data.title.strip()
    if data.kind == ActivityKind.COURSE and not title:
        title = data.course_title
    activity.title = title[:300]
    activity.route = data.route
    activity.organiser = data.organiser.strip()[:200]
    activity.starts_on = data.starts_on
    activity.due_on = data.due_on
    activity.jp = data.jp
    activity.budget_rupiah = data.budget_rupiah
    activity.curriculum_fit = data.curriculum_fit.strip()


def add_activity(plan: DevelopmentPlan, data: ActivityData) -> PlanActivity:
    """Add an activity to an editable plan."""
    _require_editable(plan)
    _check(plan, data)
    if len(plan.activities) >= MAX_ACTIVITIES:
        raise PlanRefused(Problem("Satu rencana paling banyak %(n)d kegiatan.", n=MAX_ACTIVITIES))
    activity = PlanActivity(position=max((a.position for a in plan.activities), default=-1) + 1)
    _fill(activity, data)
    plan.activities.append(activity)
    return activity


def update_activity(plan: DevelopmentPlan, activity: PlanActivity, data: ActivityData) -> None:
    """Change an activity of an editable plan."""
    _require_editable(plan)
    _check(plan, data)
    _fill(activity, data)


def remove_activity(plan: DevelopmentPlan, activity: PlanActivity) -> None:
    """Take an activity out of an editable plan."""
    _require_editable(plan)
    plan.activities.remove(activity)


def _move(plan: DevelopmentPlan, allowed: tuple[PlanStatus, ...], **values: object) -> bool:
    """Change the plan's row only if it is still in an ``allowed`` status (two tabs, one wins)."""
    outcome = db.session.execute(
        update(DevelopmentPlan)
        .where(DevelopmentPlan.id == plan.id, DevelopmentPlan.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(plan)
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


def submit_plan(plan: DevelopmentPlan, user: User, now: datetime) -> User:
    """Send the plan to the learner's atasan langsung; returns that supervisor."""
    supervisor = user.supervisor
    if supervisor is None or not supervisor.is_active:
        raise PlanRefused(
            Problem(
                "Atasan langsung Anda belum tercatat, sehingga rencana belum dapat diajukan. "
                "Hubungi admin kepegawaian."
            )
        )
    if not plan.activities:
        raise PlanRefused(Problem("Tambahkan paling sedikit satu kegiatan sebelum mengajukan."))
    _require_editable(plan)
    if not _move(
        plan,
        EDITABLE,
        status=PlanStatus.SUBMITTED,
        supervisor_id=supervisor.id,
        submitted_at=now,
        updated_at=now,
    ):
        raise PlanRefused(Problem("Rencana ini sudah diajukan."))
    audit(user, "plan.submit", {"plan": plan.id, "supervisor": supervisor.nip}, 1)
    return supervisor


def decide_plan(
    plan: DevelopmentPlan, supervisor: User, decision: PlanDecisionKind, comment: str, now: datetime
) -> PlanDecision:
    """Approve the plan submitted to ``supervisor``, or send it back with a comment."""
    comment = comment.strip()
    if decision == PlanDecisionKind.CHANGES_REQUESTED and not comment:
        raise PlanRefused(Problem("Tuliskan perubahan yang diminta."))
    approved = decision == PlanDecisionKind.APPROVED
    moved = plan.supervisor_id == supervisor.id and _move(
        plan,
        (PlanStatus.SUBMITTED,),
        status=PlanStatus.APPROVED if approved else PlanStatus.CHANGES_REQUESTED,
        approved_at=now if approved else None,
        updated_at=now,
    )
    if not moved:
        raise PlanRefused(Problem("Rencana ini tidak sedang menunggu keputusan Anda."))
    entry = PlanDecision(
        plan_id=plan.id,
        decided_by_id=supervisor.id,
        decision=decision,
        comment=comment,
        decided_at=now,
    )
    db.session.add(entry)
    db.session.flush()
    audit(supervisor, f"plan.{decision.value}", {"plan": plan.id}, 1)
    return entry


def reopen_plan(plan: DevelopmentPlan, user: User, now: datetime) -> None:
    """Turn an approved plan back into a draft; it needs the supervisor's approval again."""
    if not _move(
        plan, (PlanStatus.APPROVED,), status=PlanStatus.DRAFT, approved_at=None, updated_at=now
    ):
        raise PlanRefused(Problem("Hanya rencana yang sudah disetujui yang dapat dibuka kembali."))
    audit(user, "plan.reopen", {"plan": plan.id}, 1)


def may_write_notes(plan: DevelopmentPlan, user: User) -> bool:
    """The plan's owner, and the atasan langsung it was submitted to."""
    return user.id in (plan.user_id, plan.supervisor_id)


def set_notes(plan: DevelopmentPlan, author: User, notes: str) -> None:
    """Replace the plan's notes (in any status: they are no part of what is approved)."""
    plan.notes = notes.strip().replace("\r\n", "\n")[:5000]
    audit(author, "plan.notes", {"plan": plan.id}, 1)


def plans_for_supervisor(supervisor_id: int) -> list[DevelopmentPlan]:
    """Plans submitted to ``supervisor_id`` and those they decided, the waiting ones first."""
    plans = db.session.scalars(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.supervisor_id == supervisor_id)
        .options(selectinload(DevelopmentPlan.user), selectinload(DevelopmentPlan.activities))
        .order_by(DevelopmentPlan.year.desc(), DevelopmentPlan.submitted_at)
    )
    return sorted(plans, key=lambda p: p.status != PlanStatus.SUBMITTED)


def plan_for_supervisor(plan_id: int, supervisor_id: int) -> DevelopmentPlan | None:
    """The plan with ``plan_id`` if it was submitted to ``supervisor_id`` (else None: a 404)."""
    plan = db.session.scalar(
        select(DevelopmentPlan)
        .where(DevelopmentPlan.id == plan_id, DevelopmentPlan.supervisor_id == supervisor_id)
        .options(
            selectinload(DevelopmentPlan.user),
            selectinload(DevelopmentPlan.activities).joinedload(PlanActivity.course),
            selectinload(DevelopmentPlan.decisions).joinedload(PlanDecision.decided_by),
        )
    )
    return plan


@dataclass(frozen=True)
class CatalogCourse:
    id: int
    slug: str
    title: str
    jp: int


def published_courses() -> list[CatalogCourse]:
    """Every published course, by title: what a course activity can name."""
    rows = db.session.execute(
        select(Course.id, Course.slug, CourseVersion.title, CourseVersion.jp)
        .join(CourseVersion, CourseVersion.course_id == Course.id)
        .where(CourseVersion.status == VersionStatus.PUBLISHED)
        .order_by(CourseVersion.title)
    )
    return [CatalogCourse(*row) for row in rows]


def competency_codes() -> list[tuple[str, str]]:
    """The dictionary's (code, name) pairs, by code."""
    return list(
        db.session.execute(select(Competency.code, Competency.name).order_by(Competency.code))
    )
