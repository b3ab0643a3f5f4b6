"""Which courses a coordinator may manage: those of their units and sub-units."""

from __future__ import annotations

from sqlalchemy import Select, select

from elearn.accounts.services import scoped_unit_ids
from elearn.models import Course, Role, User
from elearn.reports.rows import UnitNames


def can_manage(user: User, course: Course) -> bool:
    """Admins manage every course; coordinators those owned by units in their scope."""
    return can_manage_unit(user, course.unit_id)


def can_manage_unit(user: User, unit_id: int | None) -> bool:
    """Admins manage what every unit owns (and what none does); coordinators what units in
    their scope own (a course, a program)."""
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.COORDINATOR) or unit_id is None:
        return False
    return unit_id in scoped_unit_ids(user, Role.COORDINATOR)


def manageable_courses(user: User) -> Select[Course]:
    """Select the courses ``user`` may manage, by slug."""
    statement = select(Course).order_by(Course.slug)
    if user.has_role(Role.ADMIN):
        return statement
    return statement.where(Course.unit_id.in_(scoped_unit_ids(user, Role.COORDINATOR)))


def owner_units(user: User) -> list[tuple[int, str]]:
    """(id, path) of the units ``user`` may name as a course's owner, by path."""
    ids = None if user.has_role(Role.ADMIN) else scoped_unit_ids(user, Role.COORDINATOR)
    # Paths from one read of the unit table: Unit.path walks parents one query each.
    paths = UnitNames().path
    return sorted(
        ((uid, path) for uid, path in paths.items() if ids is None or uid in ids),
        key=lambda unit: unit[1],
    )
