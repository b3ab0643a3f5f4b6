"""The coordinators' weekly digest: overdue learners of the assignments in their scope.

Once per ISO week (in the coordinator's zone, from ``REMINDER_DIGEST_WEEKDAY`` on) each
active coordinator with overdue learners gets one reminder row (the in-app notification,
then one e-mail): the count and the first learners, most overdue first. A coordinator's
scope is what the assignment pages show them: assignments of courses owned by their units
(sub-units included), learners in those units. Nothing is made when nobody is overdue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, select

from elearn.assignments.standing import with_learner_and_enrolment
from elearn.extensions import db
from elearn.models import (
    Assignee,
    AssigneeState,
    Assignment,
    Course,
    Enrollment,
    Reminder,
    Role,
    RoleGrant,
    RoleScope,
    Unit,
    User,
)
from elearn.models.base import UTCDateTime
from elearn.reminders.create import insert_reminder
from elearn.reminders.inbox import course_title
from elearn.reminders.kinds import Family, Kind
from elearn.reports.rows import UnitNames

DIGEST = Kind(Family.DIGEST)


def week_period(today: date) -> str:
    """The period of a digest: the ISO week, ``2026-W12``."""
    year, week, _ = today.isocalendar()
    return f"{year:04d}-W{week:02d}"


@dataclass(frozen=True)
class Overdue:
    """One overdue learner as the digest lists them."""

    name: str
    nip: str
    unit: str
    course: str
    assignment_id: int
    days: int  # whole days since the deadline, the first day counting as 1

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "nip": self.nip,
            "unit": self.unit,
            "course": self.course,
            "assignment_id": self.assignment_id,
            "days": self.days,
        }


class UnitTree:
    """The unit tree read once per pass, for every coordinator's scope."""

    def __init__(self) -> None:
        self.children: dict[int, list[int]] = defaultdict(list)
        for unit_id, parent_id in db.session.execute(select(Unit.id, Unit.parent_id)):
            if parent_id is not None:
                self.children[parent_id].append(unit_id)

    def below(self, roots: set[int]) -> set[int]:
        """The roots and every unit under them."""
        found, frontier = set(roots), list(roots)
        while frontier:
            for child in self.children.get(frontier.pop(), []):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found


def overdue_in_scope(
    unit_ids: set[int], now: datetime, names: UnitNames, limit: int
) -> tuple[int, list[Overdue]]:
    """How many learners in ``unit_ids`` are overdue on the units' assignments, and the
    first ``limit`` of them (longest overdue first), in one statement."""
    if not unit_ids:
        return 0, []
    units = sorted(unit_ids)
    at = literal(now, UTCDateTime())
    statement = (
        with_learner_and_enrolment(
            select(
                User.full_name,
                User.nip,
                User.unit_id,
                course_title(),
                Assignment.id,
                Assignment.due_at,
                func.count().over(),
            ).select_from(Assignee)
        )
        .join(Course, Course.id == Assignment.course_id)
        .where(
            Assignee.state == AssigneeState.ASSIGNED,
            User.is_active.is_(True),
            User.unit_id.in_(units),
            Course.unit_id.in_(units),
            Assignment.due_at <= at,
            Enrollment.completed_at.is_(None),  # also no enrolment at all
        )
        .order_by(Assignment.due_at, User.full_name, User.id, Assignment.id)
        .limit(limit)
    )
    rows = db.session.execute(statement).all()
    if not rows:
        return 0, []
    listed = [
        Overdue(
            name=name,
            nip=nip,
            unit=names.path.get(unit_id, "?"),
            course=title,
            assignment_id=assignment_id,
            days=(now - due_at) // timedelta(days=1) + 1,
        )
        for name, nip, unit_id, title, assignment_id, due_at, _ in rows
    ]
    return int(rows[0][-1]), listed


def create_digests(
    unit_ids: Sequence[int], today: date, now: datetime, first_weekday: int, limit: int
) -> list[str]:
    """This week's digest for each coordinator whose own unit is in ``unit_ids``; kinds.

    ``today`` is the coordinators' local day; before ``first_weekday`` (1 Monday … 7
    Sunday) of the week nothing is made yet.
    """
    if not unit_ids or today.isoweekday() < first_weekday:
        return []
    period = week_period(today)
    done = exists().where(
        Reminder.user_id == User.id, Reminder.kind == DIGEST.name, Reminder.period == period
    )
    coordinators = db.session.scalars(
        select(User.id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role == Role.COORDINATOR,
            User.is_active.is_(True),
            User.unit_id.in_(list(unit_ids)),
            ~done,
        )
        .order_by(User.id)
    ).all()
    if not coordinators:
        return []
    roots: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in db.session.execute(
        select(RoleScope.user_id, RoleScope.unit_id).where(
            RoleScope.role == Role.COORDINATOR, RoleScope.user_id.in_(coordinators)
        )
    ):
        roots[user_id].add(unit_id)
    tree, names = UnitTree(), UnitNames()
    created: list[str] = []
    for user_id in coordinators:
        count, listed = overdue_in_scope(tree.below(roots[user_id]), now, names, limit)
        if not count:
            continue  # nobody overdue: no digest, and the next pass looks again
        details = {"count": count, "learners": [o.as_json() for o in listed]}
        statement = (
            insert_reminder()
            .values(
                user_id=user_id, kind=DIGEST.name, period=period, details=details, created_at=now
            )
            .on_conflict_do_nothing()
            .returning(Reminder.kind)
        )
        created.extend(db.session.scalars(statement))
    return created


def forget_learner(nip: str, name: str) -> None:
    """Show an anonymised learner in the stored digests under ``name``, without their NIP.

    A digest keeps the overdue learners as they were that week, so the in-app list
    reads the same later; a person erased under UU 27/2022 must leave it too. Mail
    already sent is beyond reach.
    """
    mentioned = db.session.scalars(
        select(Reminder).where(
            Reminder.kind == DIGEST.name, cast(Reminder.details, String).contains(nip)
        )
    )
    for digest in mentioned:
        details = digest.details or {}
        learners = [
            {**entry, "name": name, "nip": "-"} if entry.get("nip") == nip else entry
            for entry in details.get("learners", [])
        ]
        # A new dict: the JSON column does not see changes made in place.
        digest.details = {**details, "learners": learners}
