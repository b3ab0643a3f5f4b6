"""Who an assignment reaches: the learners of a unit, a jabatan in a unit, or named NIPs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from elearn.accounts.services import descendants_of
from elearn.assignments.matching import same_position
from elearn.models import AssignmentTarget, Role, RoleGrant, TargetKind, User


@dataclass(frozen=True)
class Target:
    """One line of "who": kind and the columns that kind uses (see AssignmentTarget)."""

    kind: TargetKind
    unit_id: int | None = None
    include_subunits: bool = False
    position: str | None = None
    user_id: int | None = None

    def row(self) -> AssignmentTarget:
        return AssignmentTarget(
            kind=self.kind,
            unit_id=self.unit_id,
            include_subunits=self.include_subunits,
            position=self.position.strip() if self.position else None,
            user_id=self.user_id,
        )


def _condition(target: Target) -> ColumnElement[bool]:
    if target.unit_id is None:
        raise ValueError("a unit or jabatan target names its unit")
    if target.kind is TargetKind.UNIT and not target.include_subunits:
        return User.unit_id == target.unit_id
    units = User.unit_id.in_(descendants_of({target.unit_id}))
    if target.kind is TargetKind.UNIT:
        return units
    return and_(units, same_position(User.position, target.position or ""))


def learners_of(targets: Iterable[Target]) -> Select[int]:
    """Select the ids of the active learners the targets reach, each once."""
    targets = list(targets)
    conditions = [_condition(t) for t in targets if t.kind is not TargetKind.LEARNER]
    named = [t.user_id for t in targets if t.kind is TargetKind.LEARNER]
    if named:
        conditions.append(User.id.in_(named))
    learners = select(RoleGrant.user_id).where(RoleGrant.role == Role.LEARNER)
    return (
        select(User.id)
        .where(
            User.is_active,
            User.id.in_(learners),
            or_(*conditions) if conditions else false(),
        )
        .order_by(User.id)
    )
