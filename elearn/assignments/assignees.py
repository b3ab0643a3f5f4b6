"""Adding learners to an assignment, each exactly once, and enrolling them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from elearn.extensions import db
from elearn.learning.enrollment import EnrollmentRefused, enroll
from elearn.models import Assignee, AssigneeState, Assignment, User
from elearn.reports.rollups import RollupBatch

# Rows per INSERT: well under SQLite's 32,766 bound parameters at 5 columns a row.
CHUNK = 500


def assign_learners(assignment: Assignment, user_ids: Sequence[int], now: datetime) -> int:
    """Add the learners not yet under ``assignment`` and enrol them; return how many were new.

    The unique (assignment, learner) constraint decides who is new, so a learner reached
    twice at once (an import and an edit, two targets) is added once. An existing
    enrolment in the course counts; prerequisites are waived for an assigned course.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added: list[int] = []
    for start in range(0, len(user_ids), CHUNK):
        rows = [
            {
                "assignment_id": assignment.id,
                "user_id": user_id,
                "course_id": assignment.course_id,
                "state": AssigneeState.ASSIGNED,
                "assigned_at": now,
            }
            for user_id in user_ids[start : start + CHUNK]
        ]
        statement = (
            insert(Assignee)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["assignment_id", "user_id"])
            .returning(Assignee.user_id)
        )
        added.extend(db.session.scalars(statement))
    course = assignment.course
    # The shared rollup rows are counted last: a learner enrolling themselves at the same
    # moment locks their enrolment, then the rollup row; taking the rollup row first here
    # and then waiting on their enrolment would deadlock on PostgreSQL.
    batch = RollupBatch()
    for start in range(0, len(added), CHUNK):
        users = db.session.scalars(select(User).where(User.id.in_(added[start : start + CHUNK])))
        for user in users:
            try:
                enroll(user, course, waive_prerequisites=True, batch=batch)
            except EnrollmentRefused:
                # The course was archived since: the learner stays assigned, and is
                # enrolled by nobody until it is published again (see docs/assignments.md).
                continue
    batch.write()
    return len(added)
