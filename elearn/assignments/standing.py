"""Where each assigned learner stands, worked out in SQL: counts, the list, the CSV rows.

A learner is in exactly one state. Exempt wins; then completion before the due instant
(on time) or after it (late); then, unfinished, past the due instant (overdue); then
started (a module or quiz opened) or not started.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, exists, func, literal, select

from elearn.extensions import db
from elearn.models import Assignee, AssigneeState, Assignment, Enrollment, ItemProgress, User
from elearn.models.base import UTCDateTime


class Standing(StrEnum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    EXEMPT = "exempt"


# The one list of labels: pages, the CSV and the learner's dashboard use these.
STANDING_LABELS = {
    Standing.NOT_STARTED: _l("Belum mulai"),
    Standing.STARTED: _l("Sedang belajar"),
    Standing.ON_TIME: _l("Selesai tepat waktu"),
    Standing.LATE: _l("Selesai terlambat"),
    Standing.OVERDUE: _l("Lewat tenggat"),
    Standing.EXEMPT: _l("Dibebaskan"),
}


@dataclass(frozen=True)
class StandingCounts:
    """One assignment's learners by state."""

    counts: dict[Standing, int]

    def __getitem__(self, standing: Standing) -> int:
        return self.counts.get(standing, 0)

    @property
    def assigned(self) -> int:
        """Everyone under the assignment who is not exempt."""
        return sum(n for s, n in self.counts.items() if s is not Standing.EXEMPT)


def _standing(now: datetime) -> Any:
    started = exists().where(ItemProgress.enrollment_id == Enrollment.id)
    due = Assignment.due_at
    return case(
        (Assignee.state == AssigneeState.EXEMPT, literal(Standing.EXEMPT.value)),
        (
            and_(Enrollment.completed_at.is_not(None), Enrollment.completed_at < due),
            literal(Standing.ON_TIME.value),
        ),
        (Enrollment.completed_at.is_not(None), literal(Standing.LATE.value)),
        (literal(now, UTCDateTime()) >= due, literal(Standing.OVERDUE.value)),
        (started, literal(Standing.STARTED.value)),
        else_=literal(Standing.NOT_STARTED.value),
    )


def with_learner_and_enrolment(statement: Select[Any]) -> Select[Any]:
    """``statement`` over Assignee joined to its assignment, its learner and the learner's
    enrolment in the course (outer: an archived course may have enrolled nobody)."""
    return (
        statement.join(Assignment, Assignment.id == Assignee.assignment_id)
        .join(User, User.id == Assignee.user_id)
        .outerjoin(
            Enrollment,
            and_(
                Enrollment.user_id == Assignee.user_id,
                Enrollment.course_id == Assignee.course_id,
            ),
        )
    )


def _assignees(now: datetime, unit_ids: Collection[int] | None) -> Any:
    """Assignee rows with their learner, assignment, enrolment (if any) and standing."""
    statement = with_learner_and_enrolment(
        select(Assignee, User, Enrollment, _standing(now).label("standing"))
    )
    if unit_ids is not None:
        statement = statement.where(User.unit_id.in_(unit_ids))
    return statement


def counts_for(
    assignment_ids: Collection[int], now: datetime, unit_ids: Collection[int] | None
) -> dict[int, StandingCounts]:
    """Count each assignment's learners (in ``unit_ids``; None: all) by state, in one query."""
    if not assignment_ids:
        return {}
    rows = (
        _assignees(now, unit_ids)
        .with_only_columns(Assignee.assignment_id, _standing(now).label("standing"))
        .where(Assignee.assignment_id.in_(assignment_ids))
        .subquery()
    )
    grouped = db.session.execute(
        select(rows.c.assignment_id, rows.c.standing, func.count()).group_by(
            rows.c.assignment_id, rows.c.standing
        )
    )
    found: dict[int, dict[Standing, int]] = {i: {} for i in assignment_ids}
    for assignment_id, standing, count in grouped:
        found[assignment_id][Standing(standing)] = count
    return {i: StandingCounts(counts) for i, counts in found.items()}


@dataclass(frozen=True)
class AssigneeRow:
    assignee: Assignee
    learner: User
    enrollment: Enrollment | None
    standing: Standing

    @property
    def label(self) -> str:
        return str(STANDING_LABELS[self.standing])


def assignee_rows(
    assignment: Assignment,
    now: datetime,
    unit_ids: Collection[int] | None,
    *,
    standing: Standing | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Iterator[AssigneeRow]:
    """The learners of ``assignment`` with their state, by name; one query per call."""
    statement = _assignees(now, unit_ids).where(Assignee.assignment_id == assignment.id)
    if standing is not None:
        statement = statement.where(_standing(now) == standing.value)
    statement = statement.order_by(User.full_name, User.id).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    for assignee, learner, enrollment, state in db.session.execute(statement):
        yield AssigneeRow(assignee, learner, enrollment, Standing(state))
