"""Create the reminders due now for the learners of some units, one statement per chunk.

Each statement is ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING kind``: the
``NOT EXISTS`` skips reminders made in an earlier pass, and the unique constraints settle
two passes running at the same moment (the second insert of a row does nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, null, select
from sqlalchemy.dialects import postgresql, sqlite

from elearn.assignments.standing import with_learner_and_enrolment
from elearn.extensions import db
from elearn.models import Assignee, AssigneeState, Assignment, Enrollment, Reminder, User
from elearn.models.base import UTCDateTime
from elearn.reminders.kinds import Family, Kind
from elearn.reminders.windows import Window
from elearn.settings import ReminderSettings


def insert_reminder() -> Any:
    """``INSERT INTO reminder`` of the session's dialect, which has ON CONFLICT DO NOTHING."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Reminder)


def create_deadline_reminders(
    unit_ids: Sequence[int], today: date, windows: Sequence[Window], now: datetime
) -> list[str]:
    """Reminders of unfinished, non-exempt assignments in their window today; their kinds."""
    if not unit_ids or not windows:
        return []
    at = literal(now, UTCDateTime())
    # The window's kind, for a due date in it and a deadline on the right side of now
    # (the due day is a date; the deadline instant is the assigner's midnight after it).
    kind = case(
        *[
            (
                and_(
                    Assignment.due_on.between(window.first, window.last),
                    Assignment.due_at <= at if window.overdue else Assignment.due_at > at,
                ),
                literal(window.kind.name),
            )
            for window in windows
        ],
        else_=null(),
    )
    candidates = (
        with_learner_and_enrolment(
            select(
                Assignee.user_id,
                Assignee.course_id,
                Assignee.assignment_id,
                kind.label("kind"),
            )
        )
        .where(
            Assignee.state == AssigneeState.ASSIGNED,
            User.is_active.is_(True),
            User.unit_id.in_(unit_ids),
            Enrollment.completed_at.is_(None),
            Assignment.starts_on <= today,
            Assignment.due_on.between(
                min(window.first for window in windows), max(window.last for window in windows)
            ),
        )
        .subquery()
    )
    already = exists().where(
        Reminder.assignment_id == candidates.c.assignment_id,
        Reminder.user_id == candidates.c.user_id,
        Reminder.kind == candidates.c.kind,
    )
    rows = select(
        candidates.c.user_id,
        candidates.c.course_id,
        candidates.c.assignment_id,
        candidates.c.kind,
        at,
    ).where(candidates.c.kind.is_not(None), ~already)
    statement = (
        insert_reminder()
        .from_select(["user_id", "course_id", "assignment_id", "kind", "created_at"], rows)
        .on_conflict_do_nothing()
        .returning(Reminder.kind)
    )
    return list(db.session.scalars(statement))


def create_nudges(unit_ids: Sequence[int], now: datetime, settings: ReminderSettings) -> list[str]:
    """Nudges on enrolments in progress idle for ``idle_days``, once per enrolment; kinds.

    Courses the learner is assigned get deadline reminders instead, and a course they were
    exempted from is not theirs to be nudged about; learners who opted out get none.
    """
    if not unit_ids:
        return []
    kind = Kind(Family.INACTIVE, settings.idle_days).name
    at = literal(now, UTCDateTime())
    last_active = func.coalesce(Enrollment.last_seen_at, Enrollment.enrolled_at)
    assigned = exists().where(
        Assignee.user_id == Enrollment.user_id, Assignee.course_id == Enrollment.course_id
    )
    already = exists().where(Reminder.enrollment_id == Enrollment.id, Reminder.kind == kind)
    rows = (
        select(Enrollment.user_id, Enrollment.course_id, Enrollment.id, literal(kind), at)
        .join(User, User.id == Enrollment.user_id)
        .where(
            User.unit_id.in_(unit_ids),
            User.is_active.is_(True),
            User.nudges_opt_out.is_(False),
            Enrollment.completed_at.is_(None),
            last_active <= literal(now - timedelta(days=settings.idle_days), UTCDateTime()),
            ~assigned,
            ~already,
        )
    )
    statement = (
        insert_reminder()
        .from_select(["user_id", "course_id", "enrollment_id", "kind", "created_at"], rows)
        .on_conflict_do_nothing()
        .returning(Reminder.kind)
    )
    return list(db.session.scalars(statement))
