"""Learners who arrive later: created in, or moved into, a unit or jabatan already assigned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select

from elearn.assignments.assignees import assign_learners
from elearn.assignments.matching import same_position
from elearn.extensions import db
from elearn.models import Assignment, AssignmentTarget, Role, TargetKind, Unit, User


def assign_arrival(user: User, now: datetime) -> int:
    """Give ``user`` every running assignment whose unit or jabatan target now reaches them.

    Called after an account is created or changed (flushed). A unit target reaches its own
    unit, with sub-units every unit below it; a jabatan target its unit and below, for the
    same jabatan. Assignments already past due are not handed to newcomers.
    """
    if not user.is_active or not user.has_role(Role.LEARNER):
        return 0
    # Read the unit afresh: after a move the loaded relationship may still be the old one.
    unit = db.session.get(Unit, user.unit_id)
    ancestors = [u.id for u in unit.ancestors()] if unit is not None else [user.unit_id]
    reached = [
        and_(AssignmentTarget.kind == TargetKind.UNIT, AssignmentTarget.unit_id == user.unit_id),
        and_(
            AssignmentTarget.kind == TargetKind.UNIT,
            AssignmentTarget.include_subunits,
            AssignmentTarget.unit_id.in_(ancestors),
        ),
    ]
    if user.position and user.position.strip():
        reached.append(
            and_(
                AssignmentTarget.kind == TargetKind.POSITION,
                AssignmentTarget.unit_id.in_(ancestors),
                same_position(AssignmentTarget.position, user.position),
            )
        )
    assignments = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.due_at > now,
            Assignment.id.in_(select(AssignmentTarget.assignment_id).where(or_(*reached))),
        )
        .order_by(Assignment.id)
    ).all()
    return sum(assign_learners(assignment, [user.id], now) for assignment in assignments)
