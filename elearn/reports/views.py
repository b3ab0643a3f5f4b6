"""Reports for coordinators and evaluators, scoped to their units."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from elearn.accounts.services import scoped_unit_ids
from elearn.auth.access import role_required
from elearn.coordinator.scope import can_manage
from elearn.extensions import db
from elearn.learning.evaluation import comments, summaries
from elearn.models import Course, Role, User

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@role_required(Role.COORDINATOR, Role.EVALUATOR, Role.ADMIN)
def _staff_only() -> None:
    """Coordinators, evaluators and admins only."""


def learner_units(user: User, course: Course) -> set[int] | None:
    """Whose answers ``user`` may see for ``course``: None means every learner.

    Coordinators and admins see every learner of the courses they manage;
    evaluators see the learners of their own units (and sub-units), in any
    course. An empty set means nobody.
    """
    if can_manage(user, course):
        return None
    if user.has_role(Role.EVALUATOR):
        return scoped_unit_ids(user, Role.EVALUATOR)
    return set()


@bp.route("/evaluations")
def evaluations() -> str:
    rows = []
    for course in db.session.scalars(select(Course).order_by(Course.slug)):
        units = learner_units(current_user, course)
        if units is not None and not units:
            continue
        rows.append((course, summaries([course.id], units).get(course.id)))
    return render_template("reports/evaluations.html", rows=rows)


@bp.route("/evaluations/<slug>")
def evaluation(slug: str) -> str:
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None:
        abort(404)
    units = learner_units(current_user, course)
    if units is not None and not units:
        abort(404)
    return render_template(
        "reports/evaluation.html",
        course=course,
        summary=summaries([course.id], units).get(course.id),
        comments=comments(course.id, units),
    )
