"""Making a course mandatory for a target, within the assigner's scope; exemptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from elearn.accounts.services import scoped_unit_ids
from elearn.assignments.assignees import assign_learners
from elearn.assignments.targets import Target, learners_of
from elearn.coordinator.scope import can_manage
from elearn.extensions import db
from elearn.i18n import zone_for
from elearn.models import (
    Assignee,
    AssigneeState,
    Assignment,
    Course,
    Role,
    TargetKind,
    Unit,
    User,
)
from elearn.problem_text import Problem
from elearn.reports.audit import audit
from elearn.settings import Settings

REASON_MAX = 200


class AssignmentRefused(ValueError):
    """The assignment cannot be made as asked; the message (a Problem) says why."""


class OutOfScope(AssignmentRefused):
    """A course, unit or learner outside what the assigner may manage."""


@dataclass
class AssignmentData:
    """What the coordinator's form (or a test) asks for."""

    course_id: int
    reason: str
    starts_on: date
    due_on: date
    targets: list[Target] = field(default_factory=list)


def assignable_unit_ids(actor: User) -> set[int] | None:
    """Units ``actor`` may assign to, sub-units included; None means every unit (admins)."""
    if actor.has_role(Role.ADMIN):
        return None
    if not actor.has_role(Role.COORDINATOR):
        return set()
    return scoped_unit_ids(actor, Role.COORDINATOR)


def due_instant(due_on: date, zone: ZoneInfo) -> datetime:
    """The first instant after the due day in ``zone``: on time means completed before it."""
    return datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _check_targets(targets: list[Target], allowed: set[int] | None) -> None:
    if not targets:
        raise AssignmentRefused(Problem("Pilih siapa yang mendapat penugasan."))
    for target in targets:
        if target.kind is TargetKind.LEARNER:
            learner = db.session.get(User, target.user_id)
            unit_id = learner.unit_id if learner is not None else None
        else:
            unit_id = target.unit_id
            if unit_id is None or db.session.get(Unit, unit_id) is None:
                raise AssignmentRefused(Problem("Unit kerja tidak ditemukan."))
            if target.kind is TargetKind.POSITION and not (target.position or "").strip():
                raise AssignmentRefused(Problem("Isi jabatan yang ditugaskan."))
        if unit_id is None or (allowed is not None and unit_id not in allowed):
            raise OutOfScope(Problem("Di luar unit kerja yang Anda kelola."))


def create_assignment(
    data: AssignmentData, actor: User, settings: Settings, now: datetime
) -> Assignment:
    """Make the course mandatory for the targets' learners and enrol them (not committed).

    Refuses with OutOfScope a course ``actor`` may not manage or a unit or learner outside
    their units; with AssignmentRefused a course not open or dates that make no sense.
    """
    course = db.session.get(Course, data.course_id)
    if course is None or not can_manage(actor, course):
        raise OutOfScope(Problem("Kursus tidak ditemukan di antara kursus yang Anda kelola."))
    if course.published_version is None:
        raise AssignmentRefused(Problem("Kursus ini belum diterbitkan; terbitkan dahulu."))
    reason = data.reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise AssignmentRefused(
            Problem("Alasan wajib diisi, paling banyak %(n)d karakter.", n=REASON_MAX)
        )
    if data.due_on < data.starts_on:
        raise AssignmentRefused(Problem("Tenggat tidak boleh sebelum tanggal mulai."))
    zone = zone_for(actor, settings.default_timezone)
    if data.due_on < now.astimezone(zone).date():
        raise AssignmentRefused(Problem("Tenggat sudah lewat."))
    _check_targets(data.targets, assignable_unit_ids(actor))
    assignment = Assignment(
        course_id=course.id,
        reason=reason,
        starts_on=data.starts_on,
        due_on=data.due_on,
        due_at=due_instant(data.due_on, zone),
        timezone=zone.key,
        created_by_id=actor.id,
        created_at=now,
        targets=[target.row() for target in data.targets],
    )
    db.session.add(assignment)
    db.session.flush()
    learners = db.session.scalars(learners_of(data.targets)).all()
    count = assign_learners(assignment, learners, now)
    audit(actor, "assignment.create", {"assignment_id": assignment.id}, count)
    return assignment


def exempt(assignee: Assignee, reason: str, actor: User, now: datetime) -> None:
    """Free one learner from an assignment, saying why; the enrolment stays theirs."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise AssignmentRefused(
            Problem("Alasan pembebasan wajib diisi, paling banyak %(n)d karakter.", n=REASON_MAX)
        )
    assignee.state = AssigneeState.EXEMPT
    assignee.exempt_reason = reason
    assignee.exempted_by_id = actor.id
    assignee.exempted_at = now


def reinstate(assignee: Assignee) -> None:
    """Undo an exemption: the learner is assigned again."""
    assignee.state = AssigneeState.ASSIGNED
    assignee.exempt_reason = None
    assignee.exempted_by_id = None
    assignee.exempted_at = None


def visible_assignments(actor: User) -> list[Assignment]:
    """The assignments of courses ``actor`` may manage, newest first."""
    statement = (
        select(Assignment)
        .join(Course)
        # The list names each course by its published title: one statement for them all.
        .options(contains_eager(Assignment.course).selectinload(Course.versions))
        .order_by(Assignment.id.desc())
    )
    if not actor.has_role(Role.ADMIN):
        statement = statement.where(Course.unit_id.in_(scoped_unit_ids(actor, Role.COORDINATOR)))
    return list(db.session.scalars(statement))
