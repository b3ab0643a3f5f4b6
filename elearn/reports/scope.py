"""Whose data a report may show: learners in the viewer's units and sub-units."""

from __future__ import annotations

from elearn.accounts.services import scoped_unit_ids
from elearn.models import Role, User


def report_unit_ids(user: User) -> set[int] | None:
    """Units whose learners ``user`` may report on; None means all (admins)."""
    if user.has_role(Role.ADMIN):
        return None
    return scoped_unit_ids(user, Role.EVALUATOR) | scoped_unit_ids(user, Role.COORDINATOR)
