"""Which courses a coordinator may manage: those of their units and sub-units."""

from __future__ import annotations

from sqlalchemy import Select, select

from elearn.accounts.services import scoped_unit_ids
from elearn.extensions import db
from elearn.models import Course, Role, Unit, User


def can_manage(user: User, course: Course) -> bool:
    """Admins manage every course; coordinators those owned by units in their scope."""
    if user.has_role(Role.ADMIN):
        return True
    if not user.has_role(Role.COORDINATOR) or course.unit_id is None:
        return False
    return course.unit_id in scoped_unit_ids(user, Role.COORDINATOR)


def manageable_courses(user: User) -> Select[Course]:
    """Select the courses ``user`` may manage, by slug."""
    statement = select(Course).order_by(Course.slug)
    if user.has_role(Role.ADMIN):
        return statement
    return statement.where(Course.unit_id.in_(scoped_unit_ids(user, Role.COORDINATOR)))


def owner_units(user: User) -> list[Unit]:
    """Units ``user`` may assign as a new course's owner."""
    if user.has_role(Role.ADMIN):
        ids = None
    else:
        ids = scoped_unit_ids(user, Role.COORDINATOR)
    statement = select(Unit)
    if ids is not None:
        statement = statement.where(Unit.id.in_(ids))
    return sorted(db.session.scalars(statement), key=lambda unit: unit.path)
